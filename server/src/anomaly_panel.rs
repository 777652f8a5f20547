//! The anomaly rules as the pages use them: today's rules of some compounds (thresholds from the
//! config, exit quotas from the compound rules), and the dashboard's panel — counts per compound
//! recounted in the background every `anomaly_refresh_seconds` and stored (a district of a hundred
//! compounds costs the dashboard a hundred small rows, not the rules over a city's day). A
//! compound whose counts are missing, of another day or older than three refresh periods is
//! recounted when the dashboard asks.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::report::{day_bounds, local_day};
use crate::store::{
    run_led, Anomalies, AnomalyCounts, AnomalyRules, DbError, Job, Store, StoredCounts,
};

/// One compound's anomalies of today.
pub struct CompoundAnomalies {
    pub id: String,
    pub name: String,
    pub found: Anomalies,
}

/// The rules of today for `compounds`.
async fn rules_of(
    store: &Store,
    c: &Config,
    compounds: Vec<String>,
    now: DateTime<Utc>,
) -> Result<AnomalyRules, DbError> {
    let (start, end) = day_bounds(local_day(now, c.utc_offset_minutes), c.utc_offset_minutes);
    let since = now - Duration::days(i64::from(c.retention_days));
    let exit_quotas = store
        .all_compound_rules()
        .await?
        .into_iter()
        .filter(|(id, _)| compounds.contains(id))
        .filter_map(|(id, rules)| {
            let q = rules.exit_quota?;
            Some((id, i64::from(q.persons), i64::from(q.days)))
        })
        .collect();
    Ok(AnomalyRules {
        compounds,
        day_start_ms: start.timestamp_millis(),
        day_end_ms: end.timestamp_millis(),
        fever_threshold_c: f64::from(c.fever_threshold_c),
        exits_per_day: c.anomaly_exits_per_day,
        unseen_days: c.anomaly_unseen_days,
        visitors_per_household: c.anomaly_visitors_per_household,
        exit_quotas,
        since_ms: since.timestamp_millis(),
    })
}

/// The anomalies of each compound `(id, name)` today, in the order given.
pub async fn of_compounds(
    store: &Store,
    c: &Config,
    compounds: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> Result<Vec<CompoundAnomalies>, DbError> {
    let ids = compounds.iter().map(|(id, _)| id.clone()).collect();
    let mut found = store
        .anomalies(&rules_of(store, c, ids, now).await?)
        .await?;
    Ok(compounds
        .into_iter()
        .map(|(id, name)| {
            let found = found.remove(&id).unwrap_or_default();
            CompoundAnomalies { id, name, found }
        })
        .collect())
}

/// Count the anomalies of `compounds` today and store the counts.
pub async fn recount(
    store: &Store,
    c: &Config,
    compounds: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Vec<StoredCounts>, DbError> {
    let day = local_day(now, c.utc_offset_minutes).to_string();
    let found = store
        .anomalies(&rules_of(store, c, compounds, now).await?)
        .await?;
    let counted: Vec<StoredCounts> = found
        .iter()
        .map(|(compound_id, a)| StoredCounts {
            compound_id: compound_id.clone(),
            day: day.clone(),
            counts: AnomalyCounts::from(a),
            computed_at_ms: now.timestamp_millis(),
        })
        .collect();
    store.save_anomaly_counts(&counted).await?;
    Ok(counted)
}

/// The panel's counts of `compounds` today: the stored ones while fresh, the others recounted.
pub async fn panel(
    store: &Store,
    c: &Config,
    compounds: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<StoredCounts>, DbError> {
    let day = local_day(now, c.utc_offset_minutes).to_string();
    let stale_before = now.timestamp_millis()
        - i64::try_from(c.anomaly_refresh_seconds.saturating_mul(3_000)).unwrap_or(i64::MAX);
    let mut fresh: Vec<StoredCounts> = store
        .anomaly_counts()
        .await?
        .into_iter()
        .filter(|s| compounds.contains(&s.compound_id))
        .filter(|s| s.day == day && s.computed_at_ms >= stale_before)
        .collect();
    let missing: Vec<String> = compounds
        .iter()
        .filter(|id| !fresh.iter().any(|s| &s.compound_id == *id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        fresh.extend(recount(store, c, missing, now).await?);
    }
    fresh.sort_by_key(|s| compounds.iter().position(|id| *id == s.compound_id));
    Ok(fresh)
}

/// Recount every compound's counts now.
async fn recount_all(store: &Store, config: &Config) {
    let compounds = store
        .compounds()
        .await
        .map(|list| list.into_iter().map(|(id, _)| id).collect::<Vec<_>>());
    let result = match compounds {
        Ok(ids) => recount(store, config, ids, Utc::now()).await.map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "anomaly counts: recount failed");
    }
}

/// Recount every compound now and every `anomaly_refresh_seconds` for as long as the server runs,
/// on one server instance at a time (`Job::AnomalyCounts`).
pub fn spawn(store: Store, config: Arc<Config>) -> tokio::task::JoinHandle<()> {
    let every = std::time::Duration::from_secs(config.anomaly_refresh_seconds.max(5));
    tokio::spawn(async move {
        loop {
            run_led(&store, Job::AnomalyCounts, || recount_all(&store, &config)).await;
            tokio::time::sleep(every).await;
        }
    })
}
