//! Where each subject is now (migration 0024's `presence` table): the counts behind the
//! dashboard's "residents out" and "visitors inside", and the list of who they are, read as one
//! row per subject instead of a window over every passage of the retention period. Ingest only
//! queues the admitted passages (a trigger appends their keys to `presence_queue`); every read
//! here first applies the queue ([`Store::settle_places`]), one applier at a time.

use std::collections::HashMap;

use super::records::{RecordRow, COLUMNS};
use super::{DbError, Store, Tx, Val};

/// The advisory lock (PostgreSQL) held while the queue is applied: one applier at a time, so two
/// never update the same places in different orders.
const SETTLE_LOCK: i64 = 0x00C4_EC9B_0002;
/// Queued passages applied per transaction.
const SETTLE_BATCH: i64 = 5_000;
/// Rows per statement when applying (six values each).
const UPSERT_CHUNK: usize = 500;

/// One queued passage: its key, and the crossing when it is still stored.
type Queued = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A subject's newest crossing among the queued ones.
struct Crossing {
    kind: String,
    direction: String,
    checkpoint_id: String,
    corrected_at_ms: i64,
    pk: i64,
}

/// A place a subject can be in, by its last admitted crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whereabouts {
    /// Residents whose last crossing was out.
    ResidentsOut,
    /// Visitors whose last crossing was in.
    VisitorsInside,
    /// Vehicles whose last crossing was in.
    VehiclesInside,
}

impl Whereabouts {
    pub const ALL: [Whereabouts; 3] = [
        Self::ResidentsOut,
        Self::VisitorsInside,
        Self::VehiclesInside,
    ];

    /// `(subject kind, direction)` of the last crossing.
    fn crossing(self) -> (&'static str, &'static str) {
        match self {
            Self::ResidentsOut => ("resident", "out"),
            Self::VisitorsInside => ("visitor", "in"),
            Self::VehiclesInside => ("vehicle", "in"),
        }
    }

    /// The word in URLs.
    pub fn word(self) -> &'static str {
        match self {
            Self::ResidentsOut => "residents-out",
            Self::VisitorsInside => "visitors-inside",
            Self::VehiclesInside => "vehicles-inside",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.word() == word)
    }
}

/// Which subjects: a place, where and when their last crossing was.
#[derive(Debug, Clone)]
pub struct PlaceQuery<'a> {
    pub place: Whereabouts,
    /// Crossings before this are too old to count (the retention period's start).
    pub since_ms: i64,
    /// Only crossings before this (`None`: any).
    pub before_ms: Option<i64>,
    /// The compounds (empty: the whole district).
    pub compounds: &'a [String],
    pub limit: i64,
}

/// `column IN (the compounds)` with the compounds bound from `$first` on, or `TRUE` for the whole
/// district (no compounds named).
pub(super) fn compound_in(column: &str, compounds: &[String], first: usize) -> String {
    if compounds.is_empty() {
        return "TRUE".to_owned();
    }
    let params: Vec<String> = (0..compounds.len())
        .map(|i| format!("${}", first + i))
        .collect();
    format!("{column} IN ({})", params.join(", "))
}

/// `checkpoint_id IN (the checkpoints of these compounds)`, as [`compound_in`].
pub(super) fn in_compounds(compounds: &[String], first: usize) -> String {
    if compounds.is_empty() {
        return "TRUE".to_owned();
    }
    format!(
        "checkpoint_id IN (SELECT id FROM checkpoints WHERE {})",
        compound_in("compound_id", compounds, first)
    )
}

impl Store {
    /// Apply the queued admitted passages to the places ("newer wins": the latest corrected
    /// time, then the later arrival), until the queue is empty. Returns how many were applied.
    pub async fn settle_places(&self) -> Result<u64, DbError> {
        if self.is_replica() {
            // A standby cannot write; it shows what the primary applied last (the anomaly
            // recount applies the queue every `anomaly_refresh_seconds`).
            return Ok(0);
        }
        let mut applied = 0;
        loop {
            let queued = self
                .count("SELECT COUNT(*) FROM presence_queue", vec![])
                .await?;
            if queued == 0 {
                return Ok(applied);
            }
            let mut tx = self.begin().await?;
            if self.kind() == "postgres" {
                tx.execute("SELECT pg_advisory_xact_lock($1)", vec![SETTLE_LOCK.into()])
                    .await?;
            }
            let n = settle_batch(&mut tx).await?;
            tx.commit().await?;
            applied += n;
            if n == 0 {
                return Ok(applied);
            }
        }
    }

    /// How many subjects are in `place` now, per compound (only compounds with any).
    pub async fn place_counts(
        &self,
        place: Whereabouts,
        since_ms: i64,
        compounds: &[String],
    ) -> Result<Vec<(String, i64)>, DbError> {
        self.settle_places().await?;
        let (kind, direction) = place.crossing();
        let mut params: Vec<Val> = vec![kind.into(), direction.into(), since_ms.into()];
        params.extend(compounds.iter().map(|c| c.as_str().into()));
        self.query_as(
            &format!(
                "SELECT c.compound_id, COUNT(*) FROM presence p
                 JOIN checkpoints c ON c.id = p.checkpoint_id
                 WHERE p.subject_kind = $1 AND p.direction = $2 AND p.corrected_at_ms >= $3
                   AND {}
                 GROUP BY c.compound_id ORDER BY c.compound_id",
                compound_in("c.compound_id", compounds, 4)
            ),
            params,
        )
        .await
    }

    /// The subjects in a place now with the passage that put them there, latest first.
    pub async fn in_place(&self, q: &PlaceQuery<'_>) -> Result<Vec<RecordRow>, DbError> {
        self.settle_places().await?;
        let (kind, direction) = q.place.crossing();
        let mut params: Vec<Val> = vec![
            kind.into(),
            direction.into(),
            q.since_ms.into(),
            q.before_ms.unwrap_or(i64::MAX).into(),
            q.limit.into(),
        ];
        params.extend(q.compounds.iter().map(|c| c.as_str().into()));
        self.query_as(
            &format!(
                "SELECT {COLUMNS} FROM passages WHERE pk IN (
                   SELECT passage_pk FROM presence
                   WHERE subject_kind = $1 AND direction = $2
                     AND corrected_at_ms >= $3 AND corrected_at_ms < $4 AND {})
                 ORDER BY corrected_at_ms DESC, pk DESC LIMIT $5",
                in_compounds(q.compounds, 6)
            ),
            params,
        )
        .await
    }
}

/// Apply up to [`SETTLE_BATCH`] queued passages inside `tx` and take them off the queue.
async fn settle_batch(tx: &mut Tx) -> Result<u64, DbError> {
    let queued: Vec<Queued> = tx
        .query_as(
            "SELECT q.passage_pk, p.subject_key, p.subject_kind, p.direction, p.checkpoint_id,
                    p.corrected_at_ms
             FROM presence_queue q LEFT JOIN passages p ON p.pk = q.passage_pk
             ORDER BY q.passage_pk LIMIT $1",
            vec![SETTLE_BATCH.into()],
        )
        .await?;
    let mut newest: HashMap<String, Crossing> = HashMap::new();
    for (pk, key, kind, direction, checkpoint_id, at) in &queued {
        // A passage purged while queued has no place to give.
        let (Some(key), Some(kind), Some(direction), Some(checkpoint_id), Some(at)) =
            (key, kind, direction, checkpoint_id, at)
        else {
            continue;
        };
        let newer = newest
            .get(key)
            .is_none_or(|c| (*at, *pk) > (c.corrected_at_ms, c.pk));
        if newer {
            let crossing = Crossing {
                kind: kind.clone(),
                direction: direction.clone(),
                checkpoint_id: checkpoint_id.clone(),
                corrected_at_ms: *at,
                pk: *pk,
            };
            newest.insert(key.clone(), crossing);
        }
    }
    let mut sorted: Vec<(String, Crossing)> = newest.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for chunk in sorted.chunks(UPSERT_CHUNK) {
        upsert_places(tx, chunk).await?;
    }
    let pks: Vec<i64> = queued.iter().map(|q| q.0).collect();
    for chunk in pks.chunks(UPSERT_CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        tx.execute(
            &format!(
                "DELETE FROM presence_queue WHERE passage_pk IN ({})",
                marks.join(", ")
            ),
            chunk.iter().map(|pk| Val::from(*pk)).collect(),
        )
        .await?;
    }
    Ok(pks.len() as u64)
}

/// Write each subject's crossing where it is newer than the stored one.
async fn upsert_places(tx: &mut Tx, rows: &[(String, Crossing)]) -> Result<(), DbError> {
    let mut params: Vec<Val> = Vec::with_capacity(rows.len() * 6);
    let mut tuples = Vec::with_capacity(rows.len());
    for (i, (key, c)) in rows.iter().enumerate() {
        let marks: Vec<String> = (1..=6).map(|k| format!("${}", i * 6 + k)).collect();
        tuples.push(format!("({})", marks.join(", ")));
        params.extend([
            Val::from(key.as_str()),
            c.kind.as_str().into(),
            c.direction.as_str().into(),
            c.checkpoint_id.as_str().into(),
            c.corrected_at_ms.into(),
            c.pk.into(),
        ]);
    }
    tx.execute(
        &format!(
            "INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id,
                                   corrected_at_ms, passage_pk)
             VALUES {}
             ON CONFLICT (subject_key) DO UPDATE SET
                 subject_kind = excluded.subject_kind, direction = excluded.direction,
                 checkpoint_id = excluded.checkpoint_id, corrected_at_ms = excluded.corrected_at_ms,
                 passage_pk = excluded.passage_pk
             WHERE excluded.corrected_at_ms > presence.corrected_at_ms
                OR (excluded.corrected_at_ms = presence.corrected_at_ms
                    AND excluded.passage_pk > presence.passage_pk)",
            tuples.join(", ")
        ),
        params,
    )
    .await?;
    Ok(())
}
