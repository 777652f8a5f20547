//! The daily one-form report for one compound or the whole district: every number counted from records.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sync_core::{DenyReason, Direction, SubjectKind, Verdict};

use super::day_bounds;
use super::patrol::PatrolDay;
use crate::config::Config;
use crate::store::{CheckinCount, DbError, PassageFacts, Store};
use sync_core::incident::IncidentCategory;
use sync_core::patrol::RoundStatus;

/// In/out/denied counts of one subject kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotals {
    pub kind: SubjectKind,
    pub admitted_in: u64,
    pub admitted_out: u64,
    pub denied: u64,
}

/// The one-form report of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyReport {
    pub district_id: String,
    pub district_name: String,
    /// `None` for the whole district.
    pub compound_id: Option<String>,
    pub day: NaiveDate,
    pub totals: Vec<KindTotals>,
    /// `(checkpoint id, in, out)` of admitted passages.
    pub per_checkpoint: Vec<(String, u64, u64)>,
    pub visitors_inside_at_midnight: u64,
    pub fever_cases: u64,
    pub denied_entries: u64,
    /// `(reason, count)` of denied passages.
    pub denied_by_reason: Vec<(DenyReason, u64)>,
    /// Devices enrolled before the day ended that recorded nothing that day.
    pub silent_devices: Vec<String>,
    pub records_counted: u64,
    /// Patrol rounds of the day as the checks stood when the report was made.
    pub patrol: PatrolTotals,
    /// Incidents reported that day, by category (every category, zeros too).
    pub incidents: Vec<(IncidentCategory, u64)>,
    /// Residents' daily health check-ins for the day (members with a live pass at its start).
    pub health: CheckinCount,
    /// People carried in and out by admitted vehicles (absent from snapshots signed before they
    /// were counted: read as 0).
    #[serde(default)]
    pub vehicle_occupants_in: u64,
    #[serde(default)]
    pub vehicle_occupants_out: u64,
}

/// Patrol rounds of a day: how many were due and how each due round ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolTotals {
    pub due: u64,
    /// `(status, rounds)` for every status a due round can have, in [`RoundStatus::ALL`] order.
    pub by_status: Vec<(RoundStatus, u64)>,
}

impl PatrolTotals {
    fn of(day: &PatrolDay) -> Self {
        Self {
            due: day.due as u64,
            by_status: RoundStatus::ALL
                .into_iter()
                .filter(|s| s.is_due())
                .map(|s| (s, day.count(s) as u64))
                .collect(),
        }
    }

    pub fn count(&self, status: RoundStatus) -> u64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// Whether a passage is a fever case: a fever denial or a temperature at or over the threshold.
pub fn is_fever(f: &PassageFacts, threshold_c: f32) -> bool {
    f.verdict
        == (Verdict::Denied {
            reason: DenyReason::Fever,
        })
        || f.temperature_c
            .is_some_and(|t| t >= f64::from(threshold_c) - 1e-6)
}

impl KindTotals {
    fn new(kind: SubjectKind) -> Self {
        Self {
            kind,
            admitted_in: 0,
            admitted_out: 0,
            denied: 0,
        }
    }
}

impl DailyReport {
    pub async fn compute(
        store: &Store,
        config: &Config,
        day: NaiveDate,
        compound_id: Option<&str>,
    ) -> Result<Self, DbError> {
        let (start, end) = day_bounds(day, config.utc_offset_minutes);
        let (start_ms, end_ms) = (start.timestamp_millis(), end.timestamp_millis());
        let compound = compound_id.unwrap_or("");
        let facts = store.passage_facts(start_ms, end_ms, compound).await?;
        let since = end
            .checked_sub_signed(Duration::days(i64::from(config.retention_days)))
            .unwrap_or(start);
        let presence = store
            .presence(since.timestamp_millis(), end_ms, compound)
            .await?;
        let checkpoints = store.checkpoints().await?;
        let in_scope = |cp: &str| {
            compound_id.is_none()
                || checkpoints
                    .iter()
                    .any(|c| c.id == cp && Some(c.compound_id.as_str()) == compound_id)
        };
        let devices = store.devices().await?;
        let compounds: Vec<String> = match compound_id {
            Some(c) => vec![c.to_owned()],
            None => store
                .compounds()
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        };
        let incidents = store.incident_counts(start_ms, end_ms, compound_id).await?;
        let mut health = CheckinCount::default();
        for c in &compounds {
            health.add(&store.checkin_count(c, day, start_ms).await?);
        }
        let patrol = PatrolDay::compute(
            store,
            &compounds,
            day,
            chrono::Utc::now(),
            config.utc_offset_minutes,
        )
        .await?;

        let mut totals: Vec<KindTotals> =
            SubjectKind::ALL.into_iter().map(KindTotals::new).collect();
        let mut per_checkpoint: BTreeMap<String, (u64, u64)> = checkpoints
            .iter()
            .filter(|c| in_scope(&c.id))
            .map(|c| (c.id.clone(), (0, 0)))
            .collect();
        let mut denied_by_reason: BTreeMap<&str, (DenyReason, u64)> = BTreeMap::new();
        let (mut fever_cases, mut denied_entries) = (0, 0);
        let (mut vehicle_occupants_in, mut vehicle_occupants_out) = (0, 0);
        for f in &facts {
            let Some(t) = totals.iter_mut().find(|t| t.kind == f.subject_kind) else {
                continue;
            };
            match f.verdict {
                Verdict::Admitted => {
                    let cp = per_checkpoint.entry(f.checkpoint_id.clone()).or_default();
                    if f.direction == Direction::In {
                        t.admitted_in += 1;
                        cp.0 += 1;
                        vehicle_occupants_in += f.occupants;
                    } else {
                        t.admitted_out += 1;
                        cp.1 += 1;
                        vehicle_occupants_out += f.occupants;
                    }
                }
                Verdict::Denied { reason } => {
                    t.denied += 1;
                    denied_entries += 1;
                    denied_by_reason
                        .entry(reason.as_str())
                        .or_insert((reason, 0))
                        .1 += 1;
                }
            }
            if is_fever(f, config.fever_threshold_c) {
                fever_cases += 1;
            }
        }
        let visitors_inside_at_midnight = presence
            .iter()
            .filter(|p| p.subject_kind == SubjectKind::Visitor && p.direction == Direction::In)
            .count() as u64;
        let silent_devices = devices
            .iter()
            .filter(|d| d.enrolled_at_ms < end_ms && in_scope(&d.checkpoint_id))
            .filter(|d| !facts.iter().any(|f| f.device_id == d.device_id))
            .map(|d| d.device_id.clone())
            .collect();
        let (district_id, district_name) =
            (config.district_id.clone(), config.district_name.clone());
        Ok(Self {
            district_id,
            district_name,
            compound_id: compound_id.map(str::to_owned),
            day,
            totals,
            per_checkpoint: per_checkpoint
                .into_iter()
                .map(|(k, (i, o))| (k, i, o))
                .collect(),
            visitors_inside_at_midnight,
            fever_cases,
            denied_entries,
            denied_by_reason: denied_by_reason.into_values().collect(),
            silent_devices,
            records_counted: facts.len() as u64,
            patrol: PatrolTotals::of(&patrol),
            incidents,
            health,
            vehicle_occupants_in,
            vehicle_occupants_out,
        })
    }

    pub fn total_in(&self) -> u64 {
        self.totals.iter().map(|t| t.admitted_in).sum()
    }

    pub fn total_out(&self) -> u64 {
        self.totals.iter().map(|t| t.admitted_out).sum()
    }
}
