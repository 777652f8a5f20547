//! The checkpoint app as a library: state structs, services, components, views and platform launchers.

pub mod app;
pub mod components;
pub mod ctx;
pub mod flows;
pub mod platform;
pub mod ports;
pub mod route;
#[cfg(any(test, feature = "scenes"))]
pub mod scenes;
pub mod services;
pub mod state;
pub mod text;
pub mod views;
