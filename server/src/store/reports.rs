//! The record facts the dashboard and the daily report are computed from (no numbers are stored).
//! Every time here is the corrected time (`corrected_at_ms`: the device's clock reading corrected
//! by the offset it reported), so a record lands in the hour and day it really happened.

use sync_core::{Direction, SubjectKind, Verdict};

use super::{DbError, FromRow, Row, Store};

/// The countable facts of one stored passage (no names, phones or ID numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct PassageFacts {
    pub checkpoint_id: String,
    pub device_id: String,
    pub direction: Direction,
    pub subject_kind: SubjectKind,
    /// The outcome, with the deny reason when denied.
    pub verdict: Verdict,
    pub temperature_c: Option<f64>,
    /// When it happened on the server's clock (the device time when its offset was unknown).
    pub corrected_at_ms: i64,
    /// The device reported its clock offset with the record.
    pub offset_known: bool,
    /// The people in a vehicle (0 for other subjects).
    pub occupants: u64,
}

/// A subject's last admitted crossing: where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub subject_kind: SubjectKind,
    pub direction: Direction,
    pub checkpoint_id: String,
    pub corrected_at_ms: i64,
}

pub(super) const COMPOUND_FILTER: &str =
    "($3 = '' OR checkpoint_id IN (SELECT id FROM checkpoints WHERE compound_id = $3))";

impl FromRow for PassageFacts {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            checkpoint_id: r.get(0)?,
            device_id: r.get(1)?,
            direction: r.get(2)?,
            subject_kind: r.get(3)?,
            verdict: r.verdict(4)?,
            temperature_c: r.get(6)?,
            corrected_at_ms: r.get(7)?,
            offset_known: r.get(8)?,
            occupants: u64::try_from(r.get::<i64>(9)?).unwrap_or(0),
        })
    }
}

impl FromRow for Presence {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            subject_kind: r.get(0)?,
            direction: r.get(1)?,
            checkpoint_id: r.get(2)?,
            corrected_at_ms: r.get(3)?,
        })
    }
}

impl Store {
    /// Facts of every passage that happened in `[from_ms, to_ms)` (corrected time), for one
    /// compound or (`""`) all.
    pub async fn passage_facts(
        &self,
        from_ms: i64,
        to_ms: i64,
        compound_id: &str,
    ) -> Result<Vec<PassageFacts>, DbError> {
        self.query_as(
            &format!(
                "SELECT checkpoint_id, device_id, direction, subject_kind, verdict, deny_reason,
                        temperature_c, corrected_at_ms, offset_known, occupants
                 FROM passages WHERE corrected_at_ms >= $1 AND corrected_at_ms < $2
                   AND {COMPOUND_FILTER}
                 ORDER BY corrected_at_ms"
            ),
            vec![from_ms.into(), to_ms.into(), compound_id.into()],
        )
        .await
    }

    /// Each subject's last admitted crossing in `[since_ms, until_ms)` (corrected time).
    pub async fn presence(
        &self,
        since_ms: i64,
        until_ms: i64,
        compound_id: &str,
    ) -> Result<Vec<Presence>, DbError> {
        self.query_as(
            &format!(
                "SELECT subject_kind, direction, checkpoint_id, corrected_at_ms FROM (
                   SELECT subject_kind, direction, checkpoint_id, corrected_at_ms,
                          ROW_NUMBER() OVER (PARTITION BY subject_key ORDER BY corrected_at_ms DESC, pk DESC) AS rn
                   FROM passages
                   WHERE verdict = 'admitted' AND corrected_at_ms >= $1 AND corrected_at_ms < $2
                     AND {COMPOUND_FILTER}
                 ) last_crossing WHERE rn = 1"
            ),
            vec![since_ms.into(), until_ms.into(), compound_id.into()],
        )
        .await
    }
}
