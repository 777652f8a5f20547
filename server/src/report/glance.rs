//! The dashboard's "at a glance" numbers for today: hourly in/out, who is out or inside, alerts, silent devices.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sync_core::{Direction, SubjectKind};

use super::daily::is_fever;
use super::{day_bounds, local_day};
use crate::config::Config;
use crate::store::{DbError, Store};

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
        let facts = store
            .passage_facts(start.timestamp_millis(), end.timestamp_millis(), compound)
            .await?;
        let since = now - Duration::days(i64::from(config.retention_days));
        let presence = store
            .presence(since.timestamp_millis(), end.timestamp_millis(), compound)
            .await?;
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
        let (mut total_in, mut total_out, mut fever_alerts, mut denied) = (0, 0, 0, 0);
        let mut vehicle_occupants = (0, 0);
        for f in &facts {
            if is_fever(f, config.fever_threshold_c) {
                fever_alerts += 1;
            }
            if !f.verdict.is_admitted() {
                denied += 1;
                continue;
            }
            let hour =
                ((f.corrected_at_ms - start.timestamp_millis()) / 3_600_000).clamp(0, 23) as usize;
            let entry = hourly
                .entry(f.checkpoint_id.clone())
                .or_insert_with(|| HourlyCounts {
                    checkpoint_id: f.checkpoint_id.clone(),
                    checkpoint_name: f.checkpoint_id.clone(),
                    hours: [(0, 0); 24],
                });
            if f.direction == Direction::In {
                entry.hours[hour].0 += 1;
                total_in += 1;
                vehicle_occupants.0 += f.occupants;
            } else {
                entry.hours[hour].1 += 1;
                total_out += 1;
                vehicle_occupants.1 += f.occupants;
            }
        }
        let residents_out = presence
            .iter()
            .filter(|p| p.subject_kind == SubjectKind::Resident && p.direction == Direction::Out)
            .count() as u64;
        let visitors_inside = presence
            .iter()
            .filter(|p| p.subject_kind == SubjectKind::Visitor && p.direction == Direction::In)
            .count() as u64;
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
            fever_alerts,
            denied,
            vehicle_occupants,
            silent_devices,
        })
    }
}
