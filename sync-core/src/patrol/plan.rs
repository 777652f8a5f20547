//! What a checkpoint's phones patrol and when: routes (points in order or not) and their schedules,
//! and the round windows a schedule makes on a local day. The server keeps them and sends each
//! checkpoint its own routes in the signed config; the phone and the server cut windows with the
//! same code, so "the 10:00 round" means the same window on both.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// A point on a route, as the phone lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutePoint {
    pub point_id: String,
    pub name: String,
}

impl RoutePoint {
    /// Points from `(point id, name)` pairs, in order.
    pub fn list(pairs: &[(&str, &str)]) -> Vec<Self> {
        pairs
            .iter()
            .map(|(id, name)| Self {
                point_id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect()
    }
}

/// A route: the points of one round, walked by the phones of one checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolRoute {
    pub route_id: String,
    pub name: String,
    pub checkpoint_id: String,
    /// Whether the points must be checked in the listed order (out-of-order checks are listed).
    pub ordered: bool,
    pub points: Vec<RoutePoint>,
    /// The schedule versions, oldest first (see [`Schedule::valid_from`]).
    #[serde(default)]
    pub schedules: Vec<Schedule>,
}

/// When a route's rounds start: every `every_minutes` from `first_start` to `last_start` (local
/// time; a `last_start` before `first_start` runs past midnight into the next day), each round
/// to be finished within `window_minutes` of its start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub first_start: NaiveTime,
    pub last_start: NaiveTime,
    pub every_minutes: u32,
    pub window_minutes: u32,
    /// An edit makes a new version from the moment it is saved: a round keeps the window of the
    /// version in force at its start, so a round in progress is never moved.
    pub valid_from: DateTime<Utc>,
}

/// Why a schedule cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("times are HH:MM")]
    Time,
    #[error("a round starts every 15 to 1440 minutes")]
    Every,
    #[error("a round's window is 5 minutes or more, and no longer than the time between rounds")]
    Window,
}

impl crate::i18n::Localized for ScheduleError {
    fn message(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.to_string(),
            crate::i18n::Lang::ZhCn => match self {
                Self::Time => "时间请填 HH:MM",
                Self::Every => "巡查间隔须为 15–1440 分钟",
                Self::Window => "每轮时限须至少 5 分钟，且不超过巡查间隔",
            }
            .into(),
        }
    }
}

/// One scheduled round of a route: its window in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RoundWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl RoundWindow {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

impl Schedule {
    /// A schedule from a form's words (`HH:MM` first and last start), in force from `valid_from`,
    /// checked.
    pub fn from_form(
        (first, last): (&str, &str),
        every_minutes: u32,
        window_minutes: u32,
        valid_from: DateTime<Utc>,
    ) -> Result<Self, ScheduleError> {
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
        let (Some(first_start), Some(last_start)) = (time(first), time(last)) else {
            return Err(ScheduleError::Time);
        };
        let s = Self {
            first_start,
            last_start,
            every_minutes,
            window_minutes,
            valid_from,
        };
        s.check().map(|()| s)
    }

    /// A version that stops the rounds from `valid_from` on (no windows: `every_minutes` 0).
    pub fn stop(valid_from: DateTime<Utc>) -> Self {
        Self {
            first_start: NaiveTime::MIN,
            last_start: NaiveTime::MIN,
            every_minutes: 0,
            window_minutes: 0,
            valid_from,
        }
    }

    /// Whether the rounds run under this version.
    pub fn runs(&self) -> bool {
        self.every_minutes > 0
    }

    /// Whether the numbers make sense (the times themselves are always valid).
    pub fn check(&self) -> Result<(), ScheduleError> {
        if !(15..=1440).contains(&self.every_minutes) {
            return Err(ScheduleError::Every);
        }
        if self.window_minutes < 5 || self.window_minutes > self.every_minutes {
            return Err(ScheduleError::Window);
        }
        Ok(())
    }

    /// The windows of the series that begins on local day `day` (it may run past midnight).
    fn series(&self, day: NaiveDate, utc_offset_minutes: i32) -> Vec<RoundWindow> {
        if self.check().is_err() {
            return Vec::new();
        }
        let local_first = day.and_time(self.first_start);
        let mut local_last = day.and_time(self.last_start);
        if local_last < local_first {
            local_last += Duration::days(1);
        }
        let offset = Duration::minutes(i64::from(utc_offset_minutes));
        let step = Duration::minutes(i64::from(self.every_minutes));
        let window = Duration::minutes(i64::from(self.window_minutes));
        let mut out = Vec::new();
        let mut at = local_first;
        while at <= local_last {
            let start = (at - offset).and_utc();
            out.push(RoundWindow {
                start,
                end: start + window,
            });
            at += step;
        }
        out
    }
}

/// The rounds of a route that start on local day `day`, each cut by the schedule version in force
/// at its start, in time order. A series that began the evening before contributes its rounds
/// after midnight.
pub fn windows_on(
    schedules: &[Schedule],
    day: NaiveDate,
    utc_offset_minutes: i32,
) -> Vec<RoundWindow> {
    let offset = Duration::minutes(i64::from(utc_offset_minutes));
    let day_start = (day.and_time(NaiveTime::MIN) - offset).and_utc();
    let day_end = day_start + Duration::days(1);
    let mut out: Vec<RoundWindow> = [day.pred_opt(), Some(day)]
        .into_iter()
        .flatten()
        .flat_map(|d| {
            schedules.iter().enumerate().flat_map(move |(i, s)| {
                s.series(d, utc_offset_minutes)
                    .into_iter()
                    .map(move |w| (i, w))
            })
        })
        .filter(|(i, w)| {
            w.start >= day_start
                && w.start < day_end
                && in_force(schedules, w.start).map(|(j, _)| j) == Some(*i)
        })
        .map(|(_, w)| w)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The schedule version in force at `t` (the newest whose `valid_from` is not after it).
fn in_force(schedules: &[Schedule], t: DateTime<Utc>) -> Option<(usize, &Schedule)> {
    schedules
        .iter()
        .enumerate()
        .filter(|(_, s)| s.valid_from <= t)
        .max_by_key(|(_, s)| s.valid_from)
}

/// The round a phone should walk next at `now`: the open window (one that began yesterday
/// evening may still be open after midnight), else the next one today or tomorrow.
pub fn next_round(
    schedules: &[Schedule],
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
) -> Option<RoundWindow> {
    let today = crate::patrol::local_day(now, utc_offset_minutes);
    [today.pred_opt(), Some(today), today.succ_opt()]
        .into_iter()
        .flatten()
        .flat_map(|d| windows_on(schedules, d, utc_offset_minutes))
        .find(|w| now < w.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CST: i32 = 480;

    /// Unchecked, so that nonsense numbers can be tried too.
    fn schedule(first: &str, last: &str, every: u32, window: u32) -> Schedule {
        let unchecked = Schedule::from_form((first, last), 60, 30, DateTime::UNIX_EPOCH);
        Schedule {
            every_minutes: every,
            window_minutes: window,
            ..unchecked.expect("times")
        }
    }

    fn local(day: NaiveDate, t: &str) -> DateTime<Utc> {
        let hm = NaiveTime::parse_from_str(t, "%H:%M").expect("time");
        (day.and_time(hm) - Duration::minutes(i64::from(CST))).and_utc()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    #[test]
    fn every_two_hours_from_eight_to_eight_makes_seven_rounds_of_45_minutes() {
        let w = windows_on(&[schedule("08:00", "20:00", 120, 45)], day(3), CST);
        assert_eq!(w.len(), 7);
        assert_eq!(w[0].start, local(day(3), "08:00"));
        assert_eq!(w[0].end, local(day(3), "08:45"));
        assert_eq!(w[6].start, local(day(3), "20:00"));
    }

    #[test]
    fn a_night_schedule_runs_past_midnight_and_rounds_belong_to_the_day_they_start() {
        let s = [schedule("22:00", "04:00", 120, 45)];
        let d3 = windows_on(&s, day(3), CST);
        // 00:00, 02:00, 04:00 of the series that began on the 2nd, then 22:00 of the 3rd.
        let starts: Vec<_> = d3.iter().map(|w| w.start).collect();
        assert_eq!(
            starts,
            vec![
                local(day(3), "00:00"),
                local(day(3), "02:00"),
                local(day(3), "04:00"),
                local(day(3), "22:00"),
            ]
        );
        // A round at 23:30 with 45 minutes ends after midnight, on the next day.
        let late = windows_on(&[schedule("23:30", "23:30", 1440, 45)], day(3), CST);
        assert_eq!(late[0].end, local(day(4), "00:15"));
    }

    #[test]
    fn an_edit_applies_from_its_moment_and_leaves_earlier_rounds_their_window() {
        let old = schedule("08:00", "20:00", 120, 45);
        let mut new = schedule("09:00", "21:00", 180, 60);
        new.valid_from = local(day(3), "10:30");
        let w = windows_on(&[old, new], day(3), CST);
        let starts: Vec<_> = w.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(starts[0], (local(day(3), "08:00"), local(day(3), "08:45")));
        assert_eq!(starts[1], (local(day(3), "10:00"), local(day(3), "10:45")));
        assert_eq!(starts[2], (local(day(3), "12:00"), local(day(3), "13:00")));
        assert_eq!(w.len(), 2 + 4, "12, 15, 18, 21 under the new version");
    }

    #[test]
    fn the_next_round_is_the_open_one_then_the_next_then_tomorrows() {
        let s = [schedule("08:00", "20:00", 120, 45)];
        assert_eq!(
            next_round(&s, local(day(3), "10:20"), CST).map(|w| w.start),
            Some(local(day(3), "10:00"))
        );
        assert_eq!(
            next_round(&s, local(day(3), "10:50"), CST).map(|w| w.start),
            Some(local(day(3), "12:00"))
        );
        assert_eq!(
            next_round(&s, local(day(3), "21:00"), CST).map(|w| w.start),
            Some(local(day(4), "08:00"))
        );
        assert_eq!(next_round(&[], local(day(3), "21:00"), CST), None);
        // A 23:30 round with 45 minutes is still the one to walk at 00:10.
        let night = [schedule("23:30", "23:30", 1440, 45)];
        assert_eq!(
            next_round(&night, local(day(4), "00:10"), CST).map(|w| w.start),
            Some(local(day(3), "23:30"))
        );
    }

    #[test]
    fn nonsense_numbers_are_refused() {
        assert_eq!(
            schedule("08:00", "20:00", 5, 5).check(),
            Err(ScheduleError::Every)
        );
        assert_eq!(
            schedule("08:00", "20:00", 60, 90).check(),
            Err(ScheduleError::Window)
        );
        assert!(windows_on(&[schedule("08:00", "20:00", 5, 5)], day(3), CST).is_empty());
        assert_eq!(
            Schedule::from_form(("8点", "20:00"), 60, 30, DateTime::UNIX_EPOCH),
            Err(ScheduleError::Time)
        );
        assert_eq!(
            Schedule::from_form(("08:00", "20:00"), 60, 90, DateTime::UNIX_EPOCH),
            Err(ScheduleError::Window)
        );
    }
}
