//! The vehicle flow: a vehicle pass or a typed (validated) plate, then occupants scanned or counted.

use sync_core::i18n::{Lang, Localized};
use sync_core::validate::validate_plate;
use sync_core::Subject;

use crate::ports::{CheckedPass, PassKindView};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VehicleState {
    pub plate_text: String,
    pub plate_error: Option<sync_core::validate::ValidationError>,
    /// The vehicle pass, when one was scanned.
    pub pass_id: Option<String>,
    pub occupant_pass_ids: Vec<String>,
    /// Counted by staff; never below the number scanned.
    pub occupants: u32,
    /// A scanned code that could not be used, in both languages.
    pub notice: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VehicleAction {
    PlateInput(String),
    /// A code scanned while this screen is open: the vehicle pass first, then occupants.
    Scanned(CheckedPass),
    AddOccupant,
    RemoveOccupant,
    Reset,
}

impl VehicleState {
    pub fn new() -> Self {
        Self {
            occupants: 1,
            ..Self::default()
        }
    }

    pub fn reduce(&mut self, action: VehicleAction) {
        match action {
            VehicleAction::PlateInput(text) => {
                self.plate_text = text;
                self.plate_error = None;
            }
            VehicleAction::Scanned(pass) => self.scanned(pass),
            VehicleAction::AddOccupant => self.occupants = self.occupants.saturating_add(1).min(99),
            VehicleAction::RemoveOccupant => {
                let floor = (self.occupant_pass_ids.len() as u32).max(1);
                self.occupants = self.occupants.saturating_sub(1).max(floor);
            }
            VehicleAction::Reset => *self = Self::new(),
        }
    }

    fn scanned(&mut self, pass: CheckedPass) {
        self.notice = None;
        if !pass.is_valid() {
            self.notice = Some((
                pass.message(Lang::ZhCn).to_owned(),
                pass.message(Lang::En).to_owned(),
            ));
            return;
        }
        match pass.kind {
            PassKindView::Vehicle if self.pass_id.is_none() => {
                self.pass_id = Some(pass.pass_id);
                if let Some(plate) = pass.plate {
                    self.plate_text = plate;
                    self.plate_error = None;
                }
            }
            PassKindView::Vehicle => {
                self.notice = Some((
                    "已扫描车辆通行证".into(),
                    "Vehicle pass already scanned".into(),
                ));
            }
            PassKindView::Resident
            | PassKindView::Visitor
            | PassKindView::Invited
            | PassKindView::Staff => {
                if self.occupant_pass_ids.contains(&pass.pass_id) {
                    self.notice =
                        Some(("该乘车人已扫描".into(), "Occupant already scanned".into()));
                    return;
                }
                self.occupant_pass_ids.push(pass.pass_id);
                let scanned = self.occupant_pass_ids.len() as u32;
                // The driver counts as one; each scanned occupant beyond the count adds one.
                if self.occupants < scanned {
                    self.occupants = scanned;
                }
            }
        }
    }

    /// Validate and build the vehicle subject; on error the message shows under the plate field.
    pub fn submit(&mut self) -> Option<Subject> {
        match validate_plate(&self.plate_text) {
            Ok(plate) => {
                self.plate_text = plate.text.clone();
                Some(Subject::Vehicle {
                    plate: plate.text,
                    pass_id: self.pass_id.clone(),
                    occupant_pass_ids: self.occupant_pass_ids.clone(),
                    occupants: self
                        .occupants
                        .max(self.occupant_pass_ids.len() as u32)
                        .max(1),
                })
            }
            Err(e) => {
                self.plate_error = Some(e);
                None
            }
        }
    }

    pub fn plate_error_text(&self, lang: Lang) -> Option<String> {
        self.plate_error.as_ref().map(|e| e.message(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::gate::tests::checked;

    fn vehicle_pass() -> CheckedPass {
        let mut c = checked("V000009", None);
        c.kind = PassKindView::Vehicle;
        c.plate = Some("京A12345".into());
        c
    }

    #[test]
    fn typed_plate_is_validated() {
        let mut s = VehicleState::new();
        s.reduce(VehicleAction::PlateInput("A12345".into()));
        assert_eq!(s.submit(), None);
        assert_eq!(
            s.plate_error_text(Lang::ZhCn).as_deref(),
            Some("车牌号应以省份简称开头")
        );
        assert_eq!(s.plate_text, "A12345", "the typed text is kept");
        s.reduce(VehicleAction::PlateInput("京a12345".into()));
        assert!(s.plate_error.is_none());
        let Some(Subject::Vehicle {
            plate, occupants, ..
        }) = s.submit()
        else {
            panic!()
        };
        assert_eq!(plate, "京A12345");
        assert_eq!(occupants, 1);
    }

    #[test]
    fn vehicle_pass_then_occupants_into_one_passage() {
        let mut s = VehicleState::new();
        s.reduce(VehicleAction::Scanned(vehicle_pass()));
        assert_eq!(s.plate_text, "京A12345");
        s.reduce(VehicleAction::Scanned(checked("R1", None)));
        s.reduce(VehicleAction::Scanned(checked("R2", None)));
        s.reduce(VehicleAction::Scanned(checked("R2", None)));
        assert_eq!(
            s.notice.as_ref().map(|n| n.1.as_str()),
            Some("Occupant already scanned")
        );
        s.reduce(VehicleAction::AddOccupant);
        let Some(Subject::Vehicle {
            pass_id,
            occupant_pass_ids,
            occupants,
            ..
        }) = s.submit()
        else {
            panic!()
        };
        assert_eq!(pass_id.as_deref(), Some("V000009"));
        assert_eq!(occupant_pass_ids, vec!["R1".to_owned(), "R2".to_owned()]);
        assert_eq!(occupants, 3);
    }

    #[test]
    fn count_never_below_scanned_and_invalid_occupant_is_refused() {
        let mut s = VehicleState::new();
        s.reduce(VehicleAction::Scanned(checked("R1", None)));
        s.reduce(VehicleAction::Scanned(checked("R2", None)));
        s.reduce(VehicleAction::RemoveOccupant);
        s.reduce(VehicleAction::RemoveOccupant);
        assert_eq!(s.occupants, 2);
        s.reduce(VehicleAction::Scanned(checked(
            "R3",
            Some(sync_core::DenyReason::Revoked),
        )));
        assert_eq!(s.occupant_pass_ids.len(), 2);
        assert_eq!(
            s.notice.as_ref().map(|n| n.1.as_str()),
            Some("Pass revoked")
        );
        s.reduce(VehicleAction::Reset);
        assert_eq!(s, VehicleState::new());
    }
}
