//! The journal migration (ledger schema 3 → 4) on a ledger file written by the code before the
//! journal (`tests/fixtures/ledger-v3.db`): every passage, its upload state and the chain survive,
//! and a migration killed with SIGKILL leaves either the old file intact or the migration done.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::{params, Connection};
use sync_core::domain::ProbeNote;
use sync_core::fixtures::sample_passage;
use sync_core::ledger::UploadState;
use sync_core::{EntryBody, EntryKind, Ledger, NewEntry, Passage, PassageBody};
use uuid::Uuid;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ledger-v3.db");

/// One stored passage of the old layout, read without the app's code.
#[derive(Debug, PartialEq)]
struct OldRow {
    seq: i64,
    id: String,
    hash: String,
    upload_state: String,
    reject_reason: Option<String>,
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("ledger.db");
    std::fs::copy(FIXTURE, &path).expect("copy the fixture");
    path
}

fn user_version(path: &Path) -> i64 {
    let c = Connection::open(path).expect("open");
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

fn old_rows(path: &Path) -> (Vec<OldRow>, (i64, String, i64)) {
    let c = Connection::open(path).expect("open");
    let mut stmt = c
        .prepare("SELECT seq, id, hash, upload_state, reject_reason FROM passages ORDER BY seq")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok(OldRow {
                seq: r.get(0)?,
                id: r.get(1)?,
                hash: r.get(2)?,
                upload_state: r.get(3)?,
                reject_reason: r.get(4)?,
            })
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    let head = c
        .query_row(
            "SELECT last_seq, last_hash, base_seq FROM device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("device row");
    (rows, head)
}

fn state_word(state: &UploadState) -> (&'static str, Option<String>) {
    match state {
        UploadState::Pending => ("pending", None),
        UploadState::Uploaded => ("uploaded", None),
        UploadState::Rejected { reason } => ("rejected", Some(reason.clone())),
    }
}

#[test]
fn a_ledger_written_before_the_journal_keeps_every_passage_state_and_the_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = copy_fixture(dir.path());
    assert_eq!(user_version(&path), 3, "the fixture is the old layout");
    let (before, (last_seq, last_hash, base_seq)) = old_rows(&path);
    assert_eq!((before.len(), last_seq, base_seq), (34, 40, 6));

    let mut ledger = Ledger::open(&path).expect("open migrates");
    assert_eq!(user_version(&path), 5);
    assert_eq!(ledger.verify().expect("the chain verifies"), 34);
    let entries = ledger.entries_after(0, 1000).expect("entries");
    assert_eq!(entries.len(), before.len());
    for (old, entry) in before.iter().zip(&entries) {
        assert_eq!(entry.kind(), EntryKind::Passage);
        assert_eq!(
            (
                entry.head.seq as i64,
                entry.head.id.to_string(),
                &entry.hash
            ),
            (old.seq, old.id.clone(), &old.hash)
        );
        let (state, reason) = state_word(&ledger.upload_state(entry.head.id).expect("state"));
        assert_eq!(
            (state, reason),
            (old.upload_state.as_str(), old.reject_reason.clone())
        );
    }
    let pending = ledger.pending_batch(100).expect("pending");
    let old_pending: Vec<i64> = before
        .iter()
        .filter(|r| r.upload_state == "pending")
        .map(|r| r.seq)
        .collect();
    let new_pending: Vec<i64> = pending.iter().map(|e| e.head.seq as i64).collect();
    assert_eq!(
        new_pending, old_pending,
        "the same queue, in the same order"
    );
    // What else the old file held is still there.
    assert_eq!(ledger.revocations_version().expect("revocations"), 3);
    assert_eq!(ledger.roster_len().expect("roster"), 1);
    assert_eq!(
        ledger
            .setting::<String>("fixture")
            .expect("setting")
            .as_deref(),
        Some("written by b3bc9d7")
    );

    // The chain continues from the old head, across kinds.
    let next = ledger
        .append(sample_passage(41, Utc::now()))
        .expect("append");
    assert_eq!(
        (next.body.seq, next.prev_hash.as_str()),
        (41, last_hash.as_str())
    );
    let probe = ledger
        .append_entry(NewEntry {
            recorded_at: Utc::now(),
            clock_offset_ms: Some(0),
            staff: "值班员".into(),
            attachments: Vec::new(),
            body: EntryBody::Probe(ProbeNote {
                note: "北门已锁".into(),
            }),
        })
        .expect("a second kind");
    assert_eq!(
        (probe.head.seq, probe.prev_hash.as_str()),
        (42, next.hash.as_str())
    );
    assert_eq!(ledger.verify().expect("verifies"), 36);
    assert_eq!(
        ledger.stored_count().expect("passages"),
        35,
        "the probe is no passage"
    );
    drop(ledger);
    assert_eq!(
        Ledger::open(&path)
            .expect("reopen")
            .entry_count()
            .expect("count"),
        36
    );
}

/// Grow the old-layout fixture to `n` more passages, chained with the old code's rules, so that
/// its migration takes long enough to be killed in the middle.
fn grow_old_ledger(path: &Path, n: u64) {
    let mut c = Connection::open(path).expect("open");
    let tx = c.transaction().expect("tx");
    let (device_id, mut seq, mut prev): (String, u64, String) = tx
        .query_row(
            "SELECT device_id, last_seq, last_hash FROM device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)),
        )
        .expect("device");
    let start = Utc::now();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO passages (seq, id, recorded_ms, kind, direction, verdict, subject_key,
                 plate, name, id_tail, body, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .expect("prepare");
        for i in 0..n {
            seq += 1;
            let body = PassageBody::new(Uuid::now_v7(), &device_id, seq, sample_passage(i, start));
            let p = Passage::seal(body, &prev);
            let b = &p.body;
            insert
                .execute(params![
                    seq as i64,
                    b.id.to_string(),
                    b.recorded_at.timestamp_millis(),
                    b.subject.kind().as_str(),
                    b.direction.as_str(),
                    b.verdict.as_str(),
                    b.subject.key(),
                    b.subject.plate(),
                    b.subject.name(),
                    b.subject.id_tail(),
                    String::from_utf8(b.canonical_bytes()).expect("utf-8"),
                    p.prev_hash,
                    p.hash,
                ])
                .expect("insert");
            prev = p.hash;
        }
    }
    tx.execute(
        "UPDATE device SET last_seq = ?1, last_hash = ?2 WHERE id = 1",
        params![seq as i64, prev],
    )
    .expect("head");
    tx.commit().expect("commit");
}

/// Run the child that opens (migrates) the ledger; kill it `kill_after` after it starts opening,
/// or let it finish (`None`). Returns the migration time the child printed, if it finished.
fn migrate_in_child(path: &Path, kill_after: Option<Duration>) -> Option<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ledger-crash-child"))
        .arg("migrate")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let opening = lines.next().and_then(Result::ok);
    assert_eq!(opening.as_deref(), Some("opening"));
    if let Some(after) = kill_after {
        let started = Instant::now();
        while started.elapsed() < after {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill(); // SIGKILL on Unix
    }
    child.wait().expect("wait");
    lines
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("migrated ").and_then(|ms| ms.parse().ok()))
}

#[test]
fn a_migration_killed_midway_leaves_the_old_file_or_the_finished_one() {
    const EXTRA: u64 = 15_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let template = copy_fixture(dir.path());
    grow_old_ledger(&template, EXTRA);
    let (rows, (last_seq, last_hash, _)) = old_rows(&template);
    // How long one whole migration takes here, to aim the kills inside it.
    let timing = dir.path().join("timing.db");
    std::fs::copy(&template, &timing).expect("copy");
    let full_ms = migrate_in_child(&timing, None).expect("a migration finishes");
    eprintln!("migrating {} passages takes {full_ms} ms", rows.len());

    let mut outcomes = (0, 0);
    for round in 0..6u64 {
        let path = dir.path().join(format!("kill-{round}.db"));
        std::fs::copy(&template, &path).expect("copy");
        let at = Duration::from_millis(full_ms * (2 * round + 1) / 12);
        let finished = migrate_in_child(&path, Some(at)).is_some();
        let version = user_version(&path);
        match version {
            3 => {
                outcomes.0 += 1;
                assert!(!finished);
                assert_eq!(old_rows(&path).0, rows, "the old file is intact");
            }
            4 | 5 => outcomes.1 += 1,
            other => panic!("round {round}: user_version {other}"),
        }
        // Either way the next start finishes the job, with nothing lost.
        let ledger = Ledger::open(&path).expect("reopen");
        assert_eq!(ledger.integrity_check().expect("integrity"), "ok");
        assert_eq!(ledger.verify().expect("verifies"), rows.len() as u64);
        assert_eq!(ledger.last_seq().expect("head"), last_seq as u64);
        let head = ledger
            .entries_after(last_seq as u64 - 1, 1)
            .expect("last entry");
        assert_eq!(head[0].hash, last_hash);
    }
    eprintln!(
        "kills that left the old file: {}, after the migration: {}",
        outcomes.0, outcomes.1
    );
    assert!(
        outcomes.0 > 0,
        "no kill landed before the migration committed"
    );
}
