//! The HTML templates (minijinja, auto-escaped), compiled into the binary.

use minijinja::{Environment, Error, Value};
use sync_core::i18n::Localized;
use sync_core::DenyReason;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("login.html", include_str!("../../templates/login.html")),
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
    ("message.html", include_str!("../../templates/message.html")),
    (
        "quarantine.html",
        include_str!("../../templates/quarantine.html"),
    ),
];

/// The bilingual label of a stored key (subject and pass kinds; deny reasons from sync-core's one
/// table); other text unchanged.
pub fn label(key: &str) -> String {
    let shown = match key {
        "resident" => "居民 Resident",
        "vehicle" => "车辆 Vehicle",
        "visitor" => "访客 Visitor",
        "visitor_day" => "访客日证 Visitor day",
        "staff" => "工作人员 Staff",
        other => {
            return match DenyReason::parse(other) {
                Some(reason) => format!("{} {}", reason.zh(), reason.en()),
                None => other.to_owned(),
            }
        }
    };
    shown.to_owned()
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
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }
}
