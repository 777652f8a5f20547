//! Body temperature: the plausible range 34.0–43.0 °C and a configurable fever threshold (37.3 °C by default).

use super::ValidationError;

pub const DEFAULT_FEVER_THRESHOLD_C: f32 = 37.3;
const MIN_C: f32 = 34.0;
const MAX_C: f32 = 43.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemperatureCheck {
    Normal,
    Fever,
}

/// Check a measured temperature against the range and the threshold (fever at or above it).
pub fn check_temperature(
    celsius: f32,
    fever_threshold_c: f32,
) -> Result<TemperatureCheck, ValidationError> {
    if !(MIN_C..=MAX_C).contains(&celsius) {
        return Err(ValidationError::TemperatureRange);
    }
    // Compare in tenths so 37.3 typed by a person is a fever at a 37.3 threshold.
    let tenths = (celsius * 10.0).round() as i32;
    let threshold = (fever_threshold_c * 10.0).round() as i32;
    Ok(if tenths >= threshold {
        TemperatureCheck::Fever
    } else {
        TemperatureCheck::Normal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_threshold() {
        let t = DEFAULT_FEVER_THRESHOLD_C;
        assert_eq!(check_temperature(36.5, t), Ok(TemperatureCheck::Normal));
        assert_eq!(check_temperature(37.3, t), Ok(TemperatureCheck::Fever));
        assert_eq!(check_temperature(37.2, t), Ok(TemperatureCheck::Normal));
        assert_eq!(check_temperature(37.2, 37.0), Ok(TemperatureCheck::Fever));
        assert_eq!(
            check_temperature(33.9, t),
            Err(ValidationError::TemperatureRange)
        );
        assert_eq!(
            check_temperature(43.1, t),
            Err(ValidationError::TemperatureRange)
        );
        assert_eq!(
            check_temperature(f32::NAN, t),
            Err(ValidationError::TemperatureRange)
        );
    }
}
