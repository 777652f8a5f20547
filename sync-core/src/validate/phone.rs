//! Mainland mobile numbers: 11 digits, `1[3-9]` then nine digits; `+86`/`86` prefixes and separators are tolerated.

use super::ValidationError;

/// Validate and normalise a mobile number to its 11 digits.
pub fn validate_phone(input: &str) -> Result<String, ValidationError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let bytes = digits.as_bytes();
    let ok = bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    if ok {
        Ok(digits.to_owned())
    } else {
        Err(ValidationError::Phone)
    }
}

/// `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(validate_phone("13812345678").unwrap(), "13812345678");
        assert_eq!(validate_phone("+86 138-1234-5678").unwrap(), "13812345678");
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "1381234567a",
            "",
        ] {
            assert_eq!(validate_phone(bad), Err(ValidationError::Phone), "{bad}");
        }
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
