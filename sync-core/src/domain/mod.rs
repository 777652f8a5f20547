//! The domain model: a passage (one crossing of a gate), its subject and verdict, and its hash chain.

mod chain;
mod passage;
mod subject;

pub use chain::{chain_hash, verify_chain, ChainError, GENESIS_HASH};
pub use passage::{DenyReason, Direction, NewPassage, Passage, PassageBody, Verdict};
pub use subject::{Subject, SubjectKind};
