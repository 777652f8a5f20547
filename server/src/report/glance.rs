//! The dashboard's "at a glance" numbers for today: hourly in/out, who is out or inside, alerts, silent devices.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sync_core::Direction;

use super::{day_bounds, local_day};
use crate::config::Config;
use crate::store::{DbError, Store, Whereabouts};

/// How many subjects are in `place` now over the compounds `in_view` (none: the district).
async fn place_total(
    store: &Store,
    place: Whereabouts,
    since_ms: i64,
    in_view: &[String],
) -> Result<u64, DbError> {
    let counts = store.place_counts(place, since_ms, in_view).await?;
    Ok(counts.iter().map(|(_, n)| as_count(*n)).sum())
}

/// A count from the database (never negative).
fn as_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// `(in, out)` per local hour 0–23 of one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyCounts {
    pub checkpoint_id: String,
    pub checkpoint_name: String,
    pub hours: [(u64, u64); 24],
}

/// Today's numbers for the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Glance {
    pub hourly: Vec<HourlyCounts>,
    pub total_in: u64,
    pub total_out: u64,
    pub residents_out: u64,
    pub visitors_inside: u64,
    pub fever_alerts: u64,
    pub denied: u64,
    /// People carried in and out by admitted vehicles today.
    pub vehicle_occupants: (u64, u64),
    /// `(device id, checkpoint id, minutes silent or None if never seen)`.
    pub silent_devices: Vec<(String, String, Option<i64>)>,
}

impl Glance {
    pub async fn compute(
        store: &Store,
        config: &Config,
        now: DateTime<Utc>,
        compound_id: Option<&str>,
    ) -> Result<Self, DbError> {
        let compound = compound_id.unwrap_or("");
        let (start, end) = day_bounds(
            local_day(now, config.utc_offset_minutes),
            config.utc_offset_minutes,
        );
        let (from_ms, to_ms) = (start.timestamp_millis(), end.timestamp_millis());
        let since = (now - Duration::days(i64::from(config.retention_days))).timestamp_millis();
        let in_view: Vec<String> = compound_id.map(str::to_owned).into_iter().collect();
        let threshold = f64::from(config.fever_threshold_c);
        let (tallies, fever, residents_out, visitors_inside) = tokio::try_join!(
            store.hour_tallies(from_ms, to_ms, compound),
            store.fever_count(from_ms, to_ms, compound, threshold),
            place_total(store, Whereabouts::ResidentsOut, since, &in_view),
            place_total(store, Whereabouts::VisitorsInside, since, &in_view),
        )?;
        let mut checkpoints = store.checkpoints().await?;
        checkpoints.retain(|c| compound_id.is_none_or(|id| c.compound_id == id));
        let mut hourly: BTreeMap<String, HourlyCounts> = checkpoints
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    HourlyCounts {
                        checkpoint_id: c.id.clone(),
                        checkpoint_name: c.name.clone(),
                        hours: [(0, 0); 24],
                    },
                )
            })
            .collect();
        let (mut total_in, mut total_out, mut denied) = (0, 0, 0);
        let mut vehicle_occupants = (0, 0);
        for t in &tallies {
            let (n, occupants) = (as_count(t.passages), as_count(t.occupants));
            if !t.admitted {
                denied += n;
                continue;
            }
            let hour = t.hour.clamp(0, 23) as usize;
            let entry = hourly
                .entry(t.checkpoint_id.clone())
                .or_insert_with(|| HourlyCounts {
                    checkpoint_id: t.checkpoint_id.clone(),
                    checkpoint_name: t.checkpoint_id.clone(),
                    hours: [(0, 0); 24],
                });
            if t.direction == Direction::In {
                entry.hours[hour].0 += n;
                total_in += n;
                vehicle_occupants.0 += occupants;
            } else {
                entry.hours[hour].1 += n;
                total_out += n;
                vehicle_occupants.1 += occupants;
            }
        }
        let silent_after = Duration::minutes(config.silent_after_minutes);
        let silent_devices = store
            .devices()
            .await?
            .into_iter()
            .filter(|d| {
                compound_id.is_none() || checkpoints.iter().any(|c| c.id == d.checkpoint_id)
            })
            .filter_map(|d| {
                let last = d.last_seen_ms.and_then(DateTime::from_timestamp_millis);
                match last {
                    Some(t) if now - t <= silent_after => None,
                    Some(t) => Some((d.device_id, d.checkpoint_id, Some((now - t).num_minutes()))),
                    None => Some((d.device_id, d.checkpoint_id, None)),
                }
            })
            .collect();
        Ok(Self {
            hourly: hourly.into_values().collect(),
            total_in,
            total_out,
            residents_out,
            visitors_inside,
            fever_alerts: as_count(fever),
            denied,
            vehicle_occupants,
            silent_devices,
        })
    }
}
