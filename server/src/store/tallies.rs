//! The day's passages counted per checkpoint, hour, direction and outcome for the dashboard: from
//! the hourly rollup (`passage_hours`, migration 0027, kept by a trigger at every insert) when the
//! period starts on a whole UTC hour, else from the passages; and the fever cases counted by the
//! partial index on warm readings.

use sync_core::Direction;

use super::reports::COMPOUND_FILTER;
use super::{DbError, FromRow, Row, Store};

/// The passages of one checkpoint, hour (from the period's start), direction and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourTally {
    pub checkpoint_id: String,
    /// Whole hours since the period's start.
    pub hour: i64,
    pub direction: Direction,
    pub admitted: bool,
    pub passages: i64,
    /// People carried by the vehicles among them.
    pub occupants: i64,
}

impl FromRow for HourTally {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            checkpoint_id: r.get(0)?,
            hour: r.get(1)?,
            direction: r.get(2)?,
            admitted: r.get::<i64>(3)? == 1,
            passages: r.get(4)?,
            occupants: r.get(5)?,
        })
    }
}

const HOUR_MS: i64 = 3_600_000;

/// The lowest threshold the partial index `passages_warm` covers.
const WARM_C: f64 = 37.0;

/// `AND` the warm-reading predicate of the partial index (on alias `p`) when the threshold is at or
/// over it, so the database may read the fever cases by that index.
pub(super) fn warm(threshold_c: f64) -> &'static str {
    if threshold_c >= WARM_C {
        "AND (p.deny_reason = 'fever' OR p.temperature_c >= 37.0)"
    } else {
        ""
    }
}

impl Store {
    /// The passages of `[from_ms, to_ms)` (corrected time) counted per checkpoint, hour,
    /// direction and outcome, for one compound or (`""`) all.
    pub async fn hour_tallies(
        &self,
        from_ms: i64,
        to_ms: i64,
        compound_id: &str,
    ) -> Result<Vec<HourTally>, DbError> {
        let sql = if from_ms % HOUR_MS == 0 {
            format!(
                "SELECT checkpoint_id, (hour_ms - $1) / {HOUR_MS}, direction,
                        CASE WHEN verdict = 'admitted' THEN 1 ELSE 0 END, CAST(SUM(passages) AS BIGINT),
                        CAST(SUM(occupants) AS BIGINT)
                 FROM passage_hours WHERE hour_ms >= $1 AND hour_ms < $2 AND {COMPOUND_FILTER}
                 GROUP BY 1, 2, 3, 4"
            )
        } else {
            format!(
                "SELECT checkpoint_id, (corrected_at_ms - $1) / {HOUR_MS}, direction,
                        CASE WHEN verdict = 'admitted' THEN 1 ELSE 0 END, COUNT(*),
                        CAST(COALESCE(SUM(occupants), 0) AS BIGINT)
                 FROM passages WHERE corrected_at_ms >= $1 AND corrected_at_ms < $2
                   AND {COMPOUND_FILTER}
                 GROUP BY 1, 2, 3, 4"
            )
        };
        self.query_as(&sql, vec![from_ms.into(), to_ms.into(), compound_id.into()])
            .await
    }

    /// Passages of `[from_ms, to_ms)` denied for fever or measured at or over `threshold_c`.
    pub async fn fever_count(
        &self,
        from_ms: i64,
        to_ms: i64,
        compound_id: &str,
        threshold_c: f64,
    ) -> Result<i64, DbError> {
        self.count(
            &format!(
                "SELECT COUNT(*) FROM passages p WHERE corrected_at_ms >= $1 AND corrected_at_ms < $2
                   AND (p.deny_reason = 'fever' OR p.temperature_c >= $4) {} AND {COMPOUND_FILTER}",
                warm(threshold_c)
            ),
            vec![
                from_ms.into(),
                to_ms.into(),
                compound_id.into(),
                (threshold_c - 1e-6).into(),
            ],
        )
        .await
    }
}
