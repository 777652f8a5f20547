//! A passage: one crossing of a gate, as recorded on the device, with its place in the device's hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chain::{chain_hash, Chained};
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
    /// A pass of this district for another compound.
    WrongCompound,
    /// A typed pass id this compound's roster does not know.
    UnknownPass,
    /// On the compound's deny list (household, pass or plate), with the list's reason.
    DenyListed,
    /// The household's exit quota is used up.
    ExitQuota,
    /// Outside the hours residents may go out.
    OutsideHours,
    Malformed,
    Fever,
    /// Staff refused entry for a reason of their own (noted on paper or by voice).
    StaffDecision,
    /// The compound requires today's health check-in and the roster has none.
    NotCheckedIn,
}

/// Every deny reason: its stored word and its short label in zh-CN and en (the one table; the app's
/// records, the verdict screen and the server's pages all read it).
const DENY_REASONS: [(DenyReason, &str, &str, &str); 16] = [
    (DenyReason::Expired, "expired", "已过期", "expired"),
    (
        DenyReason::NotYetValid,
        "not_yet_valid",
        "尚未生效",
        "not yet valid",
    ),
    (DenyReason::Revoked, "revoked", "已注销", "revoked"),
    (
        DenyReason::Superseded,
        "superseded",
        "旧证已作废",
        "old card, reissued",
    ),
    (
        DenyReason::UnknownKey,
        "unknown_key",
        "签发密钥未知",
        "unknown issuer",
    ),
    (
        DenyReason::BadSignature,
        "bad_signature",
        "签名无效",
        "bad signature",
    ),
    (
        DenyReason::WrongDistrict,
        "wrong_district",
        "非本街道",
        "other district",
    ),
    (
        DenyReason::WrongCompound,
        "wrong_compound",
        "非本小区",
        "other compound",
    ),
    (
        DenyReason::UnknownPass,
        "unknown_pass",
        "查无此证",
        "unknown pass",
    ),
    (
        DenyReason::DenyListed,
        "deny_listed",
        "禁止名单",
        "deny list",
    ),
    (
        DenyReason::ExitQuota,
        "exit_quota",
        "外出名额已满",
        "exit quota used",
    ),
    (
        DenyReason::OutsideHours,
        "outside_hours",
        "非外出时段",
        "outside exit hours",
    ),
    (
        DenyReason::Malformed,
        "malformed",
        "无法识别",
        "unreadable code",
    ),
    (DenyReason::Fever, "fever", "体温异常", "fever"),
    (
        DenyReason::StaffDecision,
        "staff_decision",
        "值守人员拒绝",
        "refused by staff",
    ),
    (
        DenyReason::NotCheckedIn,
        "not_checked_in",
        "今日未打卡",
        "no check-in today",
    ),
];

impl DenyReason {
    pub const ALL: [DenyReason; 16] = {
        let mut all = [DenyReason::Expired; 16];
        let mut i = 0;
        while i < 16 {
            all[i] = DENY_REASONS[i].0;
            i += 1;
        }
        all
    };

    fn row(self) -> &'static (DenyReason, &'static str, &'static str, &'static str) {
        // Every variant has its row (checked by a test), in declaration order.
        &DENY_REASONS[self as usize]
    }

    /// The stored word (`snake_case`, as serialized).
    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    pub fn parse(s: &str) -> Option<Self> {
        DENY_REASONS.iter().find(|r| r.1 == s).map(|r| r.0)
    }
}

impl crate::i18n::Localized for DenyReason {
    fn message(&self, lang: crate::i18n::Lang) -> String {
        let row = self.row();
        match lang {
            crate::i18n::Lang::ZhCn => row.2.to_owned(),
            crate::i18n::Lang::En => row.3.to_owned(),
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

impl Chained for Passage {
    fn seq(&self) -> u64 {
        self.body.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn is_self_consistent(&self) -> bool {
        Passage::is_self_consistent(self)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Localized;

    #[test]
    fn every_deny_reason_has_its_own_row_and_words() {
        for (i, reason) in DenyReason::ALL.into_iter().enumerate() {
            assert_eq!(reason as usize, i, "declaration order");
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
            assert_eq!(DenyReason::parse(reason.as_str()), Some(reason));
            assert!(!reason.zh().is_empty() && !reason.en().is_empty());
        }
        let words: std::collections::HashSet<_> = DenyReason::ALL.iter().map(|r| r.zh()).collect();
        assert_eq!(
            words.len(),
            DenyReason::ALL.len(),
            "no two reasons read alike"
        );
    }
}
