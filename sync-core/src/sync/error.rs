//! Sync errors in plain words, and which of them are worth retrying.

use thiserror::Error;

use crate::i18n::{Lang, Localized};
use crate::ledger::LedgerError;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("the district server cannot be reached ({0})")]
    Offline(String),
    #[error("the district server had a problem (HTTP {status})")]
    Server { status: u16 },
    #[error("this device is not enrolled or its token was refused")]
    Unauthorized,
    #[error("the district server refused the request (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the district server gave an answer that makes no sense: {0}")]
    BadAnswer(String),
    #[error("a single record is larger than the server accepts")]
    RecordTooLarge,
    #[error("this device has no server address or token yet")]
    NotEnrolled,
    #[error("local ledger: {0}")]
    Ledger(#[from] LedgerError),
    #[error("the local ledger is unavailable (a previous operation crashed)")]
    LedgerPoisoned,
    /// Plain HTTP to another machine (anyone on the network could read and change it).
    #[error("refusing plain HTTP to {0}: use https:// (plain http:// only to this device itself)")]
    Insecure(String),
    /// An answer that is not signed by this district (or a district key that does not match the
    /// enrollment QR): nothing from it was applied.
    #[error("untrusted answer, nothing applied: {0}")]
    Untrusted(#[from] crate::signed::TrustError),
    /// The district switched this device off (the notice is checked against the pinned root key
    /// before the phone acts on it).
    #[error("this device has been disabled by the district; gate screens are locked")]
    Disabled(Box<crate::protocol::DisabledNotice>),
}

impl SyncError {
    /// Whether the server answered: `Some(false)` when no contact was made (unreachable, no
    /// address, plain HTTP refused), `Some(true)` when it answered (even with an error), `None`
    /// for errors on this phone that say nothing about the server.
    pub fn reached_server(&self) -> Option<bool> {
        match self {
            Self::Offline(_) | Self::NotEnrolled | Self::Insecure(_) => Some(false),
            Self::Server { .. }
            | Self::Unauthorized
            | Self::Refused { .. }
            | Self::BadAnswer(_)
            | Self::RecordTooLarge
            | Self::Untrusted(_)
            | Self::Disabled(_) => Some(true),
            Self::Ledger(_) | Self::LedgerPoisoned => None,
        }
    }

    /// Permanent errors need a person (re-enroll, update the app); retrying soon will not help.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Self::Unauthorized
                | Self::Disabled(_)
                | Self::NotEnrolled
                | Self::RecordTooLarge
                | Self::LedgerPoisoned
                | Self::Insecure(_)
        )
    }
}

impl From<reqwest::Error> for SyncError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_decode() || e.is_body() {
            Self::BadAnswer(e.to_string())
        } else {
            Self::Offline(e.to_string())
        }
    }
}

impl Localized for SyncError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Self::Offline(_) => "无法连接区级服务器（离线）".into(),
                Self::Server { status } => format!("区级服务器出错（HTTP {status}），稍后自动重试"),
                Self::Unauthorized => "本机未登记或登记已失效，请重新登记".into(),
                Self::Refused { status, .. } => format!("区级服务器拒绝了请求（HTTP {status}）"),
                Self::BadAnswer(_) => "区级服务器返回了无法识别的应答，稍后自动重试".into(),
                Self::RecordTooLarge => "有一条记录超过服务器允许的大小".into(),
                Self::NotEnrolled => "本机尚未登记到区级服务器".into(),
                Self::Ledger(e) => e.message(Lang::ZhCn),
                Self::LedgerPoisoned => "本机记录库不可用，请重启应用".into(),
                Self::Insecure(_) => "只能通过 https:// 连接区级服务器（http:// 仅限本机）".into(),
                Self::Untrusted(e) => format!("应答不可信，未采用：{}", e.message(Lang::ZhCn)),
                Self::Disabled(_) => "本机已被街道停用，卡口界面已锁定".into(),
            },
        }
    }
}
