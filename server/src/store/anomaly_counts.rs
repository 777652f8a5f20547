//! The dashboard's anomaly counts per compound and day (migration 0025), recounted in the
//! background and read by the dashboard as one small row per compound.

use serde::{Deserialize, Serialize};

use super::anomalies::Anomalies;
use super::{DbError, Store};

/// How many rows each anomaly rule found for one compound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyCounts {
    pub fever: usize,
    pub frequent_exits: usize,
    pub over_quota: usize,
    pub unseen: usize,
    pub busy_households: usize,
    pub visitors_overnight: usize,
}

impl AnomalyCounts {
    pub fn total(&self) -> usize {
        self.fever
            + self.frequent_exits
            + self.over_quota
            + self.unseen
            + self.busy_households
            + self.visitors_overnight
    }
}

impl From<&Anomalies> for AnomalyCounts {
    fn from(a: &Anomalies) -> Self {
        Self {
            fever: a.fever.len(),
            frequent_exits: a.frequent_exits.len(),
            over_quota: a.over_quota.len(),
            unseen: a.unseen.len(),
            busy_households: a.busy_households.len(),
            visitors_overnight: a.visitors_overnight.len(),
        }
    }
}

/// One compound's counts as stored: the day they are of and when they were counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCounts {
    pub compound_id: String,
    pub day: String,
    pub counts: AnomalyCounts,
    pub computed_at_ms: i64,
}

impl Store {
    /// The stored counts of every compound (of whatever day they were counted).
    pub async fn anomaly_counts(&self) -> Result<Vec<StoredCounts>, DbError> {
        let rows: Vec<(String, String, String, i64)> = self
            .query_as(
                "SELECT compound_id, day, counts, computed_at_ms FROM anomaly_counts ORDER BY compound_id",
                vec![],
            )
            .await?;
        rows.into_iter()
            .map(|(compound_id, day, json, computed_at_ms)| {
                let counts = serde_json::from_str(&json).map_err(|e| {
                    DbError::Invalid(format!("stored anomaly counts of {compound_id}: {e}"))
                })?;
                Ok(StoredCounts {
                    compound_id,
                    day,
                    counts,
                    computed_at_ms,
                })
            })
            .collect()
    }

    /// Replace the counts of these compounds, in one transaction.
    pub async fn save_anomaly_counts(&self, counted: &[StoredCounts]) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        for c in counted {
            let json =
                serde_json::to_string(&c.counts).map_err(|e| DbError::Invalid(e.to_string()))?;
            tx.execute(
                "INSERT INTO anomaly_counts (compound_id, day, counts, computed_at_ms)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (compound_id) DO UPDATE SET day = excluded.day,
                     counts = excluded.counts, computed_at_ms = excluded.computed_at_ms",
                vec![
                    c.compound_id.as_str().into(),
                    c.day.as_str().into(),
                    json.into(),
                    c.computed_at_ms.into(),
                ],
            )
            .await?;
        }
        tx.commit().await
    }
}
