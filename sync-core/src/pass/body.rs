//! What a pass says: its kind, who and where it is for, and when it is valid.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kind of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassKind {
    /// A resident's personal pass.
    Resident,
    /// A vehicle pass; carries the plate.
    Vehicle,
    /// A visitor's day pass (self-registration).
    VisitorDay,
    /// Checkpoint staff and volunteers.
    Staff,
    /// A visitor invited ahead by a resident household (the household is the host): pre-approved,
    /// so the gate needs no host tap.
    Invited,
}

impl PassKind {
    pub const ALL: [PassKind; 5] = [
        Self::Resident,
        Self::Vehicle,
        Self::VisitorDay,
        Self::Staff,
        Self::Invited,
    ];

    /// The byte that stands for this kind in the payload.
    pub fn code(self) -> u8 {
        match self {
            Self::Resident => 1,
            Self::Vehicle => 2,
            Self::VisitorDay => 3,
            Self::Staff => 4,
            Self::Invited => 5,
        }
    }

    /// The kind named by its stored word ([`PassKind::as_str`]).
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Vehicle => "vehicle",
            Self::VisitorDay => "visitor_day",
            Self::Staff => "staff",
            Self::Invited => "invited",
        }
    }

    /// A short label for staff screens and printed cards.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang;
        match (self, lang) {
            (Self::Resident, Lang::ZhCn) => "居民通行证",
            (Self::Resident, Lang::En) => "Resident pass",
            (Self::Vehicle, Lang::ZhCn) => "车辆通行证",
            (Self::Vehicle, Lang::En) => "Vehicle pass",
            (Self::VisitorDay, Lang::ZhCn) => "访客日通行证",
            (Self::VisitorDay, Lang::En) => "Visitor day pass",
            (Self::Staff, Lang::ZhCn) => "工作人员证",
            (Self::Staff, Lang::En) => "Staff pass",
            (Self::Invited, Lang::ZhCn) => "预约访客通行证",
            (Self::Invited, Lang::En) => "Invited visitor pass",
        }
    }
}

/// The signed content of a pass. Times are kept to the second (sub-seconds are dropped when signing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassBody {
    pub kind: PassKind,
    /// The pass id, e.g. `R000123`; the same across reissues.
    pub pass_id: String,
    /// Counts reissues up from 1; a newer serial makes older cards of the same pass id invalid.
    pub serial: u32,
    pub district_id: String,
    pub compound_id: String,
    /// Building–unit–room, e.g. `12-3-1202`.
    pub household: String,
    /// The holder's name as the gate shows it (e.g. `张小明`); never an ID number.
    pub display_name: String,
    /// The plate, for vehicle passes (and visitors who come by car).
    pub plate: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}
