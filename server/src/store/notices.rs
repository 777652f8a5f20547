//! Notices down to the gates: each save is a new version (audited in its transaction); a
//! checkpoint's phones get the newest version of every notice that reaches them and is not over or
//! withdrawn; read receipts come up as `notice_ack` entries (facts in `notice_acks`); checkpoints
//! that have not acknowledged an in-force notice after a while are overdue.

use std::collections::HashSet;

use chrono::DateTime;
use sync_core::notice::{Notice, NoticePriority, NoticeTarget};

use super::changes::{audit_in, entry};
use super::value::placeholders;
use super::{Checkpoint, DbError, FromRow, JsonList, Row, Store, Val};

/// What an administrator saves; the version is the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEdit {
    pub notice_id: String,
    pub title: String,
    pub body: String,
    pub priority: NoticePriority,
    pub target: NoticeTarget,
    pub effective_from_ms: i64,
    pub effective_until_ms: Option<i64>,
    pub retired: bool,
}

/// One stored version with what only the server keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    pub notice: Notice,
    pub target: NoticeTarget,
    pub retired: bool,
    pub published_by: String,
}

impl NoticeRecord {
    /// On the phones of `cp` at `now_ms`: targeted there, not withdrawn, not over.
    fn sent_to(&self, cp: &Checkpoint, now_ms: i64) -> bool {
        let over = self
            .notice
            .effective_until
            .is_some_and(|until| until.timestamp_millis() <= now_ms);
        !self.retired && !over && self.target.reaches(&cp.id, &cp.compound_id)
    }
}

const COLUMNS: &str = "notice_id, version, title, body, priority, target_kind, target_ids,
    effective_from_ms, effective_until_ms, retired, published_by, published_at_ms";

fn time(ms: i64) -> Result<DateTime<chrono::Utc>, DbError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| DbError::Invalid(format!("time {ms} ms")))
}

impl FromRow for NoticeRecord {
    fn from_row(row: &Row) -> Result<Self, DbError> {
        let priority: String = row.get(4)?;
        let kind: String = row.get(5)?;
        let JsonList(ids) = row.get(6)?;
        let until: Option<i64> = row.get(8)?;
        let invalid = |what: &str| DbError::Invalid(format!("notice {what}"));
        Ok(Self {
            notice: Notice {
                notice_id: row.get(0)?,
                version: row.get(1)?,
                title: row.get(2)?,
                body: row.get(3)?,
                priority: NoticePriority::parse(&priority).ok_or_else(|| invalid("priority"))?,
                effective_from: time(row.get(7)?)?,
                effective_until: until.map(time).transpose()?,
                published_at: time(row.get(11)?)?,
            },
            target: NoticeTarget::from_parts(&kind, ids).ok_or_else(|| invalid("target"))?,
            retired: row.get(9)?,
            published_by: row.get(10)?,
        })
    }
}

/// One read receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub version: u32,
    pub checkpoint_id: String,
    pub device_id: String,
    pub staff: String,
    pub at_ms: i64,
}

/// A checkpoint that has not acknowledged an in-force notice in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub notice_id: String,
    pub title: String,
    pub urgent: bool,
    pub checkpoint_id: String,
    pub checkpoint_name: String,
    /// Since when the notice was there to read (the later of saved and in force).
    pub since_ms: i64,
}

impl Store {
    /// The newest version of every notice, newest first (withdrawn and over ones too).
    pub async fn notices(&self) -> Result<Vec<NoticeRecord>, DbError> {
        self.query_as(
            &format!(
                "SELECT {COLUMNS} FROM notices n WHERE n.version = (SELECT MAX(version)
                 FROM notices m WHERE m.notice_id = n.notice_id) ORDER BY published_at_ms DESC"
            ),
            vec![],
        )
        .await
    }

    /// Every version of one notice, newest first.
    pub async fn notice_versions(&self, notice_id: &str) -> Result<Vec<NoticeRecord>, DbError> {
        self.query_as(
            &format!("SELECT {COLUMNS} FROM notices WHERE notice_id = $1 ORDER BY version DESC"),
            vec![notice_id.into()],
        )
        .await
    }

    /// What a checkpoint's phones get with their config at `now_ms`.
    pub async fn notices_for(&self, cp: &Checkpoint, now_ms: i64) -> Result<Vec<Notice>, DbError> {
        Ok(self
            .notices()
            .await?
            .into_iter()
            .filter(|n| n.sent_to(cp, now_ms))
            .map(|n| n.notice)
            .collect())
    }

    /// Of `asked` (notice id, version), those that were ever published to checkpoint `cp`: a
    /// receipt for anything else is refused.
    pub async fn notices_sent(
        &self,
        cp: &Checkpoint,
        asked: &[(String, u32)],
    ) -> Result<HashSet<(String, u32)>, DbError> {
        if asked.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<Val> = asked.iter().map(|(id, _)| id.as_str().into()).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM notices WHERE notice_id IN ({})",
            placeholders(0, ids.len())
        );
        let versions: Vec<NoticeRecord> = self.query_as(&sql, ids).await?;
        Ok(versions
            .into_iter()
            .filter(|n| n.target.reaches(&cp.id, &cp.compound_id))
            .map(|n| (n.notice.notice_id, n.notice.version))
            .collect())
    }

    /// Save `edit` as the notice's next version (1 for a new one), audited. Returns the version.
    pub async fn save_notice(
        &self,
        edit: &NoticeEdit,
        actor: &str,
        now_ms: i64,
    ) -> Result<u32, DbError> {
        let mut tx = self.begin().await?;
        let version = tx
            .next_version("notices", "notice_id", &edit.notice_id)
            .await?;
        let ids = serde_json::to_string(edit.target.ids()).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO notices (notice_id, version, title, body, priority, target_kind,
             target_ids, effective_from_ms, effective_until_ms, retired, published_by,
             published_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                edit.notice_id.as_str().into(),
                version.into(),
                edit.title.as_str().into(),
                edit.body.as_str().into(),
                edit.priority.as_str().into(),
                edit.target.kind_word().into(),
                ids.into(),
                edit.effective_from_ms.into(),
                edit.effective_until_ms.into(),
                i64::from(edit.retired).into(),
                actor.into(),
                now_ms.into(),
            ],
        )
        .await?;
        let what = if edit.retired {
            "withdrawn"
        } else {
            "published"
        };
        let detail = format!(
            "notice {} v{version} {what} ({}, {}): {}",
            edit.notice_id,
            edit.priority.as_str(),
            edit.target.kind_word(),
            edit.title
        );
        audit_in(&mut tx, entry(actor, now_ms, "notice", detail)).await?;
        tx.commit().await?;
        Ok(u32::try_from(version).unwrap_or(u32::MAX))
    }

    /// Every receipt for one notice (all versions), oldest first.
    pub async fn notice_receipts(&self, notice_id: &str) -> Result<Vec<Receipt>, DbError> {
        let rows: Vec<(u32, String, String, String, i64)> = self
            .query_as(
                "SELECT version, checkpoint_id, device_id, staff, corrected_at_ms
                 FROM notice_acks WHERE notice_id = $1 ORDER BY corrected_at_ms, entry_id",
                vec![notice_id.into()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(version, checkpoint_id, device_id, staff, at_ms)| Receipt {
                    version,
                    checkpoint_id,
                    device_id,
                    staff,
                    at_ms,
                },
            )
            .collect())
    }

    /// Checkpoints that a notice in force reaches and that have not acknowledged its newest
    /// version `after_minutes` after it was there to read, most urgent and oldest first.
    pub async fn overdue_receipts(
        &self,
        now_ms: i64,
        after_minutes: i64,
    ) -> Result<Vec<Overdue>, DbError> {
        let checkpoints = self.checkpoints().await?;
        let acked: HashSet<(String, u32, String)> = self
            .query_as::<(String, u32, String)>(
                "SELECT DISTINCT notice_id, version, checkpoint_id FROM notice_acks",
                vec![],
            )
            .await?
            .into_iter()
            .collect();
        let mut out = Vec::new();
        for n in self.notices().await? {
            let since_ms = n
                .notice
                .effective_from
                .timestamp_millis()
                .max(n.notice.published_at.timestamp_millis());
            if now_ms - since_ms < after_minutes * 60_000 {
                continue;
            }
            for cp in checkpoints.iter().filter(|cp| n.sent_to(cp, now_ms)) {
                let key = (n.notice.notice_id.clone(), n.notice.version, cp.id.clone());
                if !acked.contains(&key) {
                    out.push(Overdue {
                        notice_id: n.notice.notice_id.clone(),
                        title: n.notice.title.clone(),
                        urgent: n.notice.is_urgent(),
                        checkpoint_id: cp.id.clone(),
                        checkpoint_name: cp.name.clone(),
                        since_ms,
                    });
                }
            }
        }
        out.sort_by_key(|o| (!o.urgent, o.since_ms));
        Ok(out)
    }
}
