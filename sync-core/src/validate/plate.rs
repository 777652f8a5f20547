//! Vehicle plates of mainland China (GA 36-2018), normalised to upper case without separators.
//!
//! Accepted shapes (a decision; see ARCHITECTURE.md):
//! - standard: province + letter + 5 of `[A-HJ-NP-Z0-9]` (`京A12345`)
//! - new energy, small: province + letter + `D`/`F` + 5 of `[A-HJ-NP-Z0-9]`, last four digits
//!   (`京AD12345`, `京ADF1234`); large: province + letter + 5 digits + `D`/`F` (`京A12345D`)
//! - special suffixes: province + letter + 4 + one of 学 (driving-school coach), 警 (police),
//!   挂 (trailer), 港 / 澳 (cross-border), 领 (consulate)
//! - embassy: `使` + 6 digits
//!
//! Military plates (a different scheme) are not accepted: they never pass a residential gate by
//! this system; staff register them by hand as a staff decision.

use super::ValidationError;

/// The 31 province-level abbreviations that start a civil plate.
pub const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
const SUFFIXES: &str = "学警挂港澳领";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateKind {
    Standard,
    NewEnergy,
    Special,
    Embassy,
}

/// A checked, normalised plate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plate {
    pub text: String,
    pub kind: PlateKind,
}

fn is_serial_char(c: char) -> bool {
    (c.is_ascii_uppercase() && c != 'I' && c != 'O') || c.is_ascii_digit()
}

/// Strip separators (`·`, space, `-`, `.`) and upper-case.
pub fn normalise_plate(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, '·' | '•' | ' ' | '-' | '.' | '\u{3000}'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Validate and normalise a plate.
pub fn validate_plate(input: &str) -> Result<Plate, ValidationError> {
    let text = normalise_plate(input);
    let chars: Vec<char> = text.chars().collect();
    let Some(&first) = chars.first() else {
        return Err(ValidationError::PlateEmpty);
    };
    if first == '使' {
        return if chars.len() == 7 && chars[1..].iter().all(char::is_ascii_digit) {
            Ok(Plate {
                text,
                kind: PlateKind::Embassy,
            })
        } else {
            Err(ValidationError::PlateFormat)
        };
    }
    if !PROVINCES.contains(first) {
        return Err(ValidationError::PlateProvince);
    }
    let letter_ok = chars
        .get(1)
        .is_some_and(|c| c.is_ascii_uppercase() && *c != 'I' && *c != 'O');
    if !letter_ok {
        return Err(ValidationError::PlateFormat);
    }
    let rest = &chars[2..];
    let kind = match rest.len() {
        5 if rest.iter().all(|c| is_serial_char(*c)) => Some(PlateKind::Standard),
        5 if rest[..4].iter().all(|c| is_serial_char(*c)) && SUFFIXES.contains(rest[4]) => {
            Some(PlateKind::Special)
        }
        6 if is_new_energy(rest) => Some(PlateKind::NewEnergy),
        _ => None,
    };
    kind.map(|kind| Plate { text, kind })
        .ok_or(ValidationError::PlateFormat)
}

fn is_new_energy(rest: &[char]) -> bool {
    let small = matches!(rest[0], 'D' | 'F')
        && is_serial_char(rest[1])
        && rest[2..].iter().all(char::is_ascii_digit);
    let large = rest[..5].iter().all(char::is_ascii_digit) && matches!(rest[5], 'D' | 'F');
    small || large
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        for ok in [
            "京A12345",
            "京A·12345",
            "沪b 8k3l2",
            "粤BD12345",
            "粤BDF1234",
            "苏E12345F",
            "京A1234警",
            "粤Z1234港",
            "鲁B1234学",
            "使014578",
        ] {
            assert!(validate_plate(ok).is_ok(), "{ok}");
        }
        assert_eq!(validate_plate(""), Err(ValidationError::PlateEmpty));
        assert_eq!(
            validate_plate("XA12345"),
            Err(ValidationError::PlateProvince)
        );
        for bad in [
            "京A1234",
            "京AI2345",
            "京A12O45",
            "京112345",
            "京AD1234X",
            "使01457",
        ] {
            assert!(validate_plate(bad).is_err(), "{bad}");
        }
    }

    fn serial() -> impl Strategy<Value = char> {
        proptest::sample::select(
            "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
                .chars()
                .collect::<Vec<_>>(),
        )
    }

    fn valid_plate() -> impl Strategy<Value = String> {
        let province = proptest::sample::select(PROVINCES.chars().collect::<Vec<_>>());
        let letter =
            proptest::sample::select("ABCDEFGHJKLMNPQRSTUVWXYZ".chars().collect::<Vec<_>>());
        (
            province,
            letter,
            proptest::collection::vec(serial(), 5),
            0u32..100_000,
            0u8..3,
        )
            .prop_map(|(p, l, s, n, shape)| match shape {
                0 => format!("{p}{l}{}", s.iter().collect::<String>()),
                1 => format!("{p}{l}D{}{:04}", s[0], n % 10_000),
                _ => format!("{p}{l}{n:05}F"),
            })
    }

    /// Characters that are never allowed at the given position of a civil plate.
    fn forbidden_at(pos: usize) -> Vec<char> {
        match pos {
            0 => vec!['A', '1', 'I', '中', '使'],
            1 => vec!['1', 'I', 'O', '京', '中'],
            _ => vec!['I', 'O', '京', '!', '中'],
        }
    }

    proptest! {
        #[test]
        fn every_valid_plate_is_accepted(p in valid_plate()) {
            prop_assert!(validate_plate(&p).is_ok(), "{p}");
        }

        /// Plates carry no check digit, so the single-change property is: putting a character
        /// that is not allowed at a position into that position is always rejected.
        #[test]
        fn forbidden_single_change_is_rejected(p in valid_plate(), pos in 0usize..7, pick in 0usize..5) {
            let mut chars: Vec<char> = p.chars().collect();
            prop_assume!(pos < chars.len());
            let forbidden = forbidden_at(pos);
            chars[pos] = forbidden[pick % forbidden.len()];
            let changed: String = chars.into_iter().collect();
            prop_assert!(validate_plate(&changed).is_err(), "{p} -> {changed}");
        }

        #[test]
        fn dropping_a_character_of_a_standard_plate_is_rejected(p in valid_plate(), pos in 0usize..7) {
            let mut chars: Vec<char> = p.chars().collect();
            prop_assume!(chars.len() == 7);
            chars.remove(pos);
            let shorter: String = chars.iter().collect();
            prop_assert!(validate_plate(&shorter).is_err(), "{p} -> {shorter}");
        }
    }
}
