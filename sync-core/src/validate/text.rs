//! Free text that is stored and shown to people: length, and no control, format or bidi characters.
//!
//! A name with U+202E (right-to-left override) can make "张三" read as something else on the verdict
//! screen, and a NUL byte cannot be stored in PostgreSQL `TEXT`; both are refused at every entry point.

use super::ValidationError;

/// Longest text field accepted by default (names, gates, staff, reasons).
pub const MAX_TEXT_CHARS: usize = 128;

/// Unicode characters of general category Cf (format), plus the line and paragraph separators.
/// Sorted, inclusive ranges; from the Unicode 15 character database.
const FORMAT_RANGES: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// True for characters that are invisible or reorder text: control (Cc), format (Cf), separators.
pub fn is_hidden_char(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    let cp = u32::from(c);
    FORMAT_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Check one text field: at most `max_chars` characters and no hidden characters.
pub fn check_text(value: &str, max_chars: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max_chars {
        return Err(ValidationError::TooLong { max: max_chars });
    }
    if value.chars().any(is_hidden_char) {
        return Err(ValidationError::HiddenCharacters);
    }
    Ok(())
}

/// `value` with hidden characters removed and cut to `max_chars` (for labels that are not refused).
pub fn clean_text(value: &str, max_chars: usize) -> String {
    value
        .chars()
        .filter(|c| !is_hidden_char(*c))
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_chinese_and_latin_text_passes() {
        assert_eq!(check_text("张小明 Zhang-3 (探亲)", 128), Ok(()));
    }

    #[test]
    fn bidi_zero_width_nul_and_separators_are_refused() {
        for bad in [
            "张\u{202E}三",
            "a\u{200B}b",
            "x\u{0}",
            "\u{FEFF}name",
            "l\u{2028}2",
            "\u{2066}x",
            "tag\u{E0041}",
        ] {
            assert_eq!(
                check_text(bad, 128),
                Err(ValidationError::HiddenCharacters),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check_text(&"张".repeat(128), 128), Ok(()));
        assert_eq!(
            check_text(&"张".repeat(129), 128),
            Err(ValidationError::TooLong { max: 128 })
        );
    }

    #[test]
    fn ranges_are_sorted_and_disjoint() {
        assert!(FORMAT_RANGES
            .windows(2)
            .all(|w| w[0].0 <= w[0].1 && w[0].1 < w[1].0));
    }

    #[test]
    fn clean_text_drops_hidden_characters() {
        assert_eq!(clean_text("a\u{202E}b\u{0}c", 2), "ab");
    }
}
