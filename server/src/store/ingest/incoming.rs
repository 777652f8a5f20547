//! An entry of a batch as the ingest sees it: a passage (stored in `passages`), an entry of another
//! kind this server knows (stored as it came in `entries`), or one it cannot decode — a kind from a
//! newer app, or a body that does not parse — which is refused on its own and kept in the quarantine.

use sync_core::protocol::WireEntry;
use sync_core::{EntryBody, EntryHead, EntryKind, Passage};

/// One entry of a batch: the envelope and chain link every kind has, and what it holds.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub head: EntryHead,
    pub prev_hash: String,
    pub hash: String,
    pub item: Item,
}

/// What an incoming entry holds, as far as this server can decode it.
#[derive(Debug, Clone)]
pub enum Item {
    Passage(Passage),
    /// A known kind other than a passage, kept as sent (and decoded, for the kinds with tables
    /// of their own, such as patrol checks).
    Other {
        body: EntryBody,
        wire: WireEntry,
    },
    /// Refused before planning, with the reason.
    Undecodable {
        wire: WireEntry,
        reason: String,
    },
}

impl Incoming {
    /// Decode a wire entry as far as this server can.
    pub fn from_wire(wire: WireEntry) -> Self {
        let (head, prev_hash, hash) = (wire.head(), wire.prev_hash.clone(), wire.hash.clone());
        let item = match wire.decode() {
            Ok(entry) => match entry.as_passage() {
                Some(p) => Item::Passage(p),
                None => Item::Other {
                    body: entry.body,
                    wire,
                },
            },
            Err(e) => Item::Undecodable {
                reason: format!("entry not stored: {e}"),
                wire,
            },
        };
        Self {
            head,
            prev_hash,
            hash,
            item,
        }
    }

    /// A passage (one made on the server side: a reviewed record, a test).
    pub fn from_passage(p: Passage) -> Self {
        let b = &p.body;
        Self {
            head: EntryHead {
                id: b.id,
                device_id: b.device_id.clone(),
                seq: b.seq,
                recorded_at: b.recorded_at,
                clock_offset_ms: b.clock_offset_ms,
                staff: b.staff.clone(),
                attachments: Vec::new(),
            },
            prev_hash: p.prev_hash.clone(),
            hash: p.hash.clone(),
            item: Item::Passage(p),
        }
    }

    /// Refuse it before planning, with `reason` (a read receipt for a notice never sent).
    pub fn refuse(&mut self, reason: String) {
        if let Item::Other { wire, .. } = &self.item {
            self.item = Item::Undecodable {
                wire: wire.clone(),
                reason,
            };
        }
    }

    /// The decoded body of an entry that is not a passage.
    pub fn other_body(&self) -> Option<&EntryBody> {
        match &self.item {
            Item::Other { body, .. } => Some(body),
            _ => None,
        }
    }

    pub fn passage(&self) -> Option<&Passage> {
        match &self.item {
            Item::Passage(p) => Some(p),
            _ => None,
        }
    }

    /// Why it cannot be stored whatever else holds, if it cannot.
    pub fn undecodable(&self) -> Option<&str> {
        match &self.item {
            Item::Undecodable { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The kind word as sent.
    pub fn kind_word(&self) -> &str {
        match &self.item {
            Item::Passage(_) => EntryKind::Passage.as_str(),
            Item::Other { body, .. } => body.kind().as_str(),
            Item::Undecodable { wire, .. } => &wire.kind,
        }
    }

    /// Whether the hash matches the contents as sent (any kind, known or not).
    pub fn is_self_consistent(&self) -> bool {
        match &self.item {
            Item::Passage(p) => p.is_self_consistent(),
            Item::Other { wire, .. } | Item::Undecodable { wire, .. } => wire.is_self_consistent(),
        }
    }

    /// The entry as sent, for the `entries` table and the quarantine (a passage is minimised
    /// before it is stored: `minimise.rs`).
    pub fn wire_json(&self) -> String {
        match &self.item {
            Item::Passage(p) => super::minimise::stored_json(p),
            Item::Other { wire, .. } | Item::Undecodable { wire, .. } => {
                serde_json::to_string(wire).unwrap_or_default()
            }
        }
    }
}
