//! Mainland resident ID number (GB 11643-1999): 17 digits, ISO 7064 mod 11-2 check character, real birth date, known province code.

use chrono::{Datelike, NaiveDate, Utc};

use super::ValidationError;

/// Weights of the first 17 digits for the mod 11-2 check.
pub const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// First two digits: provinces, autonomous regions, municipalities, Taiwan (71), Hong Kong (81), Macau (82),
/// and 83 (residence permits for Taiwan residents).
const PROVINCE_CODES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// A checked ID number, normalised (upper-case X).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `110***********1234`: region prefix and last four only.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        parse_birth(&self.0[6..14])
    }

    /// The check character for 17 leading digits.
    pub fn check_char(first17: &str) -> Option<char> {
        let mut sum = 0u32;
        for (c, w) in first17.chars().zip(ID_WEIGHTS) {
            sum += c.to_digit(10)? * w;
        }
        (first17.chars().count() == 17).then(|| CHECK_CHARS[(sum % 11) as usize])
    }
}

fn parse_birth(s: &str) -> Option<NaiveDate> {
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(4..6)?.parse().ok()?;
    let d = s.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Validate and normalise an ID number.
pub fn validate_id_number(input: &str) -> Result<IdNumber, ValidationError> {
    let s = input.trim().to_uppercase();
    if s.chars().count() != 18 {
        return Err(ValidationError::IdLength);
    }
    let (first17, last) = s.split_at(17);
    if !first17.chars().all(|c| c.is_ascii_digit())
        || !last.chars().all(|c| c.is_ascii_digit() || c == 'X')
    {
        return Err(ValidationError::IdCharacters);
    }
    let province: u32 = first17[0..2]
        .parse()
        .map_err(|_| ValidationError::IdRegion)?;
    if !PROVINCE_CODES.contains(&province) {
        return Err(ValidationError::IdRegion);
    }
    let birth = parse_birth(&first17[6..14]).ok_or(ValidationError::IdBirthDate)?;
    let today = Utc::now().date_naive();
    if birth.year() < 1900 || birth > today {
        return Err(ValidationError::IdBirthDate);
    }
    let expected = IdNumber::check_char(first17).ok_or(ValidationError::IdCharacters)?;
    if !last.starts_with(expected) {
        return Err(ValidationError::IdCheckDigit);
    }
    Ok(IdNumber(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers() {
        // Examples from the GB 11643 literature.
        assert!(validate_id_number("11010519491231002X").is_ok());
        assert!(validate_id_number("11010519491231002x").is_ok());
        assert!(validate_id_number("440524198001010013").is_ok());
        // Born before 1900: not a living resident.
        assert_eq!(
            validate_id_number("440524188001010014"),
            Err(ValidationError::IdBirthDate)
        );
        assert_eq!(
            validate_id_number("110105194912310021"),
            Err(ValidationError::IdCheckDigit)
        );
        assert_eq!(
            validate_id_number("1101051949123100"),
            Err(ValidationError::IdLength)
        );
        assert_eq!(
            validate_id_number("99010519491231002X"),
            Err(ValidationError::IdRegion)
        );
        assert_eq!(
            validate_id_number("110105194902300021"),
            Err(ValidationError::IdBirthDate)
        );
    }

    #[test]
    fn masking_keeps_only_prefix_and_tail() {
        let id = validate_id_number("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110***********002X");
    }

    pub(crate) fn valid_id() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(PROVINCE_CODES.to_vec()),
            0u32..10000,
            0i64..(365 * 120),
            0u32..1000,
        )
            .prop_map(|(prov, area, days, order)| {
                let base = NaiveDate::from_ymd_opt(1905, 1, 1).unwrap_or_default();
                let birth = base + chrono::Duration::days(days);
                let first17 = format!("{prov:02}{area:04}{}{order:03}", birth.format("%Y%m%d"));
                let check = IdNumber::check_char(&first17).unwrap();
                format!("{first17}{check}")
            })
    }

    proptest! {
        #[test]
        fn every_valid_id_is_accepted(id in valid_id()) {
            prop_assert!(validate_id_number(&id).is_ok(), "{id}");
        }

        #[test]
        fn any_single_change_is_rejected(
            id in valid_id(),
            pos in 0usize..18,
            replacement in proptest::sample::select("0123456789X".chars().collect::<Vec<_>>()),
        ) {
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(validate_id_number(&changed).is_err(), "{id} -> {changed}");
        }
    }
}
