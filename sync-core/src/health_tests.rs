//! The check-in's rules: future and too-old days, the temperature range, repeated symptoms, the
//! destination, and what is flagged.

use chrono::{Duration, NaiveDate, Utc};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("day")
}

fn checkin() -> Checkin {
    Checkin {
        id: uuid::Uuid::now_v7().to_string(),
        pass_id: "R000001".into(),
        day: today(),
        temperature_c: 36.5,
        symptoms: Vec::new(),
        left_city_to: None,
        declared_at: Utc::now(),
    }
}

#[test]
fn a_plain_declaration_passes_and_is_not_flagged() {
    let c = checkin();
    assert_eq!(c.check(today()), Ok(()));
    assert!(!c.flagged(37.3));
    assert_eq!(c.symptom_words(), "");
}

#[test]
fn a_future_or_too_old_day_is_refused() {
    let mut c = checkin();
    c.day = today() + Duration::days(1);
    assert_eq!(c.check(today()), Err(CheckinError::FutureDay(c.day)));
    assert!(c
        .check(today())
        .unwrap_err()
        .message(Lang::ZhCn)
        .contains("将来"));
    c.day = today() - Duration::days(MAX_DAYS_BACK + 1);
    assert_eq!(c.check(today()), Err(CheckinError::TooOld(c.day)));
    c.day = today() - Duration::days(MAX_DAYS_BACK);
    assert_eq!(
        c.check(today()),
        Ok(()),
        "a queue two weeks old still goes up"
    );
}

#[test]
fn bad_fields_are_refused_with_their_field() {
    let mut c = checkin();
    c.temperature_c = 45.0;
    assert_eq!(
        c.check(today()),
        Err(CheckinError::Temperature(ValidationError::TemperatureRange))
    );
    let mut c = checkin();
    c.symptoms = vec![Symptom::Cough, Symptom::Cough];
    assert_eq!(c.check(today()), Err(CheckinError::RepeatedSymptom));
    let mut c = checkin();
    c.left_city_to = Some("   ".into());
    assert_eq!(
        c.check(today()),
        Err(CheckinError::Destination(ValidationError::Required))
    );
    c.left_city_to = Some("x".repeat(MAX_DESTINATION_CHARS + 1));
    assert!(matches!(
        c.check(today()),
        Err(CheckinError::Destination(_))
    ));
    let mut c = checkin();
    c.id = "not-a-uuid".into();
    assert_eq!(c.check(today()), Err(CheckinError::BadId));
}

#[test]
fn fever_or_any_symptom_is_flagged() {
    let mut c = checkin();
    c.temperature_c = 37.3;
    assert!(c.flagged(37.3));
    let mut c = checkin();
    c.symptoms = vec![Symptom::Fatigue, Symptom::Cough];
    assert!(c.flagged(37.3));
    assert_eq!(c.symptom_words(), "fatigue,cough");
    for s in Symptom::ALL {
        assert_eq!(Symptom::parse(s.as_str()), Some(s));
        assert!(!s.label(Lang::ZhCn).is_empty());
    }
}

#[test]
fn the_district_day_follows_its_offset() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-03T17:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    assert_eq!(
        district_day(at, 480),
        NaiveDate::from_ymd_opt(2026, 12, 4).expect("day")
    );
    assert_eq!(district_day(at, 0), today());
}
