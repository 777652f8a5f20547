//! Unit tests of the pass format: layout size, field limits, key storage and clock handling.

use chrono::{DateTime, Duration, Utc};

use super::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn resident() -> PassBody {
    PassBody {
        kind: PassKind::Resident,
        pass_id: "R000123".into(),
        serial: 1,
        district_id: "d01".into(),
        compound_id: "c07".into(),
        household: "12-3-1202".into(),
        display_name: "欧阳小明".into(),
        plate: None,
        valid_from: at(1_700_000_000),
        valid_until: at(1_800_000_000),
    }
}

fn signer() -> DistrictSigner {
    DistrictSigner::from_secret("d01", &[7u8; 32])
}

#[test]
fn layout_size_matches_the_module_docs() {
    let body = resident();
    let key_id = [1, 2, 3, 4];
    assert_eq!(encode_body(&body, &key_id).map(|b| b.len()), Ok(57));
    let text = signer().sign(&body).expect("sign");
    assert_eq!(text.len(), 186);
    assert!(text.starts_with(PREFIX));
    let alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    assert!(text.chars().all(|c| alphanumeric.contains(c)), "{text}");
}

#[test]
fn parse_gives_back_what_was_signed() {
    let s = signer();
    let mut body = resident();
    body.kind = PassKind::Vehicle;
    body.plate = Some("京A12345".into());
    let parsed = parse(&s.sign(&body).expect("sign")).expect("parse");
    assert_eq!(parsed.body, body);
    assert_eq!(parsed.key_id, s.key_id());
}

#[test]
fn oversized_fields_and_id_numbers_are_refused() {
    let s = signer();
    let mut body = resident();
    body.display_name = "名".repeat(11);
    assert_eq!(
        s.sign(&body),
        Err(PassError::FieldTooLong {
            field: "display_name",
            len: 33,
            max: 32
        })
    );
    let mut body = resident();
    body.display_name = "11010519491231002X".into();
    assert_eq!(
        s.sign(&body),
        Err(PassError::LooksLikeIdNumber {
            field: "display_name"
        })
    );
    let mut body = resident();
    body.valid_until = body.valid_from;
    assert_eq!(s.sign(&body), Err(PassError::BadValidity));
    let mut body = resident();
    body.district_id = "d02".into();
    assert!(matches!(
        s.sign(&body),
        Err(PassError::OtherDistrict { .. })
    ));
}

#[test]
fn every_field_at_its_limit_is_refused_as_too_large_not_truncated() {
    let mut body = resident();
    body.pass_id = "P".repeat(24);
    body.district_id = "D".repeat(16);
    body.compound_id = "C".repeat(16);
    body.household = "H".repeat(24);
    body.display_name = "N".repeat(32);
    body.plate = Some("X".repeat(16));
    let wide = DistrictSigner::from_secret(&body.district_id, &[7u8; 32]);
    assert!(matches!(
        wide.sign(&body),
        Err(PassError::TooLarge { max: 221, .. })
    ));
}

#[test]
fn signing_key_survives_storage_as_hex() {
    let s = DistrictSigner::generate("d01").expect("random");
    let back = DistrictSigner::from_secret_hex("d01", &s.secret_hex()).expect("hex");
    assert_eq!(back.public_key_hex(), s.public_key_hex());
    assert_eq!(back.key_id(), s.key_id());
    assert!(!format!("{s:?}").contains(&s.secret_hex()));
    assert!(DistrictSigner::from_secret_hex("d01", "zz").is_err());
    assert!(DistrictSigner::from_secret_hex("d01", "abcd").is_err());
}

#[test]
fn key_set_refuses_a_key_id_that_does_not_match_its_key() {
    let mut record = signer().key_record(None, None);
    assert_eq!(
        KeySet::from_records(std::slice::from_ref(&record)).map(|k| k.len()),
        Ok(1)
    );
    record.key_id = "00000000".into();
    assert!(matches!(
        KeySet::from_records(&[record]),
        Err(PassError::BadKey { .. })
    ));
}

#[test]
fn server_offset_corrects_a_wrong_device_clock() {
    let s = signer();
    let keys = KeySet::from_records(&[s.key_record(None, None)]).expect("keys");
    let text = s.sign(&resident()).expect("sign");
    let revs = Revocations::default();
    // The device clock is a year behind (before valid_from); the server offset puts it right.
    let device = at(1_700_000_000) - Duration::days(365);
    let offset = Some(Duration::days(366).num_milliseconds());
    let plain = verify(&text, &keys, &revs, "d01", device, None);
    assert_eq!(plain.verdict, PassVerdict::NotYetValid);
    assert!(!plain.clock_checked);
    let fixed = verify(&text, &keys, &revs, "d01", device, offset);
    assert_eq!(fixed.verdict, PassVerdict::Valid);
    assert!(fixed.clock_checked);
    let absurd = verify(&text, &keys, &revs, "d01", device, Some(i64::MIN));
    assert_eq!(absurd.verdict, PassVerdict::NotYetValid);
    assert!(!absurd.clock_checked);
}

#[test]
fn a_gate_admits_only_its_own_compound_and_staff_of_the_district() {
    let s = signer();
    let keys = KeySet::from_records(&[s.key_record(None, None)]).expect("keys");
    let revs = Revocations::default();
    let gate = |compound| PassCheck {
        keys: &keys,
        revocations: &revs,
        district_id: "d01",
        compound_id: Some(compound),
    };
    let now = at(1_750_000_000);
    for kind in [PassKind::Resident, PassKind::Vehicle, PassKind::VisitorDay] {
        let mut body = resident();
        body.kind = kind;
        let text = s.sign(&body).expect("sign");
        assert_eq!(
            gate("c07").verify(&text, now, Some(0)).verdict,
            PassVerdict::Valid
        );
        let other = gate("c08").verify(&text, now, Some(0));
        assert_eq!(other.verdict, PassVerdict::WrongCompound, "{kind:?}");
        // The genuine pass is still returned, so the gate can name its compound.
        assert_eq!(other.pass.map(|p| p.compound_id), Some("c07".into()));
    }
    let mut staff = resident();
    staff.kind = PassKind::Staff;
    let text = s.sign(&staff).expect("sign");
    assert_eq!(
        gate("c08").verify(&text, now, Some(0)).verdict,
        PassVerdict::Valid
    );
    // A revoked pass of another compound reads as another compound's (the first thing wrong).
    let mut revoked = Revocations::default();
    revoked.revoke("R000123", 1);
    let text = s.sign(&resident()).expect("sign");
    let v = PassCheck {
        revocations: &revoked,
        ..gate("c08")
    }
    .verify(&text, now, Some(0));
    assert_eq!(v.verdict, PassVerdict::WrongCompound);
    assert_eq!(
        PassVerdict::WrongCompound.deny_reason(),
        Some(crate::DenyReason::WrongCompound)
    );
}
