//! The two UI languages and the trait for messages shown to people (staff, visitors, officers).

use serde::{Deserialize, Serialize};

/// A UI language. Simplified Chinese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "zh-CN" | "zh" | "zh-cn" => Some(Self::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Self::En),
            _ => None,
        }
    }
}

/// Something with a short message for people, in either language.
pub trait Localized {
    fn message(&self, lang: Lang) -> String;

    fn zh(&self) -> String {
        self.message(Lang::ZhCn)
    }

    fn en(&self) -> String {
        self.message(Lang::En)
    }
}
