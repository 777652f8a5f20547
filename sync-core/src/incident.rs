//! Incident reports from the gate (事件上报): what staff saw, how urgent it is, a note, and photos
//! in the journal entry's attachments. The body of an `incident` journal entry; the server lists
//! them by status (new, in hand, closed).

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// What kind of incident it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentCategory {
    /// A person with fever at the gate.
    Fever,
    /// Someone refused to register.
    RefusedRegistration,
    Crowding,
    SuspiciousVehicle,
    /// Masks, disinfectant, thermometer batteries running out.
    SuppliesLow,
    FacilityBroken,
    Other,
}

/// The one table of category words: stored word, zh-CN, en.
const CATEGORIES: [(IncidentCategory, &str, &str, &str); 7] = [
    (
        IncidentCategory::Fever,
        "fever",
        "发热人员",
        "Person with fever",
    ),
    (
        IncidentCategory::RefusedRegistration,
        "refused_registration",
        "拒绝登记",
        "Refused to register",
    ),
    (
        IncidentCategory::Crowding,
        "crowding",
        "人员聚集",
        "Crowding",
    ),
    (
        IncidentCategory::SuspiciousVehicle,
        "suspicious_vehicle",
        "可疑车辆",
        "Suspicious vehicle",
    ),
    (
        IncidentCategory::SuppliesLow,
        "supplies_low",
        "物资短缺",
        "Supplies running out",
    ),
    (
        IncidentCategory::FacilityBroken,
        "facility_broken",
        "设施损坏",
        "Facility broken",
    ),
    (IncidentCategory::Other, "other", "其他", "Other"),
];

impl IncidentCategory {
    pub const ALL: [IncidentCategory; 7] = [
        Self::Fever,
        Self::RefusedRegistration,
        Self::Crowding,
        Self::SuspiciousVehicle,
        Self::SuppliesLow,
        Self::FacilityBroken,
        Self::Other,
    ];

    fn row(self) -> (IncidentCategory, &'static str, &'static str, &'static str) {
        CATEGORIES
            .into_iter()
            .find(|(c, ..)| *c == self)
            .unwrap_or((Self::Other, "other", "其他", "Other"))
    }

    /// The stored and wire word.
    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    pub fn parse(word: &str) -> Option<Self> {
        CATEGORIES
            .into_iter()
            .find(|(_, w, ..)| *w == word)
            .map(|(c, ..)| c)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (_, _, zh, en) = self.row();
        match lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }
}

/// The body of an `incident` journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentData {
    pub checkpoint_id: String,
    pub category: IncidentCategory,
    /// Urgent incidents stand at the top of the district's dashboard until someone takes them.
    pub urgent: bool,
    #[serde(default)]
    pub note: String,
}

/// Longest note, in characters.
pub const MAX_INCIDENT_NOTE_CHARS: usize = 500;

/// Why an incident report cannot be recorded as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    #[error("say what happened: \"other\" needs a note or a photo")]
    OtherNeedsNote,
    #[error("the note is longer than {MAX_INCIDENT_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl crate::i18n::Localized for IncidentError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Self::OtherNeedsNote => "选择“其他”时请写说明或拍照".into(),
                Self::NoteTooLong => format!("说明不能超过 {MAX_INCIDENT_NOTE_CHARS} 字"),
            },
        }
    }
}

impl IncidentData {
    /// Whether the report is complete enough to record, with `photos` attached.
    pub fn check(&self, photos: usize) -> Result<(), IncidentError> {
        if self.note.chars().count() > MAX_INCIDENT_NOTE_CHARS {
            return Err(IncidentError::NoteTooLong);
        }
        if self.category == IncidentCategory::Other && self.note.trim().is_empty() && photos == 0 {
            return Err(IncidentError::OtherNeedsNote);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_one_word_and_both_languages() {
        for c in IncidentCategory::ALL {
            assert_eq!(IncidentCategory::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).expect("json"),
                format!("\"{}\"", c.as_str())
            );
            assert!(!c.label(Lang::ZhCn).is_ascii() && c.label(Lang::En).is_ascii());
        }
        assert_eq!(IncidentCategory::parse("alien"), None);
    }

    #[test]
    fn other_needs_a_note_or_a_photo_and_notes_are_bounded() {
        let mut r = IncidentData {
            checkpoint_id: "cp".into(),
            category: IncidentCategory::Other,
            urgent: false,
            note: " ".into(),
        };
        assert_eq!(r.check(0), Err(IncidentError::OtherNeedsNote));
        assert!(r.check(1).is_ok());
        r.category = IncidentCategory::Crowding;
        assert!(r.check(0).is_ok());
        r.note = "多".repeat(501);
        assert_eq!(r.check(0), Err(IncidentError::NoteTooLong));
    }
}
