//! The patrol screen's back end against a real ledger file: a signed label verified as this
//! compound's point, steps appended and read back to resume the round, a camera still stored as
//! the problem's photo before the entry that names it.

use std::io::Cursor;

use base64::Engine;
use chrono::Utc;
use sync_core::pass::DistrictSigner;
use sync_core::patrol::{sign_point, PatrolStep, PointError, PointOutcome};
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::{SETTING_CONFIG, SETTING_DISTRICT};
use uuid::Uuid;

use super::*;
use crate::ports::PassChecker;
use crate::services::LedgerChecker;
use crate::state::patrol::tests::{point, routes};
use crate::state::patrol::{PatrolAction, PatrolState};

fn enrolled(ledger: &mut Ledger, signer: &DistrictSigner) {
    ledger
        .replace_key_set(&[signer.key_record(None, None)])
        .expect("keys");
    ledger
        .set_setting(SETTING_DISTRICT, "d1")
        .expect("district");
    let config = CheckpointConfig {
        patrol_routes: routes(),
        ..sync_core::fixtures::sample_config("cp-east", "c1")
    };
    ledger.set_setting(SETTING_CONFIG, &config).expect("config");
}

/// A camera still as the bridge sends it (PNG here: `compress_photo` reads both).
fn still_url() -> String {
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([x as u8, y as u8, 90]));
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
fn a_signed_label_is_this_compounds_point_and_others_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut ledger = Ledger::open(dir.path().join("l.db")).expect("ledger");
    let signer = DistrictSigner::generate("d1").expect("signer");
    enrolled(&mut ledger, &signer);
    let checker = LedgerChecker::from_ledger(&ledger).expect("checker");
    let label = sign_point(&signer, &point("P1")).expect("label");
    assert_eq!(checker.check_point(&label), Ok(point("P1")));
    let mut foreign = point("P1");
    foreign.compound_id = "c2".into();
    let foreign = sign_point(&signer, &foreign).expect("label");
    assert_eq!(
        checker.check_point(&foreign),
        Err(PointError::WrongCompound)
    );
    let stranger = DistrictSigner::generate("d1").expect("signer");
    let unknown = sign_point(&stranger, &point("P1")).expect("label");
    assert_eq!(checker.check_point(&unknown), Err(PointError::UnknownKey));
    // The gate's own check does not take a label for a pass.
    assert!(checker.check(&label, Utc::now()).pass_id.is_empty());
}

#[test]
fn steps_are_stored_durably_and_an_unfinished_round_resumes_after_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("l.db");
    let mut ledger = Ledger::open(&path).expect("ledger");
    let signer = DistrictSigner::generate("d1").expect("signer");
    enrolled(&mut ledger, &signer);
    let checker = LedgerChecker::from_ledger(&ledger).expect("checker");
    let now = Utc::now();
    let mut s = PatrolState::new("cp-east".into(), routes(), 480);
    let round_id = Uuid::now_v7();
    s.reduce(PatrolAction::Start {
        route_id: "A".into(),
        round_id,
        now,
    });

    // P1 normal: label, tap, append, then done.
    let label = sign_point(&signer, &point("P1")).expect("label");
    s.reduce(PatrolAction::Scanned(checker.check_point(&label)));
    let step = s.reduce(PatrolAction::Normal).expect("step");
    let result = record_step(&mut ledger, &step, "王师傅", Some(-800), now);
    let seq = result.as_ref().map(|r| r.seq).expect("stored");
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result,
    });

    // P2 problem with a photo taken by the camera: stored before the entry naming it.
    let label = sign_point(&signer, &point("P2")).expect("label");
    s.reduce(PatrolAction::Scanned(checker.check_point(&label)));
    s.reduce(PatrolAction::Problem);
    let max = ledger.photo_max_bytes().expect("cap");
    let jpeg = compress_still(&still_url(), max).expect("compressed");
    assert!(sync_core::photo::is_jpeg(&jpeg) && jpeg.len() <= max);
    let sha = ledger.store_photo(&jpeg).expect("photo stored");
    s.reduce(PatrolAction::Photo(Ok(sha.clone())));
    let step = s
        .reduce(PatrolAction::SubmitProblem)
        .expect("a photo suffices");
    let result = record_step(&mut ledger, &step, "王师傅", Some(-800), now);
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result,
    });
    assert_eq!(s.round.as_ref().map(|r| r.done_count()), Some(2));
    drop(ledger);

    // The app restarts: the round comes back from the journal, with the photo named.
    let ledger = Ledger::open(&path).expect("reopened");
    let steps = recent_steps(&ledger, Utc::now()).expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].head.seq, seq);
    assert_eq!(steps[0].head.staff, "王师傅");
    assert_eq!(steps[0].head.clock_offset_ms, Some(-800));
    assert_eq!(steps[1].head.attachments, vec![sha]);
    assert!(matches!(
        steps[1].data.step,
        PatrolStep::Point {
            outcome: PointOutcome::Problem,
            ..
        }
    ));
    let mut fresh = PatrolState::new("cp-east".into(), routes(), 480);
    fresh.reduce(PatrolAction::Ledger {
        steps,
        now: Utc::now(),
    });
    let resumed = fresh.round.as_ref().expect("resumed");
    assert_eq!(resumed.round_id, round_id);
    assert_eq!(resumed.outcome_of("P2"), Some(PointOutcome::Problem));
    assert_eq!(fresh.waiting.len(), 1, "not uploaded yet");
    assert_eq!((fresh.waiting[0].steps, fresh.waiting[0].pending), (2, 2));
}

#[test]
fn a_still_that_is_no_picture_is_refused_in_both_languages() {
    for bad in [
        "hello",
        "data:image/jpeg;base64,***",
        "data:image/jpeg;base64,aGVsbG8=",
        "data:text/plain;base64,aGVsbG8=",
    ] {
        let words = compress_still(bad, 300 * 1024).expect_err(bad);
        assert_eq!(words.zh, "无法读取照片，请重拍", "{bad}");
        assert!(!words.en.is_empty());
    }
}
