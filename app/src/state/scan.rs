//! The scan (home) screen: direction, torch, camera state and the manual-entry fallback.

use sync_core::patrol::{PatrolPoint, PointError};
use sync_core::validate::{normalise_plate, validate_plate};
use sync_core::Direction;

use super::keypad::Keys;

/// Whether the torch can be used, and whether it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Torch {
    Unavailable,
    Off,
    On,
}

/// Where the camera stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Camera {
    Starting,
    Live,
    /// Permission refused or no camera; the text is the platform's own.
    Failed(String),
}

/// The manual entry's kinds, with the keyboard each opens and its label.
pub const MANUAL_KINDS: [(Keys, &str, &str, &str); 3] = [
    (
        Keys::IdNumber,
        "manual-kind-id",
        "身份证后4位",
        "Last 4 of ID",
    ),
    (Keys::Plate, "manual-kind-plate", "车牌", "Plate"),
    (Keys::Text, "manual-kind-pass", "通行证号", "Pass id"),
];

/// What a manual entry means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualQuery {
    /// A valid plate (normalised): open the vehicle flow with it.
    Plate(String),
    /// The last 4 characters of an ID number: find the resident in the roster, staff pick one.
    IdTail(String),
    /// A pass id typed from the card: record a passage after staff checks the card.
    PassId(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanState {
    pub direction: Direction,
    pub torch: Torch,
    pub camera: Camera,
    pub manual_open: bool,
    pub manual_text: String,
    /// Shown under the manual field when the text means nothing.
    pub manual_invalid: bool,
    /// What staff are typing, and so which keyboard opens (ID tail first: the card that will
    /// not scan is the common case).
    pub manual_keys: Keys,
    pub frames_seen: u64,
    /// Residents whose ID number ends in the typed tail, for staff to pick from.
    pub matches: Option<TailMatches>,
    /// A patrol point's label read at the gate: no pass and no verdict; it offers the patrol
    /// round (a verified point), or says why the label is not one of this compound's.
    pub point: Option<Result<PatrolPoint, PointError>>,
}

/// The roster's residents for a typed ID-number tail (names masked, households shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailMatches {
    pub tail: String,
    pub people: Vec<TailMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailMatch {
    pub pass_id: String,
    pub name: String,
    pub household: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanAction {
    ToggleDirection,
    SetDirection(Direction),
    TorchSupported(bool),
    ToggleTorch,
    CameraLive,
    CameraFailed(String),
    FrameSeen,
    OpenManual,
    CloseManual,
    ManualInput(String),
    /// Switch what is typed (ID tail, plate or pass id): its keyboard; the text starts again.
    ManualKeys(Keys),
    /// Returns the parsed query when the text is meaningful.
    SubmitManual,
    /// The roster's answer for a typed ID-number tail.
    ShowMatches(TailMatches),
    /// A match was picked (returned as a typed pass id) or the list closed.
    PickMatch(Option<String>),
    /// A patrol point's label was read, and verified offline (or not).
    PointRead(Result<PatrolPoint, PointError>),
    /// The point's offer was taken to the patrol screen, or closed.
    PointClosed,
}

impl ScanState {
    pub fn new(direction: Direction) -> Self {
        Self {
            direction,
            torch: Torch::Unavailable,
            camera: Camera::Starting,
            manual_open: false,
            manual_text: String::new(),
            manual_invalid: false,
            manual_keys: Keys::IdNumber,
            frames_seen: 0,
            matches: None,
            point: None,
        }
    }

    /// Apply an action. `SubmitManual` returns the query when the text is meaningful.
    pub fn reduce(&mut self, action: ScanAction) -> Option<ManualQuery> {
        match action {
            ScanAction::ToggleDirection => self.direction = self.direction.flipped(),
            ScanAction::SetDirection(d) => self.direction = d,
            ScanAction::TorchSupported(yes) => {
                self.torch = match (yes, self.torch) {
                    (false, _) => Torch::Unavailable,
                    (true, Torch::On) => Torch::On,
                    (true, _) => Torch::Off,
                }
            }
            ScanAction::ToggleTorch => {
                self.torch = match self.torch {
                    Torch::Unavailable => Torch::Unavailable,
                    Torch::Off => Torch::On,
                    Torch::On => Torch::Off,
                }
            }
            ScanAction::CameraLive => self.camera = Camera::Live,
            ScanAction::CameraFailed(why) => {
                self.camera = Camera::Failed(why);
                // Without a camera the manual field is the way in.
                self.manual_open = true;
            }
            ScanAction::FrameSeen => self.frames_seen += 1,
            ScanAction::OpenManual => self.manual_open = true,
            ScanAction::CloseManual => {
                self.manual_open = false;
                self.manual_text.clear();
                self.manual_invalid = false;
            }
            ScanAction::ManualInput(text) => {
                self.manual_text = text;
                self.manual_invalid = false;
            }
            ScanAction::ManualKeys(keys) => {
                if keys != self.manual_keys {
                    self.manual_keys = keys;
                    self.manual_text.clear();
                    self.manual_invalid = false;
                }
            }
            ScanAction::ShowMatches(m) => self.matches = Some(m),
            ScanAction::PointRead(read) => self.point = Some(read),
            ScanAction::PointClosed => self.point = None,
            ScanAction::PickMatch(picked) => {
                let known = picked.filter(|id| {
                    self.matches
                        .as_ref()
                        .is_some_and(|m| m.people.iter().any(|p| &p.pass_id == id))
                });
                self.matches = None;
                return known.map(ManualQuery::PassId);
            }
            ScanAction::SubmitManual => {
                let query = parse_manual(&self.manual_text);
                self.manual_invalid = query.is_none();
                if query.is_some() {
                    self.manual_text.clear();
                }
                return query;
            }
        }
        None
    }
}

/// Read a typed entry: a plate, an ID-number tail (4 characters, digits and a final X), or a pass id.
pub fn parse_manual(text: &str) -> Option<ManualQuery> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(plate) = validate_plate(trimmed) {
        return Some(ManualQuery::Plate(plate.text));
    }
    let upper = trimmed.to_uppercase();
    let is_tail = upper.chars().count() == 4
        && upper
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 3 && c == 'X'));
    if is_tail {
        return Some(ManualQuery::IdTail(upper));
    }
    let is_pass_id = (4..=32).contains(&upper.len())
        && upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && upper.chars().any(|c| c.is_ascii_alphabetic())
        && upper.chars().any(|c| c.is_ascii_digit());
    if is_pass_id && normalise_plate(&upper) == upper {
        return Some(ManualQuery::PassId(upper));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_and_torch() {
        let mut s = ScanState::new(Direction::In);
        s.reduce(ScanAction::ToggleDirection);
        assert_eq!(s.direction, Direction::Out);
        s.reduce(ScanAction::ToggleTorch);
        assert_eq!(
            s.torch,
            Torch::Unavailable,
            "no torch until the camera reports one"
        );
        s.reduce(ScanAction::TorchSupported(true));
        s.reduce(ScanAction::ToggleTorch);
        assert_eq!(s.torch, Torch::On);
        s.reduce(ScanAction::TorchSupported(true));
        assert_eq!(
            s.torch,
            Torch::On,
            "re-reporting support keeps the torch on"
        );
        s.reduce(ScanAction::TorchSupported(false));
        assert_eq!(s.torch, Torch::Unavailable);
    }

    #[test]
    fn camera_failure_opens_manual_entry() {
        let mut s = ScanState::new(Direction::In);
        s.reduce(ScanAction::CameraFailed("NotAllowedError".into()));
        assert!(s.manual_open);
        assert_eq!(s.camera, Camera::Failed("NotAllowedError".into()));
    }

    #[test]
    fn manual_entry_kinds() {
        let mut s = ScanState::new(Direction::In);
        s.reduce(ScanAction::ManualInput(" 京a12345 ".into()));
        assert_eq!(
            s.reduce(ScanAction::SubmitManual),
            Some(ManualQuery::Plate("京A12345".into()))
        );
        assert!(s.manual_text.is_empty());
        s.reduce(ScanAction::ManualInput("002x".into()));
        assert_eq!(
            s.reduce(ScanAction::SubmitManual),
            Some(ManualQuery::IdTail("002X".into()))
        );
        s.reduce(ScanAction::ManualInput("r000123".into()));
        assert_eq!(
            s.reduce(ScanAction::SubmitManual),
            Some(ManualQuery::PassId("R000123".into()))
        );
    }

    #[test]
    fn an_id_tail_lists_the_roster_matches_and_a_pick_becomes_a_typed_pass_id() {
        let mut s = ScanState::new(Direction::In);
        let person = |id: &str, household: &str| TailMatch {
            pass_id: id.into(),
            name: "张**".into(),
            household: household.into(),
        };
        s.reduce(ScanAction::ShowMatches(TailMatches {
            tail: "002X".into(),
            people: vec![person("R1", "3-2-401"), person("R2", "5-1-101")],
        }));
        assert_eq!(s.matches.as_ref().map(|m| m.people.len()), Some(2));
        assert_eq!(
            s.reduce(ScanAction::PickMatch(Some("R2".into()))),
            Some(ManualQuery::PassId("R2".into()))
        );
        assert!(s.matches.is_none());
        // Only a listed person can be picked; closing picks nobody.
        s.reduce(ScanAction::ShowMatches(TailMatches {
            tail: "002X".into(),
            people: vec![person("R1", "3-2-401")],
        }));
        assert_eq!(s.reduce(ScanAction::PickMatch(Some("R9".into()))), None);
        assert_eq!(s.reduce(ScanAction::PickMatch(None)), None);
    }

    #[test]
    fn a_patrol_label_at_the_gate_offers_the_round_or_says_why_not() {
        let mut s = ScanState::new(Direction::In);
        let point = PatrolPoint {
            point_id: "P1".into(),
            district_id: "d1".into(),
            compound_id: "c1".into(),
            name: "北门岗亭".into(),
        };
        s.reduce(ScanAction::PointRead(Ok(point.clone())));
        assert_eq!(s.point, Some(Ok(point)));
        s.reduce(ScanAction::PointClosed);
        assert_eq!(s.point, None);
        s.reduce(ScanAction::PointRead(Err(PointError::WrongCompound)));
        assert_eq!(s.point, Some(Err(PointError::WrongCompound)));
    }

    #[test]
    fn meaningless_manual_entry_is_flagged_and_kept() {
        let mut s = ScanState::new(Direction::In);
        for bad in ["", "   ", "hello", "!!!!"] {
            s.reduce(ScanAction::ManualInput(bad.into()));
            assert_eq!(s.reduce(ScanAction::SubmitManual), None, "{bad:?}");
            assert!(s.manual_invalid);
            assert_eq!(s.manual_text, bad, "the typed text is not lost");
        }
        s.reduce(ScanAction::ManualInput("1".into()));
        assert!(!s.manual_invalid, "typing clears the error");
    }

    #[test]
    fn the_manual_entry_opens_the_keypad_for_what_is_typed() {
        let mut s = ScanState::new(Direction::In);
        assert_eq!(s.manual_keys, Keys::IdNumber, "an ID tail first");
        s.reduce(ScanAction::ManualInput("002".into()));
        s.reduce(ScanAction::ManualKeys(Keys::IdNumber));
        assert_eq!(s.manual_text, "002", "the same kind keeps the text");
        s.reduce(ScanAction::ManualKeys(Keys::Plate));
        assert_eq!((s.manual_keys, s.manual_text.as_str()), (Keys::Plate, ""));
        assert_eq!(
            MANUAL_KINDS.map(|k| k.0),
            [Keys::IdNumber, Keys::Plate, Keys::Text]
        );
    }
}
