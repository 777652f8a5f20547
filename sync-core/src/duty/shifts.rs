//! Shifts from duty events: per phone, in time order, a sign-on opens a shift and the same staff
//! member's sign-off closes it. A sign-on while a shift is open closes that one there (flagged: no
//! sign-off); a sign-off with no shift open is kept, flagged, with no hours; a shift longer than
//! 16 hours is flagged and counts 16 hours; a shift still open counts up to now.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::DutyEvent;
use crate::i18n::Lang;

/// The most hours one shift counts.
pub const MAX_SHIFT_HOURS: i64 = 16;
/// Night hours are those between 22:00 and 06:00 local time.
const NIGHT_START_H: u32 = 22;
const NIGHT_END_H: u32 = 6;

/// One stored duty event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRow {
    pub device_id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub event: DutyEvent,
    pub at: DateTime<Utc>,
}

/// What is wrong with a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftFlag {
    /// A sign-off with no sign-on before it at that phone.
    OffWithoutOn,
    /// Never signed off: closed when someone signed on next.
    NoSignOff,
    /// Longer than 16 hours: counts 16.
    Over16Hours,
    /// Still on duty.
    StillOpen,
}

impl ShiftFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OffWithoutOn => "off_without_on",
            Self::NoSignOff => "no_sign_off",
            Self::Over16Hours => "over_16_hours",
            Self::StillOpen => "still_open",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::OffWithoutOn, Lang::ZhCn) => "无上岗记录的下岗",
            (Self::OffWithoutOn, Lang::En) => "sign-off without sign-on",
            (Self::NoSignOff, Lang::ZhCn) => "未下岗，下一人上岗时结束",
            (Self::NoSignOff, Lang::En) => "no sign-off: closed at the next sign-on",
            (Self::Over16Hours, Lang::ZhCn) => "超过16小时，按16小时计",
            (Self::Over16Hours, Lang::En) => "over 16 hours: counted as 16",
            (Self::StillOpen, Lang::ZhCn) => "在岗中",
            (Self::StillOpen, Lang::En) => "still on duty",
        }
    }
}

/// One shift at one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub staff_id: String,
    pub staff_name: String,
    pub device_id: String,
    /// None: a sign-off without a sign-on.
    pub start: Option<DateTime<Utc>>,
    /// None: still open.
    pub end: Option<DateTime<Utc>>,
    pub flags: Vec<ShiftFlag>,
}

/// A time span, from and to.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The part of `a` inside `b`, if they meet.
pub fn clip(a: Span, b: Span) -> Option<Span> {
    let (from, to) = (a.0.max(b.0), a.1.min(b.1));
    (to > from).then_some((from, to))
}

/// How long `a` and `b` share.
fn overlap(a: Span, b: Span) -> Duration {
    clip(a, b).map_or_else(Duration::zero, |(from, to)| to - from)
}

fn hours(d: Duration) -> f64 {
    d.num_seconds() as f64 / 3600.0
}

impl Shift {
    /// The time this shift counts: from its start to its end (or `now` while open), at most 16
    /// hours; none for a sign-off without a sign-on.
    pub fn counted(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.start?;
        let end = self.end.unwrap_or(now).max(start);
        Some((start, end.min(start + Duration::hours(MAX_SHIFT_HOURS))))
    }

    /// Hours counted within `[from, to)` (a month, say).
    pub fn hours_within(&self, window: (DateTime<Utc>, DateTime<Utc>), now: DateTime<Utc>) -> f64 {
        self.counted(now).map_or(0.0, |c| hours(overlap(c, window)))
    }

    /// Night hours (22:00–06:00 at `offset_minutes` from UTC) counted within `window`.
    pub fn night_hours_within(
        &self,
        window: (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        offset_minutes: i32,
    ) -> f64 {
        let Some(counted) = self.counted(now) else {
            return 0.0;
        };
        let offset = Duration::minutes(i64::from(offset_minutes));
        let first_day = (counted.0 + offset).date_naive() - Duration::days(1);
        let last_day = (counted.1 + offset).date_naive();
        let (night_start, night_end) = (
            NaiveTime::from_hms_opt(NIGHT_START_H, 0, 0).unwrap_or_default(),
            NaiveTime::from_hms_opt(NIGHT_END_H, 0, 0).unwrap_or_default(),
        );
        let Some(inside) = clip(counted, window) else {
            return 0.0;
        };
        let mut total = Duration::zero();
        let mut day = first_day;
        while day <= last_day {
            let from = day.and_time(night_start).and_utc() - offset;
            let to = (day + Duration::days(1)).and_time(night_end).and_utc() - offset;
            total += overlap(inside, (from, to));
            day += Duration::days(1);
        }
        hours(total)
    }
}

/// Close `open` at `end`, flagging it when it ran over 16 hours.
fn close(mut open: Shift, end: DateTime<Utc>, flag: Option<ShiftFlag>) -> Shift {
    open.end = Some(end);
    open.flags.extend(flag);
    if open
        .start
        .is_some_and(|s| end - s > Duration::hours(MAX_SHIFT_HOURS))
    {
        open.flags.push(ShiftFlag::Over16Hours);
    }
    open
}

/// Pair duty events into shifts, phone by phone in time order (`rows` in any order).
pub fn pair_shifts(rows: &[DutyRow], now: DateTime<Utc>) -> Vec<Shift> {
    let mut rows: Vec<&DutyRow> = rows.iter().collect();
    rows.sort_by(|a, b| (&a.device_id, a.at).cmp(&(&b.device_id, b.at)));
    let mut shifts = Vec::new();
    let mut open: Option<Shift> = None;
    for (i, row) in rows.iter().enumerate() {
        match row.event {
            DutyEvent::On => {
                if open.as_ref().is_some_and(|o| o.staff_id == row.staff_id) {
                    continue; // signed on twice: the first sign-on stands
                }
                if let Some(o) = open.take() {
                    shifts.push(close(o, row.at, Some(ShiftFlag::NoSignOff)));
                }
                open = Some(Shift {
                    staff_id: row.staff_id.clone(),
                    staff_name: row.staff_name.clone(),
                    device_id: row.device_id.clone(),
                    start: Some(row.at),
                    end: None,
                    flags: Vec::new(),
                });
            }
            DutyEvent::Off => match open.take() {
                Some(o) if o.staff_id == row.staff_id => shifts.push(close(o, row.at, None)),
                other => {
                    open = other;
                    shifts.push(Shift {
                        staff_id: row.staff_id.clone(),
                        staff_name: row.staff_name.clone(),
                        device_id: row.device_id.clone(),
                        start: None,
                        end: Some(row.at),
                        flags: vec![ShiftFlag::OffWithoutOn],
                    });
                }
            },
        }
        let last_of_device = rows
            .get(i + 1)
            .is_none_or(|next| next.device_id != row.device_id);
        if last_of_device {
            if let Some(mut o) = open.take() {
                o.flags.push(ShiftFlag::StillOpen);
                if o.start
                    .is_some_and(|s| now - s > Duration::hours(MAX_SHIFT_HOURS))
                {
                    o.flags.push(ShiftFlag::Over16Hours);
                }
                shifts.push(o);
            }
        }
    }
    shifts
}

#[cfg(test)]
#[path = "shifts_tests.rs"]
mod tests;
