//! Photos beside the journal on real files: stored durably before their entry, uploaded only after
//! it, purged with it and never before the server has them; bad photos and names are refused.

use chrono::{Duration, Utc};
use sync_core::domain::ProbeNote;
use sync_core::ledger::{PhotoSummary, UploadOutcome, SETTING_PHOTO_MAX_BYTES};
use sync_core::photo::sha256_hex;
use sync_core::{fixtures::sample_passage, EntryBody, Ledger, LedgerError, NewEntry};

fn jpeg(tag: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(tag.as_bytes());
    bytes
}

fn probe(at: chrono::DateTime<Utc>, attachments: Vec<String>) -> NewEntry {
    NewEntry {
        recorded_at: at,
        clock_offset_ms: Some(0),
        staff: "巡查员".into(),
        attachments,
        body: EntryBody::Probe(ProbeNote {
            note: "后门已锁".into(),
        }),
    }
}

fn open() -> (tempfile::TempDir, std::path::PathBuf, Ledger) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger.db");
    let ledger = Ledger::open(&path).expect("open");
    (dir, path, ledger)
}

fn photo_file(path: &std::path::Path, name: &str) -> std::path::PathBuf {
    let mut dir = path.as_os_str().to_owned();
    dir.push(".photos");
    std::path::PathBuf::from(dir).join(format!("{name}.jpg"))
}

#[test]
fn a_photo_uploads_after_its_entry_and_is_purged_with_it_only_once_the_server_has_it() {
    let (_dir, path, mut ledger) = open();
    let old = Utc::now() - Duration::days(40);
    let name = ledger.store_photo(&jpeg("north gate")).expect("store");
    assert_eq!(name, sha256_hex(&jpeg("north gate")));
    assert!(photo_file(&path, &name).is_file());
    let entry = ledger
        .append_entry(probe(old, vec![name.clone()]))
        .expect("append");
    assert_eq!(entry.head.attachments, vec![name.clone()]);
    assert!(ledger.verify().is_ok());
    // Not before its entry is acknowledged.
    assert!(ledger.pending_photos(10).expect("pending").is_empty());
    ledger
        .apply_upload_results(&[(entry.head.id, UploadOutcome::Acknowledged)], Utc::now())
        .expect("ack");
    assert_eq!(
        ledger.pending_photos(10).expect("pending"),
        vec![name.clone()]
    );
    // The entry is settled but its photo is not: the purge keeps both.
    assert_eq!(ledger.purge_settled_before(Utc::now()).expect("purge"), 0);
    assert!(photo_file(&path, &name).is_file());
    let upload = ledger.photo_upload(&name).expect("bytes");
    assert_eq!(upload.bytes, jpeg("north gate"));
    ledger
        .apply_photo_result(&name, &UploadOutcome::Acknowledged)
        .expect("photo ack");
    assert_eq!(
        ledger.photo_summary().expect("summary"),
        PhotoSummary {
            pending: 0,
            uploaded: 1,
            rejected: 0
        }
    );
    assert_eq!(ledger.purge_settled_before(Utc::now()).expect("purge"), 1);
    assert!(
        !photo_file(&path, &name).exists(),
        "the photo went with its entry"
    );
    assert_eq!(
        ledger.photo_summary().expect("summary"),
        PhotoSummary::default()
    );
}

#[test]
fn an_entry_naming_a_photo_that_is_not_stored_or_a_passage_with_photos_is_refused_whole() {
    let (_dir, _path, mut ledger) = open();
    let missing = sha256_hex(b"never stored");
    let err = ledger
        .append_entries(vec![
            probe(Utc::now(), Vec::new()),
            probe(Utc::now(), vec![missing.clone()]),
        ])
        .expect_err("missing photo");
    assert!(
        matches!(err, LedgerError::MissingPhoto(ref n) if *n == missing),
        "{err}"
    );
    let stored = ledger.store_photo(&jpeg("x")).expect("store");
    let mut passage = NewEntry::from(sample_passage(1, Utc::now()));
    passage.attachments = vec![stored];
    assert!(matches!(
        ledger.append_entry(passage),
        Err(LedgerError::BadEntry(_))
    ));
    assert_eq!(
        ledger.entry_count().expect("count"),
        0,
        "nothing was stored"
    );
}

#[test]
fn photos_over_the_cap_or_not_jpeg_are_refused_and_a_damaged_file_is_not_sent() {
    let (_dir, path, mut ledger) = open();
    assert!(matches!(
        ledger.store_photo(b"\x89PNG not a jpeg"),
        Err(LedgerError::Photo(_))
    ));
    ledger
        .set_setting(SETTING_PHOTO_MAX_BYTES, &10_usize)
        .expect("cap");
    assert!(matches!(
        ledger.store_photo(&jpeg("longer than ten bytes")),
        Err(LedgerError::Photo(_))
    ));
    let name = ledger.store_photo(&jpeg("ok")).expect("fits");
    std::fs::write(photo_file(&path, &name), jpeg("changed")).expect("damage");
    assert!(matches!(
        ledger.photo_upload(&name),
        Err(LedgerError::Decode(_))
    ));
}

#[test]
fn the_photos_of_a_refused_entry_are_not_sent_and_go_with_it() {
    let (_dir, path, mut ledger) = open();
    let name = ledger.store_photo(&jpeg("refused")).expect("store");
    let entry = ledger
        .append_entry(probe(Utc::now() - Duration::days(40), vec![name.clone()]))
        .expect("append");
    ledger
        .apply_upload_results(
            &[(entry.head.id, UploadOutcome::Rejected("bad".into()))],
            Utc::now(),
        )
        .expect("reject");
    assert!(ledger.pending_photos(10).expect("pending").is_empty());
    assert_eq!(ledger.photo_summary().expect("summary").rejected, 1);
    assert_eq!(ledger.purge_settled_before(Utc::now()).expect("purge"), 1);
    assert!(!photo_file(&path, &name).exists());
}
