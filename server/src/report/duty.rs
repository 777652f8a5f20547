//! The monthly duty report (值班与津贴): per staff member their shifts, hours, night hours (22:00–
//! 06:00), passages handled and patrol rounds walked in one month, from the duty events paired
//! into shifts (sync-core's `pair_shifts`); a shift across a month end counts its hours in each
//! month and as a shift in the month it began. Flagged shifts are listed for review. Also the
//! gates with nobody signed on during their compound's staffed hours.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sync_core::duty::{clip, pair_shifts, DutyRow, Shift, ShiftFlag, MAX_SHIFT_HOURS};
use sync_core::i18n::Lang;

use super::{day_bounds, local_day, neutralise_cell};
use crate::store::{DbError, Store};

/// One staff member's month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffMonth {
    pub staff_id: String,
    pub name: String,
    /// Shifts begun this month.
    pub shifts: u32,
    pub hours: f64,
    pub night_hours: f64,
    pub passages: u64,
    pub rounds: u64,
    /// Shifts with a flag, to review before paying.
    pub flagged: u32,
}

/// One shift as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftLine {
    pub shift: Shift,
    pub checkpoint_id: String,
    /// Hours counted within the month.
    pub hours: f64,
    pub passages: u64,
    pub rounds: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DutyMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub staff: Vec<StaffMonth>,
    pub shifts: Vec<ShiftLine>,
}

/// The UTC bounds of the local month that `first` begins.
pub fn month_bounds(first: NaiveDate, offset_minutes: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (
        day_bounds(first, offset_minutes).0,
        day_bounds(next, offset_minutes).0,
    )
}

/// How many of the sorted `times` (ms) fall in `[from, to)`.
fn count_in(times: &[i64], (from, to): (DateTime<Utc>, DateTime<Utc>)) -> u64 {
    let lo = times.partition_point(|t| *t < from.timestamp_millis());
    let hi = times.partition_point(|t| *t < to.timestamp_millis());
    (hi - lo) as u64
}

impl DutyMonth {
    /// The month beginning on `first` (local), as of `now`.
    pub async fn compute(
        store: &Store,
        first: NaiveDate,
        now: DateTime<Utc>,
        offset_minutes: i32,
    ) -> Result<Self, DbError> {
        let window = month_bounds(first, offset_minutes);
        let margin = Duration::hours(MAX_SHIFT_HOURS + 1);
        let rows = store
            .duty_rows(
                (window.0 - margin).timestamp_millis(),
                (window.1 + margin).timestamp_millis(),
            )
            .await?;
        let (shifts, checkpoint_of) = shifts_of(rows, now);
        let shifts: Vec<Shift> = shifts
            .into_iter()
            .filter(|s| match s.counted(now) {
                Some(c) => clip(c, window).is_some(),
                None => s.end.is_some_and(|e| window.0 <= e && e < window.1),
            })
            .collect();
        let (w0, w1) = (window.0.timestamp_millis(), window.1.timestamp_millis());
        let mut times: HashMap<String, (Vec<i64>, Vec<i64>)> = HashMap::new();
        for device in checkpoint_of.keys() {
            let passages = store.passage_times(device, w0, w1).await?;
            let rounds = store.round_starts(device, w0, w1).await?;
            times.insert(device.clone(), (passages, rounds));
        }
        let lines: Vec<ShiftLine> = shifts
            .into_iter()
            .map(|shift| {
                let inside = shift.counted(now).and_then(|c| clip(c, window));
                let (passages, rounds) = match (inside, times.get(&shift.device_id)) {
                    (Some(w), Some((p, r))) => (count_in(p, w), count_in(r, w)),
                    _ => (0, 0),
                };
                ShiftLine {
                    checkpoint_id: checkpoint_of
                        .get(&shift.device_id)
                        .cloned()
                        .unwrap_or_default(),
                    hours: shift.hours_within(window, now),
                    passages,
                    rounds,
                    shift,
                }
            })
            .collect();
        let staff = per_staff(&lines, window, now, offset_minutes);
        Ok(Self {
            month: first,
            staff,
            shifts: lines,
        })
    }

    /// One line per staff member: `month, staff_id, name, shifts, hours, night_hours, passages,
    /// patrol_rounds, flagged_shifts` (hours to two decimals), cells neutralised.
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
        out.write_record([
            "month",
            "staff_id",
            "name",
            "shifts",
            "hours",
            "night_hours",
            "passages",
            "patrol_rounds",
            "flagged_shifts",
        ])?;
        let month = self.month.format("%Y-%m").to_string();
        for s in &self.staff {
            let cells = [
                month.clone(),
                s.staff_id.clone(),
                s.name.clone(),
                s.shifts.to_string(),
                format!("{:.2}", s.hours),
                format!("{:.2}", s.night_hours),
                s.passages.to_string(),
                s.rounds.to_string(),
                s.flagged.to_string(),
            ];
            out.write_record(cells.iter().map(|c| neutralise_cell(c)))?;
        }
        let bytes = out.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn per_staff(
    lines: &[ShiftLine],
    window: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    offset_minutes: i32,
) -> Vec<StaffMonth> {
    let mut by_staff: BTreeMap<String, StaffMonth> = BTreeMap::new();
    for line in lines {
        let s = &line.shift;
        let m = by_staff
            .entry(s.staff_id.clone())
            .or_insert_with(|| StaffMonth {
                staff_id: s.staff_id.clone(),
                name: s.staff_name.clone(),
                ..StaffMonth::default()
            });
        if s.start.is_some_and(|t| window.0 <= t && t < window.1) {
            m.shifts += 1;
        }
        m.hours += line.hours;
        m.night_hours += s.night_hours_within(window, now, offset_minutes);
        m.passages += line.passages;
        m.rounds += line.rounds;
        m.flagged += u32::from(!s.flags.is_empty() && s.flags != [ShiftFlag::StillOpen]);
    }
    let mut out: Vec<StaffMonth> = by_staff.into_values().collect();
    out.sort_by(|a, b| (&a.name, &a.staff_id).cmp(&(&b.name, &b.staff_id)));
    out
}

/// Stored duty events paired into shifts, and each phone's checkpoint.
fn shifts_of(
    rows: Vec<(DutyRow, String)>,
    now: DateTime<Utc>,
) -> (Vec<Shift>, HashMap<String, String>) {
    let checkpoint_of: HashMap<String, String> = rows
        .iter()
        .map(|(r, cp)| (r.device_id.clone(), cp.clone()))
        .collect();
    let events: Vec<DutyRow> = rows.into_iter().map(|(r, _)| r).collect();
    (pair_shifts(&events, now), checkpoint_of)
}

/// The first day of the local month `now` is in.
pub fn this_month(now: DateTime<Utc>, offset_minutes: i32) -> NaiveDate {
    let today = local_day(now, offset_minutes);
    today.with_day(1).unwrap_or(today)
}

/// The words of a shift's flags, joined.
pub fn flag_words(flags: &[ShiftFlag], lang: Lang) -> String {
    flags
        .iter()
        .map(|f| f.label(lang))
        .collect::<Vec<_>>()
        .join("；")
}

/// Checkpoints in their compound's staffed hours now with nobody signed on at any of their
/// phones (as far as the phones have synced): `(checkpoint id, name)`.
pub async fn unstaffed(
    store: &Store,
    now: DateTime<Utc>,
    offset_minutes: i32,
) -> Result<Vec<(String, String)>, DbError> {
    let since = now - Duration::hours(MAX_SHIFT_HOURS + 1);
    let rows = store
        .duty_rows(since.timestamp_millis(), now.timestamp_millis() + 1)
        .await?;
    let (shifts, checkpoint_of) = shifts_of(rows, now);
    let on_duty: Vec<&String> = shifts
        .iter()
        .filter(|s| s.flags == [ShiftFlag::StillOpen])
        .filter_map(|s| checkpoint_of.get(&s.device_id))
        .collect();
    let local_now = (now + Duration::minutes(i64::from(offset_minutes))).time();
    let mut out = Vec::new();
    // Each compound's rules read once, however many gates it has.
    let mut staffed_now: HashMap<String, bool> = HashMap::new();
    for cp in store.checkpoints().await? {
        if !staffed_now.contains_key(&cp.compound_id) {
            let hours = store.compound_rules(&cp.compound_id).await?.staffed_hours;
            let now_in = hours.is_none_or(|h| h.contains(local_now));
            staffed_now.insert(cp.compound_id.clone(), now_in);
        }
        let staffed_now = staffed_now.get(&cp.compound_id).copied().unwrap_or(true);
        if staffed_now && !on_duty.contains(&&cp.id) {
            out.push((cp.id, cp.name));
        }
    }
    Ok(out)
}
