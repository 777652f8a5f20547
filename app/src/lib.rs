//! The checkpoint app as a library: state structs, components, views, services and platform launchers.

pub mod ports;
pub mod state;
pub mod text;
