//! The monthly duty report of the admin web (值班月报): per staff member shifts, hours, night
//! hours, passages and patrol rounds, as a table and as CSV for the allowance sheet; the flagged
//! shifts listed for review.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::i18n::Lang;

use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{flag_words, this_month, DutyMonth};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    /// `YYYY-MM`; this month when absent.
    month: Option<String>,
}

/// The month's duty of the staff the account's scope holds.
async fn load(state: &AppState, admin: &Admin, q: &MonthQuery) -> Result<DutyMonth, WebError> {
    let now = Utc::now();
    let offset = state.config.utc_offset_minutes;
    let first = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => this_month(now, offset),
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| crate::report::reportable_day(*d))
            .ok_or_else(|| {
                WebError::BadRequest(format!("月份格式为 YYYY-MM, the month is YYYY-MM: {m:?}"))
            })?,
    };
    let mut month = DutyMonth::compute(&state.store, first, now, offset).await?;
    if !admin.scope.is_all() {
        let own: Vec<String> = admin
            .scope
            .filter(state.store.staff().await?, |s| &s.compound_id)
            .into_iter()
            .map(|s| s.staff_id)
            .collect();
        month.staff.retain(|s| own.contains(&s.staff_id));
        month.shifts.retain(|l| own.contains(&l.shift.staff_id));
    }
    Ok(month)
}

fn ms(t: Option<chrono::DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// `GET /admin/duty?month=YYYY-MM`
pub async fn report(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let m = load(&state, &admin, &q).await?;
    let month = m.month.format("%Y-%m").to_string();
    let staff: Vec<Value> = m
        .staff
        .iter()
        .map(|s| {
            context! {
                staff_id => s.staff_id, name => s.name, shifts => s.shifts,
                hours => format!("{:.2}", s.hours), night_hours => format!("{:.2}", s.night_hours),
                passages => s.passages, rounds => s.rounds, flagged => s.flagged,
            }
        })
        .collect();
    let flagged: Vec<Value> = m
        .shifts
        .iter()
        .filter(|l| !l.shift.flags.is_empty())
        .map(|l| {
            let s = &l.shift;
            context! {
                name => s.staff_name, staff_id => s.staff_id, checkpoint_id => l.checkpoint_id,
                start => ms(s.start).map(|t| local_time(&state, t)),
                end => ms(s.end).map(|t| local_time(&state, t)),
                hours => format!("{:.2}", l.hours),
                flags_zh => flag_words(&s.flags, Lang::ZhCn), flags_en => flag_words(&s.flags, Lang::En),
            }
        })
        .collect();
    page(
        &state,
        "duty.html",
        Some(&admin),
        context! { month, staff, flagged },
    )
}

/// `GET /admin/duty.csv?month=YYYY-MM`: one line per staff member, audited.
pub async fn report_csv(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let m = load(&state, &admin, &q).await?;
    let csv = m.csv().map_err(|e| WebError::Internal(e.to_string()))?;
    let month = m.month.format("%Y-%m").to_string();
    state
        .store
        .audit(
            &admin.username,
            "export",
            &format!("duty report CSV {month}"),
            Utc::now().timestamp_millis(),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"duty-{month}.csv\""),
            ),
        ],
        // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        format!("\u{feff}{csv}"),
    )
        .into_response())
}
