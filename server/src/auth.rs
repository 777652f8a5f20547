//! Secrets: random tokens, token hashes (only hashes are stored), argon2 password hashes.

use sha2::{Digest, Sha256};

/// A random URL-safe secret of `bytes` random bytes, hex-encoded.
pub fn random_token(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(hex::encode(buf))
}

/// A short one-time enrollment code people can type: 8 characters without look-alikes.
pub fn enrollment_code() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf)?;
    Ok(buf
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// SHA-256 hex of a high-entropy token (device tokens, session ids, enrollment codes).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().to_uppercase().as_bytes()))
}

/// The shortest password an account may have (the CLI, the demo and the web's password form).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The argon2id PHC string of a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    sync_core::secret::hash_secret(password).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    sync_core::secret::verify_secret(password, phc)
}

/// Compare two secrets without stopping at the first difference.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong horse", &phc));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashes_are_case_insensitive() {
        assert_ne!(random_token(32).unwrap(), random_token(32).unwrap());
        assert_eq!(hash_token("abcd2345"), hash_token(" ABCD2345 "));
        assert_eq!(enrollment_code().unwrap().len(), 8);
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }
}
