//! End-to-end and cross-crate tests live in `tests/tests/`; this library holds what their helper processes share.

pub use sync_core::fixtures::sample_passage;

pub mod balancer;
pub mod device;
pub mod exactly_once;
pub mod fault_proxy;
pub mod pg_pair;
pub mod photos;
pub mod server_proc;
pub mod webdriver;
pub mod xvfb;
