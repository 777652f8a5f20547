//! The compound roster in the device ledger (lookups by pass id, plate, ID-number tail and
//! household; deltas; a new compound replaces it), and the schema step that added it: a ledger in
//! the previous layout keeps every passage, its upload state and its chain, and takes staff passages.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use rusqlite::Connection;
use sync_core::fixtures::sample_passage;
use sync_core::ledger::{RosterStatus, UploadOutcome};
use sync_core::pass::PassKind;
use sync_core::protocol::RosterEntry;
use sync_core::{Ledger, Subject};

fn entry(pass_id: &str, kind: PassKind, household: &str) -> RosterEntry {
    RosterEntry {
        pass_id: pass_id.into(),
        kind,
        serial: 1,
        revoked: false,
        household: household.into(),
        name: "张*".into(),
        plate: (kind == PassKind::Vehicle).then(|| "京A12345".into()),
        valid_until: Utc::now() + Duration::days(30),
        id_tail: (kind == PassKind::Resident).then(|| "002X".into()),
        // The day of the last health check-in travels and is kept (ledger schema 5).
        checked_in_on: (kind == PassKind::Resident)
            .then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 3).expect("a day")),
    }
}

#[test]
fn the_roster_answers_every_lookup_and_follows_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(dir.path().join("gate.db")).unwrap();
    assert_eq!(l.roster_version("c1").unwrap(), 0);
    let full = vec![
        entry("R000001", PassKind::Resident, "3-2-401"),
        entry("V000001-1", PassKind::Vehicle, "3-2-401"),
        entry("S000001", PassKind::Staff, ""),
    ];
    l.apply_roster("c1", true, 7, &full).unwrap();
    assert_eq!(
        (l.roster_version("c1").unwrap(), l.roster_len().unwrap()),
        (7, 3)
    );
    let now = Utc::now();
    let r = l.roster_pass("R000001").unwrap().unwrap();
    assert_eq!(r.status(now), RosterStatus::Valid);
    assert_eq!(l.roster_plate("京A12345").unwrap()[0].pass_id, "V000001-1");
    assert_eq!(
        l.roster_id_tail("002x", 10).unwrap().len(),
        1,
        "tails match case-blind"
    );
    assert!(l.roster_has_household("3-2-401").unwrap());
    assert!(!l.roster_has_household("99-99-9999").unwrap());
    assert!(l.roster_pass("R999999").unwrap().is_none());

    // A delta: the car's pass revoked, a new resident; the rest stays.
    let mut car = entry("V000001-1", PassKind::Vehicle, "3-2-401");
    car.revoked = true;
    let delta = vec![car, entry("R000002", PassKind::Resident, "3-2-402")];
    l.apply_roster("c1", false, 9, &delta).unwrap();
    assert_eq!(
        (l.roster_version("c1").unwrap(), l.roster_len().unwrap()),
        (9, 4)
    );
    let car = &l.roster_plate("京A12345").unwrap()[0];
    assert_eq!(car.status(now), RosterStatus::Revoked);
    let mut old = entry("R000003", PassKind::Resident, "1-1-101");
    old.valid_until = now - Duration::seconds(1);
    assert_eq!(old.status(now), RosterStatus::Expired);

    // Re-enrolled at another compound: its version starts at 0, and a full pull replaces everything.
    assert_eq!(l.roster_version("c2").unwrap(), 0);
    l.apply_roster(
        "c2",
        true,
        3,
        &[entry("R000100", PassKind::Resident, "1-1-101")],
    )
    .unwrap();
    assert_eq!(l.roster_len().unwrap(), 1);
    assert!(l.roster_pass("R000001").unwrap().is_none());
}

/// Put a ledger back into the layout of schema version 2 (before the roster, staff passages and
/// the journal).
fn downgrade_to_v2(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "BEGIN;
         DROP TABLE roster;
         DROP TABLE roster_exits;
         CREATE TABLE passages_v2 (
             seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, recorded_ms INTEGER NOT NULL,
             kind TEXT NOT NULL CHECK (kind IN ('resident', 'vehicle', 'visitor')),
             direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
             verdict TEXT NOT NULL CHECK (verdict IN ('admitted', 'denied')),
             subject_key TEXT NOT NULL, plate TEXT, name TEXT, id_tail TEXT, body TEXT NOT NULL,
             prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
             upload_state TEXT NOT NULL DEFAULT 'pending'
                 CHECK (upload_state IN ('pending', 'uploaded', 'rejected')),
             reject_reason TEXT, settled_ms INTEGER, set_aside TEXT);
         INSERT INTO passages_v2 SELECT * FROM passages;
         DROP VIEW passages;
         DROP TABLE attachments;
         DROP TABLE journal;
         ALTER TABLE passages_v2 RENAME TO passages;
         PRAGMA user_version = 2;
         COMMIT;",
    )
    .unwrap();
}

#[test]
fn a_ledger_of_the_previous_layout_keeps_everything_and_takes_staff_passages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate.db");
    let start = Utc::now() - Duration::hours(1);
    let ids: Vec<_> = {
        let mut l = Ledger::open(&path).unwrap();
        let ids: Vec<_> = (0..30)
            .map(|i| l.append(sample_passage(i, start)).unwrap().body.id)
            .collect();
        let outcomes: Vec<_> = ids[..10]
            .iter()
            .map(|id| (*id, UploadOutcome::Acknowledged))
            .collect();
        l.apply_upload_results(&outcomes, Utc::now()).unwrap();
        ids
    };
    downgrade_to_v2(&path);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.verify().unwrap(), 30, "the chain verifies after the step");
    assert_eq!(l.upload_summary().unwrap().pending, 20, "upload state kept");
    assert_eq!(l.passages_after(0, 100).unwrap().len(), ids.len());
    assert_eq!(l.integrity_check().unwrap(), "ok");
    let mut staff = sample_passage(30, start);
    staff.subject = Subject::Staff {
        pass_id: "S000001".into(),
        name: Some("王师傅".into()),
    };
    let stored = l.append(staff).unwrap();
    assert_eq!(stored.body.seq, 31);
    assert_eq!(l.roster_len().unwrap(), 0);
}

/// The exit quota counts this gate's own exits and other gates' (from the roster pull), each
/// record once even when the server sends back one of this gate's own.
#[test]
fn household_exits_count_every_gate_once() {
    use sync_core::protocol::RosterExit;
    use sync_core::{Direction, Verdict};
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(dir.path().join("gate.db")).unwrap();
    let now = Utc::now();
    let mut out = sample_passage(0, now - Duration::hours(1));
    out.subject = Subject::Resident {
        pass_id: "R000001".into(),
        household: "3-2-401".into(),
        name: None,
    };
    out.direction = Direction::Out;
    out.verdict = Verdict::Admitted;
    let own = l.append(out.clone()).unwrap();
    out.direction = Direction::In;
    l.append(out).unwrap();
    let since = now - Duration::days(2);
    assert_eq!(l.household_exits("3-2-401", since).unwrap(), 1);
    let exit = |id: &str, hours: i64| RosterExit {
        id: id.into(),
        household: "3-2-401".into(),
        at: now - Duration::hours(hours),
    };
    let from_server = [
        exit(&own.body.id.to_string(), 1), // this gate's own, uploaded and sent back
        exit("0195a1b2-other-gate", 3),
        exit("0195a1b2-long-ago", 24 * 40),
    ];
    l.apply_roster_exits(&from_server, 12_345, now).unwrap();
    assert_eq!(l.roster_exits_cursor().unwrap(), 12_345);
    assert_eq!(l.household_exits("3-2-401", since).unwrap(), 2);
    assert_eq!(l.household_exits("1-1-101", since).unwrap(), 0);
    // Sent again (the pull overlaps): still counted once.
    l.apply_roster_exits(&from_server[1..2], 12_400, now)
        .unwrap();
    assert_eq!(l.household_exits("3-2-401", since).unwrap(), 2);
}
