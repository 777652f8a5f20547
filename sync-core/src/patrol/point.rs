//! A patrol point's printed label: `CPP:` followed by base45 of `body ‖ signature`, signed with
//! the district key that signs passes (the prefix is in the signed message, so a pass signature
//! can never pass for a point's, nor the other way round).
//!
//! Body: key id (4 bytes), then four length-prefixed UTF-8 fields: point id (≤ 16 bytes),
//! district id (≤ 16), compound id (≤ 16), name (≤ 48). Then 64 bytes of Ed25519 signature over
//! `CPP:` ‖ body. Nothing may follow it. Like a pass, the whole text must fit a version 8 QR code
//! at level M ([`MAX_PAYLOAD_CHARS`], 221 characters): short ids leave a name of 16 Chinese
//! characters room.

use ed25519_dalek::Signature;

use crate::pass::{DistrictSigner, KeySet, KEY_ID_LEN, MAX_PAYLOAD_CHARS, SIGNATURE_LEN};

/// The text every patrol point label starts with.
pub const POINT_PREFIX: &str = "CPP:";

/// Longest value of each field, in UTF-8 bytes.
const MAX_FIELD_BYTES: [(&str, usize); 4] = [
    ("point_id", 16),
    ("district_id", 16),
    ("compound_id", 16),
    ("name", 48),
];

/// A patrol point as its label names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolPoint {
    pub point_id: String,
    pub district_id: String,
    pub compound_id: String,
    /// What staff see, e.g. 北围墙东段 (north fence, east end).
    pub name: String,
}

/// Why a label cannot be made, or is not a real point of this compound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    #[error("not a patrol point label")]
    NotAPoint,
    #[error("the patrol point label is damaged: {0}")]
    Malformed(&'static str),
    #[error("{field} is empty or longer than {max} bytes")]
    FieldTooLong { field: &'static str, max: usize },
    #[error("the label is {chars} characters; a QR label holds at most {max}: shorten the name")]
    TooLarge { chars: usize, max: usize },
    #[error("the label was signed with a key this phone does not know")]
    UnknownKey,
    #[error("the label's signature is not valid (forged or altered)")]
    BadSignature,
    #[error("the point belongs to another district")]
    WrongDistrict,
    #[error("the point belongs to another compound")]
    WrongCompound,
}

impl crate::i18n::Localized for PointError {
    fn message(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.to_string(),
            crate::i18n::Lang::ZhCn => match self {
                Self::NotAPoint => "不是巡查点标签",
                Self::Malformed(_) => "巡查点标签已损坏",
                Self::FieldTooLong { .. } | Self::TooLarge { .. } => "巡查点信息过长，请缩短名称",
                Self::UnknownKey => "标签的签发密钥本机未知",
                Self::BadSignature => "标签签名无效（伪造或被改动）",
                Self::WrongDistrict => "非本街道的巡查点",
                Self::WrongCompound => "非本小区的巡查点",
            }
            .into(),
        }
    }
}

fn fields(p: &PatrolPoint) -> [&str; 4] {
    [&p.point_id, &p.district_id, &p.compound_id, &p.name]
}

/// The label text of `point`, signed by the district's key.
pub fn sign_point(signer: &DistrictSigner, point: &PatrolPoint) -> Result<String, PointError> {
    if point.district_id != signer.district_id() {
        return Err(PointError::WrongDistrict);
    }
    let (key_id, _) = signer.sign_raw(&[]);
    let mut body = key_id.to_vec();
    for ((field, max), value) in MAX_FIELD_BYTES.into_iter().zip(fields(point)) {
        if value.is_empty() || value.len() > max {
            return Err(PointError::FieldTooLong { field, max });
        }
        // Fits in a byte: every maximum is below 256.
        body.push(value.len() as u8);
        body.extend_from_slice(value.as_bytes());
    }
    let (_, signature) = signer.sign_raw(&[POINT_PREFIX.as_bytes(), &body].concat());
    body.extend_from_slice(&signature);
    let text = format!("{POINT_PREFIX}{}", base45::encode(&body));
    if text.len() > MAX_PAYLOAD_CHARS {
        return Err(PointError::TooLarge {
            chars: text.len(),
            max: MAX_PAYLOAD_CHARS,
        });
    }
    Ok(text)
}

/// A label read back: the point, its key id and what the signature covers. Not yet verified.
struct SignedPoint {
    key_id: String,
    point: PatrolPoint,
    message: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

fn parse(payload: &str) -> Result<SignedPoint, PointError> {
    let rest = payload
        .trim()
        .strip_prefix(POINT_PREFIX)
        .ok_or(PointError::NotAPoint)?;
    let bytes = base45::decode(rest).map_err(|_| PointError::Malformed("not base45"))?;
    let split = bytes
        .len()
        .checked_sub(SIGNATURE_LEN)
        .ok_or(PointError::Malformed("too short"))?;
    let (body, signature) = bytes.split_at(split);
    let key_id = body
        .get(..KEY_ID_LEN)
        .ok_or(PointError::Malformed("too short"))?;
    let mut at = KEY_ID_LEN;
    let mut texts = Vec::with_capacity(4);
    for (_, max) in MAX_FIELD_BYTES {
        let len = usize::from(*body.get(at).ok_or(PointError::Malformed("cut short"))?);
        let value = body
            .get(at + 1..at + 1 + len)
            .ok_or(PointError::Malformed("cut short"))?;
        if len == 0 || len > max {
            return Err(PointError::Malformed("field length"));
        }
        let text = std::str::from_utf8(value).map_err(|_| PointError::Malformed("not UTF-8"))?;
        texts.push(text.to_owned());
        at += 1 + len;
    }
    if at != body.len() {
        return Err(PointError::Malformed("bytes after the fields"));
    }
    let [point_id, district_id, compound_id, name] =
        <[String; 4]>::try_from(texts).map_err(|_| PointError::Malformed("fields"))?;
    Ok(SignedPoint {
        key_id: hex::encode(key_id),
        point: PatrolPoint {
            point_id,
            district_id,
            compound_id,
            name,
        },
        message: [POINT_PREFIX.as_bytes(), body].concat(),
        signature: signature
            .try_into()
            .map_err(|_| PointError::Malformed("signature"))?,
    })
}

/// What a gate phone checks a scanned label against: the district's keys and its own compound.
#[derive(Debug, Clone, Copy)]
pub struct PointCheck<'a> {
    pub keys: &'a KeySet,
    pub district_id: &'a str,
    pub compound_id: &'a str,
}

impl PointCheck<'_> {
    /// The point, when the label is signed by a key of this district and names this compound.
    pub fn verify(&self, payload: &str) -> Result<PatrolPoint, PointError> {
        let signed = parse(payload)?;
        let trusted = self
            .keys
            .get(&signed.key_id)
            .ok_or(PointError::UnknownKey)?;
        let signature = Signature::from_bytes(&signed.signature);
        if trusted
            .key
            .verify_strict(&signed.message, &signature)
            .is_err()
        {
            return Err(PointError::BadSignature);
        }
        let point = signed.point;
        if point.district_id != self.district_id || trusted.district_id != self.district_id {
            return Err(PointError::WrongDistrict);
        }
        if point.compound_id != self.compound_id {
            return Err(PointError::WrongCompound);
        }
        Ok(point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pass::PassKind;

    fn point(compound: &str) -> PatrolPoint {
        PatrolPoint {
            point_id: "P0007".into(),
            district_id: "d01".into(),
            compound_id: compound.into(),
            name: "北围墙东段 north fence, east".into(),
        }
    }

    fn keys(signer: &DistrictSigner) -> KeySet {
        KeySet::from_records(&[signer.key_record(None, None)]).expect("keys")
    }

    fn check<'a>(keys: &'a KeySet, compound: &'a str) -> PointCheck<'a> {
        PointCheck {
            keys,
            district_id: "d01",
            compound_id: compound,
        }
    }

    #[test]
    fn a_label_of_this_compound_verifies_offline_and_fits_a_qr_code() {
        let signer = DistrictSigner::from_secret("d01", &[7; 32]);
        let label = sign_point(&signer, &point("c07")).expect("sign");
        assert!(label.starts_with(POINT_PREFIX));
        assert!(label.len() <= MAX_PAYLOAD_CHARS, "{}", label.len());
        let keys = keys(&signer);
        assert_eq!(check(&keys, "c07").verify(&label), Ok(point("c07")));
        crate::render::qr_svg(&label).expect("a QR code");
    }

    #[test]
    fn foreign_forged_damaged_or_unknown_labels_are_refused_with_their_reason() {
        let signer = DistrictSigner::from_secret("d01", &[7; 32]);
        let keys = keys(&signer);
        let label = sign_point(&signer, &point("c07")).expect("sign");
        assert_eq!(
            check(&keys, "c08").verify(&label),
            Err(PointError::WrongCompound)
        );
        let stranger = DistrictSigner::from_secret("d01", &[9; 32]);
        let unknown = sign_point(&stranger, &point("c07")).expect("sign");
        assert_eq!(
            check(&keys, "c07").verify(&unknown),
            Err(PointError::UnknownKey)
        );
        // One byte of the body changed: the signature no longer matches.
        let mut bytes = base45::decode(&label[POINT_PREFIX.len()..]).expect("base45");
        let last_name_byte = bytes.len() - SIGNATURE_LEN - 1;
        bytes[last_name_byte] ^= 0x01;
        let forged = format!("{POINT_PREFIX}{}", base45::encode(&bytes));
        assert!(matches!(
            check(&keys, "c07").verify(&forged),
            Err(PointError::BadSignature | PointError::Malformed(_))
        ));
        for bad in ["", "CP1:ABC", "CPP:", "CPP:%%%", "CPP:00"] {
            assert!(check(&keys, "c07").verify(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check(&keys, "c07").verify("hello"),
            Err(PointError::NotAPoint)
        );
    }

    #[test]
    fn a_pass_is_not_a_point_and_fields_are_bounded() {
        let signer = DistrictSigner::from_secret("d01", &[7; 32]);
        let keys = keys(&signer);
        let pass = signer
            .sign(&crate::pass::PassBody {
                kind: PassKind::Staff,
                serial: 1,
                valid_from: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("t"),
                valid_until: chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("t"),
                pass_id: "S000001".into(),
                district_id: "d01".into(),
                compound_id: "c07".into(),
                household: String::new(),
                display_name: "王**".into(),
                plate: None,
            })
            .expect("a pass");
        assert_eq!(
            check(&keys, "c07").verify(&pass),
            Err(PointError::NotAPoint)
        );
        let mut long = point("c07");
        long.name = "很".repeat(17);
        assert!(matches!(
            sign_point(&signer, &long),
            Err(PointError::FieldTooLong { field: "name", .. })
        ));
        let mut crowded = point("c07");
        crowded.point_id = "P".repeat(16);
        crowded.compound_id = "C".repeat(16);
        crowded.name = "很".repeat(16);
        assert!(matches!(
            sign_point(&signer, &crowded),
            Err(PointError::TooLarge { .. })
        ));
        let mut other = point("c07");
        other.district_id = "d02".into();
        assert_eq!(sign_point(&signer, &other), Err(PointError::WrongDistrict));
    }
}
