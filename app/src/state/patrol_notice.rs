//! The patrol screen's words: every refusal, error and round summary it shows, in both languages.

use sync_core::i18n::{Lang, Localized};
use sync_core::patrol::{CheckError, PointError};

use super::recorded::Words;

/// What the screen tells staff: refusals, errors, and the end of a round. The one table of words.
#[derive(Debug, Clone, PartialEq)]
pub enum PatrolNotice {
    /// The label is not a real point of this compound (foreign, forged, unsigned, damaged).
    Point(PointError),
    /// A real point, but not on the route being walked (or on no route of this checkpoint).
    NotOnRoute {
        name: String,
        route: Option<String>,
    },
    /// The point just recorded was scanned again.
    AlreadyChecked {
        name: String,
    },
    Check(CheckError),
    /// The ledger refused the step: nothing was recorded.
    NotStored(Words),
    /// The photo could not be taken or kept.
    Photo(Words),
    /// A round is running: finish it before starting another.
    RoundActive,
    /// A round was finished and stored.
    Finished {
        route: String,
        checked: usize,
        missing: usize,
    },
}

impl PatrolNotice {
    /// Everything but a finished round is a refusal or an error.
    pub fn is_error(&self) -> bool {
        !matches!(self, Self::Finished { .. })
    }
}

impl Localized for PatrolNotice {
    fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        match self {
            Self::Point(e) => e.message(lang),
            Self::Check(e) => e.message(lang),
            Self::NotOnRoute {
                name,
                route: Some(r),
            } if zh => format!("巡查点「{name}」不在路线「{r}」上"),
            Self::NotOnRoute {
                name,
                route: Some(r),
            } => format!("Point \u{201c}{name}\u{201d} is not on route \u{201c}{r}\u{201d}"),
            Self::NotOnRoute { name, route: None } if zh => {
                format!("巡查点「{name}」不在本岗的任何路线上")
            }
            Self::NotOnRoute { name, route: None } => {
                format!("Point \u{201c}{name}\u{201d} is on no route of this checkpoint")
            }
            Self::AlreadyChecked { name } if zh => format!("「{name}」刚已记录，请扫下一个巡查点"),
            Self::AlreadyChecked { name } => {
                format!("\u{201c}{name}\u{201d} was just recorded: scan the next point")
            }
            Self::NotStored(w) if zh => format!("未保存，请重试：{}", w.zh),
            Self::NotStored(w) => format!("Not stored, try again: {}", w.en),
            Self::Photo(w) if zh => format!("照片未保存：{}", w.zh),
            Self::Photo(w) => format!("Photo not kept: {}", w.en),
            Self::RoundActive if zh => "请先结束当前这一轮".into(),
            Self::RoundActive => "Finish the round in progress first".into(),
            Self::Finished {
                route,
                checked,
                missing: 0,
            } if zh => format!("「{route}」本轮已完成，共 {checked} 个点"),
            Self::Finished {
                route,
                checked,
                missing: 0,
            } => format!("Round of \u{201c}{route}\u{201d} finished: {checked} points"),
            Self::Finished {
                route,
                checked,
                missing,
            } if zh => format!("「{route}」本轮已结束：已查 {checked} 个，漏查 {missing} 个"),
            Self::Finished {
                route,
                checked,
                missing,
            } => format!(
                "Round of \u{201c}{route}\u{201d} finished as partial: {checked} checked, {missing} missing"
            ),
        }
    }
}
