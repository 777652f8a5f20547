//! What a community worker looks for each day (the anomaly panel): fever cases with who, where
//! and when; people going out more than N times a day; households over their exit quota;
//! residents not seen at any gate for N days; households with more than N visitors a day;
//! visitors who came before midnight and are still inside. Counted from the passages' search
//! columns and the subjects' places (`presence`), one query per rule for every compound in view
//! (a city's hundred compounds cost six queries, not six hundred).

use std::collections::{BTreeMap, HashMap};

use super::presence::{compound_in, PlaceQuery, Whereabouts};
use super::records::{RecordRow, COLUMNS};
use super::tallies::warm;
use super::{DbError, Store, Val};

/// The thresholds and the day of the anomalies of some compounds.
#[derive(Debug, Clone)]
pub struct AnomalyRules {
    /// The compounds (each gets an entry, with or without anomalies; none named, none found).
    pub compounds: Vec<String>,
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
    /// The compounds' exit quotas: `(compound, persons, days)`, at most `persons` residents'
    /// exits per household per `days` (compounds without a quota are not listed).
    pub exit_quotas: Vec<(String, i64, i64)>,
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Anomalies {
    pub fever: Vec<RecordRow>,
    pub frequent_exits: Vec<SubjectCount>,
    pub over_quota: Vec<HouseholdCount>,
    pub unseen: Vec<Unseen>,
    pub busy_households: Vec<HouseholdCount>,
    pub visitors_overnight: Vec<RecordRow>,
}

/// `(compound, name, pass id, household, count)` of one subject.
type CountRow = (String, Option<String>, Option<String>, Option<String>, i64);

/// The most rows a rule lists per compound.
const MAX_ROWS: i64 = 200;

/// Rows numbered per compound (`rn`), for keeping at most [`MAX_ROWS`] of each.
const RANK: &str = "ROW_NUMBER() OVER (PARTITION BY c.compound_id ORDER BY";

impl Store {
    /// The anomalies of each compound of `r` on its day.
    pub async fn anomalies(
        &self,
        r: &AnomalyRules,
    ) -> Result<BTreeMap<String, Anomalies>, DbError> {
        if r.compounds.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut found: BTreeMap<String, Anomalies> = r
            .compounds
            .iter()
            .map(|c| (c.clone(), Anomalies::default()))
            .collect();
        let compound_of: HashMap<String, String> = self
            .checkpoints()
            .await?
            .into_iter()
            .map(|c| (c.id, c.compound_id))
            .collect();
        let mut file = |rows: Vec<RecordRow>, pick: fn(&mut Anomalies) -> &mut Vec<RecordRow>| {
            for row in rows {
                let entry = compound_of
                    .get(&row.checkpoint_id)
                    .and_then(|c| found.get_mut(c));
                if let Some(a) = entry {
                    pick(a).push(row);
                }
            }
        };
        file(self.fever_cases(r).await?, |a| &mut a.fever);
        file(self.visitors_overnight(r).await?, |a| {
            &mut a.visitors_overnight
        });
        for (compound, subject) in self.frequent_exits(r).await? {
            if let Some(a) = found.get_mut(&compound) {
                a.frequent_exits.push(subject);
            }
        }
        for (compound, household) in self.busy_households(r).await? {
            if let Some(a) = found.get_mut(&compound) {
                a.busy_households.push(household);
            }
        }
        for (compound, persons, days) in &r.exit_quotas {
            if let Some(a) = found.get_mut(compound) {
                a.over_quota = self.over_quota(r, compound, *persons, *days).await?;
            }
        }
        for (compound, unseen) in self.unseen(r).await? {
            if let Some(a) = found.get_mut(&compound) {
                a.unseen.push(unseen);
            }
        }
        Ok(found)
    }

    /// The day's parameters `$1` (day start) and `$2` (day end), then `extra`, then the compounds.
    fn day_params(r: &AnomalyRules, from_ms: i64, extra: Vec<Val>) -> Vec<Val> {
        let mut params: Vec<Val> = vec![from_ms.into(), r.day_end_ms.into()];
        params.extend(extra);
        params.extend(r.compounds.iter().map(|c| c.as_str().into()));
        params
    }

    async fn fever_cases(&self, r: &AnomalyRules) -> Result<Vec<RecordRow>, DbError> {
        self.query_as(
            &format!(
                "SELECT {COLUMNS} FROM (
                   SELECT p.*, {RANK} p.corrected_at_ms) AS rn
                   FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id
                   WHERE p.corrected_at_ms >= $1 AND p.corrected_at_ms < $2
                     AND (p.deny_reason = 'fever' OR p.temperature_c >= $3) {} AND {}
                 ) ranked WHERE rn <= {MAX_ROWS} ORDER BY corrected_at_ms",
                warm(r.fever_threshold_c),
                compound_in("c.compound_id", &r.compounds, 4)
            ),
            Self::day_params(r, r.day_start_ms, vec![(r.fever_threshold_c - 1e-6).into()]),
        )
        .await
    }

    async fn frequent_exits(
        &self,
        r: &AnomalyRules,
    ) -> Result<Vec<(String, SubjectCount)>, DbError> {
        let rows: Vec<CountRow> = self
            .query_as(
                &format!(
                    "SELECT compound_id, name, pass_id, household, n FROM (
                       SELECT c.compound_id, MAX(p.person_name) AS name, MAX(p.pass_id) AS pass_id,
                              MAX(p.household) AS household, COUNT(*) AS n,
                              {RANK} COUNT(*) DESC, p.subject_key) AS rn
                       FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id
                       WHERE p.corrected_at_ms >= $1 AND p.corrected_at_ms < $2
                         AND p.direction = 'out' AND p.verdict = 'admitted'
                         AND p.subject_kind IN ('resident', 'visitor') AND {}
                       GROUP BY c.compound_id, p.subject_key HAVING COUNT(*) > $3
                     ) ranked WHERE rn <= {MAX_ROWS} ORDER BY compound_id, rn",
                    compound_in("c.compound_id", &r.compounds, 4)
                ),
                Self::day_params(r, r.day_start_ms, vec![r.exits_per_day.into()]),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(compound, name, pass_id, household, count)| {
                let subject = SubjectCount {
                    name,
                    pass_id,
                    household,
                    count,
                };
                (compound, subject)
            })
            .collect())
    }

    /// Households with more distinct subjects than `over` in `[from_ms, day end)` among the
    /// admitted passages `sql_filter` picks, per compound.
    async fn household_counts(
        &self,
        sql_filter: &str,
        r: &AnomalyRules,
        compounds: &[String],
        (from_ms, over): (i64, i64),
    ) -> Result<Vec<(String, HouseholdCount)>, DbError> {
        let mut params: Vec<Val> = vec![from_ms.into(), r.day_end_ms.into(), over.into()];
        params.extend(compounds.iter().map(|c| c.as_str().into()));
        let rows: Vec<(String, String, i64)> = self
            .query_as(
                &format!(
                    "SELECT compound_id, household, n FROM (
                       SELECT c.compound_id, p.household, COUNT(DISTINCT p.subject_key) AS n,
                              {RANK} COUNT(DISTINCT p.subject_key) DESC, p.household) AS rn
                       FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id
                       WHERE p.corrected_at_ms >= $1 AND p.corrected_at_ms < $2
                         AND p.verdict = 'admitted' AND p.household IS NOT NULL AND {sql_filter}
                         AND {}
                       GROUP BY c.compound_id, p.household HAVING COUNT(DISTINCT p.subject_key) > $3
                     ) ranked WHERE rn <= {MAX_ROWS} ORDER BY compound_id, rn",
                    compound_in("c.compound_id", compounds, 4)
                ),
                params,
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(compound, household, count)| (compound, HouseholdCount { household, count }))
            .collect())
    }

    /// Households of one compound whose residents went out (distinct residents) more than the
    /// quota allows in its period, the period ending with this day.
    async fn over_quota(
        &self,
        r: &AnomalyRules,
        compound: &str,
        persons: i64,
        days: i64,
    ) -> Result<Vec<HouseholdCount>, DbError> {
        let from = r.day_start_ms - (days - 1).max(0) * 86_400_000;
        let rows = self
            .household_counts(
                "p.subject_kind = 'resident' AND p.direction = 'out'",
                r,
                &[compound.to_owned()],
                (from, persons),
            )
            .await?;
        Ok(rows.into_iter().map(|(_, h)| h).collect())
    }

    async fn busy_households(
        &self,
        r: &AnomalyRules,
    ) -> Result<Vec<(String, HouseholdCount)>, DbError> {
        self.household_counts(
            "p.subject_kind = 'visitor' AND p.direction = 'in'",
            r,
            &r.compounds,
            (r.day_start_ms, r.visitors_per_household),
        )
        .await
    }

    /// Residents with a live pass issued before the period and no passage in it.
    async fn unseen(&self, r: &AnomalyRules) -> Result<Vec<(String, Unseen)>, DbError> {
        let since = r.day_end_ms - r.unseen_days * 86_400_000;
        let mut params: Vec<Val> = vec![r.day_end_ms.into(), since.into()];
        params.extend(r.compounds.iter().map(|c| c.as_str().into()));
        let rows: Vec<(String, String, String, String, Option<i64>)> = self
            .query_as(
                &format!(
                    "SELECT compound_id, pass_id, household, display_name,
                            (SELECT MAX(x.corrected_at_ms) FROM passages x WHERE x.pass_id = ranked.pass_id)
                     FROM (
                       SELECT ps.compound_id, ps.pass_id, ps.household, ps.display_name,
                              ROW_NUMBER() OVER (PARTITION BY ps.compound_id
                                                 ORDER BY ps.household, ps.pass_id) AS rn
                       FROM passes ps
                       WHERE ps.kind = 'resident' AND ps.revoked_at_ms IS NULL
                         AND ps.valid_until_ms > $1 AND ps.issued_at_ms < $2 AND {}
                         AND NOT EXISTS (SELECT 1 FROM passages y
                                         WHERE y.pass_id = ps.pass_id AND y.corrected_at_ms >= $2)
                     ) ranked WHERE rn <= {MAX_ROWS} ORDER BY compound_id, rn",
                    compound_in("ps.compound_id", &r.compounds, 3)
                ),
                params,
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(compound, pass_id, household, name, last_seen_ms)| {
                let unseen = Unseen {
                    pass_id,
                    household,
                    name,
                    last_seen_ms,
                };
                (compound, unseen)
            })
            .collect())
    }

    /// Visitors who came before the day began and are still inside (their last admitted
    /// crossing, within the retention period, was in).
    async fn visitors_overnight(&self, r: &AnomalyRules) -> Result<Vec<RecordRow>, DbError> {
        self.in_place(&PlaceQuery {
            place: Whereabouts::VisitorsInside,
            since_ms: r.since_ms,
            before_ms: Some(r.day_start_ms),
            compounds: &r.compounds,
            limit: MAX_ROWS * i64::try_from(r.compounds.len().max(1)).unwrap_or(i64::MAX),
        })
        .await
    }
}
