//! sync-core: the gate's domain model, validators, durable local ledger, pass format, scanner and sync client.
//!
//! Architecture invariant: this crate knows nothing about Dioxus or any UI; the app and the
//! district server both build on it, and it depends on neither.

pub mod domain;
pub mod duty;
pub mod handbook;
pub mod health;
pub mod household;
pub mod i18n;
pub mod incident;
pub mod invitation;
pub mod ledger;
pub mod notice;
pub mod pass;
pub mod patrol;
pub mod photo;
pub mod protocol;
pub mod render;
pub mod rules;
pub mod scan;
pub mod secret;
pub mod signed;
#[cfg(feature = "client")]
pub mod sync;
pub mod validate;
pub mod wire_entry;

pub use domain::{
    DenyReason, Direction, Entry, EntryBody, EntryHead, EntryKind, NewEntry, NewPassage, Passage,
    PassageBody, PassageData, Subject, SubjectKind, Verdict,
};
pub use ledger::{Ledger, LedgerError};

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
