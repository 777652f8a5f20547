//! A journal entry as it travels in a batch (`POST /api/v2/entries`): its envelope, its kind word,
//! its body as the JSON text the device wrote, and its chain link. A server decodes the kinds it
//! knows and still checks the hash of one it does not ([`WireEntry::is_self_consistent`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::domain::{
    chain_hash, check_attachments, generic_canonical, Entry, EntryBody, EntryError, EntryHead,
    EntryKind,
};

/// One entry of a batch, of any kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireEntry {
    pub id: Uuid,
    pub device_id: String,
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub clock_offset_ms: Option<i64>,
    pub staff: String,
    /// Photos by SHA-256 (see [`EntryHead::attachments`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// The kind word ([`EntryKind::as_str`]); a newer app may send one this version does not know.
    pub kind: String,
    /// The body as the device serialised it.
    pub body: Box<RawValue>,
    pub prev_hash: String,
    pub hash: String,
}

impl WireEntry {
    /// The envelope.
    pub fn head(&self) -> EntryHead {
        EntryHead {
            id: self.id,
            device_id: self.device_id.clone(),
            seq: self.seq,
            recorded_at: self.recorded_at,
            clock_offset_ms: self.clock_offset_ms,
            staff: self.staff.clone(),
            attachments: self.attachments.clone(),
        }
    }

    /// Whether the photo references are well formed for this kind (see [`check_attachments`]).
    pub fn check_attachments(&self) -> Result<(), EntryError> {
        check_attachments(&self.kind, &self.attachments)
    }

    /// The typed entry, for a kind this version knows and a body that decodes.
    pub fn decode(&self) -> Result<Entry, EntryError> {
        let kind = EntryKind::parse(&self.kind)
            .ok_or_else(|| EntryError::UnknownKind(self.kind.clone()))?;
        self.check_attachments()?;
        let body = EntryBody::from_json(kind, self.body.get())?;
        Ok(Entry {
            head: self.head(),
            body,
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }

    /// Whether the hash matches the contents, for any kind: a known kind through its typed
    /// canonical form, an unknown one through the generic form every non-passage kind uses.
    pub fn is_self_consistent(&self) -> bool {
        match self.decode() {
            Ok(entry) => entry.is_self_consistent(),
            Err(_) if self.kind == EntryKind::Passage.as_str() => false,
            Err(_) => {
                let bytes = generic_canonical(&self.head(), &self.kind, self.body.get());
                chain_hash(&self.prev_hash, &bytes) == self.hash
            }
        }
    }
}

impl From<&Entry> for WireEntry {
    fn from(e: &Entry) -> Self {
        let h = &e.head;
        // The body's JSON is well-formed by construction; `null` would only fail its hash check.
        let body =
            RawValue::from_string(e.body.to_json()).unwrap_or_else(|_| RawValue::NULL.to_owned());
        Self {
            id: h.id,
            device_id: h.device_id.clone(),
            seq: h.seq,
            recorded_at: h.recorded_at,
            clock_offset_ms: h.clock_offset_ms,
            staff: h.staff.clone(),
            attachments: h.attachments.clone(),
            kind: e.kind().as_str().to_owned(),
            body,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

impl From<&crate::Passage> for WireEntry {
    fn from(p: &crate::Passage) -> Self {
        Self::from(&Entry::from(p.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewEntry, ProbeNote, GENESIS_HASH};
    use crate::fixtures::sample_passage;

    fn head(seq: u64) -> EntryHead {
        EntryHead {
            id: Uuid::now_v7(),
            device_id: "dev-1".into(),
            seq,
            recorded_at: Utc::now(),
            clock_offset_ms: None,
            staff: "值班员".into(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn entries_of_each_kind_travel_and_come_back_equal_and_verified() {
        let passage = NewEntry::from(sample_passage(3, Utc::now())).body;
        let probe = EntryBody::Probe(ProbeNote {
            note: "36.6 ℃".into(),
        });
        for body in [passage, probe] {
            let entry = Entry::seal(head(1), body, GENESIS_HASH);
            let json = serde_json::to_string(&WireEntry::from(&entry)).expect("serialise");
            let wire: WireEntry = serde_json::from_str(&json).expect("parse");
            assert!(wire.is_self_consistent());
            assert_eq!(wire.decode().expect("decode"), entry);
        }
    }

    #[test]
    fn an_unknown_kind_is_named_and_its_hash_still_checked() {
        let h = head(2);
        let body = r#"{"route":"north","points":[1,2]}"#;
        let hash = chain_hash(GENESIS_HASH, &generic_canonical(&h, "future_round", body));
        let json = serde_json::json!({
            "id": h.id, "device_id": h.device_id, "seq": 2, "recorded_at": h.recorded_at,
            "clock_offset_ms": null, "staff": h.staff, "kind": "future_round",
            "body": serde_json::from_str::<serde_json::Value>(body).expect("json"),
            "prev_hash": GENESIS_HASH, "hash": hash,
        });
        let mut wire: WireEntry = serde_json::from_value(json).expect("parse");
        assert_eq!(
            wire.decode().map(|_| ()),
            Err(EntryError::UnknownKind("future_round".into()))
        );
        assert!(wire.is_self_consistent());
        wire.staff = "someone else".into();
        assert!(!wire.is_self_consistent());
    }
}
