use chrono::TimeZone;

use super::*;

/// UTC instant of a local (UTC+8) time on December 2026.
fn local(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, h, m, 0)
        .single()
        .expect("valid")
        - Duration::hours(8)
}

fn row(device: &str, staff: &str, event: DutyEvent, at: DateTime<Utc>) -> DutyRow {
    DutyRow {
        device_id: device.into(),
        staff_id: staff.into(),
        staff_name: staff.into(),
        event,
        at,
    }
}

fn day(d: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    (local(d, 0, 0), local(d + 1, 0, 0))
}

#[test]
fn a_night_shift_across_midnight_counts_its_hours_on_each_day_and_its_night_hours() {
    let rows = [
        row("p1", "S1", DutyEvent::On, local(3, 20, 0)),
        row("p1", "S1", DutyEvent::Off, local(4, 7, 30)),
    ];
    let now = local(5, 0, 0);
    let shifts = pair_shifts(&rows, now);
    assert_eq!(shifts.len(), 1);
    let s = &shifts[0];
    assert!(s.flags.is_empty());
    assert_eq!(s.hours_within(day(3), now), 4.0);
    assert_eq!(s.hours_within(day(4), now), 7.5);
    // 22:00–06:00 is night: 2 hours on the 3rd, 6 on the 4th.
    assert_eq!(s.night_hours_within(day(3), now, 480), 2.0);
    assert_eq!(s.night_hours_within(day(4), now, 480), 6.0);
    let all = (local(1, 0, 0), local(31, 0, 0));
    assert_eq!(s.night_hours_within(all, now, 480), 8.0);
}

#[test]
fn a_sign_on_while_a_shift_is_open_closes_it_there_flagged_and_over_16_hours_counts_16() {
    let rows = [
        row("p1", "S1", DutyEvent::On, local(3, 6, 0)),
        // S1 never signs off; S2 signs on 20 hours later.
        row("p1", "S2", DutyEvent::On, local(4, 2, 0)),
        row("p1", "S2", DutyEvent::Off, local(4, 8, 0)),
    ];
    let now = local(5, 0, 0);
    let shifts = pair_shifts(&rows, now);
    assert_eq!(shifts.len(), 2);
    assert_eq!(shifts[0].end, Some(local(4, 2, 0)));
    assert_eq!(
        shifts[0].flags,
        [ShiftFlag::NoSignOff, ShiftFlag::Over16Hours]
    );
    let all = (local(1, 0, 0), local(31, 0, 0));
    assert_eq!(shifts[0].hours_within(all, now), 16.0);
    assert_eq!(shifts[1].hours_within(all, now), 6.0);
    assert!(shifts[1].flags.is_empty());
}

#[test]
fn a_sign_off_without_a_sign_on_is_kept_flagged_with_no_hours() {
    let rows = [
        row("p1", "S1", DutyEvent::Off, local(3, 9, 0)),
        row("p1", "S2", DutyEvent::On, local(3, 10, 0)),
        // S1 signs off while S2 is on duty: S2's shift goes on.
        row("p1", "S1", DutyEvent::Off, local(3, 11, 0)),
        row("p1", "S2", DutyEvent::Off, local(3, 12, 0)),
    ];
    let now = local(4, 0, 0);
    let shifts = pair_shifts(&rows, now);
    let flags: Vec<(&str, Vec<ShiftFlag>)> = shifts
        .iter()
        .map(|s| (s.staff_id.as_str(), s.flags.clone()))
        .collect();
    assert_eq!(
        flags,
        [
            ("S1", vec![ShiftFlag::OffWithoutOn]),
            ("S1", vec![ShiftFlag::OffWithoutOn]),
            ("S2", vec![]),
        ]
    );
    assert_eq!(shifts[0].hours_within(day(3), now), 0.0);
    assert_eq!(shifts[2].hours_within(day(3), now), 2.0);
}

#[test]
fn phones_are_paired_separately_and_an_open_shift_counts_up_to_now() {
    let rows = [
        row("p2", "S2", DutyEvent::On, local(3, 8, 0)),
        row("p1", "S1", DutyEvent::On, local(3, 8, 0)),
        row("p1", "S1", DutyEvent::On, local(3, 9, 0)),
        row("p1", "S1", DutyEvent::Off, local(3, 10, 0)),
    ];
    let now = local(3, 11, 0);
    let shifts = pair_shifts(&rows, now);
    assert_eq!(shifts.len(), 2);
    assert_eq!(shifts[0].device_id, "p1");
    assert_eq!(
        shifts[0].hours_within(day(3), now),
        2.0,
        "the first sign-on stands"
    );
    assert_eq!(shifts[1].flags, [ShiftFlag::StillOpen]);
    assert_eq!(shifts[1].hours_within(day(3), now), 3.0);
    let much_later = local(4, 9, 0);
    let open = &pair_shifts(&rows, much_later)[1];
    assert_eq!(open.flags, [ShiftFlag::StillOpen, ShiftFlag::Over16Hours]);
    assert_eq!(
        open.hours_within((local(1, 0, 0), local(31, 0, 0)), much_later),
        16.0
    );
}

#[test]
fn a_shift_across_a_month_end_splits_its_hours_between_the_months() {
    let nov_30_20h = Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .expect("t");
    let rows = [
        row("p1", "S1", DutyEvent::On, nov_30_20h),
        row("p1", "S1", DutyEvent::Off, local(1, 4, 0)),
    ];
    let now = local(2, 0, 0);
    let s = &pair_shifts(&rows, now)[0];
    let november = (
        nov_30_20h - Duration::days(29) - Duration::hours(20),
        local(1, 0, 0),
    );
    let december = (local(1, 0, 0), local(31, 0, 0) + Duration::days(1));
    assert_eq!(s.hours_within(november, now), 4.0);
    assert_eq!(s.hours_within(december, now), 4.0);
    assert_eq!(s.night_hours_within(november, now, 480), 2.0);
    assert_eq!(s.night_hours_within(december, now, 480), 4.0);
}
