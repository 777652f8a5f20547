//! Who or what passed the gate: a resident, a vehicle or a visitor.

use serde::{Deserialize, Serialize};

/// The kind of a subject, used for counting and filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Resident,
    Vehicle,
    Visitor,
    /// Checkpoint staff and volunteers (a staff pass, valid at every gate of the district).
    Staff,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [Self::Resident, Self::Vehicle, Self::Visitor, Self::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Vehicle => "vehicle",
            Self::Visitor => "visitor",
            Self::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind as staff screens and the district's pages name it (the one table of these words).
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang;
        match (self, lang) {
            (Self::Resident, Lang::ZhCn) => "居民",
            (Self::Resident, Lang::En) => "Resident",
            (Self::Vehicle, Lang::ZhCn) => "车辆",
            (Self::Vehicle, Lang::En) => "Vehicle",
            (Self::Visitor, Lang::ZhCn) => "访客",
            (Self::Visitor, Lang::En) => "Visitor",
            (Self::Staff, Lang::ZhCn) => "工作人员",
            (Self::Staff, Lang::En) => "Staff",
        }
    }
}

/// The person or vehicle of one passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A resident showing their personal pass.
    Resident {
        pass_id: String,
        /// Building–unit–room, e.g. `3-2-401`.
        household: String,
        /// The display name printed on the pass, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A vehicle, with or without a vehicle pass, and the people in it.
    Vehicle {
        plate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pass_id: Option<String>,
        /// Pass ids of occupants scanned into the same passage (companions).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        occupant_pass_ids: Vec<String>,
        /// Occupants counted by staff (includes those scanned).
        occupants: u32,
    },
    /// A visitor registered by hand or with a self-registration day pass.
    Visitor {
        name: String,
        phone: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_number: Option<String>,
        host_household: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plate: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_pass_id: Option<String>,
    },
    /// Checkpoint staff showing a staff pass.
    Staff {
        pass_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

impl Subject {
    pub fn kind(&self) -> SubjectKind {
        match self {
            Self::Resident { .. } => SubjectKind::Resident,
            Self::Vehicle { .. } => SubjectKind::Vehicle,
            Self::Visitor { .. } => SubjectKind::Visitor,
            Self::Staff { .. } => SubjectKind::Staff,
        }
    }

    /// The people a vehicle carried (counted by staff); 0 for every other subject.
    pub fn occupants(&self) -> u32 {
        match self {
            Self::Vehicle { occupants, .. } => *occupants,
            _ => 0,
        }
    }

    /// A stable key for "the same subject" (duplicate-scan window, who is inside).
    /// Visitors without a pass are keyed by phone number; the key is never shown or logged.
    pub fn key(&self) -> String {
        match self {
            Self::Resident { pass_id, .. } | Self::Staff { pass_id, .. } => {
                format!("pass:{pass_id}")
            }
            Self::Vehicle {
                pass_id: Some(p), ..
            } => format!("pass:{p}"),
            Self::Vehicle { plate, .. } => format!("plate:{plate}"),
            Self::Visitor {
                visitor_pass_id: Some(p),
                ..
            } => format!("pass:{p}"),
            Self::Visitor { phone, .. } => format!("phone:{phone}"),
        }
    }

    /// The plate, for vehicles and visitors who came by car.
    pub fn plate(&self) -> Option<&str> {
        match self {
            Self::Vehicle { plate, .. } => Some(plate),
            Self::Visitor { plate, .. } => plate.as_deref(),
            Self::Resident { .. } | Self::Staff { .. } => None,
        }
    }

    /// The pass shown: a resident's, staff member's or vehicle's pass, or a visitor's day pass.
    pub fn pass_id(&self) -> Option<&str> {
        match self {
            Self::Resident { pass_id, .. } | Self::Staff { pass_id, .. } => Some(pass_id),
            Self::Vehicle { pass_id, .. } => pass_id.as_deref(),
            Self::Visitor {
                visitor_pass_id, ..
            } => visitor_pass_id.as_deref(),
        }
    }

    /// The household: a resident's own, or the one a visitor came to.
    pub fn household(&self) -> Option<&str> {
        match self {
            Self::Resident { household, .. } => Some(household),
            Self::Visitor { host_household, .. } => Some(host_household),
            Self::Vehicle { .. } | Self::Staff { .. } => None,
        }
    }

    /// The name to search by and show (masked elsewhere where needed).
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Resident { name, .. } | Self::Staff { name, .. } => name.as_deref(),
            Self::Visitor { name, .. } => Some(name),
            Self::Vehicle { .. } => None,
        }
    }

    /// The last four characters of the ID number, for search.
    pub fn id_tail(&self) -> Option<String> {
        match self {
            Self::Visitor {
                id_number: Some(id),
                ..
            } => {
                let chars: Vec<char> = id.chars().collect();
                let start = chars.len().saturating_sub(4);
                Some(chars[start..].iter().collect())
            }
            _ => None,
        }
    }
}
