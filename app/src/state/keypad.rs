//! Which keyboard a field opens on a phone, and the plate and ID-number helpers behind the
//! province picker and the X key.

use sync_core::validate::PROVINCES;

/// The keyboard for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keys {
    /// The phone's text keyboard (names, reasons, pass ids).
    #[default]
    Text,
    /// A web address (the enrollment screen's server).
    Url,
    /// Digits for a phone number (`inputmode="tel"`).
    Tel,
    /// Digits and a decimal point (temperatures).
    Decimal,
    /// Digits, and an X key beside the field for the ID number's check character.
    IdNumber,
    /// A province picker beside the field, then letters and digits in capitals.
    Plate,
}

impl Keys {
    /// The input's `type` and `inputmode` attributes.
    pub fn attributes(self) -> (&'static str, &'static str) {
        match self {
            Self::Text => ("text", "text"),
            Self::Url => ("url", "url"),
            Self::Tel => ("tel", "tel"),
            Self::Decimal => ("text", "decimal"),
            Self::IdNumber => ("text", "numeric"),
            Self::Plate => ("text", "text"),
        }
    }
}

/// The provinces' one-character abbreviations, in the order plates print them.
pub fn provinces() -> impl Iterator<Item = char> {
    PROVINCES.chars()
}

/// A plate as typed, split into its province (when the first character is one) and the rest.
pub fn split_plate(value: &str) -> (Option<char>, &str) {
    let mut chars = value.chars();
    match chars.next() {
        Some(c) if PROVINCES.contains(c) => (Some(c), chars.as_str()),
        _ => (None, value),
    }
}

/// The plate from the picker's province and the letters typed (capitals, no spaces).
pub fn join_plate(province: Option<char>, rest: &str) -> String {
    let rest: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && !PROVINCES.contains(*c))
        .flat_map(char::to_uppercase)
        .collect();
    match province {
        Some(p) => format!("{p}{rest}"),
        None => rest,
    }
}

/// The ID number after a tap on the X key (only the 18th character may be X; once is enough).
pub fn with_x(value: &str) -> String {
    let digits = value.trim();
    if digits.ends_with(['X', 'x']) || digits.chars().count() >= 18 {
        digits.to_owned()
    } else {
        format!("{digits}X")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_split_and_join_around_the_province() {
        assert_eq!(split_plate("沪AD12345"), (Some('沪'), "AD12345"));
        assert_eq!(split_plate("AD12345"), (None, "AD12345"));
        assert_eq!(split_plate(""), (None, ""));
        assert_eq!(join_plate(Some('京'), "a 12 34b"), "京A1234B");
        assert_eq!(join_plate(None, "ad1"), "AD1");
        // A province typed into the letters box does not double up with the picker's.
        assert_eq!(join_plate(Some('沪'), "沪a1"), "沪A1");
        assert_eq!(provinces().count(), 31);
    }

    #[test]
    fn the_x_key_ends_an_id_number_once() {
        assert_eq!(with_x("11010519491231002"), "11010519491231002X");
        assert_eq!(with_x("11010519491231002X"), "11010519491231002X");
        assert_eq!(with_x("110105194912310021"), "110105194912310021");
        assert_eq!(with_x("002"), "002X", "the last four of an ID number");
    }

    #[test]
    fn each_keyboard_sets_its_input_mode() {
        assert_eq!(Keys::Tel.attributes(), ("tel", "tel"));
        assert_eq!(Keys::IdNumber.attributes().1, "numeric");
        assert_eq!(Keys::Decimal.attributes().1, "decimal");
    }
}
