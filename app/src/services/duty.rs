//! The duty screen's back end: who is on duty and the PIN guard, kept in the ledger's settings
//! (so a restart keeps both), and the sign-on and sign-off entries appended to the journal, each
//! as the staff member it is about.

use chrono::{DateTime, Utc};
use sync_core::domain::{EntryBody, NewEntry};
use sync_core::duty::{DutyData, OnDuty, PinGuard};
use sync_core::ledger::Ledger;
use sync_core::LedgerError;

use crate::state::recorded::Words;

const SETTING_ON_DUTY: &str = "duty_on";
const SETTING_PIN_GUARD: &str = "duty_pin_guard";

/// Who is on duty and the PIN guard as last kept (nobody, no wrong PINs when never set).
pub fn restore(ledger: &Ledger) -> Result<(Option<OnDuty>, PinGuard), LedgerError> {
    let on: Option<OnDuty> = ledger.setting(SETTING_ON_DUTY)?;
    let guard: Option<PinGuard> = ledger.setting(SETTING_PIN_GUARD)?;
    Ok((on, guard.unwrap_or_default()))
}

pub fn keep_guard(ledger: &mut Ledger, guard: &PinGuard) -> Result<(), LedgerError> {
    ledger.set_setting(SETTING_PIN_GUARD, guard)
}

pub fn keep_on_duty(ledger: &mut Ledger, on: Option<&OnDuty>) -> Result<(), LedgerError> {
    ledger.set_setting(SETTING_ON_DUTY, &on)
}

/// Append the events in order; how many were stored, and why it stopped if it did.
pub fn record_events(
    ledger: &mut Ledger,
    events: &[DutyData],
    clock_offset_ms: Option<i64>,
    recorded_at: DateTime<Utc>,
) -> (usize, Result<(), Words>) {
    for (i, event) in events.iter().enumerate() {
        let appended = ledger.append_entry(NewEntry {
            recorded_at,
            clock_offset_ms,
            staff: event.staff_name.clone(),
            attachments: Vec::new(),
            body: EntryBody::Duty(event.clone()),
        });
        if let Err(e) = appended {
            tracing::error!("duty entry not stored: {e}");
            return (i, Err(Words::of(&e)));
        }
    }
    (events.len(), Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_core::domain::EntryKind;
    use sync_core::duty::{DutyEvent, DutyMethod};

    #[test]
    fn events_are_journal_entries_as_their_staff_and_duty_survives_a_reopen() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("gate.db");
        let mut ledger = Ledger::open(&path).expect("ledger");
        let event = |staff: &str, e| DutyData {
            checkpoint_id: "cp-east".into(),
            staff_id: staff.into(),
            staff_name: staff.into(),
            event: e,
            method: DutyMethod::Handover,
        };
        let events = [event("王", DutyEvent::Off), event("刘", DutyEvent::On)];
        let now = Utc::now();
        assert_eq!(
            record_events(&mut ledger, &events, Some(0), now),
            (2, Ok(()))
        );
        let on = OnDuty {
            staff_id: "刘".into(),
            name: "刘".into(),
            since: now,
        };
        keep_on_duty(&mut ledger, Some(&on)).expect("kept");
        let guard = PinGuard {
            failures: 2,
            locked_until: None,
        };
        keep_guard(&mut ledger, &guard).expect("kept");
        drop(ledger);
        let ledger = Ledger::open(&path).expect("reopened");
        assert_eq!(restore(&ledger).expect("read"), (Some(on), guard));
        let stored = ledger
            .entries_of_kind(EntryKind::Duty, 0, DateTime::<Utc>::MIN_UTC)
            .expect("read");
        let staff: Vec<&str> = stored.iter().map(|e| e.head.staff.as_str()).collect();
        assert_eq!(staff, ["王", "刘"]);
    }
}
