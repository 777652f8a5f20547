//! Compound rules: set per compound on the server, carried to the gate in the signed checkpoint
//! config, and decided on the phone without a network. One place for their wording.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::domain::{DenyReason, Direction, SubjectKind};

/// What a compound asks of its gates (all off by default; self-registration open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompoundRules {
    /// Visitors must give an ID number (at the gate and when registering themselves).
    #[serde(default)]
    pub visitors_need_id: bool,
    /// Visitors may register themselves at `/register/{checkpoint}`.
    #[serde(default = "open")]
    pub self_registration_open: bool,
    /// At most `persons` residents of a household out per `days` days.
    #[serde(default)]
    pub exit_quota: Option<ExitQuota>,
    /// The hours residents may go out (district time); outside them an exit is red.
    #[serde(default)]
    pub exit_hours: Option<ExitHours>,
    /// Residents' temperature is taken at the gate before the verdict.
    #[serde(default)]
    pub resident_temperature_required: bool,
    /// Households, passes and plates refused at this compound's gates, each with its reason.
    #[serde(default)]
    pub deny: Vec<DenyEntry>,
    /// The hours someone must be signed on at each gate (district time); None: around the clock.
    #[serde(default)]
    pub staffed_hours: Option<ExitHours>,
    /// Residents must have made today's health check-in: the gate shows 今日已打卡 / 未打卡.
    #[serde(default)]
    pub checkin_required: bool,
}

fn open() -> bool {
    true
}

impl Default for CompoundRules {
    fn default() -> Self {
        Self {
            visitors_need_id: false,
            self_registration_open: true,
            exit_quota: None,
            exit_hours: None,
            resident_temperature_required: false,
            deny: Vec::new(),
            staffed_hours: None,
            checkin_required: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitQuota {
    pub persons: u32,
    pub days: u32,
}

/// A daily window of district time (exit hours, staffed hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitHours {
    pub from: NaiveTime,
    pub until: NaiveTime,
}

impl ExitHours {
    /// Is `t` inside the hours (a window past midnight, e.g. 22:00–06:00, works too)?
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.until {
            self.from <= t && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }
}

/// What a deny-list entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyTarget {
    Household,
    Pass,
    Plate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyEntry {
    pub target: DenyTarget,
    pub value: String,
    pub reason: String,
}

/// What the gate knows of one passage when it applies the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleFacts<'a> {
    pub kind: SubjectKind,
    pub direction: Direction,
    pub household: Option<&'a str>,
    pub pass_id: Option<&'a str>,
    pub plate: Option<&'a str>,
    /// The district's local time now.
    pub local_time: NaiveTime,
    /// Admitted exits of this household within the quota window, at every gate known here.
    pub household_exits: u32,
    /// Other gates' exits are as fresh as the last sync: say so when offline.
    pub offline: bool,
}

/// A rule said no: the reason recorded and the rule's words for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDenial {
    pub reason: DenyReason,
    pub zh: String,
    pub en: String,
}

impl CompoundRules {
    /// The first rule that refuses this passage, if any (deny list, then hours, then quota).
    pub fn check(&self, f: &RuleFacts<'_>) -> Option<RuleDenial> {
        self.deny_listed(f)
            .or_else(|| self.outside_hours(f))
            .or_else(|| self.over_quota(f))
    }

    fn deny_listed(&self, f: &RuleFacts<'_>) -> Option<RuleDenial> {
        let hit = self.deny.iter().find(|d| {
            let value = match d.target {
                DenyTarget::Household => f.household,
                DenyTarget::Pass => f.pass_id,
                DenyTarget::Plate => f.plate,
            };
            value.is_some_and(|v| !v.is_empty() && v == d.value)
        })?;
        Some(RuleDenial {
            reason: DenyReason::DenyListed,
            zh: format!("禁止名单：{}", hit.reason),
            en: format!("On the deny list: {}", hit.reason),
        })
    }

    fn resident_out(f: &RuleFacts<'_>) -> bool {
        f.kind == SubjectKind::Resident && f.direction == Direction::Out
    }

    fn outside_hours(&self, f: &RuleFacts<'_>) -> Option<RuleDenial> {
        let hours = self.exit_hours?;
        if !Self::resident_out(f) || hours.contains(f.local_time) {
            return None;
        }
        let (from, until) = (hours.from.format("%H:%M"), hours.until.format("%H:%M"));
        Some(RuleDenial {
            reason: DenyReason::OutsideHours,
            zh: format!("居民外出时间为 {from}–{until}"),
            en: format!("Residents may go out {from}–{until}"),
        })
    }

    fn over_quota(&self, f: &RuleFacts<'_>) -> Option<RuleDenial> {
        let q = self.exit_quota?;
        if !Self::resident_out(f) || f.household_exits < q.persons {
            return None;
        }
        let n = f.household_exits;
        let (mut zh, mut en) = (
            format!("每户每{}天限{}人外出，本户已外出{n}人", q.days, q.persons),
            format!(
                "At most {} out per household per {} days; {n} already out",
                q.persons, q.days
            ),
        );
        if f.offline {
            zh.push_str("（离线：其他卡口的次数截至上次同步）");
            en.push_str(" (offline: other gates counted as of the last sync)");
        }
        Some(RuleDenial {
            reason: DenyReason::ExitQuota,
            zh,
            en,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn facts(direction: Direction, exits: u32, at: NaiveTime) -> RuleFacts<'static> {
        RuleFacts {
            kind: SubjectKind::Resident,
            direction,
            household: Some("3-2-401"),
            pass_id: Some("R000001"),
            plate: None,
            local_time: at,
            household_exits: exits,
            offline: false,
        }
    }

    fn rules() -> CompoundRules {
        CompoundRules {
            exit_quota: Some(ExitQuota {
                persons: 1,
                days: 2,
            }),
            exit_hours: Some(ExitHours {
                from: t(6, 0),
                until: t(22, 0),
            }),
            deny: vec![DenyEntry {
                target: DenyTarget::Plate,
                value: "京A12345".into(),
                reason: "未缴停车费".into(),
            }],
            ..CompoundRules::default()
        }
    }

    #[test]
    fn quota_hours_and_deny_list_decide_in_both_languages() {
        let r = rules();
        assert_eq!(r.check(&facts(Direction::Out, 0, t(9, 0))), None);
        let quota = r.check(&facts(Direction::Out, 1, t(9, 0))).unwrap();
        assert_eq!(quota.reason, DenyReason::ExitQuota);
        assert_eq!(quota.zh, "每户每2天限1人外出，本户已外出1人");
        assert!(quota
            .en
            .starts_with("At most 1 out per household per 2 days"));
        let mut offline = facts(Direction::Out, 1, t(9, 0));
        offline.offline = true;
        assert!(r
            .check(&offline)
            .unwrap()
            .en
            .contains("as of the last sync"));
        let late = r.check(&facts(Direction::Out, 0, t(23, 30))).unwrap();
        assert_eq!(
            (late.reason, late.zh.as_str()),
            (DenyReason::OutsideHours, "居民外出时间为 06:00–22:00")
        );
        // Coming home is never held by the exit rules.
        assert_eq!(r.check(&facts(Direction::In, 5, t(23, 30))), None);
        let mut car = facts(Direction::In, 0, t(9, 0));
        car.kind = SubjectKind::Vehicle;
        car.plate = Some("京A12345");
        let listed = r.check(&car).unwrap();
        assert_eq!(
            (listed.reason, listed.zh.as_str()),
            (DenyReason::DenyListed, "禁止名单：未缴停车费")
        );
        assert_eq!(listed.en, "On the deny list: 未缴停车费");
    }

    #[test]
    fn hours_may_wrap_midnight_and_defaults_are_open() {
        let night = ExitHours {
            from: t(22, 0),
            until: t(6, 0),
        };
        assert!(night.contains(t(23, 0)) && night.contains(t(5, 59)) && !night.contains(t(12, 0)));
        let d: CompoundRules = serde_json::from_str("{}").unwrap();
        assert_eq!(d, CompoundRules::default());
        assert!(d.self_registration_open);
        assert_eq!(d.check(&facts(Direction::Out, 9, t(3, 0))), None);
    }
}
