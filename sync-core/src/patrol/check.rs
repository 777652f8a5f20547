//! What a patrol check records in the journal: a point checked on a round (normal, or a problem
//! with a note and photos in the entry's attachments), or the round finished by staff (with the
//! points they confirmed were missing).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::plan::RoundWindow;

/// How a point was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointOutcome {
    Normal,
    Problem,
}

impl PointOutcome {
    /// The one table of its words.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang;
        match (self, lang) {
            (Self::Normal, Lang::ZhCn) => "正常",
            (Self::Normal, Lang::En) => "Normal",
            (Self::Problem, Lang::ZhCn) => "有问题",
            (Self::Problem, Lang::En) => "Problem",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Problem => "problem",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Normal, Self::Problem]
            .into_iter()
            .find(|o| o.as_str() == word)
    }
}

/// One step of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatrolStep {
    /// A point's label was scanned and verified, and staff said how they found it.
    Point {
        point_id: String,
        outcome: PointOutcome,
        /// Empty for a normal point.
        #[serde(default)]
        note: String,
    },
    /// Staff finished the round; `missing` lists the points they confirmed they did not check.
    Finish { missing: Vec<String> },
}

/// The body of a `patrol_check` journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolCheckData {
    pub checkpoint_id: String,
    pub route_id: String,
    /// Made on the phone when staff started the round; every step of it carries the same id.
    pub round_id: Uuid,
    /// The scheduled window the round was started for, as the phone knew it (an unscheduled
    /// round has none and is matched by time).
    pub window: Option<RoundWindow>,
    pub step: PatrolStep,
}

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Why a check cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("a problem needs a note or a photo")]
    ProblemNeedsNote,
    #[error("the note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl crate::i18n::Localized for CheckError {
    fn message(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.to_string(),
            crate::i18n::Lang::ZhCn => match self {
                Self::ProblemNeedsNote => "报告问题请写说明或拍照".into(),
                Self::NoteTooLong => format!("说明不能超过 {MAX_NOTE_CHARS} 字"),
            },
        }
    }
}

impl PatrolCheckData {
    /// Whether a point step is complete enough to record: a problem has a note or a photo.
    pub fn check(&self, photos: usize) -> Result<(), CheckError> {
        if let PatrolStep::Point { outcome, note, .. } = &self.step {
            if note.chars().count() > MAX_NOTE_CHARS {
                return Err(CheckError::NoteTooLong);
            }
            if *outcome == PointOutcome::Problem && note.trim().is_empty() && photos == 0 {
                return Err(CheckError::ProblemNeedsNote);
            }
        }
        Ok(())
    }

    /// The window's start, for matching a check to a scheduled round.
    pub fn window_start(&self) -> Option<DateTime<Utc>> {
        self.window.map(|w| w.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(outcome: PointOutcome, note: &str) -> PatrolCheckData {
        PatrolCheckData {
            checkpoint_id: "cp-1".into(),
            route_id: "r-1".into(),
            round_id: Uuid::now_v7(),
            window: None,
            step: PatrolStep::Point {
                point_id: "p-1".into(),
                outcome,
                note: note.into(),
            },
        }
    }

    #[test]
    fn a_problem_needs_a_note_or_a_photo_and_notes_are_bounded() {
        assert!(point(PointOutcome::Normal, "").check(0).is_ok());
        assert_eq!(
            point(PointOutcome::Problem, "  ").check(0),
            Err(CheckError::ProblemNeedsNote)
        );
        assert!(point(PointOutcome::Problem, "").check(1).is_ok());
        assert!(point(PointOutcome::Problem, "门锁坏了").check(0).is_ok());
        assert_eq!(
            point(PointOutcome::Normal, &"长".repeat(501)).check(0),
            Err(CheckError::NoteTooLong)
        );
    }

    #[test]
    fn the_body_round_trips_through_json_with_its_step_named() {
        let body = point(PointOutcome::Problem, "门锁坏了");
        let json = serde_json::to_string(&body).expect("json");
        assert!(json.contains(r#""step":{"point":"#), "{json}");
        assert_eq!(
            serde_json::from_str::<PatrolCheckData>(&json).expect("back"),
            body
        );
        assert_eq!(PointOutcome::parse("problem"), Some(PointOutcome::Problem));
    }
}
