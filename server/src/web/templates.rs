//! The HTML templates (minijinja, auto-escaped), compiled into the binary.

use minijinja::{Environment, Error, Value};

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
    ("message.html", include_str!("../../templates/message.html")),
    (
        "quarantine.html",
        include_str!("../../templates/quarantine.html"),
    ),
];

/// The bilingual label of a stored key (subject and pass kinds, deny reasons); other text unchanged.
pub fn label(key: &str) -> String {
    let shown = match key {
        "resident" => "居民 Resident",
        "vehicle" => "车辆 Vehicle",
        "visitor" => "访客 Visitor",
        "visitor_day" => "访客日证 Visitor day",
        "staff" => "工作人员 Staff",
        "expired" => "已过期 expired",
        "not_yet_valid" => "未生效 not yet valid",
        "revoked" => "已吊销 revoked",
        "superseded" => "旧版证件 superseded",
        "unknown_key" => "未知密钥 unknown key",
        "bad_signature" => "签名无效 bad signature",
        "wrong_district" => "非本街道 wrong district",
        "malformed" => "无法识别 unreadable",
        "fever" => "发热 fever",
        "staff_decision" => "值守员拒绝 staff decision",
        other => return other.to_owned(),
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
