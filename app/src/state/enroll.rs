//! The enrollment flow: server address and one-time code (typed or from the dashboard's QR),
//! then checkpoint gate, default direction and staff name.

use sync_core::Direction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollStep {
    Server,
    /// The enrollment call is running.
    Contacting,
    Place,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollError {
    ServerUrl,
    CodeMissing,
    StaffMissing,
    GateMissing,
    /// The server or network said no, in both languages.
    Refused {
        zh: String,
        en: String,
    },
}

impl EnrollError {
    pub fn text(&self, lang: sync_core::i18n::Lang) -> String {
        use crate::text::tr;
        match self {
            Self::ServerUrl => tr(
                lang,
                "服务器地址应以 http:// 或 https:// 开头",
                "Server address must start with http:// or https://",
            )
            .into(),
            Self::CodeMissing => tr(lang, "请填写登记码", "Enter the enrollment code").into(),
            Self::StaffMissing => tr(lang, "请填写值守人员姓名", "Enter the staff name").into(),
            Self::GateMissing => tr(lang, "请选择卡口", "Pick a gate").into(),
            Self::Refused { zh, en } => match lang {
                sync_core::i18n::Lang::ZhCn => zh.clone(),
                sync_core::i18n::Lang::En => en.clone(),
            },
        }
    }
}

/// What the server sent back, as far as this screen needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub checkpoint_name: String,
    pub gates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollState {
    pub step: EnrollStep,
    pub server_url: String,
    pub code: String,
    pub checkpoint_name: String,
    pub gates: Vec<String>,
    pub gate: String,
    pub direction: Direction,
    pub staff: String,
    pub error: Option<EnrollError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollAction {
    ServerUrl(String),
    Code(String),
    /// The dashboard's enrollment QR: `<server>/enroll?code=<code>`.
    ScannedLink(String),
    /// Returns the (url, code) to call the server with, if both are valid.
    Submit,
    Succeeded(Enrolled),
    Failed {
        zh: String,
        en: String,
    },
    Gate(String),
    Direction(Direction),
    Staff(String),
    Finish,
}

/// The district dashboard's enrollment QR (server/src/web/checkpoints.rs): `{"server": URL, "code": CODE}`.
#[derive(serde::Deserialize)]
struct DashboardQr {
    server: String,
    code: String,
}

/// Split an enrollment QR into the server base URL and the code. Accepts the dashboard's JSON
/// (`{"server":"http://…","code":"…"}`) and a link `<server>/enroll?code=<code>`.
pub fn parse_enroll_link(link: &str) -> Option<(String, String)> {
    let link = link.trim();
    if link.starts_with('{') {
        let qr: DashboardQr = serde_json::from_str(link).ok()?;
        let base = qr.server.trim().trim_end_matches('/');
        let code = qr.code.trim();
        return (valid_url(base) && !code.is_empty()).then(|| (base.to_owned(), code.to_owned()));
    }
    let (base, query) = link.split_once("/enroll?")?;
    let code = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("code="))
        .filter(|c| !c.is_empty())?;
    valid_url(base).then(|| (base.to_owned(), code.to_owned()))
}

fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

impl Default for EnrollState {
    fn default() -> Self {
        Self {
            step: EnrollStep::Server,
            server_url: String::new(),
            code: String::new(),
            checkpoint_name: String::new(),
            gates: Vec::new(),
            gate: String::new(),
            direction: Direction::In,
            staff: String::new(),
            error: None,
        }
    }
}

impl EnrollState {
    pub fn reduce(&mut self, action: EnrollAction) -> Option<(String, String)> {
        match action {
            EnrollAction::ServerUrl(u) => self.server_url = u,
            EnrollAction::Code(c) => self.code = c,
            EnrollAction::ScannedLink(link) => match parse_enroll_link(&link) {
                Some((url, code)) => {
                    self.server_url = url;
                    self.code = code;
                    return self.reduce(EnrollAction::Submit);
                }
                None => self.error = Some(EnrollError::ServerUrl),
            },
            EnrollAction::Submit => {
                let url = self.server_url.trim().trim_end_matches('/').to_owned();
                let code = self.code.trim().to_owned();
                self.error = if !valid_url(&url) {
                    Some(EnrollError::ServerUrl)
                } else if code.is_empty() {
                    Some(EnrollError::CodeMissing)
                } else {
                    None
                };
                if self.error.is_none() && self.step == EnrollStep::Server {
                    self.step = EnrollStep::Contacting;
                    return Some((url, code));
                }
            }
            EnrollAction::Succeeded(e) => {
                self.step = EnrollStep::Place;
                self.checkpoint_name = e.checkpoint_name;
                self.gate = e.gates.first().cloned().unwrap_or_default();
                self.gates = e.gates;
                self.error = None;
            }
            EnrollAction::Failed { zh, en } => {
                self.step = EnrollStep::Server;
                self.error = Some(EnrollError::Refused { zh, en });
            }
            EnrollAction::Gate(g) => self.gate = g,
            EnrollAction::Direction(d) => self.direction = d,
            EnrollAction::Staff(s) => self.staff = s,
            EnrollAction::Finish => {
                self.error = if self.gate.trim().is_empty() {
                    Some(EnrollError::GateMissing)
                } else if self.staff.trim().is_empty() {
                    Some(EnrollError::StaffMissing)
                } else {
                    None
                };
                if self.error.is_none() && self.step == EnrollStep::Place {
                    self.step = EnrollStep::Done;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_core::i18n::Lang;

    #[test]
    fn typed_enrollment_flow() {
        let mut s = EnrollState::default();
        s.reduce(EnrollAction::ServerUrl("ftp://x".into()));
        assert_eq!(s.reduce(EnrollAction::Submit), None);
        assert_eq!(s.error, Some(EnrollError::ServerUrl));
        s.reduce(EnrollAction::ServerUrl("http://127.0.0.1:8080/".into()));
        assert_eq!(s.reduce(EnrollAction::Submit), None);
        assert_eq!(s.error, Some(EnrollError::CodeMissing));
        s.reduce(EnrollAction::Code(" K7Q2-9XWD ".into()));
        assert_eq!(
            s.reduce(EnrollAction::Submit),
            Some(("http://127.0.0.1:8080".into(), "K7Q2-9XWD".into()))
        );
        assert_eq!(s.step, EnrollStep::Contacting);
        assert_eq!(
            s.reduce(EnrollAction::Submit),
            None,
            "no second call while one runs"
        );
        s.reduce(EnrollAction::Failed {
            zh: "登记码无效".into(),
            en: "invalid code".into(),
        });
        assert_eq!(s.step, EnrollStep::Server);
        assert_eq!(
            s.error.as_ref().map(|e| e.text(Lang::En)).as_deref(),
            Some("invalid code")
        );
        assert!(s.reduce(EnrollAction::Submit).is_some());
        s.reduce(EnrollAction::Succeeded(Enrolled {
            checkpoint_name: "东门".into(),
            gates: vec!["east-1".into(), "east-2".into()],
        }));
        assert_eq!(s.gate, "east-1");
        s.reduce(EnrollAction::Finish);
        assert_eq!(s.error, Some(EnrollError::StaffMissing));
        s.reduce(EnrollAction::Staff("王师傅".into()));
        s.reduce(EnrollAction::Direction(Direction::Out));
        s.reduce(EnrollAction::Finish);
        assert_eq!(s.step, EnrollStep::Done);
    }

    #[test]
    fn enrollment_link() {
        assert_eq!(
            parse_enroll_link("http://10.0.0.2:8080/enroll?code=ABCD&x=1"),
            Some(("http://10.0.0.2:8080".into(), "ABCD".into()))
        );
        assert_eq!(parse_enroll_link("http://10.0.0.2/enroll?code="), None);
        assert_eq!(parse_enroll_link("CP1:XYZ"), None);
        // Exactly what the dashboard's enrollment page encodes in its QR.
        let dashboard =
            serde_json::json!({ "server": "http://127.0.0.1:8080/", "code": "K7Q2-9XWD" })
                .to_string();
        assert_eq!(
            parse_enroll_link(&dashboard),
            Some(("http://127.0.0.1:8080".into(), "K7Q2-9XWD".into()))
        );
        assert_eq!(
            parse_enroll_link(r#"{"server":"ftp://x","code":"A"}"#),
            None
        );
        assert_eq!(
            parse_enroll_link(r#"{"server":"http://x","code":" "}"#),
            None
        );
        assert_eq!(parse_enroll_link(r#"{"server":"http://x""#), None);
        let mut s = EnrollState::default();
        assert!(s
            .reduce(EnrollAction::ScannedLink(
                "https://d.example/enroll?code=Z9".into()
            ))
            .is_some());
        assert_eq!(s.server_url, "https://d.example");
    }
}
