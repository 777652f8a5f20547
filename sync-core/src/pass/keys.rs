//! District signing keys (kept by the server) and the device's key set of public keys by key id.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::body::PassBody;
use super::codec::encode_body;
use super::error::PassError;
use super::{KEY_ID_LEN, MAX_PAYLOAD_CHARS, PREFIX};
use crate::ledger::KeyRecord;

/// The key id of a public key: the first 4 bytes of its SHA-256.
pub fn key_id_bytes(key: &VerifyingKey) -> [u8; KEY_ID_LEN] {
    let digest = Sha256::digest(key.as_bytes());
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&digest[..KEY_ID_LEN]);
    id
}

/// The key id as text (8 lowercase hex characters), as stored in [`KeyRecord::key_id`].
pub fn key_id_for(key: &VerifyingKey) -> String {
    hex::encode(key_id_bytes(key))
}

/// A district's signing key. The server keeps its secret (see [`DistrictSigner::secret_hex`]).
pub struct DistrictSigner {
    district_id: String,
    key: SigningKey,
    key_id: [u8; KEY_ID_LEN],
}

impl fmt::Debug for DistrictSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DistrictSigner")
            .field("district_id", &self.district_id)
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl DistrictSigner {
    /// A new random key for `district_id`, from the operating system's random source.
    pub fn generate(district_id: &str) -> Result<Self, PassError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| PassError::Random(e.to_string()))?;
        Ok(Self::from_secret(district_id, &secret))
    }

    /// A signer from the 32 secret bytes.
    pub fn from_secret(district_id: &str, secret: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(secret);
        let key_id = key_id_bytes(&key.verifying_key());
        Self {
            district_id: district_id.to_owned(),
            key,
            key_id,
        }
    }

    /// A signer from the hex text written by [`DistrictSigner::secret_hex`].
    pub fn from_secret_hex(district_id: &str, secret_hex: &str) -> Result<Self, PassError> {
        let bad = |reason: &str| PassError::BadKey {
            key_id: "(secret)".into(),
            reason: reason.into(),
        };
        let bytes = hex::decode(secret_hex.trim()).map_err(|_| bad("the secret key is not hex"))?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| bad("the secret key must be 32 bytes (64 hex characters)"))?;
        Ok(Self::from_secret(district_id, &secret))
    }

    /// The secret key as 64 hex characters, for the server's key store. Never log it.
    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    pub fn district_id(&self) -> &str {
        &self.district_id
    }

    pub fn key_id(&self) -> String {
        hex::encode(self.key_id)
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The public record that devices put in their key set.
    pub fn key_record(
        &self,
        not_before: Option<DateTime<Utc>>,
        not_after: Option<DateTime<Utc>>,
    ) -> KeyRecord {
        KeyRecord {
            key_id: self.key_id(),
            district_id: self.district_id.clone(),
            public_key: self.public_key_hex(),
            not_before,
            not_after,
        }
    }

    /// Sign a pass into its payload text (`CP1:` + base45), ready for a QR code.
    /// The raw key id bytes and an Ed25519 signature over `message` (other signed payloads of the
    /// district, such as patrol point labels, with their own prefix in `message`).
    pub(crate) fn sign_raw(&self, message: &[u8]) -> ([u8; KEY_ID_LEN], [u8; 64]) {
        (self.key_id, self.key.sign(message).to_bytes())
    }

    pub fn sign(&self, body: &PassBody) -> Result<String, PassError> {
        if body.district_id != self.district_id {
            return Err(PassError::OtherDistrict {
                pass: body.district_id.clone(),
                signer: self.district_id.clone(),
            });
        }
        let body_bytes = encode_body(body, &self.key_id)?;
        let mut message = Vec::with_capacity(PREFIX.len() + body_bytes.len());
        message.extend_from_slice(PREFIX.as_bytes());
        message.extend_from_slice(&body_bytes);
        let signature = self.key.sign(&message);
        let mut all = body_bytes;
        all.extend_from_slice(&signature.to_bytes());
        let text = format!("{PREFIX}{}", base45::encode(&all));
        if text.len() > MAX_PAYLOAD_CHARS {
            return Err(PassError::TooLarge {
                chars: text.len(),
                max: MAX_PAYLOAD_CHARS,
            });
        }
        Ok(text)
    }
}

/// One public key of the key set.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub district_id: String,
    pub key: VerifyingKey,
    /// Passes whose validity starts before this were not signed with this key.
    pub not_before: Option<DateTime<Utc>>,
    /// Passes whose validity starts after this were not signed with this key (rotation).
    pub not_after: Option<DateTime<Utc>>,
}

/// The device's public keys by key id, from the server's key records.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, TrustedKey>,
}

impl KeySet {
    /// Build from key records; a record whose key is not a valid Ed25519 public key, or whose key id
    /// does not match its key, is an error naming that key id.
    pub fn from_records(records: &[KeyRecord]) -> Result<Self, PassError> {
        let mut keys = HashMap::with_capacity(records.len());
        for record in records {
            let bad = |reason: &str| PassError::BadKey {
                key_id: record.key_id.clone(),
                reason: reason.into(),
            };
            let bytes =
                hex::decode(record.public_key.trim()).map_err(|_| bad("public key is not hex"))?;
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| bad("public key must be 32 bytes (64 hex characters)"))?;
            let key =
                VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not an Ed25519 public key"))?;
            if key_id_for(&key) != record.key_id.to_ascii_lowercase() {
                return Err(bad("key id does not match the public key"));
            }
            keys.insert(
                key_id_for(&key),
                TrustedKey {
                    district_id: record.district_id.clone(),
                    key,
                    not_before: record.not_before,
                    not_after: record.not_after,
                },
            );
        }
        Ok(Self { keys })
    }

    pub fn get(&self, key_id: &str) -> Option<&TrustedKey> {
        self.keys.get(key_id)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
