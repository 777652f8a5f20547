//! The domain model: journal entries (a passage — one crossing of a gate — and the kinds to come),
//! a passage's subject and verdict, and the device's hash chain.

mod chain;
mod entry;
mod entry_kind;
mod passage;
mod subject;

pub use chain::{chain_hash, verify_chain, ChainError, Chained, GENESIS_HASH};
#[cfg(any(test, feature = "fixtures"))]
pub use entry::ProbeNote;
pub use entry::{
    check_attachments, generic_canonical, Entry, EntryBody, EntryError, EntryHead, NewEntry,
    PassageData,
};
pub use entry_kind::EntryKind;
pub use passage::{DenyReason, Direction, NewPassage, Passage, PassageBody, Verdict};
pub use subject::{Subject, SubjectKind};
