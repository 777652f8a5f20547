//! A passage: one crossing of a gate, as recorded on the device, with its place in the device's hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chain::chain_hash;
use super::subject::Subject;

/// Which way the subject crossed the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "in" => Some(Self::In),
            "out" => Some(Self::Out),
            _ => None,
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            Self::In => Self::Out,
            Self::Out => Self::In,
        }
    }
}

/// Why a subject was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    Expired,
    NotYetValid,
    Revoked,
    Superseded,
    UnknownKey,
    BadSignature,
    WrongDistrict,
    Malformed,
    Fever,
    /// Staff refused entry for a reason of their own (noted on paper or by voice).
    StaffDecision,
}

impl DenyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Revoked => "revoked",
            Self::Superseded => "superseded",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongDistrict => "wrong_district",
            Self::Malformed => "malformed",
            Self::Fever => "fever",
            Self::StaffDecision => "staff_decision",
        }
    }
}

/// The outcome at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Verdict {
    Admitted,
    Denied { reason: DenyReason },
}

impl Verdict {
    pub fn is_admitted(&self) -> bool {
        matches!(self, Self::Admitted)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Admitted => "admitted",
            Self::Denied { .. } => "denied",
        }
    }
}

/// What the gate knows when it records a passage; the ledger adds id, sequence and chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPassage {
    pub checkpoint_id: String,
    pub gate: String,
    pub direction: Direction,
    /// UTC from the device clock.
    pub recorded_at: DateTime<Utc>,
    /// The device's last known offset from server time (server − device), in milliseconds.
    pub clock_offset_ms: Option<i64>,
    pub staff: String,
    pub subject: Subject,
    /// Body temperature in °C, if measured.
    pub temperature_c: Option<f32>,
    pub verdict: Verdict,
}

/// Everything of a passage that its hash covers. Field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageBody {
    /// UUIDv7 made on the device.
    pub id: Uuid,
    pub device_id: String,
    /// Per-device counter, starting at 1, with no gaps.
    pub seq: u64,
    pub checkpoint_id: String,
    pub gate: String,
    pub direction: Direction,
    pub recorded_at: DateTime<Utc>,
    pub clock_offset_ms: Option<i64>,
    pub staff: String,
    pub subject: Subject,
    pub temperature_c: Option<f32>,
    pub verdict: Verdict,
}

impl PassageBody {
    pub fn new(id: Uuid, device_id: &str, seq: u64, new: NewPassage) -> Self {
        Self {
            id,
            device_id: device_id.to_owned(),
            seq,
            checkpoint_id: new.checkpoint_id,
            gate: new.gate,
            direction: new.direction,
            recorded_at: new.recorded_at,
            clock_offset_ms: new.clock_offset_ms,
            staff: new.staff,
            subject: new.subject,
            temperature_c: new.temperature_c,
            verdict: new.verdict,
        }
    }

    /// The canonical bytes the hash covers: compact JSON in field order.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising plain structs, enums, strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A recorded passage: its body and its link in the device's hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub body: PassageBody,
    /// Hex SHA-256 of the previous passage of this device (all zeros for seq 1).
    pub prev_hash: String,
    /// Hex SHA-256 over `prev_hash` bytes followed by the canonical body bytes.
    pub hash: String,
}

impl Passage {
    /// Seal a body onto the chain after `prev_hash`.
    pub fn seal(body: PassageBody, prev_hash: &str) -> Self {
        let hash = chain_hash(prev_hash, &body.canonical_bytes());
        Self {
            body,
            prev_hash: prev_hash.to_owned(),
            hash,
        }
    }

    /// Whether `hash` matches the body and `prev_hash` (the record on its own is intact).
    pub fn is_self_consistent(&self) -> bool {
        chain_hash(&self.prev_hash, &self.body.canonical_bytes()) == self.hash
    }
}
