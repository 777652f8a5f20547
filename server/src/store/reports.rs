//! The record facts the dashboard and the daily report are computed from (no numbers are stored).

use super::{DbError, Row, Store};

/// The countable facts of one stored passage (no names, phones or ID numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct PassageFacts {
    pub checkpoint_id: String,
    pub device_id: String,
    pub direction: String,
    pub subject_kind: String,
    pub verdict: String,
    pub deny_reason: Option<String>,
    pub temperature_c: Option<f64>,
    pub recorded_at_ms: i64,
}

/// A subject's last admitted crossing: where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub subject_kind: String,
    pub direction: String,
    pub checkpoint_id: String,
    pub recorded_at_ms: i64,
}

const COMPOUND_FILTER: &str =
    "($3 = '' OR checkpoint_id IN (SELECT id FROM checkpoints WHERE compound_id = $3))";

fn facts(r: &Row) -> Result<PassageFacts, DbError> {
    Ok(PassageFacts {
        checkpoint_id: r.text(0)?,
        device_id: r.text(1)?,
        direction: r.text(2)?,
        subject_kind: r.text(3)?,
        verdict: r.text(4)?,
        deny_reason: r.opt_text(5)?,
        temperature_c: r.real(6)?,
        recorded_at_ms: r.int(7)?,
    })
}

impl Store {
    /// Facts of every passage recorded in `[from_ms, to_ms)`, for one compound or (`""`) all.
    pub async fn passage_facts(
        &self,
        from_ms: i64,
        to_ms: i64,
        compound_id: &str,
    ) -> Result<Vec<PassageFacts>, DbError> {
        self.rows(
            &format!(
                "SELECT checkpoint_id, device_id, direction, subject_kind, verdict, deny_reason,
                        temperature_c, recorded_at_ms
                 FROM passages WHERE recorded_at_ms >= $1 AND recorded_at_ms < $2 AND {COMPOUND_FILTER}
                 ORDER BY recorded_at_ms"
            ),
            vec![from_ms.into(), to_ms.into(), compound_id.into()],
        )
        .await?
        .iter()
        .map(facts)
        .collect()
    }

    /// Each subject's last admitted crossing in `[since_ms, until_ms)`.
    pub async fn presence(
        &self,
        since_ms: i64,
        until_ms: i64,
        compound_id: &str,
    ) -> Result<Vec<Presence>, DbError> {
        self.rows(
            &format!(
                "SELECT subject_kind, direction, checkpoint_id, recorded_at_ms FROM (
                   SELECT subject_kind, direction, checkpoint_id, recorded_at_ms,
                          ROW_NUMBER() OVER (PARTITION BY subject_key ORDER BY recorded_at_ms DESC, pk DESC) AS rn
                   FROM passages
                   WHERE verdict = 'admitted' AND recorded_at_ms >= $1 AND recorded_at_ms < $2
                     AND {COMPOUND_FILTER}
                 ) last_crossing WHERE rn = 1"
            ),
            vec![since_ms.into(), until_ms.into(), compound_id.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Presence {
                subject_kind: r.text(0)?,
                direction: r.text(1)?,
                checkpoint_id: r.text(2)?,
                recorded_at_ms: r.int(3)?,
            })
        })
        .collect()
    }
}
