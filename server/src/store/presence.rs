//! Where each subject is now (migration 0024's `presence` table, kept by a trigger at every
//! insert of a passage): the counts behind the dashboard's "residents out" and "visitors inside",
//! and the list of who they are, read as one row per subject instead of a window over every
//! passage of the retention period.

use super::records::{RecordRow, COLUMNS};
use super::{DbError, Store, Val};

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
    /// How many subjects are in `place` now, per compound (only compounds with any).
    pub async fn place_counts(
        &self,
        place: Whereabouts,
        since_ms: i64,
        compounds: &[String],
    ) -> Result<Vec<(String, i64)>, DbError> {
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
