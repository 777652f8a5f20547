//! The HTML templates (minijinja, auto-escaped), compiled into the binary.

use minijinja::{Environment, Error, Value};
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::PassKind;
use sync_core::{DenyReason, SubjectKind};

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    (
        "accounts.html",
        include_str!("../../templates/accounts.html"),
    ),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("report.html", include_str!("../../templates/report.html")),
    (
        "checkpoints.html",
        include_str!("../../templates/checkpoints.html"),
    ),
    (
        "enroll_code.html",
        include_str!("../../templates/enroll_code.html"),
    ),
    ("devices.html", include_str!("../../templates/devices.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    (
        "residents.html",
        include_str!("../../templates/residents.html"),
    ),
    (
        "register.html",
        include_str!("../../templates/register.html"),
    ),
    (
        "visitor_pass.html",
        include_str!("../../templates/visitor_pass.html"),
    ),
    ("poster.html", include_str!("../../templates/poster.html")),
    ("rules.html", include_str!("../../templates/rules.html")),
    ("patrol.html", include_str!("../../templates/patrol.html")),
    (
        "handbook.html",
        include_str!("../../templates/handbook.html"),
    ),
    ("notices.html", include_str!("../../templates/notices.html")),
    ("staff.html", include_str!("../../templates/staff.html")),
    (
        "household_letter.html",
        include_str!("../../templates/household_letter.html"),
    ),
    (
        "household_passes.html",
        include_str!("../../templates/household_passes.html"),
    ),
    (
        "invitation_pass.html",
        include_str!("../../templates/invitation_pass.html"),
    ),
    ("health.html", include_str!("../../templates/health.html")),
    ("duty.html", include_str!("../../templates/duty.html")),
    ("notice.html", include_str!("../../templates/notice.html")),
    (
        "notice_form.html",
        include_str!("../../templates/notice_form.html"),
    ),
    (
        "incidents.html",
        include_str!("../../templates/incidents.html"),
    ),
    (
        "patrol_setup.html",
        include_str!("../../templates/patrol_setup.html"),
    ),
    (
        "patrol_labels.html",
        include_str!("../../templates/patrol_labels.html"),
    ),
    ("message.html", include_str!("../../templates/message.html")),
    ("records.html", include_str!("../../templates/records.html")),
    ("inside.html", include_str!("../../templates/inside.html")),
    (
        "resident_edit.html",
        include_str!("../../templates/resident_edit.html"),
    ),
    (
        "anomalies.html",
        include_str!("../../templates/anomalies.html"),
    ),
    (
        "contacts.html",
        include_str!("../../templates/contacts.html"),
    ),
    (
        "quarantine.html",
        include_str!("../../templates/quarantine.html"),
    ),
];

/// The bilingual label of a stored word: a subject kind or a deny reason, from sync-core's one
/// table of each; other text unchanged.
pub fn label(key: &str) -> String {
    if let Some(kind) = SubjectKind::parse(key) {
        return format!("{} {}", kind.label(Lang::ZhCn), kind.label(Lang::En));
    }
    match DenyReason::parse(key) {
        Some(reason) => format!("{} {}", reason.zh(), reason.en()),
        None => key.to_owned(),
    }
}

/// The bilingual label of a stored pass kind word (sync-core's table); other text unchanged.
pub fn pass_kind(key: &str) -> String {
    match PassKind::parse(key) {
        Some(kind) => format!("{} {}", kind.label(Lang::ZhCn), kind.label(Lang::En)),
        None => key.to_owned(),
    }
}

/// The loaded template set.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> Result<Self, Error> {
        let mut env = Environment::new();
        env.add_filter("label", label);
        env.add_filter("pass_kind", pass_kind);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }
}
