//! The byte layout of a pass (see the module docs of `pass`): writing a body and reading a payload back.

use chrono::DateTime;

use super::body::{PassBody, PassKind};
use super::error::{ParseError, PassError};
use super::{KEY_ID_LEN, PREFIX, SIGNATURE_LEN};

/// Longest accepted value of each text field, in UTF-8 bytes.
pub const MAX_FIELD_BYTES: [(&str, usize); 6] = [
    ("pass_id", 24),
    ("district_id", 16),
    ("compound_id", 16),
    ("household", 24),
    ("display_name", 32),
    ("plate", 16),
];

/// A parsed payload: the body, who signed it and the bytes the signature covers. Not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPass {
    /// The signer's key id, 8 lowercase hex characters.
    pub key_id: String,
    pub body: PassBody,
    pub signature: [u8; SIGNATURE_LEN],
    /// The prefix followed by the body bytes: what the signature covers.
    pub signed_message: Vec<u8>,
}

fn seconds(t: DateTime<chrono::Utc>) -> Result<u32, PassError> {
    u32::try_from(t.timestamp()).map_err(|_| PassError::BadValidity)
}

fn text_fields(body: &PassBody) -> [&str; 6] {
    [
        &body.pass_id,
        &body.district_id,
        &body.compound_id,
        &body.household,
        &body.display_name,
        body.plate.as_deref().unwrap_or(""),
    ]
}

/// True when `s` holds 15 or more digits in a row (the length of a resident ID number).
fn has_id_number_run(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 15 {
            return true;
        }
    }
    false
}

/// The body bytes (without prefix and signature), after checking every field fits.
pub fn encode_body(body: &PassBody, key_id: &[u8; KEY_ID_LEN]) -> Result<Vec<u8>, PassError> {
    let from = seconds(body.valid_from)?;
    let until = seconds(body.valid_until)?;
    if until <= from {
        return Err(PassError::BadValidity);
    }
    for field in ["household", "display_name"] {
        let value = if field == "household" {
            &body.household
        } else {
            &body.display_name
        };
        if has_id_number_run(value) {
            return Err(PassError::LooksLikeIdNumber { field });
        }
    }
    let mut out = Vec::with_capacity(96);
    out.push(body.kind.code());
    out.extend_from_slice(key_id);
    out.extend_from_slice(&body.serial.to_be_bytes());
    out.extend_from_slice(&from.to_be_bytes());
    out.extend_from_slice(&until.to_be_bytes());
    for ((field, max), value) in MAX_FIELD_BYTES.into_iter().zip(text_fields(body)) {
        if value.len() > max {
            return Err(PassError::FieldTooLong {
                field,
                len: value.len(),
                max,
            });
        }
        // `max` is below 256, so the length fits one byte.
        out.push(value.len() as u8);
        out.extend_from_slice(value.as_bytes());
    }
    Ok(out)
}

/// A cursor over the decoded bytes that reports where it ran out.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(ParseError::Truncated { at: self.at })?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or(ParseError::Truncated { at: self.at })?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn text(&mut self, field: &'static str) -> Result<String, ParseError> {
        let [len] = self.array::<1>()?;
        let raw = self.take(usize::from(len))?;
        String::from_utf8(raw.to_vec()).map_err(|_| ParseError::Utf8 { field })
    }
}

/// Read a payload text into its parts. Never panics, whatever the input.
pub fn parse(payload: &str) -> Result<SignedPass, ParseError> {
    let payload = payload.trim_end_matches(['\r', '\n']);
    let encoded = payload.strip_prefix(PREFIX).ok_or(ParseError::NotOurCode)?;
    let bytes = base45::decode(encoded).map_err(|_| ParseError::Base45)?;
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
    };
    let [kind] = r.array::<1>()?;
    let kind = PassKind::from_code(kind).ok_or(ParseError::UnknownKind(kind))?;
    let key_id = hex::encode(r.array::<KEY_ID_LEN>()?);
    let serial = u32::from_be_bytes(r.array()?);
    let from = u32::from_be_bytes(r.array()?);
    let until = u32::from_be_bytes(r.array()?);
    if until <= from {
        return Err(ParseError::BadValidity);
    }
    let pass_id = r.text("pass_id")?;
    let district_id = r.text("district_id")?;
    let compound_id = r.text("compound_id")?;
    let household = r.text("household")?;
    let display_name = r.text("display_name")?;
    let plate = r.text("plate")?;
    let body_end = r.at;
    let signature = r.array::<SIGNATURE_LEN>()?;
    let extra = bytes.len() - r.at;
    if extra != 0 {
        return Err(ParseError::TrailingBytes { extra });
    }
    let (valid_from, valid_until) = match (
        DateTime::from_timestamp(i64::from(from), 0),
        DateTime::from_timestamp(i64::from(until), 0),
    ) {
        (Some(f), Some(u)) => (f, u),
        _ => return Err(ParseError::BadValidity),
    };
    let mut signed_message = Vec::with_capacity(PREFIX.len() + body_end);
    signed_message.extend_from_slice(PREFIX.as_bytes());
    signed_message.extend_from_slice(&bytes[..body_end]);
    Ok(SignedPass {
        key_id,
        body: PassBody {
            kind,
            pass_id,
            serial,
            district_id,
            compound_id,
            household,
            display_name,
            plate: (!plate.is_empty()).then_some(plate),
            valid_from,
            valid_until,
        },
        signature,
        signed_message,
    })
}
