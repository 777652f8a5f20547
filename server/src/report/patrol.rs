//! Patrol rounds of a day, evaluated from stored checks (sync-core's `evaluate`), per route of a
//! compound or of the whole district, and the completion numbers of the dashboard and report.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sync_core::patrol::{completion, evaluate, windows_on, PatrolRoute, Round, RouteDay};

use super::day_bounds;
use crate::store::{DbError, RoutesOf, Store};

/// Checks are read from this long before the day (a round started early) …
const EARLY: Duration = Duration::hours(2);
/// … until this long after it (a late round of the evening).
const LATE: Duration = Duration::hours(12);

/// One route's rounds on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteRounds {
    pub route: PatrolRoute,
    pub rounds: Vec<Round>,
}

/// Every route of a compound (or of every compound when `compound` is `None`) on `day`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolDay {
    pub day: NaiveDate,
    pub routes: Vec<RouteRounds>,
    /// Rounds done and rounds due (window passed or finished).
    pub done: usize,
    pub due: usize,
}

impl PatrolDay {
    /// Evaluate the day as the stored checks stand at `now`.
    pub async fn compute(
        store: &Store,
        compounds: &[String],
        day: NaiveDate,
        now: DateTime<Utc>,
        utc_offset_minutes: i32,
    ) -> Result<Self, DbError> {
        let (start, end) = day_bounds(day, utc_offset_minutes);
        let mut routes = Vec::new();
        // When each checkpoint's phones were last fully synced: one read for every route.
        let synced = store.synced_at_by_checkpoint().await?;
        for compound in compounds {
            for route in store.patrol_routes(RoutesOf::Compound(compound)).await? {
                let windows = windows_on(&route.schedules, day, utc_offset_minutes);
                let checks = store
                    .patrol_checks(
                        &route.route_id,
                        (start - EARLY).timestamp_millis(),
                        (end + LATE).timestamp_millis(),
                    )
                    .await?;
                let synced_at = synced
                    .get(&route.checkpoint_id)
                    .copied()
                    .and_then(DateTime::from_timestamp_millis);
                let rounds = evaluate(RouteDay {
                    route: &route,
                    windows: &windows,
                    checks: &checks,
                    synced_at,
                    now,
                });
                routes.push(RouteRounds { route, rounds });
            }
        }
        let all: Vec<Round> = routes.iter().flat_map(|r| r.rounds.clone()).collect();
        let (done, due) = completion(&all);
        Ok(Self {
            day,
            routes,
            done,
            due,
        })
    }

    /// How many rounds have `status`.
    pub fn count(&self, status: sync_core::patrol::RoundStatus) -> usize {
        self.routes
            .iter()
            .flat_map(|r| &r.rounds)
            .filter(|r| r.status == status)
            .count()
    }
}
