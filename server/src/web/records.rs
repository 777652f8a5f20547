//! Finding people (issue 17, part 2): the records search over a date range (a term matched
//! exactly against pass, plate, household, name or ID tail; kind, direction and verdict filters;
//! 50 a page), one subject's timeline, and its contacts — everyone admitted at the same
//! checkpoint within the contact window — as a table and CSV. Names are masked unless the role
//! sees personal data; every search, timeline, contact list and export is audited with its query.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::{Direction, SubjectKind};

use super::report::names;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{day_bounds, local_day, neutralise_cell, reportable_day};
use crate::state::AppState;
use crate::store::{Contact, RecordQuery, RecordRow, SearchField};

/// Rows a page shows.
const PAGE_ROWS: i64 = 50;
/// The longest search term, in characters (a name, a plate, a pass id, a household).
const MAX_TERM_CHARS: usize = 40;
/// The longest range a search covers, in days.
const MAX_DAYS: i64 = 31;
/// The most contacts listed.
const MAX_CONTACTS: i64 = 5_000;

#[derive(Debug, Default, Deserialize)]
pub struct RecordsForm {
    #[serde(default)]
    q: String,
    /// With `q`: match only this field (`pass_id`, `plate`, `household`, `person_name`, `id_tail`).
    #[serde(default)]
    by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    compound: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    page: u32,
    /// Contacts: the window in minutes (default `contact_window_minutes`).
    minutes: Option<i64>,
}

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

fn day(state: &AppState, text: &str) -> Result<NaiveDate, WebError> {
    match text.trim() {
        "" => Ok(local_day(Utc::now(), state.config.utc_offset_minutes)),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .filter(|d| reportable_day(*d))
            .ok_or_else(|| bad("日期格式为 YYYY-MM-DD", "Dates are YYYY-MM-DD")),
    }
}

/// The query a form asks for, checked; its days for the page.
fn query_of(
    state: &AppState,
    admin: &Admin,
    f: &RecordsForm,
) -> Result<(RecordQuery, NaiveDate, NaiveDate), WebError> {
    let (from, to) = (day(state, &f.from)?, day(state, &f.to)?);
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(bad(
            "日期范围须在 31 天以内",
            "The range is at most 31 days, first day first",
        ));
    }
    let term = f.q.trim();
    if term.chars().count() > MAX_TERM_CHARS {
        return Err(bad(
            "搜索词最多 40 个字",
            "A search term has at most 40 characters",
        ));
    }
    let field = match f.by.trim() {
        "" => None,
        word => Some(SearchField::parse(word).ok_or_else(|| bad("未知字段", "Unknown field"))?),
    };
    let offset = state.config.utc_offset_minutes;
    let q = RecordQuery {
        from_ms: day_bounds(from, offset).0.timestamp_millis(),
        to_ms: day_bounds(to, offset).1.timestamp_millis(),
        compound: admin.compound_view(f.compound.as_deref())?,
        term: (!term.is_empty()).then(|| (term.to_owned(), field)),
        kind: parse_opt(&f.kind, SubjectKind::parse)?,
        direction: parse_opt(&f.direction, Direction::parse)?,
        admitted: match f.verdict.as_str() {
            "" => None,
            "admitted" => Some(true),
            "denied" => Some(false),
            _ => return Err(bad("未知结果", "Unknown verdict")),
        },
        limit: PAGE_ROWS + 1,
        offset: i64::from(f.page) * PAGE_ROWS,
    };
    Ok((q, from, to))
}

fn parse_opt<T>(word: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, WebError> {
    match word.trim() {
        "" => Ok(None),
        w => parse(w)
            .map(Some)
            .ok_or_else(|| bad("筛选条件无效", "An unknown filter value")),
    }
}

/// A checkpoint's name (its id when it has none).
fn checkpoint_name<'a>(names: &'a [(String, String)], id: &'a str) -> &'a str {
    names
        .iter()
        .find(|(cp, _)| cp == id)
        .map_or(id, |(_, n)| n.as_str())
}

pub(super) fn row_view(
    state: &AppState,
    admin: &Admin,
    r: &RecordRow,
    names: &[(String, String)],
) -> Value {
    let name = r.person_name.as_deref().map(|n| admin.shown_name(n));
    let checkpoint = checkpoint_name(names, &r.checkpoint_id);
    context! {
        at => local_time(state, r.corrected_at_ms), checkpoint, direction => r.direction.as_str(),
        kind => r.subject_kind.as_str(), admitted => r.admitted, deny_reason => r.deny_reason,
        name, pass_id => r.pass_id, household => r.household, plate => r.plate,
        id_tail => r.id_tail, occupants => r.occupants,
    }
}

/// The audit line of a query: what was asked, never more.
fn described(what: &str, f: &RecordsForm, q: &RecordQuery) -> String {
    format!(
        "{what}: q={:?} by={:?} from={:?} to={:?} compound={} kind={:?} direction={:?} verdict={:?} page={}",
        f.q.trim(),
        f.by,
        f.from,
        f.to,
        q.compound.as_deref().unwrap_or("all"),
        f.kind,
        f.direction,
        f.verdict,
        f.page
    )
}

pub(super) async fn audit(
    state: &AppState,
    admin: &Admin,
    action: &str,
    detail: String,
) -> Result<(), WebError> {
    let now = Utc::now().timestamp_millis();
    Ok(state
        .store
        .audit(&admin.username, action, &detail, now)
        .await?)
}

/// `GET /admin/records`: the search, or with `by` one subject's timeline (oldest first).
pub async fn search(
    State(state): State<AppState>,
    admin: Admin,
    Query(f): Query<RecordsForm>,
) -> Result<Response, WebError> {
    let (q, from, to) = query_of(&state, &admin, &f)?;
    let mut rows = state.reports.search_records(&q).await?;
    let more = rows.len() as i64 > PAGE_ROWS;
    rows.truncate(PAGE_ROWS as usize);
    let timeline = matches!(q.term, Some((_, Some(_))));
    if timeline {
        rows.reverse();
    }
    let action = if timeline {
        "records_timeline"
    } else {
        "records_search"
    };
    audit(&state, &admin, action, described(action, &f, &q)).await?;
    let names = names(&state).await?;
    let views: Vec<Value> = rows
        .iter()
        .map(|r| row_view(&state, &admin, r, &names))
        .collect();
    page(
        &state,
        "records.html",
        Some(&admin),
        context! {
            rows => views, more, page => f.page, q => f.q.trim(), by => f.by, timeline,
            from => from.to_string(), to => to.to_string(), compound => q.compound,
            compounds => admin.own_compounds(state.store.compounds().await?),
            kind => f.kind, direction => f.direction, verdict => f.verdict,
            kinds => SubjectKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        },
    )
}

/// The contacts a form asks for (the subject named by `by` and `q`), and the window.
async fn contacts_of(
    state: &AppState,
    admin: &Admin,
    f: &RecordsForm,
) -> Result<(RecordQuery, Vec<Contact>, i64), WebError> {
    let (mut q, _, _) = query_of(state, admin, f)?;
    if !matches!(q.term, Some((_, Some(_)))) {
        return Err(bad(
            "请指定要追踪的人或车（字段和值）",
            "Name the person or vehicle to trace (field and value)",
        ));
    }
    let minutes = f
        .minutes
        .unwrap_or(state.config.contact_window_minutes)
        .clamp(1, 120);
    q.limit = MAX_CONTACTS;
    q.offset = 0;
    let found = state
        .reports
        .contacts(&q, Duration::minutes(minutes).num_milliseconds())
        .await?;
    Ok((q, found, minutes))
}

/// `GET /admin/records/contacts`: everyone admitted at the same gate within the window.
pub async fn contacts(
    State(state): State<AppState>,
    admin: Admin,
    Query(f): Query<RecordsForm>,
) -> Result<Response, WebError> {
    let (q, found, minutes) = contacts_of(&state, &admin, &f).await?;
    audit(
        &state,
        &admin,
        "contact_trace",
        described("contacts", &f, &q),
    )
    .await?;
    let names = names(&state).await?;
    let rows: Vec<Value> = found
        .iter()
        .map(|c| {
            context! {
                traced_at => local_time(&state, c.traced_at_ms),
                minutes_apart => (c.other.corrected_at_ms - c.traced_at_ms) / 60_000,
                other => row_view(&state, &admin, &c.other, &names),
            }
        })
        .collect();
    page(
        &state,
        "contacts.html",
        Some(&admin),
        context! {
            rows, minutes, q => f.q.trim(), by => f.by, from => f.from, to => f.to,
            compound => q.compound, capped => found.len() as i64 >= MAX_CONTACTS,
        },
    )
}

/// `GET /admin/records/contacts.csv`: the same list as CSV (personal data: audited export).
pub async fn contacts_csv(
    State(state): State<AppState>,
    admin: Admin,
    Query(f): Query<RecordsForm>,
) -> Result<Response, WebError> {
    let (q, found, minutes) = contacts_of(&state, &admin, &f).await?;
    let names = names(&state).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "traced_at",
        "contact_at",
        "minutes_apart",
        "checkpoint",
        "direction",
        "kind",
        "name",
        "pass_id",
        "household",
        "plate",
    ];
    out.write_record(header)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    for c in &found {
        let o = &c.other;
        let checkpoint = checkpoint_name(&names, &o.checkpoint_id);
        let cells = [
            local_time(&state, c.traced_at_ms),
            local_time(&state, o.corrected_at_ms),
            ((o.corrected_at_ms - c.traced_at_ms) / 60_000).to_string(),
            checkpoint.to_owned(),
            o.direction.as_str().to_owned(),
            o.subject_kind.as_str().to_owned(),
            o.person_name.clone().unwrap_or_default(),
            o.pass_id.clone().unwrap_or_default(),
            o.household.clone().unwrap_or_default(),
            o.plate.clone().unwrap_or_default(),
        ];
        out.write_record(cells.iter().map(|c| neutralise_cell(c)))
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let detail = format!(
        "{} ({} rows, {minutes} min)",
        described("contacts CSV", &f, &q),
        found.len()
    );
    audit(&state, &admin, "export", detail).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"contacts.csv\"".to_owned(),
            ),
        ],
        format!("\u{feff}{}", String::from_utf8_lossy(&bytes)),
    )
        .into_response())
}
