//! Notices down to the gates (上传下达): what the district publishes (versioned, targeted, with a
//! priority and the time it is in force), travelling to the phones in the signed checkpoint
//! config; the phone's board of the newest version of each; and the body of a `notice_ack`
//! journal entry, the read receipt the staff on duty gives with one tap.
//!
//! A new version must be read again: a receipt names the version it is for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// How a notice reaches the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticePriority {
    /// A banner on the scan screen.
    Normal,
    /// Takes the screen until the staff on duty acknowledges it.
    Urgent,
}

impl NoticePriority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Urgent => "urgent",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Normal, Self::Urgent]
            .into_iter()
            .find(|p| p.as_str() == word)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Normal, Lang::ZhCn) => "普通",
            (Self::Normal, Lang::En) => "Normal",
            (Self::Urgent, Lang::ZhCn) => "紧急",
            (Self::Urgent, Lang::En) => "Urgent",
        }
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ids", rename_all = "snake_case")]
pub enum NoticeTarget {
    /// Every checkpoint of the district.
    District,
    /// Every checkpoint of these compounds.
    Compounds(Vec<String>),
    /// These checkpoints only.
    Checkpoints(Vec<String>),
}

impl NoticeTarget {
    /// Whether a checkpoint (of `compound_id`) is among those the notice is for.
    pub fn reaches(&self, checkpoint_id: &str, compound_id: &str) -> bool {
        match self {
            Self::District => true,
            Self::Compounds(ids) => ids.iter().any(|c| c == compound_id),
            Self::Checkpoints(ids) => ids.iter().any(|c| c == checkpoint_id),
        }
    }

    /// The stored word of the target's kind.
    pub fn kind_word(&self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Compounds(_) => "compounds",
            Self::Checkpoints(_) => "checkpoints",
        }
    }

    pub fn ids(&self) -> &[String] {
        match self {
            Self::District => &[],
            Self::Compounds(ids) | Self::Checkpoints(ids) => ids,
        }
    }

    /// Rebuild from the stored word and ids; `None` for an unknown word, or a list that names nobody.
    pub fn from_parts(kind: &str, ids: Vec<String>) -> Option<Self> {
        match kind {
            "district" => Some(Self::District),
            "compounds" if !ids.is_empty() => Some(Self::Compounds(ids)),
            "checkpoints" if !ids.is_empty() => Some(Self::Checkpoints(ids)),
            _ => None,
        }
    }
}

/// One version of a notice, as the phones get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub notice_id: String,
    /// Grows by one with every edit.
    pub version: u32,
    pub title: String,
    /// Plain text or Markdown (rendered with raw HTML shown as text).
    pub body: String,
    pub priority: NoticePriority,
    pub effective_from: DateTime<Utc>,
    /// None: until withdrawn.
    pub effective_until: Option<DateTime<Utc>>,
    /// When this version was saved.
    pub published_at: DateTime<Utc>,
}

impl Notice {
    /// Whether the notice is in force at `now`.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.effective_from <= now && self.effective_until.is_none_or(|until| now < until)
    }

    pub fn is_urgent(&self) -> bool {
        self.priority == NoticePriority::Urgent
    }
}

/// The body of a `notice_ack` journal entry: the staff on duty (the entry's envelope) read this
/// version of this notice at this checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAckData {
    pub notice_id: String,
    pub version: u32,
    pub checkpoint_id: String,
}

/// Why a notice cannot be acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("notice {notice_id} version {version} was never sent to this gate")]
    NeverSent { notice_id: String, version: u32 },
}

impl crate::i18n::Localized for NoticeError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::NeverSent { .. }, Lang::ZhCn) => "本机未收到该通知，不能确认".into(),
        }
    }
}

/// The notices a phone holds: the newest version of each, from its last config pull.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeBoard {
    notices: Vec<Notice>,
}

impl NoticeBoard {
    /// The board of a pulled list: one entry per notice, its newest version (a list that names a
    /// notice twice, or an older version after a newer one, still gives one notice), newest first.
    pub fn from_pulled(pulled: &[Notice]) -> Self {
        let mut newest: HashMap<&str, &Notice> = HashMap::new();
        for n in pulled {
            let keep = newest
                .get(n.notice_id.as_str())
                .is_none_or(|held| held.version < n.version);
            if keep {
                newest.insert(&n.notice_id, n);
            }
        }
        let mut notices: Vec<Notice> = newest.into_values().cloned().collect();
        notices.sort_by(|a, b| (b.published_at, &b.notice_id).cmp(&(a.published_at, &a.notice_id)));
        Self { notices }
    }

    /// Every notice held, newest first.
    pub fn all(&self) -> &[Notice] {
        &self.notices
    }

    /// The notices in force at `now` that `is_read` says are not read yet: urgent ones first,
    /// then newest first.
    pub fn unread(&self, now: DateTime<Utc>, is_read: impl Fn(&Notice) -> bool) -> Vec<&Notice> {
        let mut out: Vec<&Notice> = self
            .notices
            .iter()
            .filter(|n| n.in_force(now) && !is_read(n))
            .collect();
        out.sort_by_key(|n| !n.is_urgent());
        out
    }

    /// The receipt for a notice on this board; one the phone never got is refused.
    pub fn ack(
        &self,
        notice_id: &str,
        version: u32,
        checkpoint_id: &str,
    ) -> Result<NoticeAckData, NoticeError> {
        let held = self
            .notices
            .iter()
            .any(|n| n.notice_id == notice_id && n.version == version);
        if !held {
            return Err(NoticeError::NeverSent {
                notice_id: notice_id.to_owned(),
                version,
            });
        }
        Ok(NoticeAckData {
            notice_id: notice_id.to_owned(),
            version,
            checkpoint_id: checkpoint_id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0)
            .single()
            .expect("valid")
    }

    fn notice(id: &str, version: u32, priority: NoticePriority, published: u32) -> Notice {
        Notice {
            notice_id: id.into(),
            version,
            title: format!("{id} v{version}"),
            body: "正文".into(),
            priority,
            effective_from: at(published),
            effective_until: None,
            published_at: at(published),
        }
    }

    #[test]
    fn a_notice_pulled_twice_or_out_of_order_is_one_notice_at_its_newest_version() {
        let pulled = [
            notice("a", 2, NoticePriority::Normal, 9),
            notice("a", 1, NoticePriority::Normal, 8),
            notice("a", 2, NoticePriority::Normal, 9),
            notice("b", 1, NoticePriority::Normal, 10),
        ];
        let board = NoticeBoard::from_pulled(&pulled);
        let held: Vec<(&str, u32)> = board
            .all()
            .iter()
            .map(|n| (n.notice_id.as_str(), n.version))
            .collect();
        assert_eq!(held, [("b", 1), ("a", 2)]);
    }

    #[test]
    fn unread_puts_urgent_first_and_leaves_out_what_is_read_or_not_in_force() {
        let mut later = notice("later", 1, NoticePriority::Urgent, 9);
        later.effective_from = at(20);
        let mut over = notice("over", 1, NoticePriority::Normal, 6);
        over.effective_until = Some(at(7));
        let board = NoticeBoard::from_pulled(&[
            notice("plain", 1, NoticePriority::Normal, 11),
            notice("alarm", 1, NoticePriority::Urgent, 8),
            notice("read", 1, NoticePriority::Urgent, 9),
            later,
            over,
        ]);
        let unread: Vec<&str> = board
            .unread(at(12), |n| n.notice_id == "read")
            .iter()
            .map(|n| n.notice_id.as_str())
            .collect();
        assert_eq!(unread, ["alarm", "plain"]);
        let until = at(7);
        assert!(
            !board.all()[4].in_force(until)
                && board.all()[4].in_force(until - Duration::seconds(1))
        );
    }

    #[test]
    fn only_a_version_the_phone_holds_can_be_acknowledged() {
        let board = NoticeBoard::from_pulled(&[notice("a", 2, NoticePriority::Normal, 9)]);
        let ack = board.ack("a", 2, "cp-1").expect("held");
        assert_eq!((ack.version, ack.checkpoint_id.as_str()), (2, "cp-1"));
        assert_eq!(
            board.ack("a", 1, "cp-1"),
            Err(NoticeError::NeverSent {
                notice_id: "a".into(),
                version: 1
            })
        );
        assert!(board.ack("ghost", 1, "cp-1").is_err());
    }

    #[test]
    fn targets_reach_the_district_a_compound_or_a_checkpoint() {
        assert!(NoticeTarget::District.reaches("cp", "c1"));
        let compounds = NoticeTarget::Compounds(vec!["c1".into()]);
        assert!(compounds.reaches("cp", "c1") && !compounds.reaches("cp", "c2"));
        let checkpoints = NoticeTarget::Checkpoints(vec!["cp-2".into()]);
        assert!(checkpoints.reaches("cp-2", "c1") && !checkpoints.reaches("cp-1", "c1"));
        assert_eq!(NoticeTarget::from_parts("compounds", vec![]), None);
        assert_eq!(
            NoticeTarget::from_parts(checkpoints.kind_word(), checkpoints.ids().to_vec()),
            Some(checkpoints)
        );
        assert_eq!(
            NoticeTarget::from_parts("district", vec![]),
            Some(NoticeTarget::District)
        );
    }
}
