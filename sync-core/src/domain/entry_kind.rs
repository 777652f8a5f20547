//! The kinds of journal entry, by their stored word: the ones this version records and the ones
//! later versions will (reserved, so that an older server names them instead of guessing).

use serde::{Deserialize, Serialize};

/// What kind of thing an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A crossing of a gate.
    Passage,
    /// A patrol point checked on a round (数字巡查).
    PatrolCheck,
    /// An incident reported from the gate (事件上报).
    Incident,
    /// A notice read and acknowledged by the staff on duty.
    NoticeAck,
    /// Staff signing on or off duty.
    Duty,
    /// A health declaration.
    HealthDeclaration,
    /// Tests only: a second kind that exists today.
    #[cfg(any(test, feature = "fixtures"))]
    Probe,
}

const WORDS: &[(EntryKind, &str)] = &[
    (EntryKind::Passage, "passage"),
    (EntryKind::PatrolCheck, "patrol_check"),
    (EntryKind::Incident, "incident"),
    (EntryKind::NoticeAck, "notice_ack"),
    (EntryKind::Duty, "duty"),
    (EntryKind::HealthDeclaration, "health_declaration"),
    #[cfg(any(test, feature = "fixtures"))]
    (EntryKind::Probe, "probe"),
];

impl EntryKind {
    /// The stored and wire word.
    pub fn as_str(self) -> &'static str {
        WORDS
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("unknown", |(_, w)| w)
    }

    pub fn parse(word: &str) -> Option<Self> {
        WORDS.iter().find(|(_, w)| *w == word).map(|(k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_word_matching_its_serde_name() {
        for (kind, word) in WORDS {
            assert_eq!(EntryKind::parse(word), Some(*kind));
            assert_eq!(
                serde_json::to_string(kind).expect("serialise"),
                format!("\"{word}\"")
            );
        }
        assert_eq!(EntryKind::parse("teleport"), None);
    }
}
