//! The signed pass ("one card, one code"): its compact QR payload, district keys, and offline verification.
//!
//! # Payload text
//!
//! `CP1:` followed by the base45 encoding of `body ‖ signature`. Every character is in the QR
//! alphanumeric set (`0-9 A-Z space $ % * + - . / :`), so a QR encoder uses the dense alphanumeric
//! mode. `CP1` names format version 1; a later version gets a new prefix.
//!
//! # Body bytes (version 1)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | kind: 1 resident, 2 vehicle, 3 visitor day pass, 4 staff |
//! | 1 | 4 | key id: first 4 bytes of SHA-256 of the signer's Ed25519 public key |
//! | 5 | 4 | serial, u32 big-endian (a reissue has a higher serial) |
//! | 9 | 4 | valid from, Unix seconds, u32 big-endian |
//! | 13 | 4 | valid until (exclusive), Unix seconds, u32 big-endian; must be after valid from |
//! | 17 | 1+n | pass id: length byte, then UTF-8 (≤ 24 bytes) |
//! | … | 1+n | district id (≤ 16 bytes) |
//! | … | 1+n | compound id (≤ 16 bytes) |
//! | … | 1+n | household, building–unit–room (≤ 24 bytes) |
//! | … | 1+n | display name (≤ 32 bytes; never an ID number: 15 digits in a row are refused) |
//! | … | 1+n | plate (≤ 16 bytes; length 0 = none) |
//!
//! Then 64 bytes: the Ed25519 signature over `CP1:` ‖ body. Nothing may follow it.
//!
//! A resident pass with a 4-character Chinese name (`R000123`, district `d01`, compound `c07`,
//! household `12-3-1202`) is 57 body bytes, 121 bytes with the signature, 186 characters: QR
//! version 8 at level M (a vehicle pass with plate `京A12345` is 199 characters, still version 8). [`MAX_PAYLOAD_CHARS`] (221, the alphanumeric capacity of version 8 at
//! level M) is enforced when signing.
//!
//! # Keys
//!
//! The district server holds a [`DistrictSigner`] per key (stored as [`DistrictSigner::secret_hex`]);
//! devices hold a [`KeySet`] built from [`crate::ledger::KeyRecord`]s. A key record's
//! `not_before`/`not_after` bound the `valid_from` of the passes it may have signed (rotation).

mod body;
mod codec;
mod error;
mod keys;
mod verdict;
mod verify;

pub use body::{PassBody, PassKind};
pub use codec::{encode_body, parse, SignedPass, MAX_FIELD_BYTES};
pub use error::{ParseError, PassError};
pub use keys::{key_id_bytes, key_id_for, DistrictSigner, KeySet, TrustedKey};
pub use verdict::PassVerdict;
pub use verify::{verify, PassCheck, Revocations, Verification};

/// The text every pass starts with (format version 1).
pub const PREFIX: &str = "CP1:";
/// Key ids are this many bytes in the body (hex text of twice the length elsewhere).
pub const KEY_ID_LEN: usize = 4;
/// An Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// The alphanumeric capacity of a version 8 QR code at error-correction level M.
pub const MAX_PAYLOAD_CHARS: usize = 221;

#[cfg(test)]
mod tests;
