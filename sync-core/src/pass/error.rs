//! Errors of the pass format: reading a payload that is not a well-formed pass, and signing or key handling.

use thiserror::Error;

/// Why a payload text is not a well-formed pass (before any signature check).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("not a checkpoint pass (missing the `{}` prefix)", super::PREFIX)]
    NotOurCode,
    #[error("the pass text is not valid base45")]
    Base45,
    #[error("the pass is truncated at byte {at}")]
    Truncated { at: usize },
    #[error("unknown pass kind {0}")]
    UnknownKind(u8),
    #[error("field `{field}` is not valid UTF-8")]
    Utf8 { field: &'static str },
    #[error("{extra} unexpected bytes after the signature")]
    TrailingBytes { extra: usize },
    #[error("the validity period ends before it starts")]
    BadValidity,
}

/// Why a pass cannot be signed, or a key cannot be made or read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassError {
    #[error("field `{field}` is {len} bytes; at most {max} fit")]
    FieldTooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the signed pass is {chars} characters; a version 8 QR code at level M holds {max}")]
    TooLarge { chars: usize, max: usize },
    #[error(
        "field `{field}` looks like an ID number; a pass shows a display name, never an ID number"
    )]
    LooksLikeIdNumber { field: &'static str },
    #[error("validity must be whole seconds between 1970 and 2106, with `valid_until` after `valid_from`")]
    BadValidity,
    #[error("the pass is for district `{pass}` but this key signs for `{signer}`")]
    OtherDistrict { pass: String, signer: String },
    #[error("the system random source failed: {0}")]
    Random(String),
    #[error("key `{key_id}`: {reason}")]
    BadKey { key_id: String, reason: String },
}
