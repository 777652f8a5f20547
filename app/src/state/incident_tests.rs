//! Tests of the incident state: a category is required, "other" needs a note or a photo, notes
//! are bounded, at most three photos, a report counts only once stored (a failure keeps the form),
//! the urgent flag is carried, and today's list read from the journal.

use chrono::{DateTime, Duration, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::incident::{IncidentCategory, IncidentError};
use uuid::Uuid;

use super::*;

fn ready() -> IncidentState {
    let mut s = IncidentState::default();
    s.reduce(IncidentAction::Checkpoint("cp-east".into()));
    s
}

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn stored(seq: u64) -> Result<(Uuid, Stored), Words> {
    Ok((
        Uuid::now_v7(),
        Stored {
            seq,
            recorded_at: Utc::now(),
        },
    ))
}

fn disk_full() -> Words {
    Words {
        zh: "存储空间已满".into(),
        en: "the disk is full".into(),
    }
}

fn both(n: &IncidentNotice) -> (String, String) {
    (n.message(Lang::ZhCn), n.message(Lang::En))
}

#[test]
fn a_category_is_required_and_said_in_both_languages() {
    let mut s = ready();
    s.reduce(IncidentAction::NoteInput("门口有人闹事".into()));
    assert_eq!(s.reduce(IncidentAction::Submit), None);
    let n = s.notice.clone().expect("refused");
    assert_eq!(n, IncidentNotice::NoCategory);
    assert!(n.is_error());
    assert_eq!(
        both(&n),
        ("请先选择事件类别".into(), "Pick what happened first".into())
    );
    assert_eq!(s.form.note, "门口有人闹事", "nothing typed is lost");
    // Picking one answers the refusal.
    s.reduce(IncidentAction::Category(IncidentCategory::Crowding));
    assert_eq!(s.notice, None);
    let report = s.reduce(IncidentAction::Submit).expect("complete");
    assert_eq!(report.data.category, IncidentCategory::Crowding);
    assert_eq!(report.data.checkpoint_id, "cp-east");
    assert_eq!(report.data.note, "门口有人闹事");
}

#[test]
fn other_needs_a_note_or_a_photo() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(IncidentCategory::Other));
    s.reduce(IncidentAction::NoteInput("   ".into()));
    assert_eq!(s.reduce(IncidentAction::Submit), None);
    let n = s.notice.clone().expect("refused");
    assert_eq!(n, IncidentNotice::Check(IncidentError::OtherNeedsNote));
    let (zh, en) = both(&n);
    assert!(zh.contains("其他") && en.contains("other"), "{zh} / {en}");

    // A note suffices (trimmed)…
    s.reduce(IncidentAction::NoteInput("  井盖丢失 ".into()));
    let report = s.reduce(IncidentAction::Submit).expect("a note suffices");
    assert_eq!(report.data.note, "井盖丢失");
    assert!(report.attachments.is_empty());

    // …and so does a photo.
    s.reduce(IncidentAction::NoteInput(String::new()));
    s.reduce(IncidentAction::TakingPhoto);
    s.reduce(IncidentAction::Photo(Ok(sha(1))));
    let report = s.reduce(IncidentAction::Submit).expect("a photo suffices");
    assert_eq!(report.attachments, vec![sha(1)]);
    assert_eq!(report.data.note, "");
}

#[test]
fn a_note_too_long_is_refused_and_kept() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(IncidentCategory::FacilityBroken));
    let long = "坏".repeat(sync_core::incident::MAX_INCIDENT_NOTE_CHARS + 1);
    s.reduce(IncidentAction::NoteInput(long.clone()));
    assert_eq!(s.reduce(IncidentAction::Submit), None);
    let n = s.notice.clone().expect("refused");
    assert_eq!(n, IncidentNotice::Check(IncidentError::NoteTooLong));
    let (zh, en) = both(&n);
    assert!(zh.contains("500") && en.contains("500"), "{zh} / {en}");
    assert_eq!(s.form.note, long);
    // Exactly at the limit is fine.
    s.reduce(IncidentAction::NoteInput(
        "坏".repeat(sync_core::incident::MAX_INCIDENT_NOTE_CHARS),
    ));
    assert!(s.reduce(IncidentAction::Submit).is_some());
}

#[test]
fn at_most_three_photos_each_once_and_removable() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(
        IncidentCategory::SuspiciousVehicle,
    ));
    for n in 1..=3 {
        assert!(s.form.can_take_photo());
        s.reduce(IncidentAction::TakingPhoto);
        assert!(s.form.taking_photo && !s.form.can_take_photo());
        // Reporting while the photo is under way waits for it.
        assert_eq!(s.reduce(IncidentAction::Submit), None);
        assert_eq!(s.notice, Some(IncidentNotice::PhotoUnderWay));
        s.reduce(IncidentAction::Photo(Ok(sha(n))));
        assert!(!s.form.taking_photo);
        assert_eq!(s.notice, None, "the photo answers the wait");
    }
    assert_eq!(s.form.photos, vec![sha(1), sha(2), sha(3)]);
    assert!(!s.form.can_take_photo());
    // A fourth is not even started.
    s.reduce(IncidentAction::TakingPhoto);
    assert!(!s.form.taking_photo);
    assert_eq!(s.notice, Some(IncidentNotice::TooManyPhotos));
    let (zh, en) = both(&IncidentNotice::TooManyPhotos);
    assert_eq!(
        (zh.as_str(), en.as_str()),
        ("最多 3 张照片", "At most 3 photos")
    );
    // A late one is not kept either.
    s.reduce(IncidentAction::Photo(Ok(sha(4))));
    assert_eq!(s.form.photos.len(), 3);

    // The same picture twice is one photo (an entry names each photo once).
    s.reduce(IncidentAction::RemovePhoto(1));
    assert_eq!(s.form.photos, vec![sha(1), sha(3)]);
    s.reduce(IncidentAction::TakingPhoto);
    s.reduce(IncidentAction::Photo(Ok(sha(3))));
    assert_eq!(s.form.photos, vec![sha(1), sha(3)]);
    assert_eq!(s.notice, Some(IncidentNotice::SamePhoto));
    s.reduce(IncidentAction::RemovePhoto(7));
    assert_eq!(s.form.photos.len(), 2, "no such photo: nothing removed");

    // A photo that could not be kept says why, and the form stays.
    s.reduce(IncidentAction::TakingPhoto);
    s.reduce(IncidentAction::Photo(Err(disk_full())));
    assert!(!s.form.taking_photo);
    let n = s.notice.clone().expect("said");
    assert_eq!(
        both(&n),
        (
            "照片未保存：存储空间已满".into(),
            "Photo not kept: the disk is full".into()
        )
    );
    let report = s.reduce(IncidentAction::Submit).expect("report");
    assert_eq!(report.attachments, vec![sha(1), sha(3)]);
}

#[test]
fn a_failed_append_keeps_the_form_and_says_why() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(IncidentCategory::Fever));
    s.reduce(IncidentAction::ToggleUrgent);
    s.reduce(IncidentAction::NoteInput("38.6 °C，已引导至观察点".into()));
    s.reduce(IncidentAction::TakingPhoto);
    s.reduce(IncidentAction::Photo(Ok(sha(9))));
    let form = s.form.clone();
    let report = s.reduce(IncidentAction::Submit).expect("report");
    s.reduce(IncidentAction::Appended {
        report: Box::new(report.clone()),
        result: Err(disk_full()),
    });
    assert_eq!(s.form, form, "everything typed is still there");
    assert!(s.today.is_empty(), "nothing listed");
    let n = s.notice.clone().expect("said");
    assert!(n.is_error());
    assert_eq!(
        both(&n),
        (
            "未上报，请重试：存储空间已满".into(),
            "Not reported, try again: the disk is full".into()
        )
    );
    // Trying again makes the same report.
    assert_eq!(s.reduce(IncidentAction::Submit), Some(report));
}

#[test]
fn a_stored_report_is_confirmed_listed_and_the_form_reset() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(IncidentCategory::SuppliesLow));
    s.reduce(IncidentAction::NoteInput("口罩只剩一盒".into()));
    let report = s.reduce(IncidentAction::Submit).expect("report");
    assert_eq!(s.notice, None, "not confirmed before the ledger answers");
    let result = stored(21);
    let id = result.as_ref().map(|(id, _)| *id).expect("ok");
    s.reduce(IncidentAction::Appended {
        report: Box::new(report),
        result,
    });
    assert_eq!(s.form, IncidentForm::default());
    let n = s.notice.clone().expect("confirmed");
    assert!(!n.is_error());
    let (zh, en) = both(&n);
    assert!(zh.starts_with("已上报，待上传"), "{zh}");
    assert!(en.starts_with("Reported, waiting to upload"), "{en}");
    assert!(zh.contains("物资短缺") && en.contains("Supplies running out"));
    assert_eq!(s.today.len(), 1);
    assert_eq!((s.today[0].id, s.today[0].seq), (id, 21));
    assert_eq!(s.today[0].upload, Upload::Pending);
    assert_eq!(s.unsettled(), vec![(id, Vec::new())]);
    // The next report begins with a category: the confirmation goes.
    s.reduce(IncidentAction::Category(IncidentCategory::Crowding));
    assert_eq!(s.notice, None);
}

#[test]
fn the_urgent_flag_is_carried_and_reset_after_storing() {
    let mut s = ready();
    s.reduce(IncidentAction::Category(
        IncidentCategory::RefusedRegistration,
    ));
    assert!(
        !s.reduce(IncidentAction::Submit)
            .expect("report")
            .data
            .urgent
    );
    s.reduce(IncidentAction::ToggleUrgent);
    let report = s.reduce(IncidentAction::Submit).expect("report");
    assert!(report.data.urgent);
    s.reduce(IncidentAction::Appended {
        report: Box::new(report),
        result: stored(5),
    });
    assert!(s.today[0].urgent);
    let (zh, en) = both(s.notice.as_ref().expect("confirmed"));
    assert!(zh.contains("紧急") && en.contains("urgent"), "{zh} / {en}");
    assert!(!s.form.urgent, "a new report starts not urgent");
    s.reduce(IncidentAction::ToggleUrgent);
    s.reduce(IncidentAction::ToggleUrgent);
    assert!(!s.form.urgent);
}

#[test]
fn nothing_is_reported_before_enrollment() {
    let mut s = IncidentState::default();
    s.reduce(IncidentAction::Category(IncidentCategory::Crowding));
    assert_eq!(s.reduce(IncidentAction::Submit), None);
    assert_eq!(s.notice, Some(IncidentNotice::NotEnrolled));
    let (zh, en) = both(&IncidentNotice::NotEnrolled);
    assert!(zh.contains("登记") && en.contains("enrolled"));
}

fn record(seq: u64, at: DateTime<Utc>) -> IncidentRecord {
    IncidentRecord {
        id: Uuid::now_v7(),
        seq,
        recorded_at: at,
        category: IncidentCategory::Crowding,
        urgent: false,
        note: String::new(),
        photos: vec![sha(seq as u8)],
        upload: Upload::Pending,
    }
}

#[test]
fn todays_list_merges_journal_reads_and_upload_states() {
    let now = Utc::now();
    let since = now - Duration::hours(3);
    let mut s = ready();
    let old = record(2, since - Duration::minutes(1));
    let a = record(4, now - Duration::hours(1));
    let b = record(9, now);
    s.reduce(IncidentAction::Ledger {
        records: vec![old, a.clone()],
        read_to: 8,
        since,
    });
    assert_eq!(s.today, vec![a.clone()], "yesterday's is not today's");
    assert_eq!(s.read_to, 8);
    // A report stored here, then read again from the journal: listed once.
    s.reduce(IncidentAction::Category(IncidentCategory::Crowding));
    let report = s.reduce(IncidentAction::Submit).expect("report");
    s.reduce(IncidentAction::Appended {
        report: Box::new(report),
        result: Ok((
            b.id,
            Stored {
                seq: 9,
                recorded_at: now,
            },
        )),
    });
    s.reduce(IncidentAction::Ledger {
        records: vec![b.clone()],
        read_to: 12,
        since,
    });
    assert_eq!(s.today, vec![a.clone(), b.clone()]);
    assert_eq!(s.read_to, 12);
    // A read that went nowhere does not move the cursor back.
    s.reduce(IncidentAction::Ledger {
        records: vec![],
        read_to: 0,
        since,
    });
    assert_eq!(s.read_to, 12);

    s.reduce(IncidentAction::Uploads(vec![
        (a.id, Upload::Uploaded),
        (b.id, Upload::PhotosPending),
        (Uuid::now_v7(), Upload::Uploaded),
    ]));
    assert_eq!(s.today[0].upload, Upload::Uploaded);
    assert_eq!(s.today[1].upload, Upload::PhotosPending);
    assert_eq!(
        s.unsettled(),
        vec![(b.id, b.photos.clone())],
        "settled ones are not read again"
    );
    // The next day the list starts empty.
    s.reduce(IncidentAction::Ledger {
        records: vec![],
        read_to: 12,
        since: now + Duration::seconds(1),
    });
    assert!(s.today.is_empty());
}
