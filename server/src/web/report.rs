//! The daily report of the admin web (page, CSV) and its sign-off (最多报一次): a compound's day
//! is shown live until a manager signs it, then frozen as signed with later uploads listed as a
//! dated amendment beside it; the district's report adds the compounds' signed snapshots (and the
//! live numbers of those not signed yet, marked).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::i18n::Lang;

use super::session::Admin;
use super::{form_field, local_time, page, WebError};
use crate::access::Access;
use crate::report::{
    amendment, content_hash, local_day, report_csv as to_csv, reportable_day, DailyReport,
    ManualFigures, Snapshot, MANUAL_FIELDS,
};
use crate::state::AppState;
use crate::store::SignOff;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    day: Option<String>,
    compound: Option<String>,
}

/// `(checkpoint id, name)` of every checkpoint.
pub(super) async fn names(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .checkpoints()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// A day as asked (`YYYY-MM-DD`), or today.
fn parse_day(state: &AppState, asked: Option<&str>) -> Result<NaiveDate, WebError> {
    match asked.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|day| reportable_day(*day))
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "日期应为 2000–2999 年的 YYYY-MM-DD Date must be YYYY-MM-DD in 2000–2999: {d:?}"
                ))
            }),
        None => Ok(local_day(Utc::now(), state.config.utc_offset_minutes)),
    }
}

/// Where one compound's day stands.
struct CompoundDay {
    id: String,
    name: String,
    signed: Option<SignOff>,
    /// The report shown: the snapshot when signed, else counted now.
    report: DailyReport,
    manual: Option<ManualFigures>,
    /// The stored text still hashes to the stored hash.
    intact: bool,
    changes: Vec<crate::report::Change>,
}

async fn compound_day(
    state: &AppState,
    day: NaiveDate,
    (id, name): (String, String),
) -> Result<CompoundDay, WebError> {
    let live = DailyReport::compute(&state.reports, &state.config, day, Some(&id)).await?;
    let Some(signed) = state.store.signoff(&id, &day.to_string()).await? else {
        return Ok(CompoundDay {
            id,
            name,
            signed: None,
            report: live,
            manual: None,
            intact: true,
            changes: Vec::new(),
        });
    };
    let snapshot: Snapshot = serde_json::from_str(&signed.snapshot).map_err(|e| {
        WebError::Internal(format!(
            "the signed snapshot of {id} {day} does not read: {e}"
        ))
    })?;
    Ok(CompoundDay {
        intact: content_hash(&signed.snapshot) == signed.content_hash,
        changes: amendment(&snapshot.report, &live),
        id,
        name,
        signed: Some(signed),
        report: snapshot.report,
        manual: Some(snapshot.manual),
    })
}

/// The report of one compound, or of the district (the sum of its compounds).
struct ReportView {
    report: DailyReport,
    compound: Option<CompoundDay>,
    /// The district's compounds and where each stands (district view only).
    district: Vec<CompoundDay>,
    manual: Option<ManualFigures>,
}

impl ReportView {
    /// The day and the view a query asks for.
    async fn asked(
        state: &AppState,
        admin: &Admin,
        q: &ReportQuery,
    ) -> Result<(NaiveDate, Self), WebError> {
        let day = parse_day(state, q.day.as_deref())?;
        Ok((
            day,
            Self::load(state, admin, day, q.compound.as_deref()).await?,
        ))
    }

    async fn load(
        state: &AppState,
        admin: &Admin,
        day: NaiveDate,
        asked: Option<&str>,
    ) -> Result<Self, WebError> {
        let compounds = state.store.compounds().await?;
        if let Some(c) = admin.compound_view(asked)? {
            let pick = compounds
                .into_iter()
                .find(|(id, _)| *id == c)
                .ok_or(WebError::NotFound)?;
            let one = compound_day(state, day, pick).await?;
            return Ok(Self {
                report: one.report.clone(),
                manual: one.manual.clone(),
                compound: Some(one),
                district: Vec::new(),
            });
        }
        let mut sum: Option<DailyReport> = None;
        let mut manual: Option<ManualFigures> = None;
        let mut district = Vec::new();
        for c in compounds {
            let one = compound_day(state, day, c).await?;
            match &mut sum {
                Some(r) => r.add(&one.report),
                None => {
                    let mut first = one.report.clone();
                    first.compound_id = None;
                    sum = Some(first);
                }
            }
            if let Some(m) = &one.manual {
                manual.get_or_insert_with(ManualFigures::default).add(m);
            }
            district.push(one);
        }
        let report = match sum {
            Some(r) => r,
            None => DailyReport::compute(&state.reports, &state.config, day, None).await?,
        };
        Ok(Self {
            report,
            compound: None,
            district,
            manual,
        })
    }

    /// CSV lines beyond the counted report: the typed figures and who signed.
    fn extra_lines(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        if let Some(m) = &self.manual {
            for ((name, _, _), v) in MANUAL_FIELDS.iter().zip(m.values()) {
                out.push(("manual".into(), (*name).into(), v.to_string()));
            }
        }
        let days: Vec<&CompoundDay> = self.compound.iter().chain(&self.district).collect();
        for d in days {
            let value = d.signed.as_ref().map_or_else(
                || "not signed".to_owned(),
                |s| {
                    format!(
                        "{} {} sha256:{}",
                        s.signed_by, s.signed_at_ms, s.content_hash
                    )
                },
            );
            out.push(("signed_off".into(), d.id.clone(), value));
        }
        out
    }
}

fn day_view(state: &AppState, d: &CompoundDay) -> Value {
    context! {
        id => d.id, name => d.name, signed => d.signed.is_some(),
        signed_by => d.signed.as_ref().map(|s| s.signed_by.clone()),
        signed_at => d.signed.as_ref().map(|s| local_time(state, s.signed_at_ms)),
        content_hash => d.signed.as_ref().map(|s| s.content_hash.clone()),
        intact => d.intact, changes => d.changes,
        records => d.report.records_counted,
    }
}

fn manual_view(m: &ManualFigures) -> Vec<Value> {
    MANUAL_FIELDS
        .iter()
        .zip(m.values())
        .map(|((name, zh, en), value)| context! { name, zh, en, value })
        .collect()
}

pub async fn report(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let (day, view) = ReportView::asked(&state, &admin, &q).await?;
    let r = &view.report;
    let compounds = admin.own_compounds(state.store.compounds().await?);
    let names: HashMap<String, String> = names(&state).await?.into_iter().collect();
    let incidents: Vec<_> = r
        .incidents
        .iter()
        .map(|(c, n)| context! { zh => c.label(Lang::ZhCn), en => c.label(Lang::En), n })
        .collect();
    let patrol: Vec<_> = r
        .patrol
        .by_status
        .iter()
        .map(|(s, n)| {
            context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En), n }
        })
        .collect();
    let today = local_day(Utc::now(), state.config.utc_offset_minutes);
    let may_sign = view.compound.as_ref().is_some_and(|c| c.signed.is_none())
        && day <= today
        && admin.role.allows(Access::Manage, admin.personal_exports);
    let fields: Vec<Value> = MANUAL_FIELDS
        .iter()
        .map(|(name, zh, en)| context! { name, zh, en })
        .collect();
    page(
        &state,
        "report.html",
        Some(&admin),
        context! {
            r, compounds, names, patrol, incidents,
            compound_name => view.compound.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            incident_total => r.incidents.iter().map(|(_, n)| n).sum::<u64>(),
            health_missing => r.health.not_checked_in(),
            status => view.compound.as_ref().map(|c| day_view(&state, c)),
            district => view.district.iter().map(|c| day_view(&state, c)).collect::<Vec<_>>(),
            manual => view.manual.as_ref().map(manual_view),
            may_sign, fields, now => local_time(&state, Utc::now().timestamp_millis()),
        },
    )
}

pub async fn report_csv(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let (_, view) = ReportView::asked(&state, &admin, &q).await?;
    let r = &view.report;
    let csv = to_csv(r, &names(&state).await?, &view.extra_lines())
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let scope = r.compound_id.clone().unwrap_or_else(|| "all".into());
    state
        .store
        .audit(
            &admin.username,
            "export",
            &format!("daily report CSV {} {scope}", r.day),
            Utc::now().timestamp_millis(),
        )
        .await?;
    let filename = format!("report-{}-{scope}.csv", r.day);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        format!("\u{feff}{csv}"),
    )
        .into_response())
}

fn already_signed() -> WebError {
    WebError::BadRequest("该小区这一天已签报，不能再次签报 This day was signed off already; it cannot be signed again".into())
}

/// `POST /admin/report/signoff`: freeze a compound's day as counted now, with the typed figures.
pub async fn sign_off(
    State(state): State<AppState>,
    admin: Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |k: &str| form_field(&fields, k).to_owned();
    admin.check_csrf(&field("csrf"))?;
    let compound = field("compound");
    admin.check_compound(&compound)?;
    if compound.is_empty() {
        return Err(WebError::BadRequest("请选择小区 Choose a compound".into()));
    }
    let day = parse_day(&state, Some(&field("day")))?;
    if day > local_day(Utc::now(), state.config.utc_offset_minutes) {
        return Err(WebError::BadRequest(
            "不能签报未来的日期 A day still to come cannot be signed off".into(),
        ));
    }
    let manual =
        ManualFigures::from_form(field).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if state
        .store
        .signoff(&compound, &day.to_string())
        .await?
        .is_some()
    {
        return Err(already_signed());
    }
    let report = DailyReport::compute(&state.store, &state.config, day, Some(&compound)).await?;
    let snapshot = Snapshot { report, manual }
        .to_json()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let signed = SignOff {
        compound_id: compound.clone(),
        day: day.to_string(),
        signed_by: admin.username.clone(),
        signed_at_ms: Utc::now().timestamp_millis(),
        content_hash: content_hash(&snapshot),
        snapshot,
    };
    if !state.store.sign_off(&signed).await? {
        return Err(already_signed());
    }
    // Compound ids are lowercase letters, digits and `-`; the day is a parsed date.
    Ok(Redirect::to(&format!("/admin/report?day={day}&compound={compound}")).into_response())
}
