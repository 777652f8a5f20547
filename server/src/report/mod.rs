//! The daily one-form report (一单式报表) and the dashboard numbers, computed from stored records only.

mod chart;
mod csv_export;
mod daily;
mod duty;
mod glance;
mod patrol;
mod signoff;
mod sum;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

pub use chart::hourly_svg;
pub use csv_export::{neutralise_cell, report_csv};
pub use daily::{DailyReport, KindTotals, PatrolTotals};
pub use duty::{flag_words, month_bounds, this_month, unstaffed, DutyMonth, ShiftLine, StaffMonth};
pub use glance::{Glance, HourlyCounts};
pub use patrol::{PatrolDay, RouteRounds};
pub use signoff::{
    amendment, content_hash, Change, FigureError, ManualFigures, Snapshot, MANUAL_FIELDS,
};

/// The days a report can be asked for; a date outside is refused before any arithmetic.
pub fn reportable_day(day: NaiveDate) -> bool {
    (2000..=2999).contains(&day.year())
}

/// The UTC instants at which local day `day` starts and ends, for a UTC offset in minutes.
/// Saturates at the ends of the calendar instead of overflowing.
pub fn day_bounds(day: NaiveDate, utc_offset_minutes: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start_local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let start = Utc
        .from_utc_datetime(&start_local)
        .checked_sub_signed(Duration::minutes(i64::from(utc_offset_minutes)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let end = start
        .checked_add_signed(Duration::days(1))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    (start, end)
}

/// Today's local date at `now`.
pub fn local_day(now: DateTime<Utc>, utc_offset_minutes: i32) -> NaiveDate {
    now.checked_add_signed(Duration::minutes(i64::from(utc_offset_minutes)))
        .unwrap_or(now)
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_day_starts_at_16_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap_or_default();
        let (start, end) = day_bounds(day, 480);
        assert_eq!(start.to_rfc3339(), "2024-03-04T16:00:00+00:00");
        assert_eq!(end - start, Duration::days(1));
        assert_eq!(local_day(start, 480), day);
        assert_eq!(
            local_day(start - Duration::seconds(1), 480),
            day.pred_opt().unwrap_or_default()
        );
    }

    #[test]
    fn the_ends_of_the_calendar_saturate_instead_of_panicking() {
        let (start, end) = day_bounds(NaiveDate::MAX, -840);
        assert!(start <= end);
        let (start, end) = day_bounds(NaiveDate::MIN, 840);
        assert!(start <= end);
        assert_eq!(local_day(DateTime::<Utc>::MAX_UTC, 840), NaiveDate::MAX);
        assert!(!reportable_day(NaiveDate::MAX) && !reportable_day(NaiveDate::MIN));
    }
}
