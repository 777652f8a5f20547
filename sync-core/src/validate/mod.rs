//! Field validators for hand registration: ID number, plate, phone and temperature, with zh-CN/en errors.

mod error;
mod id_number;
mod phone;
mod plate;
mod temperature;

pub use error::ValidationError;
pub use id_number::{validate_id_number, IdNumber, ID_WEIGHTS};
pub use phone::{mask_phone, validate_phone};
pub use plate::{normalise_plate, validate_plate, Plate, PlateKind, PROVINCES};
pub use temperature::{check_temperature, TemperatureCheck, DEFAULT_FEVER_THRESHOLD_C};
