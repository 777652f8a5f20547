//! The patrol (巡查) screen: this checkpoint's routes and the next round due, the round being walked
//! (scan a point's label, then tap normal or problem), the problem form, finishing (with a
//! confirmation when points are missing) and the rounds still waiting to upload. A check counts
//! only once the ledger has stored it; the wording of every refusal lives in [`PatrolNotice`].

use chrono::{DateTime, Duration, Utc};
use sync_core::ledger::PatrolStepRecord;
use sync_core::patrol::{
    next_round, PatrolCheckData, PatrolPoint, PatrolRoute, PatrolStep, PointError, PointOutcome,
    RoundWindow, RoutePoint, POINT_PREFIX,
};
use uuid::Uuid;

/// A round started this long before its window opens still counts for that window.
pub const EARLY_START_MINUTES: i64 = 15;
/// An unfinished round whose last step is younger than this is resumed after a restart.
pub const RESUME_HOURS: i64 = 12;
/// How far back the screen reads the journal (rounds waiting to upload, a round to resume).
pub const LOOKBACK_DAYS: i64 = 7;

pub use super::patrol_journal::WaitingRound;
pub use super::patrol_notice::PatrolNotice;
use super::recorded::{Stored, Words};

/// Is this scanned text a patrol point's label (whatever its signature)?
pub fn is_point_label(text: &str) -> bool {
    text.trim_start().starts_with(POINT_PREFIX)
}

/// The round due next (open now, or the next to open) over all routes.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRound {
    pub route_id: String,
    pub route_name: String,
    pub window: RoundWindow,
}

/// A point recorded on the active round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPoint {
    pub point_id: String,
    pub outcome: PointOutcome,
}

/// The round being walked.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveRound {
    pub round_id: Uuid,
    /// The route as it was when the round started (a config pulled meanwhile does not move it).
    pub route: PatrolRoute,
    pub window: Option<RoundWindow>,
    /// Points stored in the ledger, in the order they were checked.
    pub checked: Vec<CheckedPoint>,
    /// The point just scanned, waiting for "normal" or "problem" (step 2 of 2).
    pub awaiting: Option<PatrolPoint>,
}

impl ActiveRound {
    /// How a point was found on this round (its last check), if it was checked.
    pub fn outcome_of(&self, point_id: &str) -> Option<PointOutcome> {
        self.checked
            .iter()
            .rev()
            .find(|c| c.point_id == point_id)
            .map(|c| c.outcome)
    }

    /// The route's points not checked yet, in route order.
    pub fn missing(&self) -> Vec<&RoutePoint> {
        self.route
            .points
            .iter()
            .filter(|p| self.outcome_of(&p.point_id).is_none())
            .collect()
    }

    /// Points checked, each counted once.
    pub fn done_count(&self) -> usize {
        self.route.points.len() - self.missing().len()
    }

    fn has_point(&self, point_id: &str) -> bool {
        self.route.points.iter().any(|p| p.point_id == point_id)
    }
}

/// The problem report of the point awaiting its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemForm {
    pub note: String,
    /// The photo's SHA-256, stored in the ledger's photo directory already.
    pub photo: Option<String>,
    pub taking_photo: bool,
}

/// A step to append to the ledger (photos stored already); then send [`PatrolAction::Appended`].
#[derive(Debug, Clone, PartialEq)]
pub struct PendingStep {
    pub data: PatrolCheckData,
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatrolAction {
    /// This checkpoint's routes and time zone, from the signed config.
    Config {
        checkpoint_id: String,
        routes: Vec<PatrolRoute>,
        utc_offset_minutes: i32,
    },
    /// The clock moved: recompute the round due next.
    Tick(DateTime<Utc>),
    /// The patrol steps in the journal (oldest first): rounds waiting to upload, and the
    /// unfinished round to resume when none is active (after a restart).
    Ledger {
        steps: Vec<PatrolStepRecord>,
        now: DateTime<Utc>,
    },
    /// Staff start a round of a route; `round_id` is a fresh UUIDv7.
    Start {
        route_id: String,
        round_id: Uuid,
        now: DateTime<Utc>,
    },
    /// A label was read and verified offline (step 1 of a point).
    Scanned(Result<PatrolPoint, PointError>),
    /// Staff tapped "normal" for the point awaiting its outcome (step 2): returns the step to append.
    Normal,
    /// Staff tapped "problem": opens the problem form.
    Problem,
    NoteInput(String),
    TakingPhoto,
    /// The photo was stored (its SHA-256), or why not.
    Photo(Result<String, Words>),
    RemovePhoto,
    /// Record the problem: returns the step to append when it has a note or a photo.
    SubmitProblem,
    CancelProblem,
    /// Finish the round: returns the step to append, or asks to confirm the missing points.
    Finish,
    ConfirmFinish,
    CancelFinish,
    /// The ledger's answer for a step: stored (seq and device time), or why not.
    Appended {
        step: Box<PendingStep>,
        result: Result<Stored, Words>,
    },
    /// Close the notice and forget a point scanned before any round started.
    Dismiss,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatrolState {
    pub checkpoint_id: String,
    pub routes: Vec<PatrolRoute>,
    pub utc_offset_minutes: i32,
    pub next: Option<DueRound>,
    pub round: Option<ActiveRound>,
    /// A point scanned while no round runs: staff start one of the routes that have it.
    pub scanned: Option<PatrolPoint>,
    pub problem: Option<ProblemForm>,
    /// The points still missing when staff asked to finish: waiting for their confirmation.
    pub confirm_missing: Option<Vec<String>>,
    pub notice: Option<PatrolNotice>,
    pub waiting: Vec<WaitingRound>,
}

impl PatrolState {
    pub fn new(checkpoint_id: String, routes: Vec<PatrolRoute>, utc_offset_minutes: i32) -> Self {
        Self {
            checkpoint_id,
            routes,
            utc_offset_minutes,
            ..Self::default()
        }
    }

    /// The routes that have this point (to start a round from a point scanned first).
    pub fn routes_with(&self, point_id: &str) -> Vec<&PatrolRoute> {
        self.routes
            .iter()
            .filter(|r| r.points.iter().any(|p| p.point_id == point_id))
            .collect()
    }

    pub(super) fn route_name(&self, route_id: &str) -> String {
        self.routes
            .iter()
            .find(|r| r.route_id == route_id)
            .map_or_else(|| route_id.to_owned(), |r| r.name.clone())
    }

    /// The window a round of `route` started at `now` is for: the open one, or one opening soon.
    fn window_for(&self, route: &PatrolRoute, now: DateTime<Utc>) -> Option<RoundWindow> {
        next_round(&route.schedules, now, self.utc_offset_minutes)
            .filter(|w| w.start - Duration::minutes(EARLY_START_MINUTES) <= now)
    }

    /// Apply an action; returns a step to append to the ledger, when there is one.
    pub fn reduce(&mut self, action: PatrolAction) -> Option<PendingStep> {
        match action {
            PatrolAction::Config {
                checkpoint_id,
                routes,
                utc_offset_minutes,
            } => {
                self.checkpoint_id = checkpoint_id;
                self.routes = routes;
                self.utc_offset_minutes = utc_offset_minutes;
            }
            PatrolAction::Tick(now) => self.tick(now),
            PatrolAction::Ledger { steps, now } => self.read_ledger(&steps, now),
            PatrolAction::Start {
                route_id,
                round_id,
                now,
            } => self.start(&route_id, round_id, now),
            PatrolAction::Scanned(read) => self.scanned(read),
            PatrolAction::Normal => return self.point_step(PointOutcome::Normal, String::new()),
            PatrolAction::Problem => {
                if self.awaiting().is_some() {
                    self.problem = Some(ProblemForm::default());
                }
            }
            PatrolAction::NoteInput(text) => {
                if let Some(f) = &mut self.problem {
                    f.note = text;
                }
            }
            PatrolAction::TakingPhoto => {
                if let Some(f) = &mut self.problem {
                    f.taking_photo = true;
                }
            }
            PatrolAction::Photo(result) => {
                if let Some(f) = &mut self.problem {
                    f.taking_photo = false;
                    match result {
                        Ok(sha) => f.photo = Some(sha),
                        Err(w) => self.notice = Some(PatrolNotice::Photo(w)),
                    }
                }
            }
            PatrolAction::RemovePhoto => {
                if let Some(f) = &mut self.problem {
                    f.photo = None;
                }
            }
            PatrolAction::SubmitProblem => {
                let note = self.problem.as_ref()?.note.trim().to_owned();
                return self.point_step(PointOutcome::Problem, note);
            }
            PatrolAction::CancelProblem => self.problem = None,
            PatrolAction::Finish => {
                let round = self.round.as_ref()?;
                let missing: Vec<String> =
                    round.missing().iter().map(|p| p.point_id.clone()).collect();
                if missing.is_empty() {
                    return self.finish_step(missing);
                }
                self.confirm_missing = Some(missing);
            }
            PatrolAction::ConfirmFinish => {
                self.confirm_missing.take()?;
                let round = self.round.as_ref()?;
                let missing = round.missing().iter().map(|p| p.point_id.clone()).collect();
                return self.finish_step(missing);
            }
            PatrolAction::CancelFinish => self.confirm_missing = None,
            PatrolAction::Appended { step, result } => self.appended(*step, result),
            PatrolAction::Dismiss => {
                self.notice = None;
                self.scanned = None;
            }
        }
        None
    }

    /// The point waiting for its outcome.
    pub fn awaiting(&self) -> Option<&PatrolPoint> {
        self.round.as_ref().and_then(|r| r.awaiting.as_ref())
    }

    fn tick(&mut self, now: DateTime<Utc>) {
        self.next = self
            .routes
            .iter()
            .filter_map(|r| {
                next_round(&r.schedules, now, self.utc_offset_minutes).map(|window| DueRound {
                    route_id: r.route_id.clone(),
                    route_name: r.name.clone(),
                    window,
                })
            })
            .min_by_key(|d| (d.window.start, d.window.end));
    }

    fn start(&mut self, route_id: &str, round_id: Uuid, now: DateTime<Utc>) {
        if self.round.is_some() {
            self.notice = Some(PatrolNotice::RoundActive);
            return;
        }
        let Some(route) = self.routes.iter().find(|r| r.route_id == route_id).cloned() else {
            return;
        };
        let window = self.window_for(&route, now);
        // A point scanned first (at the gate, or here) is step 1 of the new round.
        let awaiting = self
            .scanned
            .take()
            .filter(|p| route.points.iter().any(|rp| rp.point_id == p.point_id));
        self.round = Some(ActiveRound {
            round_id,
            route,
            window,
            checked: Vec::new(),
            awaiting,
        });
        self.notice = None;
    }

    fn scanned(&mut self, read: Result<PatrolPoint, PointError>) {
        if self.problem.is_some() || self.confirm_missing.is_some() {
            // A form is open: the camera is paused, a late read changes nothing.
            return;
        }
        let point = match read {
            Ok(p) => p,
            Err(e) => {
                self.notice = Some(PatrolNotice::Point(e));
                return;
            }
        };
        let Some(round) = &mut self.round else {
            if self.routes_with(&point.point_id).is_empty() {
                self.notice = Some(PatrolNotice::NotOnRoute {
                    name: point.name,
                    route: None,
                });
            } else {
                self.notice = None;
                self.scanned = Some(point);
            }
            return;
        };
        if !round.has_point(&point.point_id) {
            self.notice = Some(PatrolNotice::NotOnRoute {
                name: point.name,
                route: Some(round.route.name.clone()),
            });
            return;
        }
        if round.awaiting.as_ref() == Some(&point) {
            return;
        }
        let just_checked = round
            .checked
            .last()
            .is_some_and(|c| c.point_id == point.point_id);
        if round.awaiting.is_none() && just_checked {
            self.notice = Some(PatrolNotice::AlreadyChecked { name: point.name });
            return;
        }
        round.awaiting = Some(point);
        self.notice = None;
    }

    fn body(&self, round: &ActiveRound, step: PatrolStep) -> PatrolCheckData {
        PatrolCheckData {
            checkpoint_id: self.checkpoint_id.clone(),
            route_id: round.route.route_id.clone(),
            round_id: round.round_id,
            window: round.window,
            step,
        }
    }

    fn point_step(&mut self, outcome: PointOutcome, note: String) -> Option<PendingStep> {
        let round = self.round.as_ref()?;
        let point = round.awaiting.as_ref()?;
        let photo = match outcome {
            PointOutcome::Problem => self.problem.as_ref().and_then(|f| f.photo.clone()),
            PointOutcome::Normal => None,
        };
        let data = self.body(
            round,
            PatrolStep::Point {
                point_id: point.point_id.clone(),
                outcome,
                note,
            },
        );
        let attachments: Vec<String> = photo.into_iter().collect();
        if let Err(e) = data.check(attachments.len()) {
            self.notice = Some(PatrolNotice::Check(e));
            return None;
        }
        Some(PendingStep { data, attachments })
    }

    fn finish_step(&self, missing: Vec<String>) -> Option<PendingStep> {
        let round = self.round.as_ref()?;
        Some(PendingStep {
            data: self.body(round, PatrolStep::Finish { missing }),
            attachments: Vec::new(),
        })
    }

    fn appended(&mut self, step: PendingStep, result: Result<Stored, Words>) {
        let stored = match result {
            Ok(s) => s,
            Err(w) => {
                // Nothing is marked done: the point still waits, the form keeps what was typed.
                self.notice = Some(PatrolNotice::NotStored(w));
                return;
            }
        };
        let data = step.data;
        self.note_waiting(&data, stored.recorded_at);
        let Some(round) = self.round.as_mut().filter(|r| r.round_id == data.round_id) else {
            return;
        };
        match data.step {
            PatrolStep::Point {
                point_id, outcome, ..
            } => {
                if round
                    .awaiting
                    .as_ref()
                    .is_some_and(|p| p.point_id == point_id)
                {
                    round.awaiting = None;
                }
                round.checked.push(CheckedPoint { point_id, outcome });
                self.problem = None;
                self.notice = None;
            }
            PatrolStep::Finish { missing } => {
                let checked = round.done_count();
                self.notice = Some(PatrolNotice::Finished {
                    route: round.route.name.clone(),
                    checked,
                    missing: missing.len(),
                });
                self.round = None;
                self.problem = None;
                self.confirm_missing = None;
            }
        }
    }
}

#[cfg(test)]
#[path = "patrol_tests.rs"]
pub(crate) mod tests;
