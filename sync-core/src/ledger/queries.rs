//! The queries the gate UI needs: a day's counts, visitors inside now, search, and filtered record lists.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::passages::{decode, passage_from_row};
use super::{Ledger, LedgerError};
use crate::domain::{Direction, Passage, SubjectKind};
use crate::validate::normalise_plate;

/// Admitted crossings in and out for one subject kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KindCounts {
    pub r#in: u64,
    pub out: u64,
}

/// A day's admitted crossings by kind, and denied attempts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayCounts {
    pub resident: KindCounts,
    pub vehicle: KindCounts,
    pub visitor: KindCounts,
    #[serde(default)]
    pub staff: KindCounts,
    pub denied: u64,
}

impl DayCounts {
    pub fn kind(&self, kind: SubjectKind) -> KindCounts {
        match kind {
            SubjectKind::Resident => self.resident,
            SubjectKind::Vehicle => self.vehicle,
            SubjectKind::Visitor => self.visitor,
            SubjectKind::Staff => self.staff,
        }
    }

    fn kind_mut(&mut self, kind: SubjectKind) -> &mut KindCounts {
        match kind {
            SubjectKind::Resident => &mut self.resident,
            SubjectKind::Vehicle => &mut self.vehicle,
            SubjectKind::Visitor => &mut self.visitor,
            SubjectKind::Staff => &mut self.staff,
        }
    }

    pub fn total_in(&self) -> u64 {
        self.resident.r#in + self.vehicle.r#in + self.visitor.r#in + self.staff.r#in
    }

    pub fn total_out(&self) -> u64 {
        self.resident.out + self.vehicle.out + self.visitor.out + self.staff.out
    }
}

/// Which records to list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kind: Option<SubjectKind>,
    pub direction: Option<Direction>,
    /// Plate, part of a name, or the last 4 characters of an ID number.
    pub text: Option<String>,
    pub limit: usize,
}

impl Ledger {
    /// Counts of passages recorded in `[from, until)`.
    pub fn day_counts(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<DayCounts, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, direction, verdict, COUNT(*) FROM passages
             WHERE recorded_ms >= ?1 AND recorded_ms < ?2
             GROUP BY kind, direction, verdict",
        )?;
        let mut rows = stmt.query(params![from.timestamp_millis(), until.timestamp_millis()])?;
        let mut counts = DayCounts::default();
        while let Some(row) = rows.next()? {
            let kind: String = row.get(0)?;
            let direction: String = row.get(1)?;
            let verdict: String = row.get(2)?;
            let n = row.get::<_, i64>(3)? as u64;
            if verdict != "admitted" {
                counts.denied += n;
                continue;
            }
            let Some(kind) = SubjectKind::parse(&kind) else {
                continue;
            };
            match Direction::parse(&direction) {
                Some(Direction::In) => counts.kind_mut(kind).r#in += n,
                Some(Direction::Out) => counts.kind_mut(kind).out += n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Visitors whose latest admitted passage is "in": they are inside now.
    pub fn visitors_inside(&self) -> Result<Vec<Passage>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.body, p.prev_hash, p.hash FROM passages p
             WHERE p.kind = 'visitor' AND p.verdict = 'admitted' AND p.direction = 'in'
               AND p.seq = (SELECT MAX(q.seq) FROM passages q
                            WHERE q.subject_key = p.subject_key AND q.kind = 'visitor'
                              AND q.verdict = 'admitted')
             ORDER BY p.seq DESC",
        )?;
        let rows = stmt.query_map([], passage_from_row)?;
        rows.map(|r| decode(r?)).collect()
    }

    /// The latest admitted passage of a subject, if any (for the duplicate-scan window).
    pub fn latest_for_subject(&self, subject_key: &str) -> Result<Option<Passage>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body, prev_hash, hash FROM passages
             WHERE subject_key = ?1 AND verdict = 'admitted' ORDER BY seq DESC LIMIT 1",
        )?;
        let mut rows = stmt.query_map([subject_key], passage_from_row)?;
        rows.next().transpose()?.map(decode).transpose()
    }

    /// Records matching the filter, newest first.
    pub fn records(&self, filter: &RecordFilter) -> Result<Vec<Passage>, LedgerError> {
        let mut sql = String::from("SELECT body, prev_hash, hash FROM passages WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut push = |clause: &str, v: rusqlite::types::Value, sql: &mut String| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(from) = filter.from {
            push(
                " AND recorded_ms >= ?",
                from.timestamp_millis().into(),
                &mut sql,
            );
        }
        if let Some(until) = filter.until {
            push(
                " AND recorded_ms < ?",
                until.timestamp_millis().into(),
                &mut sql,
            );
        }
        if let Some(kind) = filter.kind {
            push(" AND kind = ?", kind.as_str().to_owned().into(), &mut sql);
        }
        if let Some(direction) = filter.direction {
            push(
                " AND direction = ?",
                direction.as_str().to_owned().into(),
                &mut sql,
            );
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let plate = normalise_plate(text);
            push(
                " AND (plate LIKE ?",
                format!("%{}%", escape_like(&plate)).into(),
                &mut sql,
            );
            sql.push_str(" ESCAPE '\\'");
            push(
                " OR name LIKE ?",
                format!("%{}%", escape_like(text)).into(),
                &mut sql,
            );
            sql.push_str(" ESCAPE '\\'");
            push(" OR id_tail = ?)", text.to_uppercase().into(), &mut sql);
        }
        let limit = if filter.limit == 0 { 200 } else { filter.limit };
        push(
            " ORDER BY seq DESC LIMIT ?",
            (limit as i64).into(),
            &mut sql,
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), passage_from_row)?;
        rows.map(|r| decode(r?)).collect()
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
