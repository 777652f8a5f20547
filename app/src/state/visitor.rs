//! The visitor flow: a scanned day pass, or the form with inline validation errors in the UI language.

use chrono::{DateTime, Duration, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::validate::{
    check_temperature, validate_id_number, validate_phone, validate_plate, TemperatureCheck,
    ValidationError,
};
use sync_core::Subject;

use super::keypad::Keys;

/// How far back a visitor counts as returning (filled in from the journal with one tap).
pub const RETURNING_DAYS: i64 = 7;

/// The form's fields, in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Phone,
    IdNumber,
    Host,
    Reason,
    Plate,
    Temperature,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Self::Name,
        Self::Phone,
        Self::IdNumber,
        Self::Host,
        Self::Reason,
        Self::Plate,
        Self::Temperature,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Name => "visitor-name",
            Self::Phone => "visitor-phone",
            Self::IdNumber => "visitor-id",
            Self::Host => "visitor-host",
            Self::Reason => "visitor-reason",
            Self::Plate => "visitor-plate",
            Self::Temperature => "visitor-temp",
        }
    }

    /// Whether the field is shown without unfolding "more" (ID number only where the compound asks).
    pub fn required(self, id_required: bool) -> bool {
        match self {
            Self::Name | Self::Phone | Self::Host | Self::Reason => true,
            Self::IdNumber => id_required,
            Self::Plate | Self::Temperature => false,
        }
    }

    /// The keyboard a phone opens for the field.
    pub fn keys(self) -> Keys {
        match self {
            Self::Phone => Keys::Tel,
            Self::IdNumber => Keys::IdNumber,
            Self::Plate => Keys::Plate,
            Self::Temperature => Keys::Decimal,
            Self::Name | Self::Host | Self::Reason => Keys::Text,
        }
    }

    /// A short example in the empty field.
    pub fn placeholder(self, lang: Lang) -> &'static str {
        match self {
            Self::Phone => "13812345678",
            Self::Host => "3-2-401",
            Self::Temperature => "36.5",
            Self::Reason => {
                crate::text::tr(lang, "探亲 / 快递 / 维修", "family / delivery / repair")
            }
            _ => "",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Name => ("姓名", "Name"),
            Self::Phone => ("手机号", "Mobile number"),
            Self::IdNumber => ("身份证号（选填）", "ID number (optional)"),
            Self::Host => ("被访住户", "Host household"),
            Self::Reason => ("来访事由", "Reason for visit"),
            Self::Plate => ("车牌号（选填）", "Plate (optional)"),
            Self::Temperature => ("体温 °C（选填）", "Temperature °C (optional)"),
        };
        crate::text::tr(lang, zh, en)
    }
}

/// A visitor seen at this gate in the last [`RETURNING_DAYS`] days with the phone number typed:
/// what one tap fills in (never the ID number, which staff read off the card again).
#[derive(Debug, Clone, PartialEq)]
pub struct Returning {
    pub name: String,
    pub host: String,
    pub reason: String,
    pub plate: Option<String>,
    pub last_seen: DateTime<Utc>,
}

impl Returning {
    /// From the latest admitted passage of the phone's visitor (its subject and time), if recent.
    pub fn from_last_visit(
        subject: &Subject,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let Subject::Visitor {
            name,
            host_household,
            reason,
            plate,
            ..
        } = subject
        else {
            return None;
        };
        let age = now - at;
        (age <= Duration::days(RETURNING_DAYS) && age >= -Duration::minutes(5)).then(|| Self {
            name: name.clone(),
            host: host_household.clone(),
            reason: reason.clone(),
            plate: plate.clone(),
            last_seen: at,
        })
    }
}

/// A registration ready to record.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorEntry {
    pub subject: Subject,
    pub temperature_c: Option<f32>,
    pub fever: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitorForm {
    values: [String; 7],
    errors: [Option<ValidationError>; 7],
    pub fever_threshold_c: f32,
    /// The compound asks visitors for their ID number (from the signed config).
    pub id_required: bool,
    /// The optional fields are unfolded.
    pub more_open: bool,
    /// The journal knows this phone number from a recent visit.
    pub returning: Option<Returning>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VisitorAction {
    Input(Field, String),
    Clear,
    /// The compound's rule from the signed config: visitors must give an ID number.
    IdRequired(bool),
    /// The district's fever threshold (from enrollment and each config pull).
    FeverThreshold(f32),
    /// Fold or unfold the optional fields.
    ToggleMore,
    /// What the journal holds for the phone number typed (looked up once it is a valid number).
    Returning(Option<Returning>),
    /// Fill the form from the returning visitor's last visit.
    FillReturning,
}

const MAX_TEXT: usize = 64;

impl VisitorForm {
    pub fn new(fever_threshold_c: f32) -> Self {
        Self {
            values: Default::default(),
            errors: Default::default(),
            fever_threshold_c,
            id_required: false,
            more_open: false,
            returning: None,
        }
    }

    fn idx(field: Field) -> usize {
        Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
    }

    pub fn value(&self, field: Field) -> &str {
        &self.values[Self::idx(field)]
    }

    pub fn error(&self, field: Field, lang: Lang) -> Option<String> {
        self.errors[Self::idx(field)]
            .as_ref()
            .map(|e| e.message(lang))
    }

    pub fn has_errors(&self) -> bool {
        self.errors.iter().any(Option::is_some)
    }

    pub fn reduce(&mut self, action: VisitorAction) {
        match action {
            VisitorAction::Input(field, text) => {
                let i = Self::idx(field);
                self.values[i] = text;
                self.errors[i] = None;
            }
            VisitorAction::IdRequired(yes) => self.id_required = yes,
            VisitorAction::FeverThreshold(c) => self.fever_threshold_c = c,
            VisitorAction::ToggleMore => self.more_open = !self.more_open,
            VisitorAction::Returning(found) => self.returning = found,
            VisitorAction::FillReturning => self.fill_returning(),
            VisitorAction::Clear => {
                let id_required = self.id_required;
                *self = Self::new(self.fever_threshold_c);
                self.id_required = id_required;
            }
        }
    }

    fn fill_returning(&mut self) {
        let Some(r) = self.returning.take() else {
            return;
        };
        for (field, value) in [
            (Field::Name, r.name),
            (Field::Host, r.host),
            (Field::Reason, r.reason),
            (Field::Plate, r.plate.unwrap_or_default()),
        ] {
            let i = Self::idx(field);
            self.values[i] = value;
            self.errors[i] = None;
        }
    }

    /// The fields shown now: the required ones, and the optional ones when unfolded or when one
    /// of them holds an error or a value (so nothing typed or wrong is hidden).
    pub fn shown(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| {
                f.required(self.id_required)
                    || self.more_open
                    || self.errors[Self::idx(*f)].is_some()
                    || !self.values[Self::idx(*f)].is_empty()
            })
            .collect()
    }

    /// The phone number typed, when it is a valid one (to look up a returning visitor).
    pub fn valid_phone(&self) -> Option<String> {
        validate_phone(self.value(Field::Phone)).ok()
    }

    /// Validate every field; errors stay on the form, nothing typed is lost. `host_known` says
    /// whether a household is in this compound (from the roster).
    pub fn submit(&mut self, host_known: impl Fn(&str) -> bool) -> Option<VisitorEntry> {
        self.errors = Default::default();
        let text = |s: &str| -> Result<String, ValidationError> {
            let t = s.trim();
            if t.is_empty() {
                Err(ValidationError::Required)
            } else if t.chars().count() > MAX_TEXT {
                Err(ValidationError::TooLong { max: MAX_TEXT })
            } else {
                Ok(t.to_owned())
            }
        };
        let optional = |s: &str| Some(s.trim()).filter(|t| !t.is_empty()).map(str::to_owned);

        let name = text(self.value(Field::Name));
        let phone = validate_phone(self.value(Field::Phone));
        let id_number = match optional(self.value(Field::IdNumber)) {
            None if self.id_required => Err(ValidationError::Required),
            given => given
                .map(|id| validate_id_number(&id).map(|v| v.as_str().to_owned()))
                .transpose(),
        };
        let host = text(self.value(Field::Host)).and_then(|h| {
            if host_known(&h) {
                Ok(h)
            } else {
                Err(ValidationError::UnknownHousehold)
            }
        });
        let reason = text(self.value(Field::Reason));
        let plate = optional(self.value(Field::Plate))
            .map(|p| validate_plate(&p).map(|v| v.text))
            .transpose();
        let threshold = self.fever_threshold_c;
        let temperature = optional(self.value(Field::Temperature))
            .map(|t| {
                let c: f32 = t
                    .replace('，', ".")
                    .parse()
                    .map_err(|_| ValidationError::TemperatureRange)?;
                check_temperature(c, threshold).map(|check| (c, check == TemperatureCheck::Fever))
            })
            .transpose();

        let mut set = |field: Field, e: ValidationError| self.errors[Self::idx(field)] = Some(e);
        let (name, phone, id_number, host, reason, plate, temperature) =
            match (name, phone, id_number, host, reason, plate, temperature) {
                (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(f), Ok(g)) => (a, b, c, d, e, f, g),
                (a, b, c, d, e, f, g) => {
                    [
                        a.err(),
                        b.err(),
                        c.err(),
                        d.err(),
                        e.err(),
                        f.err(),
                        g.err(),
                    ]
                    .into_iter()
                    .zip(Field::ALL)
                    .for_each(|(err, field)| {
                        if let Some(err) = err {
                            set(field, err);
                        }
                    });
                    return None;
                }
            };
        Some(VisitorEntry {
            subject: Subject::Visitor {
                name,
                phone,
                id_number,
                host_household: host,
                reason,
                plate,
                visitor_pass_id: None,
            },
            temperature_c: temperature.map(|t| t.0),
            fever: temperature.is_some_and(|t| t.1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> VisitorForm {
        let mut f = VisitorForm::new(37.3);
        for (field, v) in [
            (Field::Name, "李四"),
            (Field::Phone, "138 1234 5678"),
            (Field::IdNumber, "11010519491231002x"),
            (Field::Host, "3-2-401"),
            (Field::Reason, "探亲"),
            (Field::Plate, ""),
            (Field::Temperature, "36.6"),
        ] {
            f.reduce(VisitorAction::Input(field, v.into()));
        }
        f
    }

    #[test]
    fn valid_form_gives_a_visitor() {
        let mut f = filled();
        let entry = f.submit(|_| true).unwrap();
        let Subject::Visitor {
            phone,
            id_number,
            plate,
            ..
        } = entry.subject
        else {
            panic!()
        };
        assert_eq!(phone, "13812345678");
        assert_eq!(id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(plate, None);
        assert_eq!(entry.temperature_c, Some(36.6));
        assert!(!entry.fever);
    }

    #[test]
    fn errors_are_inline_in_the_ui_language_and_input_is_kept() {
        let mut f = filled();
        f.reduce(VisitorAction::Input(Field::Phone, "12345".into()));
        f.reduce(VisitorAction::Input(
            Field::IdNumber,
            "110105194912310021".into(),
        ));
        f.reduce(VisitorAction::Input(Field::Name, "  ".into()));
        assert_eq!(f.submit(|_| true), None);
        assert_eq!(
            f.error(Field::Phone, Lang::ZhCn).as_deref(),
            Some("手机号应为以13–19开头的11位数字")
        );
        assert_eq!(
            f.error(Field::Phone, Lang::En).as_deref(),
            Some("mobile number must be 11 digits starting 13–19")
        );
        assert_eq!(
            f.error(Field::IdNumber, Lang::En).as_deref(),
            Some("ID number check digit does not match")
        );
        assert_eq!(
            f.error(Field::Name, Lang::ZhCn).as_deref(),
            Some("此项为必填")
        );
        assert_eq!(f.error(Field::Host, Lang::En), None);
        assert_eq!(f.value(Field::Phone), "12345");
        f.reduce(VisitorAction::Input(Field::Phone, "13812345678".into()));
        assert_eq!(
            f.error(Field::Phone, Lang::En),
            None,
            "typing clears that field's error"
        );
        assert!(f.has_errors());
    }

    #[test]
    fn temperature_checks() {
        let mut f = filled();
        f.reduce(VisitorAction::Input(Field::Temperature, "38.1".into()));
        assert!(f.submit(|_| true).unwrap().fever);
        f.reduce(VisitorAction::Input(Field::Temperature, "52".into()));
        assert_eq!(f.submit(|_| true), None);
        assert!(f.error(Field::Temperature, Lang::En).is_some());
        f.reduce(VisitorAction::Input(Field::Temperature, "abc".into()));
        assert_eq!(f.submit(|_| true), None);
        f.reduce(VisitorAction::Input(Field::Plate, "沪AD12345".into()));
        f.reduce(VisitorAction::Input(Field::Temperature, "".into()));
        let e = f.submit(|_| true).unwrap();
        assert_eq!(e.temperature_c, None);
        f.reduce(VisitorAction::Clear);
        assert_eq!(f.value(Field::Name), "");
    }

    #[test]
    fn a_host_household_not_in_the_compound_is_refused_under_its_field() {
        let mut f = filled();
        assert_eq!(f.submit(|h| h == "9-9-999"), None);
        assert_eq!(
            f.error(Field::Host, Lang::ZhCn).as_deref(),
            Some("本小区没有这个住户")
        );
        assert_eq!(
            f.error(Field::Host, Lang::En).as_deref(),
            Some("this household is not in this compound")
        );
        assert!(!f.value(Field::Host).is_empty(), "what was typed stays");
        assert!(f.submit(|_| true).is_some());
    }

    #[test]
    fn a_compound_that_asks_for_id_numbers_makes_the_field_required() {
        let mut f = filled();
        f.reduce(VisitorAction::Input(Field::IdNumber, String::new()));
        assert!(f.submit(|_| true).is_some(), "optional by default");
        f.reduce(VisitorAction::IdRequired(true));
        f.reduce(VisitorAction::Input(Field::IdNumber, String::new()));
        assert_eq!(f.submit(|_| true), None);
        assert_eq!(
            f.error(Field::IdNumber, Lang::En).as_deref(),
            Some("a required field is empty")
        );
        f.reduce(VisitorAction::Clear);
        assert!(
            f.id_required,
            "the compound's rule survives clearing the form"
        );
    }

    #[test]
    fn optional_fields_fold_away_unless_asked_for_filled_or_wrong() {
        let mut f = VisitorForm::new(37.3);
        assert_eq!(
            f.shown(),
            [Field::Name, Field::Phone, Field::Host, Field::Reason]
        );
        f.reduce(VisitorAction::ToggleMore);
        assert_eq!(f.shown().len(), 7);
        f.reduce(VisitorAction::ToggleMore);
        f.reduce(VisitorAction::IdRequired(true));
        assert!(
            f.shown().contains(&Field::IdNumber),
            "required where the compound asks"
        );
        f.reduce(VisitorAction::Input(Field::Plate, "沪A".into()));
        assert!(
            f.shown().contains(&Field::Plate),
            "a typed value is never hidden"
        );
        f.reduce(VisitorAction::Input(Field::Temperature, "52".into()));
        assert!(f.shown().contains(&Field::Temperature));
        assert_eq!(f.submit(|_| true), None);
        assert!(
            f.shown().contains(&Field::Temperature),
            "a field in error stays in view"
        );
        f.reduce(VisitorAction::Input(Field::Temperature, String::new()));
        assert!(
            !f.shown().contains(&Field::Temperature),
            "folded again once emptied"
        );
    }

    #[test]
    fn the_fields_open_the_right_keypad() {
        assert_eq!(Field::Phone.keys(), Keys::Tel);
        assert_eq!(Field::IdNumber.keys(), Keys::IdNumber);
        assert_eq!(Field::Plate.keys(), Keys::Plate);
        assert_eq!(Field::Temperature.keys(), Keys::Decimal);
        assert_eq!(Field::Name.keys(), Keys::Text);
    }

    #[test]
    fn a_returning_visitor_fills_in_with_one_tap_within_seven_days() {
        let visit = Subject::Visitor {
            name: "周访客".into(),
            phone: "13912345678".into(),
            id_number: Some("11010519491231002X".into()),
            host_household: "3-1-401".into(),
            reason: "探亲".into(),
            plate: Some("沪AD12345".into()),
            visitor_pass_id: None,
        };
        let now = Utc::now();
        assert!(Returning::from_last_visit(&visit, now - Duration::days(8), now).is_none());
        let found = Returning::from_last_visit(&visit, now - Duration::days(6), now);
        assert!(found.is_some());
        let mut f = VisitorForm::new(37.3);
        f.reduce(VisitorAction::Input(Field::Phone, "139 1234 5678".into()));
        assert_eq!(f.valid_phone().as_deref(), Some("13912345678"));
        f.reduce(VisitorAction::Returning(found));
        f.reduce(VisitorAction::FillReturning);
        assert_eq!(f.value(Field::Name), "周访客");
        assert_eq!(f.value(Field::Host), "3-1-401");
        assert_eq!(f.value(Field::Reason), "探亲");
        assert_eq!(f.value(Field::Plate), "沪AD12345");
        assert_eq!(
            f.value(Field::IdNumber),
            "",
            "the ID number is read off the card again"
        );
        assert!(f.returning.is_none(), "the offer is used once");
        let entry = f.submit(|_| true).expect("a complete registration");
        assert!(
            matches!(entry.subject, Subject::Visitor { ref phone, .. } if phone == "13912345678")
        );
        let resident = Subject::Resident {
            pass_id: "r1".into(),
            household: "3-1-401".into(),
            name: Some("李".into()),
        };
        assert!(Returning::from_last_visit(&resident, now, now).is_none());
    }
}
