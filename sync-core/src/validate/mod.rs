//! Field validators: ID number, plate, phone, temperature and free text, with zh-CN/en errors.

mod error;
mod id_number;
mod mask;
mod phone;
mod plate;
mod temperature;
mod text;

pub use error::ValidationError;
pub use id_number::{validate_id_number, IdNumber, ID_WEIGHTS};
pub use mask::{mask_id_number, mask_name};
pub use phone::{mask_phone, validate_phone};
pub use plate::{normalise_plate, validate_plate, Plate, PlateKind, PROVINCES};
pub use temperature::{check_temperature, TemperatureCheck, DEFAULT_FEVER_THRESHOLD_C};
pub use text::{check_text, clean_text, is_hidden_char, MAX_TEXT_CHARS};
