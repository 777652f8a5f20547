//! Argon2id hashes of secrets people type (admin passwords on the server, staff PINs checked on
//! the gate phone offline): only the PHC string is stored, with its own random salt.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Why a secret could not be hashed (no randomness for the salt).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot hash the secret: {0}")]
pub struct HashError(String);

/// The argon2id PHC string of `secret` (argon2's default cost: 19 MiB, 2 passes).
pub fn hash_secret(secret: &str) -> Result<String, HashError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError(e.to_string()))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `secret` matches the PHC string (false for a malformed one).
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only_and_is_salted() {
        let a = hash_secret("4711").expect("hash");
        let b = hash_secret("4711").expect("hash");
        assert!(a.starts_with("$argon2id$") && a != b);
        assert!(verify_secret("4711", &a) && !verify_secret("4712", &a));
        assert!(!verify_secret("4711", "not a hash"));
    }
}
