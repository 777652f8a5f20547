//! The ledger on real SQLite files: round trip, tamper detection, queries, purge, full and read-only disks.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap too

use chrono::{Duration, TimeZone, Utc};
use rusqlite::Connection;
use sync_core::domain::ChainError;
use sync_core::ledger::{RecordFilter, UploadOutcome, UploadState};
use sync_core::{
    fixtures::sample_passage, Direction, Ledger, LedgerError, Subject, SubjectKind, Verdict,
};

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn ledger_with(n: u64) -> (tempfile::TempDir, std::path::PathBuf, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let mut ledger = Ledger::open(&path).unwrap();
    for i in 0..n {
        ledger.append(sample_passage(i, start())).unwrap();
    }
    (dir, path, ledger)
}

#[test]
fn round_trip_and_chain() {
    let (_dir, path, ledger) = ledger_with(50);
    let device = ledger.device_id().to_owned();
    drop(ledger);
    let ledger = Ledger::open(&path).unwrap();
    assert_eq!(ledger.device_id(), device, "device id survives reopening");
    let all = ledger.passages_after(0, 1000).unwrap();
    assert_eq!(all.len(), 50);
    for (i, p) in all.iter().enumerate() {
        assert_eq!(p.body.seq, i as u64 + 1);
        assert_eq!(p.body.device_id, device);
        let expected = sample_passage(i as u64, start());
        assert_eq!(p.body.subject, expected.subject);
        assert_eq!(p.body.recorded_at, expected.recorded_at);
        assert_eq!(p.body.temperature_c, expected.temperature_c);
        assert_eq!(ledger.passage(p.body.id).unwrap(), *p);
    }
    assert_eq!(all[0].prev_hash, sync_core::domain::GENESIS_HASH);
    assert_eq!(ledger.verify().unwrap(), 50);
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
}

#[test]
fn tampering_with_a_stored_row_is_detected() {
    let (_dir, path, ledger) = ledger_with(20);
    drop(ledger);
    let conn = Connection::open(&path).unwrap();
    // Change the plate inside seq 8's body, as someone editing the file by hand would.
    conn.execute(
        "UPDATE journal SET body = replace(body, '京A00007', '京A99999') WHERE seq = 8",
        [],
    )
    .unwrap();
    drop(conn);
    let ledger = Ledger::open(&path).unwrap();
    match ledger.verify() {
        Err(LedgerError::Chain(ChainError::Tampered { seq: 8 })) => {}
        other => panic!("expected tamper at seq 8, got {other:?}"),
    }

    // A consistent rewrite of one record (recomputed hash) breaks the link to the next one.
    let (_dir2, path2, ledger2) = ledger_with(20);
    let mut p = ledger2.passages_after(4, 1).unwrap().remove(0);
    drop(ledger2);
    p.body.direction = p.body.direction.flipped();
    let resealed = sync_core::Passage::seal(p.body.clone(), &p.prev_hash);
    let conn = Connection::open(&path2).unwrap();
    conn.execute(
        "UPDATE journal SET body = ?1, hash = ?2, direction = ?3 WHERE seq = 5",
        rusqlite::params![
            String::from_utf8(resealed.body.canonical_bytes()).unwrap(),
            resealed.hash,
            resealed.body.direction.as_str()
        ],
    )
    .unwrap();
    drop(conn);
    match Ledger::open(&path2).unwrap().verify() {
        Err(LedgerError::Chain(ChainError::Broken { seq: 6 })) => {}
        other => panic!("expected a broken link at seq 6, got {other:?}"),
    }

    // Deleting a row leaves a gap.
    let (_dir3, path3, ledger3) = ledger_with(10);
    drop(ledger3);
    Connection::open(&path3)
        .unwrap()
        .execute("DELETE FROM journal WHERE seq = 10", [])
        .unwrap();
    assert!(matches!(
        Ledger::open(&path3).unwrap().verify(),
        Err(LedgerError::Chain(ChainError::Gap { .. }))
    ));
}

#[test]
fn day_counts_inside_and_search() {
    let (_dir, _path, mut ledger) = ledger_with(0);
    let t = start();
    let visitor = |phone: &str, direction, minutes| {
        let mut p = sample_passage(2, t + Duration::minutes(minutes));
        if let Subject::Visitor { phone: ph, .. } = &mut p.subject {
            *ph = phone.into();
        }
        p.direction = direction;
        p.verdict = Verdict::Admitted;
        p
    };
    let news = vec![
        visitor("13800000001", Direction::In, 1),
        visitor("13800000002", Direction::In, 2),
        visitor("13800000001", Direction::Out, 3),
        visitor("13800000003", Direction::In, 4),
    ];
    for n in news {
        ledger.append(n).unwrap();
    }
    // A resident in, a vehicle out, a denied resident, and one the next day.
    let mut r = sample_passage(0, t + Duration::minutes(5));
    r.verdict = Verdict::Admitted;
    ledger.append(r).unwrap();
    let mut v = sample_passage(1, t + Duration::minutes(6));
    v.verdict = Verdict::Admitted;
    ledger.append(v).unwrap();
    ledger
        .append(sample_passage(0, t + Duration::minutes(7)))
        .unwrap(); // i=0 → denied
    ledger
        .append(sample_passage(3, t + Duration::days(1)))
        .unwrap();

    let c = ledger.day_counts(t, t + Duration::days(1)).unwrap();
    assert_eq!(c.visitor.r#in, 3);
    assert_eq!(c.visitor.out, 1);
    assert_eq!(c.kind(SubjectKind::Resident).r#in, 1);
    assert_eq!(c.vehicle.out, 1);
    assert_eq!(c.denied, 1);
    assert_eq!(c.total_in(), 4);

    let inside: Vec<String> = ledger
        .visitors_inside()
        .unwrap()
        .into_iter()
        .filter_map(|p| match p.body.subject {
            Subject::Visitor { phone, .. } => Some(phone),
            _ => None,
        })
        .collect();
    assert_eq!(inside, vec!["13800000003", "13800000002"]);

    let search = |text: &str| {
        ledger
            .records(&RecordFilter {
                text: Some(text.into()),
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(
        search("京a 00001"),
        1,
        "plate search normalises case and spaces"
    );
    assert_eq!(search("李"), 4, "name search");
    assert_eq!(search("002x"), 4, "ID tail search");
    assert_eq!(search("%"), 0, "LIKE wildcards are literal");
    let visitors_in = ledger
        .records(&RecordFilter {
            kind: Some(SubjectKind::Visitor),
            direction: Some(Direction::In),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(visitors_in.len(), 3);
    assert!(
        visitors_in
            .windows(2)
            .all(|w| w[0].body.seq > w[1].body.seq),
        "newest first"
    );
}

#[test]
fn purge_never_deletes_unsynced_passages() {
    let (_dir, _path, mut ledger) = ledger_with(30);
    let all = ledger.passages_after(0, 100).unwrap();
    // Acknowledge all but seq 11 and seq 25; reject seq 3.
    let results: Vec<_> = all
        .iter()
        .filter(|p| p.body.seq != 11 && p.body.seq != 25)
        .map(|p| {
            let outcome = if p.body.seq == 3 {
                UploadOutcome::Rejected("bad household".into())
            } else {
                UploadOutcome::Acknowledged
            };
            (p.body.id, outcome)
        })
        .collect();
    ledger.apply_upload_results(&results, Utc::now()).unwrap();
    assert_eq!(
        ledger.upload_state(all[2].body.id).unwrap(),
        UploadState::Rejected {
            reason: "bad household".into()
        }
    );
    assert_eq!(ledger.upload_summary().unwrap().pending, 2);

    // Everything is older than the cutoff, yet the pending ones (and what follows the first) stay.
    let deleted = ledger.purge_settled_before(Utc::now()).unwrap();
    assert_eq!(deleted, 10);
    let left = ledger.passages_after(0, 100).unwrap();
    assert_eq!(left.first().map(|p| p.body.seq), Some(11));
    assert_eq!(
        ledger.verify().unwrap(),
        20,
        "the rest of the chain verifies from the purge base"
    );

    // Once seq 11 is acknowledged, a purge continues up to the next pending passage.
    ledger
        .apply_upload_results(
            &[(all[10].body.id, UploadOutcome::Acknowledged)],
            Utc::now(),
        )
        .unwrap();
    assert_eq!(ledger.purge_settled_before(Utc::now()).unwrap(), 14);
    let left: Vec<u64> = ledger
        .passages_after(0, 100)
        .unwrap()
        .iter()
        .map(|p| p.body.seq)
        .collect();
    assert_eq!(left, (25..=30).collect::<Vec<_>>());
    ledger.verify().unwrap();

    // Recent passages are kept even when acknowledged; seq keeps counting after purges.
    let cutoff = start() + Duration::seconds(26);
    assert_eq!(ledger.purge_settled_before(cutoff).unwrap(), 0);
    let next = ledger.append(sample_passage(99, start())).unwrap();
    assert_eq!(next.body.seq, 31);
    ledger.verify().unwrap();
}

#[test]
fn full_disk_gives_a_clear_error_and_keeps_what_was_stored() {
    let (_dir, path, mut ledger) = ledger_with(5);
    let pages: i64 = {
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap()
    };
    ledger.set_max_page_count(pages as u64).unwrap();
    let mut stored = 5;
    let err = loop {
        match ledger.append(sample_passage(stored, start())) {
            Ok(_) => stored += 1,
            Err(e) => break e,
        }
        assert!(stored < 10_000, "the limit never took effect");
    };
    assert!(matches!(err, LedgerError::DiskFull), "{err:?}");
    assert!(err.to_string().contains("not stored"));
    use sync_core::i18n::Localized;
    assert!(err.zh().contains("未保存"));
    drop(ledger);
    let ledger = Ledger::open(&path).unwrap();
    assert_eq!(
        ledger.verify().unwrap(),
        stored,
        "every passage that returned Ok is there, nothing else"
    );
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
}

#[test]
fn read_only_file_refuses_to_store() {
    let (_dir, path, ledger) = ledger_with(3);
    drop(ledger);
    let mut ro = Ledger::open_read_only(&path).unwrap();
    let err = ro.append(sample_passage(3, start())).unwrap_err();
    assert!(matches!(err, LedgerError::ReadOnly), "{err:?}");
    drop(ro);
    assert_eq!(Ledger::open(&path).unwrap().verify().unwrap(), 3);
}

#[test]
fn garbage_file_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let err = Ledger::open(&path).unwrap_err();
    assert!(matches!(err, LedgerError::Corrupt(_)), "{err:?}");
}

#[test]
fn an_unreadable_pending_row_is_set_aside_and_the_rest_still_uploads() {
    let (_dir, path, ledger) = ledger_with(12);
    drop(ledger);
    let conn = Connection::open(&path).unwrap();
    for seq in [1, 2, 3, 7] {
        conn.execute("UPDATE journal SET body = 'not json' WHERE seq = ?1", [seq])
            .unwrap();
    }
    drop(conn);
    let mut ledger = Ledger::open(&path).unwrap();
    // A batch of 3 from the start finds only unreadable rows at first: it moves past them.
    let first = ledger.pending_batch(3).unwrap();
    assert_eq!(
        first.iter().map(|e| e.head.seq).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    let acks: Vec<_> = first
        .iter()
        .map(|e| (e.head.id, UploadOutcome::Acknowledged))
        .collect();
    ledger.apply_upload_results(&acks, Utc::now()).unwrap();
    let rest = ledger.pending_batch(100).unwrap();
    assert_eq!(
        rest.iter().map(|e| e.head.seq).collect::<Vec<_>>(),
        [8, 9, 10, 11, 12]
    );
    let summary = ledger.upload_summary().unwrap();
    assert_eq!((summary.pending, summary.set_aside), (9, 4));
    // Set aside is not settled: the purge keeps them and everything after them.
    let later = start() + Duration::days(400);
    ledger.purge_settled_before(later).unwrap();
    assert_eq!(ledger.stored_count().unwrap(), 12);
}

#[test]
fn a_damaged_ledger_is_kept_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    std::fs::write(
        &path,
        b"this is not a sqlite file, but staff must still work".repeat(200),
    )
    .unwrap();
    let (ledger, recovered) = Ledger::open_or_recover(&path).unwrap();
    let recovered = recovered.expect("a recovery");
    assert_eq!(ledger.recovered(), Some(recovered.clone()));
    assert!(
        recovered.error_en.contains("damaged"),
        "{}",
        recovered.error_en
    );
    // The old bytes are kept, untouched, beside the new ledger.
    let kept = std::fs::read(&recovered.kept_at).unwrap();
    assert!(kept.starts_with(b"this is not a sqlite file"));
    assert_eq!(ledger.stored_count().unwrap(), 0);
    drop(ledger);
    // A sound ledger opens as it is, with no recovery.
    let (again, none) = Ledger::open_or_recover(&path).unwrap();
    assert!(none.is_none());
    assert!(
        again.recovered().is_some(),
        "the note stays for the enrollment screen"
    );
}
