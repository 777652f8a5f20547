//! Every verdict of pass verification, from real signed payloads: tampering, time, revocation, keys, districts.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use sync_core::i18n::Localized;
use sync_core::pass::{
    parse, verify, DistrictSigner, KeySet, PassBody, PassKind, PassVerdict, Revocations, PREFIX,
};
use sync_core::DenyReason;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

const FROM: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn body(kind: PassKind) -> PassBody {
    PassBody {
        kind,
        pass_id: "R000123".into(),
        serial: 2,
        district_id: "d01".into(),
        compound_id: "c07".into(),
        household: "12-3-1202".into(),
        display_name: "欧阳小明".into(),
        plate: (kind == PassKind::Vehicle).then(|| "京A12345".to_owned()),
        valid_from: at(FROM),
        valid_until: at(FROM) + Duration::days(30),
    }
}

struct Gate {
    signer: DistrictSigner,
    keys: KeySet,
    revocations: Revocations,
}

fn gate() -> Gate {
    let signer = DistrictSigner::from_secret("d01", &[1u8; 32]);
    let keys = KeySet::from_records(&[signer.key_record(None, None)]).expect("key set");
    Gate {
        signer,
        keys,
        revocations: Revocations::default(),
    }
}

fn check(g: &Gate, payload: &str, now: DateTime<Utc>) -> PassVerdict {
    verify(payload, &g.keys, &g.revocations, "d01", now, Some(0)).verdict
}

fn mid() -> DateTime<Utc> {
    at(FROM) + Duration::days(3)
}

/// The payload with bit `bit` of decoded byte `byte` flipped, re-encoded (still well-formed base45).
fn flip(payload: &str, byte: usize, bit: u8) -> String {
    let mut raw = base45::decode(&payload[PREFIX.len()..]).expect("base45");
    raw[byte] ^= 1 << bit;
    format!("{PREFIX}{}", base45::encode(&raw))
}

#[test]
fn a_genuine_current_pass_of_every_kind_is_valid() {
    let g = gate();
    for kind in PassKind::ALL {
        let payload = g.signer.sign(&body(kind)).expect("sign");
        let v = verify(&payload, &g.keys, &g.revocations, "d01", mid(), Some(0));
        assert_eq!(v.verdict, PassVerdict::Valid, "{kind:?}");
        assert_eq!(v.pass, Some(body(kind)));
        assert_eq!(v.verdict.deny_reason(), None);
    }
}

#[test]
fn a_flipped_bit_in_the_body_is_a_bad_signature() {
    let g = gate();
    let payload = g.signer.sign(&body(PassKind::Resident)).expect("sign");
    // Serial, validity, and a byte of the name: each still parses, none verifies.
    for byte in [6, 10, 15, 40, 50] {
        let tampered = flip(&payload, byte, 0);
        assert!(parse(&tampered).is_ok(), "byte {byte} still parses");
        assert_eq!(
            check(&g, &tampered, mid()),
            PassVerdict::BadSignature,
            "byte {byte}"
        );
    }
}

#[test]
fn a_flipped_bit_in_the_signature_is_a_bad_signature() {
    let g = gate();
    let payload = g.signer.sign(&body(PassKind::Vehicle)).expect("sign");
    let len = base45::decode(&payload[PREFIX.len()..])
        .expect("base45")
        .len();
    for byte in [len - 64, len - 33, len - 1] {
        assert_eq!(
            check(&g, &flip(&payload, byte, 3), mid()),
            PassVerdict::BadSignature
        );
    }
}

#[test]
fn a_swapped_key_id_is_an_unknown_key_or_a_bad_signature() {
    let g = gate();
    let payload = g.signer.sign(&body(PassKind::Staff)).expect("sign");
    // Key id bytes 1..5: a changed id names no key of ours.
    assert_eq!(
        check(&g, &flip(&payload, 2, 5), mid()),
        PassVerdict::UnknownKey
    );
    // Swapped to another key we do hold: that key does not verify the signature.
    let other = DistrictSigner::from_secret("d01", &[2u8; 32]);
    let keys = KeySet::from_records(&[
        g.signer.key_record(None, None),
        other.key_record(None, None),
    ])
    .expect("keys");
    let mut raw = base45::decode(&payload[PREFIX.len()..]).expect("base45");
    raw[1..5].copy_from_slice(&hex::decode(other.key_id()).expect("hex"));
    let swapped = format!("{PREFIX}{}", base45::encode(&raw));
    let v = verify(&swapped, &keys, &g.revocations, "d01", mid(), Some(0));
    assert_eq!(v.verdict, PassVerdict::BadSignature);
    assert_eq!(v.pass, None, "an unverified body is never handed out");
}

#[test]
fn time_decides_expired_and_not_yet_valid_with_the_server_offset() {
    let g = gate();
    let payload = g.signer.sign(&body(PassKind::VisitorDay)).expect("sign");
    assert_eq!(
        check(&g, &payload, at(FROM) - Duration::seconds(1)),
        PassVerdict::NotYetValid
    );
    assert_eq!(check(&g, &payload, at(FROM)), PassVerdict::Valid);
    let until = at(FROM) + Duration::days(30);
    assert_eq!(
        check(&g, &payload, until - Duration::seconds(1)),
        PassVerdict::Valid
    );
    assert_eq!(check(&g, &payload, until), PassVerdict::Expired);
    // A device clock set back a month does not make an expired pass valid once the offset is known.
    let device = until - Duration::days(31);
    let offset = Duration::days(31).num_milliseconds();
    let v = verify(
        &payload,
        &g.keys,
        &g.revocations,
        "d01",
        device,
        Some(offset),
    );
    assert_eq!(v.verdict, PassVerdict::Expired);
}

#[test]
fn revoked_and_superseded_serials_are_refused() {
    let mut g = gate();
    let payload = g.signer.sign(&body(PassKind::Resident)).expect("sign");
    g.revocations = Revocations::from_records(&[sync_core::ledger::Revocation {
        pass_id: "R000123".into(),
        serial: 2,
        version: 7,
    }]);
    assert_eq!(check(&g, &payload, mid()), PassVerdict::Revoked);
    let mut g = gate();
    g.revocations.note_serial("R000123", 3);
    assert_eq!(
        check(&g, &payload, mid()),
        PassVerdict::Superseded { newest_serial: 3 }
    );
    g.revocations.note_serial("R000123", 2);
    assert_eq!(
        check(&g, &payload, mid()),
        PassVerdict::Superseded { newest_serial: 3 }
    );
    let mut newer = body(PassKind::Resident);
    newer.serial = 3;
    assert_eq!(
        check(&g, &g.signer.sign(&newer).expect("sign"), mid()),
        PassVerdict::Valid
    );
}

#[test]
fn another_districts_key_is_the_wrong_district() {
    let g = gate();
    let theirs = DistrictSigner::from_secret("d02", &[9u8; 32]);
    let mut b = body(PassKind::Resident);
    b.district_id = "d02".into();
    let payload = theirs.sign(&b).expect("sign");
    assert_eq!(check(&g, &payload, mid()), PassVerdict::WrongDistrict);
    // Even when the device holds the other district's key.
    let keys = KeySet::from_records(&[
        g.signer.key_record(None, None),
        theirs.key_record(None, None),
    ])
    .expect("keys");
    let v = verify(&payload, &keys, &g.revocations, "d01", mid(), Some(0));
    assert_eq!(v.verdict, PassVerdict::WrongDistrict);
}

#[test]
fn a_key_outside_its_period_is_unknown() {
    let signer = DistrictSigner::from_secret("d01", &[1u8; 32]);
    let retired = signer.key_record(None, Some(at(FROM) - Duration::days(1)));
    let keys = KeySet::from_records(&[retired]).expect("keys");
    let payload = signer.sign(&body(PassKind::Resident)).expect("sign");
    let v = verify(&payload, &keys, &Revocations::default(), "d01", mid(), None);
    assert_eq!(v.verdict, PassVerdict::UnknownKey);
}

#[test]
fn random_text_and_other_codes_are_malformed() {
    let g = gate();
    let payload = g.signer.sign(&body(PassKind::Resident)).expect("sign");
    for text in [
        "",
        "hello",
        "https://example.org/",
        "CP1:",
        "CP1:!!!",
        "CP2:ABC",
        &payload[..payload.len() - 3],
        &format!("{payload}00"),
        &payload.to_lowercase(),
    ] {
        assert_eq!(check(&g, text, mid()), PassVerdict::Malformed, "{text:?}");
    }
}

#[test]
fn every_verdict_has_both_messages_and_a_deny_reason() {
    let all = [
        (PassVerdict::Valid, None),
        (PassVerdict::Expired, Some(DenyReason::Expired)),
        (PassVerdict::NotYetValid, Some(DenyReason::NotYetValid)),
        (PassVerdict::Revoked, Some(DenyReason::Revoked)),
        (
            PassVerdict::Superseded { newest_serial: 3 },
            Some(DenyReason::Superseded),
        ),
        (PassVerdict::UnknownKey, Some(DenyReason::UnknownKey)),
        (PassVerdict::BadSignature, Some(DenyReason::BadSignature)),
        (PassVerdict::WrongDistrict, Some(DenyReason::WrongDistrict)),
        (PassVerdict::WrongCompound, Some(DenyReason::WrongCompound)),
        (PassVerdict::Malformed, Some(DenyReason::Malformed)),
    ];
    let mut seen = std::collections::HashSet::new();
    for (v, reason) in all {
        assert_eq!(v.deny_reason(), reason);
        assert_eq!(v.gate_verdict().is_admitted(), reason.is_none());
        assert!(!v.zh().is_empty() && !v.en().is_empty());
        assert!(
            v.zh().chars().any(|c| c > '\u{2e80}'),
            "zh message is Chinese: {}",
            v.zh()
        );
        assert!(seen.insert(v.en()), "messages are distinct");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_payload_strings_never_panic_the_parser(text in "\\PC{0,300}") {
        let g = gate();
        let v = verify(&text, &g.keys, &g.revocations, "d01", mid(), Some(0));
        prop_assert!(!v.verdict.is_valid());
        let _ = parse(&text);
    }

    #[test]
    fn random_base45_after_the_prefix_never_panics(body in "[0-9A-Z $%*+./:-]{0,260}") {
        let g = gate();
        let text = format!("{PREFIX}{body}");
        prop_assert!(!check(&g, &text, mid()).is_valid());
    }

    #[test]
    fn random_bytes_after_the_prefix_never_verify(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let g = gate();
        let text = format!("{PREFIX}{}", base45::encode(&raw));
        prop_assert!(!check(&g, &text, mid()).is_valid());
    }
}
