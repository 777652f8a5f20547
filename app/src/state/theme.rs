//! The theme rule: light by default following the phone's setting, dark by hand, or dark from
//! sunset to sunrise in the district's time zone (night shifts).
//!
//! The device knows the district's UTC offset but not the compound's place, so the sun is
//! reckoned at the offset's meridian (120° E for UTC+8) and at [`DEFAULT_LATITUDE`]: for Beijing
//! sunset comes 37 minutes early on 21 June and 7 minutes late on 21 December (ARCHITECTURE.md),
//! and staff can switch by hand.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The phone's theme setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the phone's light/dark setting (light when it has none): the default.
    #[default]
    System,
    /// Light from sunrise, dark from sunset (district time).
    Sunset,
    /// Light, high contrast: for sunlight.
    Light,
    /// Dark: for night shifts.
    Dark,
}

/// The latitude used for sunset when the compound's own is not known (central China).
pub const DEFAULT_LATITUDE: f64 = 32.0;

/// The class on the app's root element: `auto` leaves the choice to the phone's setting
/// (a CSS media query), `light` and `dark` fix it.
pub fn theme_class(theme: Theme, now: DateTime<Utc>, utc_offset_minutes: i32) -> &'static str {
    match theme {
        Theme::System => "app auto",
        Theme::Light => "app light",
        Theme::Dark => "app dark",
        Theme::Sunset if is_night(now, utc_offset_minutes) => "app dark",
        Theme::Sunset => "app light",
    }
}

/// Whether the sun is down at `now` in the district (18:00–06:00 where it never sets or rises).
pub fn is_night(now: DateTime<Utc>, utc_offset_minutes: i32) -> bool {
    let Some(zone) = FixedOffset::east_opt(utc_offset_minutes.saturating_mul(60)) else {
        return false;
    };
    let local = now.with_timezone(&zone);
    let longitude = f64::from(utc_offset_minutes) / 4.0;
    match sun_times(local.date_naive(), DEFAULT_LATITUDE, longitude) {
        Some((rise, set)) => now < rise || now >= set,
        None => {
            let t = local.time();
            t >= NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN)
                || t < NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN)
        }
    }
}

/// Sunrise and sunset (UTC) on `day` at a place, by the sunrise equation (about a minute of
/// error at mid latitudes); `None` for polar day or night.
pub fn sun_times(
    day: NaiveDate,
    latitude: f64,
    longitude: f64,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let j2000 = NaiveDate::from_ymd_opt(2000, 1, 1)?;
    let n = (day - j2000).num_days() as f64;
    let mean_solar = n - longitude / 360.0;
    let anomaly = (357.5291 + 0.985_600_28 * mean_solar).rem_euclid(360.0);
    let m = anomaly.to_radians();
    let centre = 1.9148 * m.sin() + 0.02 * (2.0 * m).sin() + 0.0003 * (3.0 * m).sin();
    let ecliptic = (anomaly + centre + 180.0 + 102.9372)
        .rem_euclid(360.0)
        .to_radians();
    let transit = 2_451_545.0 + mean_solar + 0.0053 * m.sin() - 0.0069 * (2.0 * ecliptic).sin();
    let declination = (ecliptic.sin() * 23.4397_f64.to_radians().sin()).asin();
    let phi = latitude.to_radians();
    let cos_hour = ((-0.833_f64).to_radians().sin() - phi.sin() * declination.sin())
        / (phi.cos() * declination.cos());
    if !(-1.0..=1.0).contains(&cos_hour) {
        return None;
    }
    let half_day = cos_hour.acos().to_degrees() / 360.0;
    Some((
        julian_to_utc(transit - half_day)?,
        julian_to_utc(transit + half_day)?,
    ))
}

fn julian_to_utc(julian: f64) -> Option<DateTime<Utc>> {
    let seconds = (julian - 2_440_587.5) * 86_400.0;
    if !seconds.is_finite() {
        return None;
    }
    Utc.timestamp_opt(0, 0)
        .single()
        .map(|epoch| epoch + Duration::seconds(seconds.round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(day: &str, time: &str) -> DateTime<Utc> {
        let naive =
            chrono::NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M")
                .expect("test time");
        naive.and_utc() - Duration::hours(8)
    }

    fn minutes_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        (a - b).num_minutes().abs()
    }

    #[test]
    fn shanghai_sunrise_and_sunset_match_the_almanac() {
        // Shanghai, 31.23° N 121.47° E: 21 June 04:50 / 19:01, 21 December 06:51 / 16:54 (CST).
        let (rise, set) = sun_times(
            NaiveDate::from_ymd_opt(2026, 6, 21).expect("day"),
            31.23,
            121.47,
        )
        .expect("the sun rises");
        assert!(
            minutes_between(rise, local("2026-06-21", "04:50")) <= 3,
            "{rise}"
        );
        assert!(
            minutes_between(set, local("2026-06-21", "19:01")) <= 3,
            "{set}"
        );
        let (rise, set) = sun_times(
            NaiveDate::from_ymd_opt(2026, 12, 21).expect("day"),
            31.23,
            121.47,
        )
        .expect("the sun rises");
        assert!(
            minutes_between(rise, local("2026-12-21", "06:51")) <= 3,
            "{rise}"
        );
        assert!(
            minutes_between(set, local("2026-12-21", "16:54")) <= 3,
            "{set}"
        );
    }

    #[test]
    fn sunset_mode_is_dark_at_night_and_light_by_day() {
        // UTC+8: a winter evening is dark at 17:30, a summer one still light.
        for (day, time, class) in [
            ("2026-12-21", "17:30", "app dark"),
            ("2026-06-21", "17:30", "app light"),
            ("2026-06-21", "20:00", "app dark"),
            ("2026-12-21", "06:30", "app dark"),
            ("2026-12-21", "08:00", "app light"),
            ("2026-12-21", "00:10", "app dark"),
        ] {
            assert_eq!(
                theme_class(Theme::Sunset, local(day, time), 480),
                class,
                "{day} {time}"
            );
        }
    }

    #[test]
    fn fixed_and_system_themes_ignore_the_clock() {
        let noon = local("2026-06-21", "12:00");
        let midnight = local("2026-06-21", "23:59");
        for now in [noon, midnight] {
            assert_eq!(theme_class(Theme::System, now, 480), "app auto");
            assert_eq!(theme_class(Theme::Light, now, 480), "app light");
            assert_eq!(theme_class(Theme::Dark, now, 480), "app dark");
        }
        assert_eq!(
            Theme::default(),
            Theme::System,
            "light, following the phone, by default"
        );
    }

    #[test]
    fn polar_days_fall_back_to_fixed_night_hours() {
        assert!(sun_times(
            NaiveDate::from_ymd_opt(2026, 6, 21).expect("day"),
            80.0,
            15.0
        )
        .is_none());
        // An offset beyond any real zone is refused rather than guessed.
        assert!(!is_night(local("2026-06-21", "23:00"), 100_000));
    }

    #[test]
    fn stored_preferences_of_older_versions_still_read() {
        let dark: Theme = serde_json::from_str("\"dark\"").expect("old value");
        assert_eq!(dark, Theme::Dark);
        let light: Theme = serde_json::from_str("\"light\"").expect("old value");
        assert_eq!(light, Theme::Light);
    }
}
