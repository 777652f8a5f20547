use chrono::Duration;

use super::*;
use crate::pass::{DistrictSigner, PassKind};
use crate::protocol::HouseholdPass;
use crate::signed::RootSigner;

struct District {
    root: RootSigner,
    signer: DistrictSigner,
}

fn district() -> District {
    District {
        root: RootSigner::generate().expect("root"),
        signer: DistrictSigner::generate("d1").expect("signer"),
    }
}

fn pass(d: &District, id: &str, serial: u32) -> String {
    let now = Utc::now();
    d.signer
        .sign(&PassBody {
            kind: PassKind::Resident,
            pass_id: id.into(),
            serial,
            district_id: "d1".into(),
            compound_id: "c1".into(),
            household: "3-2-401".into(),
            display_name: "张小明".into(),
            plate: None,
            valid_from: now - Duration::days(1),
            valid_until: now + Duration::days(300),
        })
        .expect("signed")
}

fn bundle(d: &District, passes: Vec<HouseholdPass>, nonce: &str) -> HouseholdBundle {
    d.root.sign(HouseholdBundle {
        district_id: "d1".into(),
        root_public_key: d.root.public_key_hex(),
        compound_id: "c1".into(),
        compound_name: "阳光小区".into(),
        household: "3-2-401".into(),
        passes,
        keys: vec![d.signer.key_record(None, None)],
        server_time: Utc::now(),
        utc_offset_minutes: 480,
        nonce: nonce.into(),
        signature: String::new(),
    })
}

fn link(d: &District) -> HouseholdLink {
    HouseholdLink::parse(&format!(
        "https://district.example/h/{}#fp={}",
        "ab".repeat(16),
        d.root.fingerprint()
    ))
    .expect("a link")
}

fn held(d: &District, id: &str, serial: u32, revoked: bool) -> HouseholdPass {
    HouseholdPass {
        pass_id: id.into(),
        serial,
        payload: pass(d, id, serial),
        revoked,
    }
}

#[test]
fn links_are_read_as_printed_and_anything_else_is_refused() {
    let fp = "c".repeat(64);
    let l = HouseholdLink::parse(&format!(
        " https://d.example:8443/h/{}#fp={fp} ",
        "A1".repeat(16)
    ))
    .expect("parsed");
    assert_eq!(l.server, "https://d.example:8443");
    assert_eq!(l.token, "a1".repeat(16));
    for bad in [
        format!("https://d.example/h/{}", "a".repeat(32)),
        format!("https://d.example/h/{}#fp={}", "a".repeat(31), fp),
        format!("https://d.example/x/{}#fp={fp}", "a".repeat(32)),
        format!("ftp://d.example/h/{}#fp={fp}", "a".repeat(32)),
        "CP1:ABC".into(),
    ] {
        assert_eq!(
            HouseholdLink::parse(&bad),
            Err(HouseholdError::NotALink),
            "{bad}"
        );
    }
}

#[test]
fn a_never_enrolled_phone_verifies_the_bundle_and_its_passes_offline() {
    let d = district();
    let b = bundle(
        &d,
        vec![held(&d, "R1", 2, false), held(&d, "R2", 1, true)],
        "n1",
    );
    let passes = open_bundle(&link(&d), &b, "n1", Utc::now()).expect("opened");
    let verdicts: Vec<(&str, PassVerdict)> = passes
        .iter()
        .map(|p| (p.pass_id.as_str(), p.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [("R1", PassVerdict::Valid), ("R2", PassVerdict::Revoked)]
    );
    assert!(passes[0].is_showable() && !passes[1].is_showable());
    assert_eq!(passes[0].body.as_ref().map(|b| b.serial), Some(2));
}

#[test]
fn another_root_key_a_replay_or_an_altered_bundle_is_refused() {
    let d = district();
    let b = bundle(&d, vec![held(&d, "R1", 1, false)], "n1");
    assert_eq!(
        open_bundle(&link(&district()), &b, "n1", Utc::now()),
        Err(HouseholdError::Trust(TrustError::FingerprintMismatch))
    );
    assert_eq!(
        open_bundle(&link(&d), &b, "n2", Utc::now()),
        Err(HouseholdError::Trust(TrustError::WrongNonce))
    );
    let mut altered = b.clone();
    altered.passes[0].revoked = false;
    altered.household = "1-1-101".into();
    assert_eq!(
        open_bundle(&link(&d), &altered, "n1", Utc::now()),
        Err(HouseholdError::Trust(TrustError::BadSignature))
    );
    // A pass the bundle's keys did not sign is held, but not showable.
    let stranger = district();
    let mut b2 = bundle(&d, vec![held(&stranger, "R9", 1, false)], "n3");
    b2 = d.root.sign(b2);
    let passes = open_bundle(&link(&d), &b2, "n3", Utc::now()).expect("opened");
    assert!(!passes[0].is_showable());
}
