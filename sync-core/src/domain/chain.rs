//! The per-device hash chain: each entry's hash covers the previous hash and its own canonical bytes.

use sha2::{Digest, Sha256};
use thiserror::Error;

/// The `prev_hash` of a device's first passage.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hex SHA-256 of the previous hash (as bytes) followed by `body`.
pub fn chain_hash(prev_hash_hex: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    match hex::decode(prev_hash_hex) {
        Ok(bytes) => hasher.update(&bytes),
        // A malformed previous hash still hashes deterministically; it will not match a real chain.
        Err(_) => hasher.update(prev_hash_hex.as_bytes()),
    }
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Where and how a chain fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    #[error("entry seq {seq}: stored hash does not match its contents")]
    Tampered { seq: u64 },
    #[error("entry seq {seq}: does not link to the previous entry's hash")]
    Broken { seq: u64 },
    #[error("sequence gap: expected seq {expected}, found {found}")]
    Gap { expected: u64, found: u64 },
}

/// A link of the chain: a passage, or a journal entry of any kind.
pub trait Chained {
    fn seq(&self) -> u64;
    fn prev_hash(&self) -> &str;
    fn hash(&self) -> &str;
    fn is_self_consistent(&self) -> bool;
}

/// Verify a run of links in `seq` order, starting after (`base_seq`, `base_hash`).
pub fn verify_chain<'a, T: Chained + 'a>(
    base_seq: u64,
    base_hash: &str,
    links: impl IntoIterator<Item = &'a T>,
) -> Result<(), ChainError> {
    let mut prev = base_hash.to_owned();
    for (expected_seq, p) in (base_seq + 1..).zip(links) {
        let seq = p.seq();
        if seq != expected_seq {
            return Err(ChainError::Gap {
                expected: expected_seq,
                found: seq,
            });
        }
        if !p.is_self_consistent() {
            return Err(ChainError::Tampered { seq });
        }
        if p.prev_hash() != prev {
            return Err(ChainError::Broken { seq });
        }
        p.hash().clone_into(&mut prev);
    }
    Ok(())
}
