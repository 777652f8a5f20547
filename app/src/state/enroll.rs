//! The enrollment flow: server address and one-time code (typed or from the dashboard's QR),
//! then checkpoint gate, default direction and staff name.

use std::sync::Arc;

use sync_core::i18n::Localized;
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
    /// The server or network said no: the error itself, put into words only when shown.
    Refused(Refusal),
}

/// Why enrollment failed (the services' typed error), comparable by identity so the screen's
/// state stays a plain value.
#[derive(Clone)]
pub struct Refusal(pub Arc<dyn Localized + Send + Sync>);

impl Refusal {
    pub fn new(error: impl Localized + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }
}

impl PartialEq for Refusal {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Refusal {}

impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Refusal({})", self.0.en())
    }
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
            Self::Refused(why) => why.0.message(lang),
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
    /// The root key fingerprint from a scanned QR; `None` when typed (trust on first use).
    pub root: Option<String>,
    /// The server certificate's fingerprint from a scanned QR.
    pub tls: Option<String>,
    pub checkpoint_name: String,
    pub gates: Vec<String>,
    pub gate: String,
    pub direction: Direction,
    pub staff: String,
    pub error: Option<EnrollError>,
    /// The camera is open to scan the dashboard's enrollment QR.
    pub scanning: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollAction {
    ServerUrl(String),
    Code(String),
    /// Open (or close) the camera for the enrollment QR.
    Camera(bool),
    /// The dashboard's enrollment QR: `<server>/enroll?code=<code>`.
    ScannedLink(String),
    /// Returns where to enroll, if server and code are valid.
    Submit,
    Succeeded(Enrolled),
    Failed(Refusal),
    Gate(String),
    Direction(Direction),
    Staff(String),
    Finish,
}

/// The district dashboard's enrollment QR (server/src/web/checkpoints.rs):
/// `{"server": URL, "code": CODE, "root": FINGERPRINT}`.
#[derive(serde::Deserialize)]
struct DashboardQr {
    server: String,
    code: String,
    #[serde(default)]
    root: Option<String>,
    /// The server's own TLS certificate fingerprint, when it has no certificate from a public CA.
    #[serde(default)]
    tls: Option<String>,
}

/// Where and how to enroll: the server, the one-time code, and (from a QR) the fingerprint of the
/// district root key the device must find there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollTarget {
    pub url: String,
    pub code: String,
    pub root: Option<String>,
    pub tls: Option<String>,
}

/// Split an enrollment QR into server, code and root key fingerprint. Accepts the dashboard's JSON
/// and a link `<server>/enroll?code=<code>[&root=<fingerprint>]`.
pub fn parse_enroll_link(link: &str) -> Option<EnrollTarget> {
    let link = link.trim();
    let fingerprint = |f: Option<&str>| {
        f.map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_ascii_lowercase)
    };
    if link.starts_with('{') {
        let qr: DashboardQr = serde_json::from_str(link).ok()?;
        let base = qr.server.trim().trim_end_matches('/');
        let code = qr.code.trim();
        return (valid_url(base) && !code.is_empty()).then(|| EnrollTarget {
            url: base.to_owned(),
            code: code.to_owned(),
            root: fingerprint(qr.root.as_deref()),
            tls: fingerprint(qr.tls.as_deref()),
        });
    }
    let (base, query) = link.split_once("/enroll?")?;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    };
    let code = param("code").filter(|c| !c.is_empty())?;
    valid_url(base).then(|| EnrollTarget {
        url: base.to_owned(),
        code: code.to_owned(),
        root: fingerprint(param("root")),
        tls: fingerprint(param("tls")),
    })
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
            root: None,
            tls: None,
            checkpoint_name: String::new(),
            gates: Vec::new(),
            gate: String::new(),
            direction: Direction::In,
            staff: String::new(),
            error: None,
            scanning: false,
        }
    }
}

impl EnrollState {
    pub fn reduce(&mut self, action: EnrollAction) -> Option<EnrollTarget> {
        match action {
            EnrollAction::ServerUrl(u) => {
                // A typed server is not the one the scanned fingerprints belong to.
                self.root = None;
                self.tls = None;
                self.server_url = u;
            }
            EnrollAction::Code(c) => self.code = c,
            EnrollAction::Camera(on) => self.scanning = on,
            EnrollAction::ScannedLink(link) => match parse_enroll_link(&link) {
                Some(target) => {
                    self.scanning = false;
                    self.server_url = target.url;
                    self.code = target.code;
                    self.root = target.root;
                    self.tls = target.tls;
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
                    return Some(EnrollTarget {
                        url,
                        code,
                        root: self.root.clone(),
                        tls: self.tls.clone(),
                    });
                }
            }
            EnrollAction::Succeeded(e) => {
                self.step = EnrollStep::Place;
                self.checkpoint_name = e.checkpoint_name;
                self.gate = e.gates.first().cloned().unwrap_or_default();
                self.gates = e.gates;
                self.error = None;
            }
            EnrollAction::Failed(why) => {
                self.step = EnrollStep::Server;
                self.error = Some(EnrollError::Refused(why));
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
    use sync_core::sync::SyncError;

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
            Some(target("http://127.0.0.1:8080", "K7Q2-9XWD", None))
        );
        assert_eq!(s.step, EnrollStep::Contacting);
        assert_eq!(
            s.reduce(EnrollAction::Submit),
            None,
            "no second call while one runs"
        );
        s.reduce(EnrollAction::Failed(Refusal::new(SyncError::Unauthorized)));
        assert_eq!(s.step, EnrollStep::Server);
        assert_eq!(
            s.error.as_ref().map(|e| e.text(Lang::En)).as_deref(),
            Some("this device is not enrolled or its token was refused")
        );
        assert_eq!(
            s.error.as_ref().map(|e| e.text(Lang::ZhCn)).as_deref(),
            Some("本机未登记或登记已失效，请重新登记"),
            "the same error, in the language shown"
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
            Some(target("http://10.0.0.2:8080", "ABCD", None))
        );
        assert_eq!(
            parse_enroll_link("https://d.example/enroll?root=AB12&code=ABCD"),
            Some(target("https://d.example", "ABCD", Some("ab12")))
        );
        assert_eq!(parse_enroll_link("http://10.0.0.2/enroll?code="), None);
        assert_eq!(parse_enroll_link("CP1:XYZ"), None);
        // Exactly what the dashboard's enrollment page encodes in its QR.
        let dashboard = serde_json::json!({
            "server": "http://127.0.0.1:8080/", "code": "K7Q2-9XWD", "root": "c0ffee"
        })
        .to_string();
        assert_eq!(
            parse_enroll_link(&dashboard),
            Some(target("http://127.0.0.1:8080", "K7Q2-9XWD", Some("c0ffee")))
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
        // Typing another server forgets the scanned fingerprint.
        let mut s = EnrollState::default();
        s.reduce(EnrollAction::ScannedLink(dashboard));
        s.reduce(EnrollAction::Failed(Refusal::new(SyncError::Offline(
            "x".into(),
        ))));
        assert_eq!(s.root.as_deref(), Some("c0ffee"));
        s.reduce(EnrollAction::ServerUrl("http://127.0.0.1:9090".into()));
        assert_eq!(s.reduce(EnrollAction::Submit).and_then(|t| t.root), None);
    }

    fn target(url: &str, code: &str, root: Option<&str>) -> EnrollTarget {
        EnrollTarget {
            url: url.into(),
            code: code.into(),
            root: root.map(str::to_owned),
            tls: None,
        }
    }
}
