//! The duty screen (值班): who is on duty at this phone, signing on by staff pass or by name and
//! PIN (checked offline against the signed roster; 5 wrong PINs lock PINs out for 5 minutes),
//! signing off. One staff member is on duty per phone: a sign-on while someone else is on duty
//! signs them off first (a handover). The entries to record come back from `reduce`; the screen
//! shows the change only once the journal has them.

use chrono::{DateTime, Utc};
use sync_core::duty::{
    check_pin_format, DutyData, DutyEvent, DutyMethod, OnDuty, PinError, PinGuard, StaffMember,
};
use sync_core::i18n::{Lang, Localized};

use super::recorded::Words;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyAction {
    /// The roster and the checkpoint from the signed config (read again after every sync).
    Roster {
        roster: Vec<StaffMember>,
        checkpoint_id: String,
        offset_minutes: i32,
    },
    /// Who was on duty and the PIN guard, as the phone kept them (at start).
    Restored {
        on_duty: Option<OnDuty>,
        guard: PinGuard,
    },
    /// Open or close the camera to read a staff pass.
    Camera(bool),
    /// A name picked from the roster.
    Pick(String),
    Pin(String),
    /// "Sign on" with the picked name and the typed PIN.
    SubmitPin {
        now: DateTime<Utc>,
    },
    /// A staff pass read and verified by the pass checker: its id and name, or why it was refused.
    PassRead {
        read: Result<(String, String), Words>,
        now: DateTime<Utc>,
    },
    SignOff,
    /// The journal's answer to the entries `reduce` asked for: how many it stored, in order, and
    /// why it stopped if it did.
    Recorded {
        stored: usize,
        result: Result<(), Words>,
    },
}

/// The entries to append, in order, and who is on duty once they are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRequest {
    pub events: Vec<DutyData>,
    pub after: Option<OnDuty>,
}

/// The last thing the screen says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyNotice {
    SignedOn(String),
    SignedOff(String),
    Pin(PinError),
    PickFirst,
    /// The pass checker's or the journal's words.
    Said(Words),
}

impl DutyNotice {
    pub fn is_error(&self) -> bool {
        !matches!(self, Self::SignedOn(_) | Self::SignedOff(_))
    }

    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        match self {
            Self::SignedOn(n) if zh => format!("{n} 已上岗"),
            Self::SignedOn(n) => format!("{n} signed on"),
            Self::SignedOff(n) if zh => format!("{n} 已下岗"),
            Self::SignedOff(n) => format!("{n} signed off"),
            Self::Pin(e) => e.message(lang),
            Self::PickFirst if zh => "请先选择姓名".into(),
            Self::PickFirst => "Pick your name first".into(),
            Self::Said(w) => w.clone().pick(lang),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DutyState {
    pub roster: Vec<StaffMember>,
    pub checkpoint_id: String,
    pub offset_minutes: i32,
    pub on_duty: Option<OnDuty>,
    pub guard: PinGuard,
    pub picked: Option<String>,
    pub pin: String,
    pub notice: Option<DutyNotice>,
    /// The camera is open for a staff pass.
    pub scanning: bool,
    /// Asked and waiting for the journal.
    pending: Option<DutyRequest>,
}

impl DutyState {
    /// Apply `action`; a sign-on or sign-off returns the entries to record.
    pub fn reduce(&mut self, action: DutyAction) -> Option<DutyRequest> {
        match action {
            DutyAction::Roster {
                roster,
                checkpoint_id,
                offset_minutes,
            } => {
                self.roster = roster;
                self.checkpoint_id = checkpoint_id;
                self.offset_minutes = offset_minutes;
                if self.picked().is_none() {
                    self.picked = None;
                }
            }
            DutyAction::Restored { on_duty, guard } => {
                self.on_duty = on_duty;
                self.guard = guard;
            }
            DutyAction::Camera(on) => self.scanning = on,
            DutyAction::Pick(id) => {
                self.picked = Some(id);
                self.pin.clear();
            }
            DutyAction::Pin(pin) => {
                self.pin = pin.chars().filter(char::is_ascii_digit).take(6).collect()
            }
            DutyAction::SubmitPin { now } => return self.submit_pin(now),
            DutyAction::PassRead { read, now } => match read {
                Ok((staff_id, name)) => return self.sign_on(staff_id, name, DutyMethod::Pass, now),
                Err(words) => self.notice = Some(DutyNotice::Said(words)),
            },
            DutyAction::SignOff => {
                let on = self.on_duty.clone()?;
                return self.ask(DutyRequest {
                    events: vec![self.event(
                        &on.staff_id,
                        &on.name,
                        DutyEvent::Off,
                        DutyMethod::Button,
                    )],
                    after: None,
                });
            }
            DutyAction::Recorded { stored, result } => self.recorded(stored, result),
        }
        None
    }

    /// The roster member picked, while they are on the roster.
    pub fn picked(&self) -> Option<&StaffMember> {
        let id = self.picked.as_deref()?;
        self.roster.iter().find(|m| m.staff_id == id)
    }

    fn submit_pin(&mut self, now: DateTime<Utc>) -> Option<DutyRequest> {
        let Some(member) = self.picked().cloned() else {
            self.notice = Some(DutyNotice::PickFirst);
            return None;
        };
        let refused = self
            .guard
            .check(now, self.offset_minutes)
            .and_then(|()| check_pin_format(&self.pin))
            .and_then(|()| match member.pin_hash {
                None => Err(PinError::NoPin {
                    name: member.name.clone(),
                }),
                Some(_) if member.pin_matches(&self.pin) => Ok(()),
                Some(_) => Err(self.guard.failed(now)),
            });
        self.pin.clear();
        match refused {
            Err(PinError::LockedOut { .. }) => {
                let shown = self.guard.check(now, self.offset_minutes).err();
                self.notice = shown.map(DutyNotice::Pin);
                None
            }
            Err(e) => {
                self.notice = Some(DutyNotice::Pin(e));
                None
            }
            Ok(()) => {
                self.guard.succeeded();
                self.sign_on(member.staff_id, member.name, DutyMethod::Pin, now)
            }
        }
    }

    fn sign_on(
        &mut self,
        staff_id: String,
        name: String,
        method: DutyMethod,
        now: DateTime<Utc>,
    ) -> Option<DutyRequest> {
        if self
            .on_duty
            .as_ref()
            .is_some_and(|o| o.staff_id == staff_id)
        {
            self.notice = Some(DutyNotice::SignedOn(name));
            return None;
        }
        let mut events = Vec::new();
        if let Some(on) = &self.on_duty {
            events.push(self.event(&on.staff_id, &on.name, DutyEvent::Off, DutyMethod::Handover));
        }
        events.push(self.event(&staff_id, &name, DutyEvent::On, method));
        self.ask(DutyRequest {
            events,
            after: Some(OnDuty {
                staff_id,
                name,
                since: now,
            }),
        })
    }

    fn event(&self, staff_id: &str, name: &str, event: DutyEvent, method: DutyMethod) -> DutyData {
        DutyData {
            checkpoint_id: self.checkpoint_id.clone(),
            staff_id: staff_id.to_owned(),
            staff_name: name.to_owned(),
            event,
            method,
        }
    }

    fn ask(&mut self, request: DutyRequest) -> Option<DutyRequest> {
        self.pending = Some(request.clone());
        Some(request)
    }

    fn recorded(&mut self, stored: usize, result: Result<(), Words>) {
        let Some(request) = self.pending.take() else {
            return;
        };
        // A handover whose sign-off was stored but not the sign-on: nobody is on duty.
        let signed_off = request
            .events
            .iter()
            .take(stored)
            .any(|e| e.event == DutyEvent::Off);
        match result {
            Ok(()) => {
                let before = self.on_duty.take();
                self.notice = match (&request.after, before) {
                    (Some(on), _) => Some(DutyNotice::SignedOn(on.name.clone())),
                    (None, Some(off)) => Some(DutyNotice::SignedOff(off.name)),
                    (None, None) => None,
                };
                self.on_duty = request.after;
                self.picked = None;
                self.scanning = false;
            }
            Err(words) => {
                if signed_off {
                    self.on_duty = None;
                }
                self.notice = Some(DutyNotice::Said(words));
            }
        }
    }
}

#[cfg(test)]
#[path = "duty_tests.rs"]
mod tests;
