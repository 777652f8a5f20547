//! The outcome of checking a pass, with its short staff message in zh-CN and en and its gate deny reason.

use serde::{Deserialize, Serialize};

use crate::domain::{DenyReason, Verdict};
use crate::i18n::{Lang, Localized};

/// What the gate concludes from a scanned code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum PassVerdict {
    Valid,
    Expired,
    NotYetValid,
    Revoked,
    /// A newer serial of the same pass id exists; this card is an old one.
    Superseded {
        newest_serial: u32,
    },
    /// Signed with a key this device does not hold (or outside that key's period).
    UnknownKey,
    BadSignature,
    WrongDistrict,
    /// A genuine pass of this district, for another compound (the pass names it).
    WrongCompound,
    /// Not a pass of ours, or damaged.
    Malformed,
}

impl PassVerdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }

    /// The reason recorded with a denied passage; `None` when valid.
    pub fn deny_reason(&self) -> Option<DenyReason> {
        Some(match self {
            Self::Valid => return None,
            Self::Expired => DenyReason::Expired,
            Self::NotYetValid => DenyReason::NotYetValid,
            Self::Revoked => DenyReason::Revoked,
            Self::Superseded { .. } => DenyReason::Superseded,
            Self::UnknownKey => DenyReason::UnknownKey,
            Self::BadSignature => DenyReason::BadSignature,
            Self::WrongDistrict => DenyReason::WrongDistrict,
            Self::WrongCompound => DenyReason::WrongCompound,
            Self::Malformed => DenyReason::Malformed,
        })
    }

    /// The gate verdict of a passage based on this pass alone (before temperature and staff checks).
    pub fn gate_verdict(&self) -> Verdict {
        match self.deny_reason() {
            None => Verdict::Admitted,
            Some(reason) => Verdict::Denied { reason },
        }
    }
}

impl Localized for PassVerdict {
    fn message(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            Self::Valid => ("有效，请通行", "Valid, let pass"),
            Self::Expired => ("通行证已过期", "Pass expired"),
            Self::NotYetValid => ("通行证尚未生效", "Pass not yet valid"),
            Self::Revoked => ("通行证已注销", "Pass revoked"),
            Self::Superseded { .. } => ("旧证：已补发新证", "Old card: a newer one was issued"),
            Self::UnknownKey => (
                "签发密钥未知，请同步",
                "Unknown issuer key, sync the device",
            ),
            Self::BadSignature => ("签名无效，疑似伪造", "Bad signature, possible forgery"),
            Self::WrongDistrict => ("非本街道通行证", "Pass of another district"),
            Self::WrongCompound => ("非本小区通行证", "Pass for another compound"),
            Self::Malformed => ("不是本系统的通行码", "Not a checkpoint pass code"),
        };
        match lang {
            Lang::ZhCn => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}
