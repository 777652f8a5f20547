//! A journal entry: one thing a gate phone recorded (a passage, a patrol check, an incident, a
//! notice acknowledgement, a sign-on or sign-off; health declarations later), in an envelope that places it on
//! the device's one hash chain.
//!
//! The hash covers the entry's canonical bytes. A passage keeps the canonical form it had before
//! the journal existed ([`PassageBody`]'s JSON), so chains written by older apps still verify and
//! the server's stored chains continue. Every other kind hashes the envelope, its kind word and
//! its body as JSON with the body's keys sorted ([`generic_canonical`]), which the server can
//! recompute for a kind it does not know yet.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chain::{chain_hash, Chained};
use super::entry_kind::EntryKind;
use super::passage::{Direction, NewPassage, Passage, PassageBody, Verdict};
use super::subject::Subject;

/// The envelope every entry has, whatever its kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryHead {
    /// UUIDv7 made on the device.
    pub id: Uuid,
    pub device_id: String,
    /// Per-device counter over all kinds, starting at 1, with no gaps.
    pub seq: u64,
    /// UTC from the device clock.
    pub recorded_at: DateTime<Utc>,
    /// The device's last known offset from server time (server − device), in milliseconds.
    pub clock_offset_ms: Option<i64>,
    /// Who was on duty.
    pub staff: String,
    /// Photos this entry references, by SHA-256 ([`crate::photo`]); they upload after the entry.
    /// Never on a passage (its hashed form predates photos). Absent from the JSON when empty, so
    /// entries without photos hash as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// What a passage records beyond the envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageData {
    pub checkpoint_id: String,
    pub gate: String,
    pub direction: Direction,
    pub subject: Subject,
    /// Body temperature in °C, if measured.
    pub temperature_c: Option<f32>,
    pub verdict: Verdict,
}

/// A kind that exists only in tests: proves the journal, the wire and the server carry a second
/// kind before the later issues add real ones.
#[cfg(any(test, feature = "fixtures"))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeNote {
    pub note: String,
}

/// The typed body of an entry. Adding a kind: a variant here, its word in [`EntryKind`], its
/// arm in `kind()`, and (on the server) where it is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryBody {
    Passage(PassageData),
    PatrolCheck(crate::patrol::PatrolCheckData),
    Incident(crate::incident::IncidentData),
    NoticeAck(crate::notice::NoticeAckData),
    Duty(crate::duty::DutyData),
    #[cfg(any(test, feature = "fixtures"))]
    Probe(ProbeNote),
}

impl EntryBody {
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::Passage(_) => EntryKind::Passage,
            Self::PatrolCheck(_) => EntryKind::PatrolCheck,
            Self::Incident(_) => EntryKind::Incident,
            Self::NoticeAck(_) => EntryKind::NoticeAck,
            Self::Duty(_) => EntryKind::Duty,
            #[cfg(any(test, feature = "fixtures"))]
            Self::Probe(_) => EntryKind::Probe,
        }
    }

    /// The body alone as JSON (what travels in a wire entry's `body`).
    pub fn to_json(&self) -> String {
        // Plain structs, enums, strings and numbers always serialise.
        match self {
            Self::Passage(d) => serde_json::to_string(d),
            Self::PatrolCheck(c) => serde_json::to_string(c),
            Self::Incident(i) => serde_json::to_string(i),
            Self::NoticeAck(a) => serde_json::to_string(a),
            Self::Duty(d) => serde_json::to_string(d),
            #[cfg(any(test, feature = "fixtures"))]
            Self::Probe(n) => serde_json::to_string(n),
        }
        .unwrap_or_default()
    }

    /// Decode the body of a known kind from its JSON.
    pub fn from_json(kind: EntryKind, json: &str) -> Result<Self, EntryError> {
        let bad = |e: serde_json::Error| EntryError::BadBody {
            kind: kind.as_str(),
            problem: e.to_string(),
        };
        match kind {
            EntryKind::Passage => serde_json::from_str(json).map(Self::Passage).map_err(bad),
            EntryKind::PatrolCheck => serde_json::from_str(json)
                .map(Self::PatrolCheck)
                .map_err(bad),
            EntryKind::Incident => serde_json::from_str(json).map(Self::Incident).map_err(bad),
            EntryKind::NoticeAck => serde_json::from_str(json).map(Self::NoticeAck).map_err(bad),
            EntryKind::Duty => serde_json::from_str(json).map(Self::Duty).map_err(bad),
            #[cfg(any(test, feature = "fixtures"))]
            EntryKind::Probe => serde_json::from_str(json).map(Self::Probe).map_err(bad),
            other => Err(EntryError::NotYetSupported(other.as_str())),
        }
    }
}

/// Why a wire entry cannot become a typed entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("unknown entry kind {0:?} (a newer app?)")]
    UnknownKind(String),
    #[error("entry kind {0} is not supported by this version yet")]
    NotYetSupported(&'static str),
    #[error("{kind} body: {problem}")]
    BadBody { kind: &'static str, problem: String },
    #[error("attachments: {0}")]
    BadAttachment(String),
}

/// Check an entry's photo references: none on a passage, each a SHA-256 name, none twice.
pub fn check_attachments(kind: &str, attachments: &[String]) -> Result<(), EntryError> {
    if attachments.is_empty() {
        return Ok(());
    }
    if kind == EntryKind::Passage.as_str() {
        return Err(EntryError::BadAttachment(
            "a passage carries no photos".into(),
        ));
    }
    if let Some(bad) = attachments.iter().find(|a| !crate::photo::is_blob_id(a)) {
        let shown: String = bad.chars().take(80).collect();
        return Err(EntryError::BadAttachment(format!(
            "{shown:?} is not a lowercase hex SHA-256"
        )));
    }
    let distinct: std::collections::HashSet<&String> = attachments.iter().collect();
    if distinct.len() != attachments.len() {
        return Err(EntryError::BadAttachment(
            "the same photo is named twice".into(),
        ));
    }
    Ok(())
}

/// What the gate knows when it records an entry; the journal adds id, sequence and chain.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub recorded_at: DateTime<Utc>,
    pub clock_offset_ms: Option<i64>,
    pub staff: String,
    /// Photos stored with `Ledger::store_photo` first, by SHA-256.
    pub attachments: Vec<String>,
    pub body: EntryBody,
}

impl From<NewPassage> for NewEntry {
    fn from(n: NewPassage) -> Self {
        Self {
            recorded_at: n.recorded_at,
            clock_offset_ms: n.clock_offset_ms,
            staff: n.staff,
            attachments: Vec::new(),
            body: EntryBody::Passage(PassageData {
                checkpoint_id: n.checkpoint_id,
                gate: n.gate,
                direction: n.direction,
                subject: n.subject,
                temperature_c: n.temperature_c,
                verdict: n.verdict,
            }),
        }
    }
}

/// A recorded entry: envelope, body, and its link in the device's hash chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub head: EntryHead,
    pub body: EntryBody,
    /// Hex SHA-256 of the previous entry of this device (all zeros for seq 1).
    pub prev_hash: String,
    /// Hex SHA-256 over `prev_hash` bytes followed by the canonical bytes.
    pub hash: String,
}

/// The canonical bytes of an entry of any kind but a passage: compact JSON of the envelope, the
/// kind word and the body with its keys sorted (parsed from `body_json`, so the same bytes come
/// out on the device and on a server that does not know the kind).
pub fn generic_canonical(head: &EntryHead, kind: &str, body_json: &str) -> Vec<u8> {
    #[derive(Serialize)]
    struct Canonical<'a> {
        #[serde(flatten)]
        head: &'a EntryHead,
        kind: &'a str,
        body: serde_json::Value,
    }
    let body = serde_json::from_str(body_json).unwrap_or(serde_json::Value::Null);
    serde_json::to_vec(&Canonical { head, kind, body }).unwrap_or_default()
}

impl Entry {
    /// Seal a head and body onto the chain after `prev_hash`.
    pub fn seal(head: EntryHead, body: EntryBody, prev_hash: &str) -> Self {
        let mut entry = Self {
            head,
            body,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = chain_hash(prev_hash, &entry.canonical_bytes());
        entry
    }

    pub fn kind(&self) -> EntryKind {
        self.body.kind()
    }

    /// The bytes the hash covers (see the module comment).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        match &self.body {
            EntryBody::Passage(d) => passage_body(&self.head, d).canonical_bytes(),
            other => generic_canonical(&self.head, other.kind().as_str(), &other.to_json()),
        }
    }

    /// Whether `hash` matches the contents and `prev_hash`.
    pub fn is_self_consistent(&self) -> bool {
        chain_hash(&self.prev_hash, &self.canonical_bytes()) == self.hash
    }

    /// This entry as a passage, when it is one.
    pub fn as_passage(&self) -> Option<Passage> {
        match &self.body {
            EntryBody::Passage(d) => Some(Passage {
                body: passage_body(&self.head, d),
                prev_hash: self.prev_hash.clone(),
                hash: self.hash.clone(),
            }),
            _ => None,
        }
    }
}

fn passage_body(head: &EntryHead, d: &PassageData) -> PassageBody {
    PassageBody {
        id: head.id,
        device_id: head.device_id.clone(),
        seq: head.seq,
        checkpoint_id: d.checkpoint_id.clone(),
        gate: d.gate.clone(),
        direction: d.direction,
        recorded_at: head.recorded_at,
        clock_offset_ms: head.clock_offset_ms,
        staff: head.staff.clone(),
        subject: d.subject.clone(),
        temperature_c: d.temperature_c,
        verdict: d.verdict,
    }
}

impl Chained for Entry {
    fn seq(&self) -> u64 {
        self.head.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn is_self_consistent(&self) -> bool {
        Entry::is_self_consistent(self)
    }
}

impl From<Passage> for Entry {
    fn from(p: Passage) -> Self {
        let b = p.body;
        Self {
            head: EntryHead {
                id: b.id,
                device_id: b.device_id,
                seq: b.seq,
                recorded_at: b.recorded_at,
                clock_offset_ms: b.clock_offset_ms,
                staff: b.staff,
                attachments: Vec::new(),
            },
            body: EntryBody::Passage(PassageData {
                checkpoint_id: b.checkpoint_id,
                gate: b.gate,
                direction: b.direction,
                subject: b.subject,
                temperature_c: b.temperature_c,
                verdict: b.verdict,
            }),
            prev_hash: p.prev_hash,
            hash: p.hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GENESIS_HASH;
    use crate::fixtures::sample_passage;

    fn head(seq: u64) -> EntryHead {
        EntryHead {
            id: Uuid::now_v7(),
            device_id: "dev-1".into(),
            seq,
            recorded_at: Utc::now(),
            clock_offset_ms: Some(-5),
            staff: "王师傅".into(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_passage_entry_hashes_exactly_as_a_passage_did_before_the_journal() {
        let new = NewEntry::from(sample_passage(2, Utc::now()));
        let entry = Entry::seal(head(1), new.body, GENESIS_HASH);
        let passage = entry.as_passage().expect("a passage");
        assert_eq!(passage.hash, entry.hash);
        assert!(passage.is_self_consistent());
        assert_eq!(Entry::from(passage), entry);
    }

    #[test]
    fn another_kind_hashes_its_envelope_kind_and_sorted_body() {
        let body = EntryBody::Probe(ProbeNote {
            note: "后门已锁".into(),
        });
        let entry = Entry::seal(head(4), body, GENESIS_HASH);
        assert!(entry.is_self_consistent());
        // The server recomputes the same bytes from the wire text, without knowing the kind.
        let bytes = generic_canonical(&entry.head, "probe", r#"{ "note": "后门已锁" }"#);
        assert_eq!(bytes, entry.canonical_bytes());
        let mut changed = entry.clone();
        changed.head.staff = "李".into();
        assert!(!changed.is_self_consistent(), "the envelope is covered");
        let mut photo = entry.clone();
        photo.head.attachments = vec![crate::photo::sha256_hex(b"jpeg")];
        assert!(!photo.is_self_consistent(), "the photo list is covered");
    }

    #[test]
    fn photo_references_are_checked() {
        let a = crate::photo::sha256_hex(b"a");
        assert!(check_attachments("probe", std::slice::from_ref(&a)).is_ok());
        assert!(check_attachments("passage", &[]).is_ok());
        for (kind, list) in [
            ("passage", vec![a.clone()]),
            ("probe", vec![a.clone(), a.clone()]),
            ("probe", vec!["../x".to_owned()]),
        ] {
            assert!(
                matches!(
                    check_attachments(kind, &list),
                    Err(EntryError::BadAttachment(_))
                ),
                "{kind} {list:?}"
            );
        }
    }

    #[test]
    fn bodies_of_unsupported_or_broken_kinds_are_refused_with_their_reason() {
        assert_eq!(
            EntryBody::from_json(EntryKind::HealthDeclaration, "{}"),
            Err(EntryError::NotYetSupported("health_declaration"))
        );
        assert!(matches!(
            EntryBody::from_json(EntryKind::Duty, "{}"),
            Err(EntryError::BadBody { kind: "duty", .. })
        ));
        assert!(matches!(
            EntryBody::from_json(EntryKind::Passage, r#"{"gate":1}"#),
            Err(EntryError::BadBody {
                kind: "passage",
                ..
            })
        ));
    }
}
