//! Incidents reported from the gates: the list by status (urgent new ones first), handling
//! (new → in hand → closed, audited with who and when), and counts by category for the report.
//! The compound of an incident is its device's checkpoint's, not what the report claims.

use std::collections::HashMap;

use sync_core::i18n::Lang;
use sync_core::incident::IncidentCategory;

use super::changes::entry;
use super::{DbError, Stmt, Store};

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    New,
    InHand,
    Closed,
}

/// The one table of status words: stored word, zh-CN, en.
const STATUSES: [(IncidentStatus, &str, &str, &str); 3] = [
    (IncidentStatus::New, "new", "新上报", "New"),
    (IncidentStatus::InHand, "in_hand", "处理中", "In hand"),
    (IncidentStatus::Closed, "closed", "已办结", "Closed"),
];

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 3] = [Self::New, Self::InHand, Self::Closed];

    fn row(self) -> (IncidentStatus, &'static str, &'static str, &'static str) {
        STATUSES
            .into_iter()
            .find(|(s, ..)| *s == self)
            .unwrap_or(STATUSES[0])
    }

    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    pub fn parse(word: &str) -> Option<Self> {
        STATUSES
            .into_iter()
            .find(|(_, w, ..)| *w == word)
            .map(|(s, ..)| s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::ZhCn => self.row().2,
            Lang::En => self.row().3,
        }
    }

    /// The statuses an incident in this one may move to.
    pub fn next(self) -> &'static [IncidentStatus] {
        match self {
            Self::New => &[Self::InHand, Self::Closed],
            Self::InHand => &[Self::Closed],
            Self::Closed => &[],
        }
    }
}

/// One incident as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub entry_id: String,
    pub device_id: String,
    pub checkpoint_id: String,
    pub compound_id: String,
    pub category: IncidentCategory,
    pub urgent: bool,
    pub note: String,
    pub staff: String,
    pub corrected_at_ms: i64,
    pub status: IncidentStatus,
    pub handled_by: Option<String>,
    pub handled_at_ms: Option<i64>,
    pub handling_note: String,
    pub photos: Vec<String>,
}

/// Which incidents to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct IncidentFilter<'a> {
    pub compound: Option<&'a str>,
    pub status: Option<IncidentStatus>,
    pub urgent_only: bool,
}

/// The most a list shows.
const LIST_LIMIT: i64 = 500;

type Raw = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    String,
);

impl Store {
    /// Incidents, new before in hand before closed, urgent first, newest first.
    pub async fn incidents(&self, f: IncidentFilter<'_>) -> Result<Vec<IncidentRow>, DbError> {
        let rows: Vec<Raw> = self
            .query_as(
                "SELECT i.entry_id, i.device_id, d.checkpoint_id, cp.compound_id, i.category,
                 i.urgent, i.note, i.staff, i.corrected_at_ms, i.status, i.handled_by,
                 i.handled_at_ms, i.handling_note
                 FROM incidents i JOIN devices d ON d.device_id = i.device_id
                 JOIN checkpoints cp ON cp.id = d.checkpoint_id
                 WHERE ($1 = '' OR cp.compound_id = $1) AND ($2 = '' OR i.status = $2)
                   AND ($3 = 0 OR i.urgent = 1)
                 ORDER BY CASE i.status WHEN 'new' THEN 0 WHEN 'in_hand' THEN 1 ELSE 2 END,
                   i.urgent DESC, i.corrected_at_ms DESC
                 LIMIT $4",
                vec![
                    f.compound.unwrap_or("").into(),
                    f.status.map_or("", IncidentStatus::as_str).into(),
                    i64::from(f.urgent_only).into(),
                    LIST_LIMIT.into(),
                ],
            )
            .await?;
        let mut photos = self.photos_of_incidents(&rows).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (entry_id, device_id, checkpoint_id, compound_id, category, urgent) =
                (r.0, r.1, r.2, r.3, r.4, r.5);
            let category = IncidentCategory::parse(&category)
                .ok_or_else(|| DbError::Invalid(format!("incident category {category:?}")))?;
            let status = IncidentStatus::parse(&r.9)
                .ok_or_else(|| DbError::Invalid(format!("incident status {:?}", r.9)))?;
            out.push(IncidentRow {
                photos: photos.remove(&entry_id).unwrap_or_default(),
                entry_id,
                device_id,
                checkpoint_id,
                compound_id,
                category,
                urgent: urgent != 0,
                note: r.6,
                staff: r.7,
                corrected_at_ms: r.8,
                status,
                handled_by: r.10,
                handled_at_ms: r.11,
                handling_note: r.12,
            });
        }
        Ok(out)
    }

    /// The photos the listed incidents' entries named, by entry id: one query for the list.
    async fn photos_of_incidents(
        &self,
        rows: &[Raw],
    ) -> Result<HashMap<String, Vec<String>>, DbError> {
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
        let found: Vec<(String, String)> = self
            .query_as(
                &format!(
                    "SELECT entry_id, sha256 FROM entry_photos WHERE entry_id IN ({})
                     ORDER BY entry_id, sha256",
                    marks.join(", ")
                ),
                rows.iter().map(|r| r.0.as_str().into()).collect(),
            )
            .await?;
        let mut by_entry: HashMap<String, Vec<String>> = HashMap::new();
        for (entry_id, sha) in found {
            by_entry.entry(entry_id).or_default().push(sha);
        }
        Ok(by_entry)
    }

    /// How many incidents are new (the dashboard's tile).
    /// New incidents of one compound (by the reporting device's checkpoint, as the list has
    /// it), or of the district for `None`.
    pub async fn new_incident_count(&self, compound: Option<&str>) -> Result<i64, DbError> {
        self.count(
            "SELECT COUNT(*) FROM incidents i JOIN devices d ON d.device_id = i.device_id
             JOIN checkpoints cp ON cp.id = d.checkpoint_id
             WHERE i.status = 'new' AND ($1 = '' OR cp.compound_id = $1)",
            vec![compound.unwrap_or("").into()],
        )
        .await
    }

    /// Move an incident on (only forward: new → in hand → closed, or new → closed), audited
    /// with who and a note. False when it was not in a status that may move to `to`.
    pub async fn set_incident_status(
        &self,
        entry_id: &str,
        to: IncidentStatus,
        note: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let from: Vec<&str> = IncidentStatus::ALL
            .into_iter()
            .filter(|s| s.next().contains(&to))
            .map(IncidentStatus::as_str)
            .collect();
        let placeholders = (0..from.len())
            .map(|i| format!("${}", i + 6))
            .collect::<Vec<_>>()
            .join(", ");
        let mut params = vec![
            to.as_str().into(),
            actor.into(),
            now_ms.into(),
            note.into(),
            entry_id.into(),
        ];
        params.extend(from.iter().map(|s| (*s).into()));
        let change = Stmt::new(
            format!(
                "UPDATE incidents SET status = $1, handled_by = $2, handled_at_ms = $3,
                 handling_note = $4 WHERE entry_id = $5 AND status IN ({placeholders})"
            ),
            params,
        );
        let detail = format!("incident {entry_id} → {}: {note}", to.as_str());
        self.audited_change(change, entry(actor, now_ms, "incident", detail))
            .await
    }

    /// Incidents that happened in `[from_ms, to_ms)`, by category, in one compound or all.
    pub async fn incident_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
        compound: Option<&str>,
    ) -> Result<Vec<(IncidentCategory, u64)>, DbError> {
        let rows: Vec<(String, i64)> = self
            .query_as(
                "SELECT i.category, COUNT(*) FROM incidents i
                 JOIN devices d ON d.device_id = i.device_id
                 JOIN checkpoints cp ON cp.id = d.checkpoint_id
                 WHERE i.corrected_at_ms >= $1 AND i.corrected_at_ms < $2
                   AND ($3 = '' OR cp.compound_id = $3)
                 GROUP BY i.category",
                vec![from_ms.into(), to_ms.into(), compound.unwrap_or("").into()],
            )
            .await?;
        Ok(IncidentCategory::ALL
            .into_iter()
            .map(|c| {
                let n = rows
                    .iter()
                    .find(|(w, _)| w == c.as_str())
                    .map_or(0, |(_, n)| *n);
                (c, u64::try_from(n).unwrap_or(0))
            })
            .collect())
    }
}
