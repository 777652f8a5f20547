//! What a community worker looks for each day (the anomaly panel), one compound at a time: fever
//! cases with who, where and when; people going out more than N times a day; households over
//! their exit quota; residents not seen at any gate for N days; households with more than N
//! visitors a day; visitors still inside after midnight. Counted from the passages' search columns.

use super::records::{RecordRow, COLUMNS};
use super::{DbError, Store};

/// The thresholds and the day of one compound's anomalies.
#[derive(Debug, Clone)]
pub struct AnomalyRules {
    pub compound: String,
    /// The district day's start and end (UTC ms).
    pub day_start_ms: i64,
    pub day_end_ms: i64,
    pub fever_threshold_c: f64,
    /// More admitted exits than this in the day is listed.
    pub exits_per_day: i64,
    /// A resident with a live pass and no passage for this many days is listed.
    pub unseen_days: i64,
    /// More distinct visitors than this to one household in the day is listed.
    pub visitors_per_household: i64,
    /// The compound's exit quota: at most `persons` residents' exits per household per `days`.
    pub exit_quota: Option<(i64, i64)>,
    /// How far back a visitor's last crossing is looked for (the retention period).
    pub since_ms: i64,
}

/// A subject counted over the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectCount {
    pub name: Option<String>,
    pub pass_id: Option<String>,
    pub household: Option<String>,
    pub count: i64,
}

/// A household counted over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdCount {
    pub household: String,
    pub count: i64,
}

/// A resident not seen at any gate lately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unseen {
    pub pass_id: String,
    pub household: String,
    pub name: String,
    pub last_seen_ms: Option<i64>,
}

/// One compound's anomalies.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomalies {
    pub fever: Vec<RecordRow>,
    pub frequent_exits: Vec<SubjectCount>,
    pub over_quota: Vec<HouseholdCount>,
    pub unseen: Vec<Unseen>,
    pub busy_households: Vec<HouseholdCount>,
    pub visitors_overnight: Vec<RecordRow>,
}

impl Anomalies {
    /// Rows over every rule.
    pub fn total(&self) -> usize {
        self.fever.len()
            + self.frequent_exits.len()
            + self.over_quota.len()
            + self.unseen.len()
            + self.busy_households.len()
            + self.visitors_overnight.len()
    }
}

/// `(name, pass id, household, count)` of one subject.
type CountRow = (Option<String>, Option<String>, Option<String>, i64);

/// The most rows a rule lists.
const MAX_ROWS: i64 = 200;

const IN_COMPOUND: &str = "checkpoint_id IN (SELECT id FROM checkpoints WHERE compound_id = $1)";

impl Store {
    /// The anomalies of one compound's day.
    pub async fn anomalies(&self, r: &AnomalyRules) -> Result<Anomalies, DbError> {
        Ok(Anomalies {
            fever: self.fever_cases(r).await?,
            frequent_exits: self.frequent_exits(r).await?,
            over_quota: self.over_quota(r).await?,
            unseen: self.unseen(r).await?,
            busy_households: self.busy_households(r).await?,
            visitors_overnight: self.visitors_overnight(r).await?,
        })
    }

    async fn fever_cases(&self, r: &AnomalyRules) -> Result<Vec<RecordRow>, DbError> {
        self.query_as(
            &format!(
                "SELECT {COLUMNS} FROM passages WHERE {IN_COMPOUND}
                   AND corrected_at_ms >= $2 AND corrected_at_ms < $3
                   AND (deny_reason = 'fever' OR temperature_c >= $4)
                 ORDER BY corrected_at_ms LIMIT $5"
            ),
            vec![
                r.compound.as_str().into(),
                r.day_start_ms.into(),
                r.day_end_ms.into(),
                r.fever_threshold_c.into(),
                MAX_ROWS.into(),
            ],
        )
        .await
    }

    async fn frequent_exits(&self, r: &AnomalyRules) -> Result<Vec<SubjectCount>, DbError> {
        let rows: Vec<CountRow> = self
            .query_as(
                &format!(
                    "SELECT MAX(person_name), MAX(pass_id), MAX(household), COUNT(*) FROM passages
                     WHERE {IN_COMPOUND} AND corrected_at_ms >= $2 AND corrected_at_ms < $3
                       AND direction = 'out' AND verdict = 'admitted'
                       AND subject_kind IN ('resident', 'visitor')
                     GROUP BY subject_key HAVING COUNT(*) > $4
                     ORDER BY COUNT(*) DESC LIMIT $5"
                ),
                vec![
                    r.compound.as_str().into(),
                    r.day_start_ms.into(),
                    r.day_end_ms.into(),
                    r.exits_per_day.into(),
                    MAX_ROWS.into(),
                ],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(name, pass_id, household, count)| SubjectCount {
                name,
                pass_id,
                household,
                count,
            })
            .collect())
    }

    async fn household_counts(
        &self,
        sql_filter: &str,
        r: &AnomalyRules,
        from_ms: i64,
        over: i64,
    ) -> Result<Vec<HouseholdCount>, DbError> {
        let rows: Vec<(String, i64)> = self
            .query_as(
                &format!(
                    "SELECT household, COUNT(DISTINCT subject_key) FROM passages
                     WHERE {IN_COMPOUND} AND corrected_at_ms >= $2 AND corrected_at_ms < $3
                       AND verdict = 'admitted' AND household IS NOT NULL AND {sql_filter}
                     GROUP BY household HAVING COUNT(DISTINCT subject_key) > $4
                     ORDER BY COUNT(DISTINCT subject_key) DESC LIMIT $5"
                ),
                vec![
                    r.compound.as_str().into(),
                    from_ms.into(),
                    r.day_end_ms.into(),
                    over.into(),
                    MAX_ROWS.into(),
                ],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(household, count)| HouseholdCount { household, count })
            .collect())
    }

    /// Households whose residents went out (distinct residents) more than the quota allows in
    /// its period, the period ending with this day.
    async fn over_quota(&self, r: &AnomalyRules) -> Result<Vec<HouseholdCount>, DbError> {
        let Some((persons, days)) = r.exit_quota else {
            return Ok(Vec::new());
        };
        let from = r.day_start_ms - (days - 1).max(0) * 86_400_000;
        self.household_counts(
            "subject_kind = 'resident' AND direction = 'out'",
            r,
            from,
            persons,
        )
        .await
    }

    async fn busy_households(&self, r: &AnomalyRules) -> Result<Vec<HouseholdCount>, DbError> {
        self.household_counts(
            "subject_kind = 'visitor' AND direction = 'in'",
            r,
            r.day_start_ms,
            r.visitors_per_household,
        )
        .await
    }

    /// Residents with a live pass issued before the period and no passage in it.
    async fn unseen(&self, r: &AnomalyRules) -> Result<Vec<Unseen>, DbError> {
        let since = r.day_end_ms - r.unseen_days * 86_400_000;
        let rows: Vec<(String, String, String, Option<i64>)> = self
            .query_as(
                "SELECT ps.pass_id, ps.household, ps.display_name,
                        (SELECT MAX(x.corrected_at_ms) FROM passages x WHERE x.pass_id = ps.pass_id)
                 FROM passes ps
                 WHERE ps.compound_id = $1 AND ps.kind = 'resident' AND ps.revoked_at_ms IS NULL
                   AND ps.valid_until_ms > $2 AND ps.issued_at_ms < $3
                   AND NOT EXISTS (SELECT 1 FROM passages y
                                   WHERE y.pass_id = ps.pass_id AND y.corrected_at_ms >= $3)
                 ORDER BY ps.household, ps.pass_id LIMIT $4",
                vec![
                    r.compound.as_str().into(),
                    r.day_end_ms.into(),
                    since.into(),
                    MAX_ROWS.into(),
                ],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(pass_id, household, name, last_seen_ms)| Unseen {
                pass_id,
                household,
                name,
                last_seen_ms,
            })
            .collect())
    }

    /// Visitors whose last admitted crossing before the day began was in.
    async fn visitors_overnight(&self, r: &AnomalyRules) -> Result<Vec<RecordRow>, DbError> {
        self.query_as(
            &format!(
                "SELECT {COLUMNS} FROM (
                   SELECT {COLUMNS}, ROW_NUMBER() OVER (PARTITION BY subject_key
                                         ORDER BY corrected_at_ms DESC, pk DESC) AS rn
                   FROM passages
                   WHERE {IN_COMPOUND} AND subject_kind = 'visitor' AND verdict = 'admitted'
                     AND corrected_at_ms >= $2 AND corrected_at_ms < $3
                 ) last_crossing WHERE rn = 1 AND direction = 'in'
                 ORDER BY corrected_at_ms LIMIT $4"
            ),
            vec![
                r.compound.as_str().into(),
                r.since_ms.into(),
                r.day_start_ms.into(),
                MAX_ROWS.into(),
            ],
        )
        .await
    }
}
