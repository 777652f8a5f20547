//! The daily one-form report (一单式报表) and the dashboard numbers, computed from stored records only.

mod chart;
mod csv_export;
mod daily;
mod glance;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

pub use chart::hourly_svg;
pub use csv_export::{neutralise_cell, report_csv};
pub use daily::{DailyReport, KindTotals};
pub use glance::{Glance, HourlyCounts};

/// The UTC instants at which local day `day` starts and ends, for a UTC offset in minutes.
pub fn day_bounds(day: NaiveDate, utc_offset_minutes: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start_local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let start =
        Utc.from_utc_datetime(&start_local) - Duration::minutes(i64::from(utc_offset_minutes));
    (start, start + Duration::days(1))
}

/// Today's local date at `now`.
pub fn local_day(now: DateTime<Utc>, utc_offset_minutes: i32) -> NaiveDate {
    (now + Duration::minutes(i64::from(utc_offset_minutes))).date_naive()
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
}
