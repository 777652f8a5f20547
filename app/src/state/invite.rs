//! Resident mode's visitor invitations: the form (name, phone, day, optional plate, reason), checked
//! on the phone as the server checks it; the invitation just made, whose link goes to the visitor;
//! and the household's invitations with each visitor's arrivals and departures. Making one needs
//! the network (the district signs the visitor's pass); the list shows what was last fetched.

use chrono::{Duration, NaiveDate};
use sync_core::i18n::{Lang, Localized};
use sync_core::invitation::{Invitation, InvitationList, InvitationRequest, MAX_PER_DAY};

/// The form being filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InviteForm {
    pub name: String,
    pub phone: String,
    /// Days after today (0 = today).
    pub days_ahead: i64,
    pub plate: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct InviteState {
    pub form: InviteForm,
    pub error: Option<(String, String)>,
    /// A request is under way.
    pub busy: bool,
    /// The invitation just made, with the visitor's link.
    pub made: Option<Invitation>,
    pub list: InvitationList,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InviteAction {
    Name(String),
    Phone(String),
    DaysAhead(i64),
    Plate(String),
    Reason(String),
    /// Sending the form; `Failed` or `Made` follows.
    Sending,
    Made(Invitation),
    Failed(String, String),
    Listed(InvitationList),
}

impl InviteState {
    pub fn reduce(&mut self, action: InviteAction) {
        match action {
            InviteAction::Name(v) => self.form.name = v,
            InviteAction::Phone(v) => self.form.phone = v,
            InviteAction::DaysAhead(d) => self.form.days_ahead = d.clamp(0, 2),
            InviteAction::Plate(v) => self.form.plate = v,
            InviteAction::Reason(v) => self.form.reason = v,
            InviteAction::Sending => {
                self.busy = true;
                self.error = None;
            }
            InviteAction::Made(inv) => {
                self.busy = false;
                self.list.made_today += 1;
                self.list.invitations.insert(0, inv.clone());
                self.made = Some(inv);
                self.form = InviteForm::default();
            }
            InviteAction::Failed(zh, en) => {
                self.busy = false;
                self.error = Some((zh, en));
            }
            InviteAction::Listed(list) => self.list = list,
        }
    }

    /// The request the form makes for `household` on the district's `today`, checked as the
    /// server will check it; the reason in both languages when it is not good.
    pub fn request(
        &self,
        household: &str,
        today: NaiveDate,
    ) -> Result<InvitationRequest, (String, String)> {
        if self.list.made_today >= MAX_PER_DAY {
            let e = sync_core::invitation::InvitationError::Limit;
            return Err((e.message(Lang::ZhCn), e.message(Lang::En)));
        }
        let f = &self.form;
        let req = InvitationRequest {
            household: household.to_owned(),
            name: f.name.clone(),
            phone: f.phone.clone(),
            day: today + Duration::days(f.days_ahead),
            plate: Some(f.plate.clone()).filter(|p| !p.trim().is_empty()),
            reason: f.reason.clone(),
        };
        req.check(today)
            .map(|_| req.clone())
            .map_err(|e| (e.message(Lang::ZhCn), e.message(Lang::En)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sync_core::invitation::Arrival;
    use sync_core::Direction;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).expect("day")
    }

    fn filled() -> InviteState {
        let mut s = InviteState::default();
        s.reduce(InviteAction::Name("李四".into()));
        s.reduce(InviteAction::Phone("13800138000".into()));
        s.reduce(InviteAction::DaysAhead(1));
        s.reduce(InviteAction::Reason("探亲".into()));
        s
    }

    #[test]
    fn the_form_is_checked_as_the_server_checks_it() {
        let s = filled();
        let req = s.request("3-2-401", today()).expect("valid");
        assert_eq!(req.day, today() + Duration::days(1));
        assert_eq!(req.plate, None);
        let mut bad = filled();
        bad.reduce(InviteAction::Phone("123".into()));
        assert!(bad
            .request("3-2-401", today())
            .unwrap_err()
            .0
            .starts_with("手机号"));
        let mut far = filled();
        far.reduce(InviteAction::DaysAhead(9));
        assert_eq!(far.form.days_ahead, 2, "today, tomorrow or the day after");
        let mut full = filled();
        full.list.made_today = MAX_PER_DAY;
        assert_eq!(
            full.request("3-2-401", today()).unwrap_err().0,
            "每户每天最多邀请 10 位访客"
        );
    }

    #[test]
    fn a_made_invitation_is_shown_with_its_link_and_the_list_with_arrivals() {
        let mut s = filled();
        s.reduce(InviteAction::Sending);
        assert!(s.busy);
        s.reduce(InviteAction::Failed("离线".into(), "offline".into()));
        assert!(!s.busy && s.error.is_some());
        assert_eq!(s.form.name, "李四", "the form stays for another try");
        let inv = Invitation {
            pass_id: "Y0000001".into(),
            name: "李*".into(),
            day: today(),
            plate: None,
            reason: "探亲".into(),
            link: Some("https://d/v/abc".into()),
            arrivals: vec![],
        };
        s.reduce(InviteAction::Made(inv.clone()));
        assert_eq!(
            s.made.as_ref().and_then(|m| m.link.as_deref()),
            Some("https://d/v/abc")
        );
        assert_eq!((s.list.made_today, s.form.name.as_str()), (1, ""));
        let arrived = Invitation {
            link: None,
            arrivals: vec![Arrival {
                direction: Direction::In,
                at: Utc::now(),
                gate: "east-1".into(),
            }],
            ..inv
        };
        s.reduce(InviteAction::Listed(InvitationList {
            invitations: vec![arrived],
            made_today: 1,
        }));
        assert_eq!(s.list.invitations[0].arrivals.len(), 1);
    }
}
