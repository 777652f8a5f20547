//! Round evaluation: a route's scheduled windows of one day, the checks that arrived, and the last
//! time the route's phones were fully synced, turned into each round's status. Pure: the server
//! recomputes it whenever a page asks, so a late upload changes `unknown` into what really
//! happened.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::check::PointOutcome;
use super::plan::{PatrolRoute, RoundWindow};

/// A second check of the same point within this time counts once and is flagged.
pub const DOUBLE_CHECK_SECONDS: i64 = 60;

/// One stored patrol step, as the evaluation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckFact {
    pub round_id: String,
    pub device_id: String,
    pub staff: String,
    /// The window the phone started the round for, if any.
    pub window_start: Option<DateTime<Utc>>,
    /// Corrected time (device time plus the device's known offset).
    pub at: DateTime<Utc>,
    pub step: FactStep,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactStep {
    Point {
        point_id: String,
        outcome: PointOutcome,
        note: String,
        photos: Vec<String>,
    },
    Finish,
}

/// A round's status, by the words the pages and the report use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// The window has not started.
    Upcoming,
    /// The window is open and the round is not complete yet.
    Open,
    /// Every point checked within the window.
    Done,
    /// Some points missing (the window passed, or staff finished early).
    Partial,
    /// Every point checked, the last after the window.
    Late,
    /// The window passed, the phones synced since, and no point was checked.
    Missed,
    /// The window passed and the phones have not synced since: nobody knows yet.
    Unknown,
}

impl RoundStatus {
    pub const ALL: [RoundStatus; 7] = [
        Self::Upcoming,
        Self::Open,
        Self::Done,
        Self::Partial,
        Self::Late,
        Self::Missed,
        Self::Unknown,
    ];

    /// The one table of its words.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang::{En, ZhCn};
        match (self, lang) {
            (Self::Upcoming, ZhCn) => "未开始",
            (Self::Upcoming, En) => "Upcoming",
            (Self::Open, ZhCn) => "进行中",
            (Self::Open, En) => "Open",
            (Self::Done, ZhCn) => "已完成",
            (Self::Done, En) => "Done",
            (Self::Partial, ZhCn) => "漏查",
            (Self::Partial, En) => "Partial",
            (Self::Late, ZhCn) => "超时完成",
            (Self::Late, En) => "Late",
            (Self::Missed, ZhCn) => "未巡查",
            (Self::Missed, En) => "Missed",
            (Self::Unknown, ZhCn) => "待同步",
            (Self::Unknown, En) => "Not synced",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Done => "done",
            Self::Partial => "partial",
            Self::Late => "late",
            Self::Missed => "missed",
            Self::Unknown => "unknown",
        }
    }

    /// Whether the round counts as due (its window has passed or it was finished).
    pub fn is_due(self) -> bool {
        !matches!(self, Self::Upcoming | Self::Open)
    }
}

/// How one point of a round was found (the first check that counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointVisit {
    pub at: DateTime<Utc>,
    pub outcome: PointOutcome,
    pub note: String,
    pub photos: Vec<String>,
    pub device_id: String,
    pub staff: String,
    /// Checked after the window's end.
    pub late: bool,
    /// Checked again within [`DOUBLE_CHECK_SECONDS`] (counted once).
    pub double: bool,
}

/// A point of the route and its visit in this round, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundPoint {
    pub point_id: String,
    pub name: String,
    pub visit: Option<PointVisit>,
}

/// One scheduled round, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub window: RoundWindow,
    pub status: RoundStatus,
    pub points: Vec<RoundPoint>,
    /// Point ids not checked (empty when complete).
    pub missing: Vec<String>,
    /// Point ids checked out of the route's order (ordered routes only).
    pub out_of_order: Vec<String>,
    /// Point ids checked twice within a minute.
    pub doubles: Vec<String>,
    /// When staff finished the round on the phone, if they did.
    pub finished_at: Option<DateTime<Utc>>,
    /// The last time the route's phones were fully synced (shown with `unknown`).
    pub last_contact: Option<DateTime<Utc>>,
}

/// What one route's day needs.
#[derive(Debug, Clone, Copy)]
pub struct RouteDay<'a> {
    pub route: &'a PatrolRoute,
    pub windows: &'a [RoundWindow],
    /// This route's checks; any order.
    pub checks: &'a [CheckFact],
    /// The latest time any phone of the route's checkpoint was fully synced.
    pub synced_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Evaluate every window of the day, in time order.
pub fn evaluate(day: RouteDay<'_>) -> Vec<Round> {
    let mut by_window: Vec<Vec<&CheckFact>> = vec![Vec::new(); day.windows.len()];
    for (window, checks) in assign(day.windows, day.checks) {
        if let Some(slot) = by_window.get_mut(window) {
            slot.extend(checks);
        }
    }
    let index: HashMap<&str, usize> = day
        .route
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (p.point_id.as_str(), i))
        .collect();
    day.windows
        .iter()
        .zip(by_window)
        .map(|(w, mut checks)| {
            checks.sort_by_key(|c| c.at);
            round(&day, &index, *w, &checks)
        })
        .collect()
}

/// Which window each round's checks belong to: the window the phone named when it is one of the
/// day's, else the window open at the round's first check. A late round is found by the window
/// it names; a round that names none and began outside every window belongs to no scheduled
/// round (an extra walk), and one naming another day's window is that day's.
fn assign<'c>(
    windows: &[RoundWindow],
    checks: &'c [CheckFact],
) -> HashMap<usize, Vec<&'c CheckFact>> {
    let mut rounds: HashMap<&str, Vec<&CheckFact>> = HashMap::new();
    for c in checks {
        rounds.entry(c.round_id.as_str()).or_default().push(c);
    }
    let mut out: HashMap<usize, Vec<&CheckFact>> = HashMap::new();
    for steps in rounds.into_values() {
        let named = steps
            .iter()
            .find_map(|c| c.window_start)
            .and_then(|s| windows.iter().position(|w| w.start == s));
        let first = steps.iter().map(|c| c.at).min();
        let by_time = first.and_then(|t| windows.iter().position(|w| w.contains(t)));
        if let Some(i) = named.or(by_time) {
            out.entry(i).or_default().extend(steps);
        }
    }
    out
}

/// One window's round; `index` is each route point's place on the route.
fn round(
    day: &RouteDay<'_>,
    index: &HashMap<&str, usize>,
    window: RoundWindow,
    checks: &[&CheckFact],
) -> Round {
    let mut visits: Vec<Option<PointVisit>> = vec![None; day.route.points.len()];
    let mut doubles = Vec::new();
    let mut out_of_order = Vec::new();
    let mut furthest: Option<usize> = None;
    let mut finished_at = None;
    for c in checks {
        let FactStep::Point {
            point_id,
            outcome,
            note,
            photos,
        } = &c.step
        else {
            finished_at = finished_at.or(Some(c.at));
            continue;
        };
        let Some(&i) = index.get(point_id.as_str()) else {
            continue; // a point no longer on the route
        };
        match &mut visits[i] {
            Some(first) => {
                if c.at - first.at <= Duration::seconds(DOUBLE_CHECK_SECONDS) && !first.double {
                    first.double = true;
                    doubles.push(point_id.clone());
                }
            }
            slot @ None => {
                if day.route.ordered && furthest.is_some_and(|f| i < f) {
                    out_of_order.push(point_id.clone());
                }
                furthest = furthest.max(Some(i));
                *slot = Some(PointVisit {
                    at: c.at,
                    outcome: *outcome,
                    note: note.clone(),
                    photos: photos.clone(),
                    device_id: c.device_id.clone(),
                    staff: c.staff.clone(),
                    late: c.at >= window.end,
                    double: false,
                });
            }
        }
    }
    let points: Vec<RoundPoint> = day
        .route
        .points
        .iter()
        .zip(visits)
        .map(|(p, visit)| RoundPoint {
            point_id: p.point_id.clone(),
            name: p.name.clone(),
            visit,
        })
        .collect();
    let missing: Vec<String> = points
        .iter()
        .filter(|p| p.visit.is_none())
        .map(|p| p.point_id.clone())
        .collect();
    let status = status(day, window, &points, finished_at);
    Round {
        window,
        status,
        points,
        missing,
        out_of_order,
        doubles,
        finished_at,
        last_contact: day.synced_at,
    }
}

fn status(
    day: &RouteDay<'_>,
    window: RoundWindow,
    points: &[RoundPoint],
    finished_at: Option<DateTime<Utc>>,
) -> RoundStatus {
    let visits: Vec<&PointVisit> = points.iter().filter_map(|p| p.visit.as_ref()).collect();
    let complete = !points.is_empty() && visits.len() == points.len();
    if complete {
        return if visits.iter().any(|v| v.late) {
            RoundStatus::Late
        } else {
            RoundStatus::Done
        };
    }
    if finished_at.is_some() && !visits.is_empty() {
        return RoundStatus::Partial;
    }
    if day.now < window.start {
        return RoundStatus::Upcoming;
    }
    if day.now < window.end {
        return RoundStatus::Open;
    }
    match day.synced_at {
        Some(t) if t >= window.end => {
            if visits.is_empty() {
                RoundStatus::Missed
            } else {
                RoundStatus::Partial
            }
        }
        _ => RoundStatus::Unknown,
    }
}

/// Rounds done and rounds due (window passed or finished) over a set of evaluated rounds.
pub fn completion(rounds: &[Round]) -> (usize, usize) {
    let due = rounds.iter().filter(|r| r.status.is_due()).count();
    let done = rounds
        .iter()
        .filter(|r| r.status == RoundStatus::Done)
        .count();
    (done, due)
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
