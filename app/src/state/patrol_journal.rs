//! The patrol state read from the journal: rounds whose steps still wait to upload, and the
//! unfinished round to resume after a restart.

use chrono::{DateTime, Duration, Utc};
use sync_core::ledger::PatrolStepRecord;
use sync_core::patrol::{PatrolCheckData, PatrolStep};
use uuid::Uuid;

use super::patrol::{ActiveRound, CheckedPoint, PatrolState, RESUME_HOURS};

/// A round with steps still waiting to reach the district server.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingRound {
    pub round_id: Uuid,
    pub route_name: String,
    pub started_at: DateTime<Utc>,
    pub steps: usize,
    pub pending: usize,
    pub finished: bool,
}

impl PatrolState {
    /// A step just stored is pending: its round waits to upload (until the next ledger read).
    pub(super) fn note_waiting(&mut self, data: &PatrolCheckData, at: DateTime<Utc>) {
        let finished = matches!(data.step, PatrolStep::Finish { .. });
        if let Some(w) = self
            .waiting
            .iter_mut()
            .find(|w| w.round_id == data.round_id)
        {
            w.steps += 1;
            w.pending += 1;
            w.finished |= finished;
            return;
        }
        self.waiting.push(WaitingRound {
            round_id: data.round_id,
            route_name: self.route_name(&data.route_id),
            started_at: at,
            steps: 1,
            pending: 1,
            finished,
        });
    }

    pub(super) fn read_ledger(&mut self, steps: &[PatrolStepRecord], now: DateTime<Utc>) {
        let mut rounds: Vec<WaitingRound> = Vec::new();
        for s in steps {
            let finished = matches!(s.data.step, PatrolStep::Finish { .. });
            match rounds.iter_mut().find(|w| w.round_id == s.data.round_id) {
                Some(w) => {
                    w.steps += 1;
                    w.pending += usize::from(s.pending);
                    w.finished |= finished;
                }
                None => rounds.push(WaitingRound {
                    round_id: s.data.round_id,
                    route_name: self.route_name(&s.data.route_id),
                    started_at: s.head.recorded_at,
                    steps: 1,
                    pending: usize::from(s.pending),
                    finished,
                }),
            }
        }
        rounds.retain(|w| w.pending > 0);
        self.waiting = rounds;
        if self.round.is_none() {
            self.round = self.resumable(steps, now);
        }
    }

    /// The round of the last step recorded, when it is unfinished, recent and its route known.
    fn resumable(&self, steps: &[PatrolStepRecord], now: DateTime<Utc>) -> Option<ActiveRound> {
        let last = steps.last()?;
        if matches!(last.data.step, PatrolStep::Finish { .. })
            || now - last.head.recorded_at > Duration::hours(RESUME_HOURS)
        {
            return None;
        }
        let route = self
            .routes
            .iter()
            .find(|r| r.route_id == last.data.route_id)?
            .clone();
        let checked = steps
            .iter()
            .filter(|s| s.data.round_id == last.data.round_id)
            .filter_map(|s| match &s.data.step {
                PatrolStep::Point {
                    point_id, outcome, ..
                } => Some(CheckedPoint {
                    point_id: point_id.clone(),
                    outcome: *outcome,
                }),
                PatrolStep::Finish { .. } => None,
            })
            .collect();
        Some(ActiveRound {
            round_id: last.data.round_id,
            route,
            window: last.data.window,
            checked,
            awaiting: None,
        })
    }
}

#[cfg(test)]
#[path = "patrol_journal_tests.rs"]
mod tests;
