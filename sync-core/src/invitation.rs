//! Visitor invitations (issue 14 part 3): a resident, with the household letter's token, invites a
//! visitor for a day; the server issues an invited visitor's pass (`PassKind::Invited`), signed like
//! every pass, pre-approved by the host household, and sends it to the visitor as a link. The gate
//! shows 已预约 with the inviting household and needs no host tap; the host sees the arrivals.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Direction;
use crate::i18n::{Lang, Localized};
use crate::validate::{check_text, validate_phone, validate_plate, ValidationError};

/// Most invitations one household may make in a district day.
pub const MAX_PER_DAY: u32 = 10;
/// How many days ahead a visit may be.
pub const MAX_DAYS_AHEAD: i64 = 7;
const MAX_NAME_CHARS: usize = 20;
const MAX_REASON_CHARS: usize = 40;

/// `POST /api/v1/household/invitations` (`Authorization: Household <token>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRequest {
    /// The inviting household; must be the token's own.
    pub household: String,
    pub name: String,
    pub phone: String,
    pub day: NaiveDate,
    #[serde(default)]
    pub plate: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// Why an invitation is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvitationError {
    #[error("name: {0}")]
    Name(ValidationError),
    #[error("phone: {0}")]
    Phone(ValidationError),
    #[error("plate: {0}")]
    Plate(ValidationError),
    #[error("reason: {0}")]
    Reason(ValidationError),
    #[error("the visit must be today or within {MAX_DAYS_AHEAD} days ({0})")]
    Day(NaiveDate),
    #[error("this link belongs to another household")]
    OtherHousehold,
    #[error("at most {MAX_PER_DAY} invitations a day per household")]
    Limit,
}

impl Localized for InvitationError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::Name(e), Lang::ZhCn) => format!("姓名：{}", e.message(lang)),
            (Self::Phone(e), Lang::ZhCn) => format!("手机号：{}", e.message(lang)),
            (Self::Plate(e), Lang::ZhCn) => format!("车牌：{}", e.message(lang)),
            (Self::Reason(e), Lang::ZhCn) => format!("事由：{}", e.message(lang)),
            (Self::Day(d), Lang::ZhCn) => {
                format!("来访日期须为今天起 {MAX_DAYS_AHEAD} 天内（{d}）")
            }
            (Self::OtherHousehold, Lang::ZhCn) => "此链接属于其他住户".into(),
            (Self::Limit, Lang::ZhCn) => format!("每户每天最多邀请 {MAX_PER_DAY} 位访客"),
        }
    }
}

/// A request with its fields checked and normalised (the phone's digits, the plate's form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedInvitation {
    pub name: String,
    pub phone: String,
    pub day: NaiveDate,
    pub plate: Option<String>,
    pub reason: String,
}

impl InvitationRequest {
    /// Check the fields against the district's calendar day `today`.
    pub fn check(&self, today: NaiveDate) -> Result<CheckedInvitation, InvitationError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(InvitationError::Name(ValidationError::Required));
        }
        check_text(name, MAX_NAME_CHARS).map_err(InvitationError::Name)?;
        let phone = validate_phone(&self.phone).map_err(InvitationError::Phone)?;
        let plate = match self.plate.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(validate_plate(p).map_err(InvitationError::Plate)?.text),
        };
        let reason = self.reason.trim();
        check_text(reason, MAX_REASON_CHARS).map_err(InvitationError::Reason)?;
        let ahead = (self.day - today).num_days();
        if !(0..=MAX_DAYS_AHEAD).contains(&ahead) {
            return Err(InvitationError::Day(self.day));
        }
        Ok(CheckedInvitation {
            name: name.to_owned(),
            phone,
            day: self.day,
            plate,
            reason: reason.to_owned(),
        })
    }
}

/// A passage of an invited visitor at the compound's gates, as the host sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrival {
    pub direction: Direction,
    pub at: DateTime<Utc>,
    pub gate: String,
}

/// One of the household's invitations, for the host (the visitor's name masked, no phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub pass_id: String,
    pub name: String,
    pub day: NaiveDate,
    #[serde(default)]
    pub plate: Option<String>,
    pub reason: String,
    /// The link that shows the visitor their pass (given only when it is made).
    #[serde(default)]
    pub link: Option<String>,
    /// Admitted passages at the compound's gates, oldest first.
    #[serde(default)]
    pub arrivals: Vec<Arrival>,
}

/// `GET /api/v1/household/invitations`: the household's invitations, newest visit first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationList {
    pub invitations: Vec<Invitation>,
    /// Invitations made today, against [`MAX_PER_DAY`].
    pub made_today: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> InvitationRequest {
        InvitationRequest {
            household: "5-1-101".into(),
            name: "李四".into(),
            phone: "13800138000".into(),
            day: NaiveDate::from_ymd_opt(2026, 12, 3).expect("day"),
            plate: Some("京a12345".into()),
            reason: "探亲".into(),
        }
    }

    #[test]
    fn a_good_request_is_normalised() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        let c = request().check(today).expect("valid");
        assert_eq!(c.plate.as_deref(), Some("京A12345"));
        assert_eq!(c.phone, "13800138000");
    }

    #[test]
    fn bad_fields_and_days_are_refused_with_the_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).expect("day");
        let mut r = request();
        r.name = "  ".into();
        assert_eq!(
            r.check(today),
            Err(InvitationError::Name(ValidationError::Required))
        );
        let mut r = request();
        r.phone = "12345".into();
        assert!(matches!(r.check(today), Err(InvitationError::Phone(_))));
        let mut r = request();
        r.day = today - chrono::Duration::days(1);
        assert_eq!(r.check(today), Err(InvitationError::Day(r.day)));
        r.day = today + chrono::Duration::days(MAX_DAYS_AHEAD + 1);
        assert_eq!(r.check(today), Err(InvitationError::Day(r.day)));
        let mut r = request();
        r.reason = "x".repeat(MAX_REASON_CHARS + 1);
        assert!(matches!(r.check(today), Err(InvitationError::Reason(_))));
        assert_eq!(
            InvitationError::Limit.message(Lang::ZhCn),
            "每户每天最多邀请 10 位访客"
        );
    }
}
