//! District-signed answers. The server signs key sets, revocation deltas, roster deltas,
//! checkpoint configs and batch receipts with the district *root* key; a device verifies them with the root key it pinned
//! at enrollment (the enrollment QR carries the key's fingerprint), and refuses anything else.
//!
//! A signature covers a domain tag for the kind of answer and the answer's JSON with its
//! `signature` field empty, so a signature cannot be moved to another kind of answer, and every
//! field the device uses is covered. Answers to pulls carry the device's random nonce, so an old
//! signed answer cannot be replayed to hide a newer revocation.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::i18n::{Lang, Localized};

/// The kinds of signed answers (each its own domain tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    KeySet,
    Revocations,
    Config,
    Receipt,
    Roster,
    Disabled,
    PhotoReceipt,
    Household,
}

impl Answer {
    fn tag(self) -> &'static [u8] {
        match self {
            Self::KeySet => b"checkpoint/v1/keys\0",
            Self::Revocations => b"checkpoint/v1/revocations\0",
            Self::Config => b"checkpoint/v1/config\0",
            Self::Receipt => b"checkpoint/v1/receipt\0",
            Self::Roster => b"checkpoint/v1/roster\0",
            Self::Disabled => b"checkpoint/v1/disabled\0",
            Self::PhotoReceipt => b"checkpoint/v1/photo\0",
            Self::Household => b"checkpoint/v1/household\0",
        }
    }
}

/// A signed answer: its signature (hex) can be blanked for signing and checking.
pub trait SignedAnswer: Serialize + Clone {
    const KIND: Answer;
    fn signature(&self) -> &str;
    fn set_signature(&mut self, signature: String);
}

/// Why a signed answer or a pinned key was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrustError {
    #[error("the district key is not a valid Ed25519 public key")]
    BadKey,
    #[error("the district key does not match the fingerprint from the enrollment QR")]
    FingerprintMismatch,
    #[error("the answer is not signed by this district")]
    BadSignature,
    #[error("the answer is not for this request (replayed or altered)")]
    WrongNonce,
    #[error("no district key is pinned on this device: enroll it again")]
    NotPinned,
}

impl Localized for TrustError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Self::BadKey => "区级密钥无效".into(),
                Self::FingerprintMismatch => "区级密钥与登记码中的指纹不符".into(),
                Self::BadSignature => "应答不是本街道签发的".into(),
                Self::WrongNonce => "应答与本次请求不符（重放或被篡改）".into(),
                Self::NotPinned => "本机未固定区级密钥，请重新登记".into(),
            },
        }
    }
}

fn message<T: SignedAnswer>(answer: &T) -> Vec<u8> {
    let mut blank = answer.clone();
    blank.set_signature(String::new());
    let mut out = T::KIND.tag().to_vec();
    // Serialising our own wire types cannot fail; an empty body would fail verification anyway.
    out.extend(serde_json::to_vec(&blank).unwrap_or_default());
    out
}

/// The fingerprint printed in enrollment QR codes: hex SHA-256 of the 32-byte public key.
pub fn fingerprint(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The server side: the district root signing key.
pub struct RootSigner {
    key: SigningKey,
}

impl std::fmt::Debug for RootSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootSigner")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl RootSigner {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        Ok(Self {
            key: SigningKey::from_bytes(&secret),
        })
    }

    /// `None` when `hex` is not 32 bytes of hex.
    pub fn from_secret_hex(secret: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(secret.trim()).ok()?.try_into().ok()?;
        Some(Self {
            key: SigningKey::from_bytes(&bytes),
        })
    }

    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key.verifying_key())
    }

    /// `answer` with its signature filled in.
    pub fn sign<T: SignedAnswer>(&self, mut answer: T) -> T {
        let signature = self.key.sign(&message(&answer));
        answer.set_signature(hex::encode(signature.to_bytes()));
        answer
    }
}

/// The device side: the pinned district root key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootKey {
    key: VerifyingKey,
}

impl RootKey {
    pub fn from_public_hex(public: &str) -> Result<Self, TrustError> {
        let bytes: [u8; 32] = hex::decode(public.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(TrustError::BadKey)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| TrustError::BadKey)?;
        Ok(Self { key })
    }

    /// The key from an enrollment answer, checked against the QR's fingerprint when there is one.
    pub fn pin(public: &str, expected_fingerprint: Option<&str>) -> Result<Self, TrustError> {
        let key = Self::from_public_hex(public)?;
        match expected_fingerprint {
            Some(fp) if !fp.trim().eq_ignore_ascii_case(&key.fingerprint()) => {
                Err(TrustError::FingerprintMismatch)
            }
            _ => Ok(key),
        }
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key)
    }

    /// Check `answer`'s signature.
    pub fn verify<T: SignedAnswer>(&self, answer: &T) -> Result<(), TrustError> {
        let bytes: [u8; 64] = hex::decode(answer.signature())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(TrustError::BadSignature)?;
        self.key
            .verify(&message(answer), &Signature::from_bytes(&bytes))
            .map_err(|_| TrustError::BadSignature)
    }
}

/// A fresh random nonce for one pull (hex, 32 characters).
pub fn nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Hex SHA-256 of a batch request's JSON, which a receipt names.
pub fn batch_digest(json: &[u8]) -> String {
    hex::encode(Sha256::digest(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RevocationsResponse;

    fn answer() -> RevocationsResponse {
        RevocationsResponse {
            since: 3,
            version: 4,
            revocations: vec![],
            nonce: "ab".into(),
            signature: String::new(),
        }
    }

    #[test]
    fn a_signed_answer_verifies_and_any_change_breaks_it() {
        let signer = RootSigner::generate().expect("random");
        let root =
            RootKey::pin(&signer.public_key_hex(), Some(&signer.fingerprint())).expect("pinned");
        let signed = signer.sign(answer());
        assert_eq!(root.verify(&signed), Ok(()));
        let mut stripped = signed.clone();
        stripped.version = 3;
        assert_eq!(root.verify(&stripped), Err(TrustError::BadSignature));
        let mut unsigned = signed;
        unsigned.signature = "zz".into();
        assert_eq!(root.verify(&unsigned), Err(TrustError::BadSignature));
    }

    #[test]
    fn another_districts_key_and_a_wrong_fingerprint_are_refused() {
        let ours = RootSigner::generate().expect("random");
        let theirs = RootSigner::generate().expect("random");
        let root = RootKey::from_public_hex(&ours.public_key_hex()).expect("key");
        assert_eq!(
            root.verify(&theirs.sign(answer())),
            Err(TrustError::BadSignature)
        );
        assert_eq!(
            RootKey::pin(&theirs.public_key_hex(), Some(&ours.fingerprint())),
            Err(TrustError::FingerprintMismatch)
        );
        assert_eq!(RootKey::from_public_hex("00"), Err(TrustError::BadKey));
    }
}
