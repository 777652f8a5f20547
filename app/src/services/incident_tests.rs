//! The incident screen's back end against a real ledger file: camera stills stored before the
//! entry that names them, the report appended as an `incident` entry, read back as today's list
//! after a restart, with its upload state as the sync engine moves it.

use std::io::Cursor;

use base64::Engine;
use chrono::{Duration, Utc};
use sync_core::incident::IncidentCategory;
use sync_core::ledger::UploadOutcome;

use super::*;
use crate::services::patrol::compress_still;
use crate::state::incident::{IncidentAction, IncidentState};

/// A camera still as the bridge sends it (PNG here: `compress_photo` reads both).
fn still_url(shade: u8) -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([x as u8, y as u8, shade]));
    let mut png = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    )
}

#[test]
fn a_report_is_stored_with_its_photos_and_listed_with_its_upload_state() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("l.db");
    let mut ledger = Ledger::open(&path).expect("ledger");
    let since = Utc::now() - Duration::hours(1);
    // Passages first: the list reads every kind and keeps the incidents.
    crate::scenes::seed_ledger(&mut ledger).expect("passages");

    let mut s = IncidentState::default();
    s.reduce(IncidentAction::Checkpoint("cp-east".into()));
    s.reduce(IncidentAction::Category(
        IncidentCategory::SuspiciousVehicle,
    ));
    s.reduce(IncidentAction::ToggleUrgent);
    s.reduce(IncidentAction::NoteInput("白色面包车绕小区三圈".into()));
    let max = ledger.photo_max_bytes().expect("cap");
    let mut shas = Vec::new();
    for shade in [40, 200] {
        s.reduce(IncidentAction::TakingPhoto);
        let jpeg = compress_still(&still_url(shade), max).expect("compressed");
        assert!(sync_core::photo::is_jpeg(&jpeg) && jpeg.len() <= max);
        let sha = ledger.store_photo(&jpeg).expect("photo stored");
        assert_eq!(ledger.read_photo(&sha).expect("on disk"), jpeg);
        s.reduce(IncidentAction::Photo(Ok(sha.clone())));
        shas.push(sha);
    }
    let report = s.reduce(IncidentAction::Submit).expect("report");
    let result = record_report(&mut ledger, &report, "王师傅", Some(-800), Utc::now());
    let (id, stored) = result.clone().expect("stored");
    s.reduce(IncidentAction::Appended {
        report: Box::new(report),
        result,
    });
    assert!(s.notice.as_ref().is_some_and(|n| !n.is_error()));
    assert_eq!(
        stored.seq, 13,
        "after the 12 seeded passages, on the one chain"
    );
    assert_eq!(ledger.verify().expect("chain"), 13);

    // The entry names the stored photos, and its body decodes back as an incident.
    let entry = ledger
        .entries_after(stored.seq - 1, 1)
        .expect("read")
        .pop()
        .expect("entry");
    assert_eq!(entry.head.id, id);
    assert_eq!(entry.head.attachments, shas);
    assert_eq!(entry.head.staff, "王师傅");
    assert_eq!(entry.head.clock_offset_ms, Some(-800));
    let EntryBody::Incident(data) = entry.body else {
        panic!("not an incident: {:?}", entry.body);
    };
    assert_eq!(data.checkpoint_id, "cp-east");
    assert_eq!(data.category, IncidentCategory::SuspiciousVehicle);
    assert!(data.urgent);
    assert_eq!(data.note, "白色面包车绕小区三圈");
    drop(ledger);

    // After a restart, today's list comes from the journal.
    let mut ledger = Ledger::open(&path).expect("reopened");
    let (records, read_to) = read_incidents(&ledger, 0, since).expect("read");
    assert_eq!(read_to, 13);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!((r.id, r.seq, r.urgent), (id, 13, true));
    assert_eq!(r.photos, shas);
    assert_eq!(r.upload, Upload::Pending);
    // Read on from the cursor: nothing new; nothing of an earlier day.
    assert_eq!(read_incidents(&ledger, 13, since).expect("read").0, vec![]);
    let tomorrow = Utc::now() + Duration::days(1);
    assert!(read_incidents(&ledger, 0, tomorrow)
        .expect("read")
        .0
        .is_empty());

    // The entry is acknowledged, then its photos one by one.
    let asked = vec![(id, shas.clone())];
    ledger
        .apply_upload_results(&[(id, UploadOutcome::Acknowledged)], Utc::now())
        .expect("acknowledged");
    assert_eq!(
        upload_states(&ledger, &asked).expect("states"),
        vec![(id, Upload::PhotosPending)]
    );
    for sha in &shas {
        ledger
            .apply_photo_result(sha, &UploadOutcome::Acknowledged)
            .expect("photo");
    }
    assert_eq!(
        upload_states(&ledger, &asked).expect("states"),
        vec![(id, Upload::Uploaded)]
    );
    let mut fresh = IncidentState::default();
    fresh.reduce(IncidentAction::Ledger {
        records: read_incidents(&ledger, 0, since).expect("read").0,
        read_to,
        since,
    });
    assert_eq!(fresh.today.len(), 1);
    assert_eq!(fresh.today[0].upload, Upload::Uploaded);
    assert!(fresh.unsettled().is_empty());
}

#[test]
fn incidents_among_hundreds_of_passages_are_found() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ledger = Ledger::open(dir.path().join("l.db")).expect("ledger");
    let since = Utc::now() - Duration::hours(2);
    let report = |note: &str| PendingReport {
        data: sync_core::incident::IncidentData {
            checkpoint_id: "cp-east".into(),
            category: IncidentCategory::Crowding,
            urgent: false,
            note: note.into(),
        },
        attachments: Vec::new(),
    };
    record_report(&mut ledger, &report("first"), "王师傅", None, Utc::now()).expect("stored");
    for _ in 0..(600 / 12 + 1) {
        crate::scenes::seed_ledger(&mut ledger).expect("passages");
    }
    record_report(&mut ledger, &report("last"), "王师傅", None, Utc::now()).expect("stored");
    let (records, read_to) = read_incidents(&ledger, 0, since).expect("read");
    let notes: Vec<&str> = records.iter().map(|r| r.note.as_str()).collect();
    assert_eq!(notes, ["first", "last"]);
    assert_eq!(read_to, ledger.last_seq().expect("head"));
    assert!(read_to > 600);
}
