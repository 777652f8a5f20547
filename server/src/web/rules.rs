//! The compound rules page: visitor settings, exit quota and hours, temperature, the daily
//! check-in, the deny list.
//! Saved with its audit row in one transaction; carried to the gates with their next config pull.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveTime, Utc};
use minijinja::context;
use serde::Deserialize;
use sync_core::rules::{CompoundRules, DenyEntry, DenyTarget, ExitHours, ExitQuota};
use sync_core::validate::check_text;

use super::session::Admin;
use super::{page, WebError};
use crate::state::AppState;

/// The deny list as the page shows it: one `household|pass|plate, value, reason` per line.
fn deny_lines(rules: &CompoundRules) -> String {
    rules
        .deny
        .iter()
        .map(|d| {
            let t = match d.target {
                DenyTarget::Household => "household",
                DenyTarget::Pass => "pass",
                DenyTarget::Plate => "plate",
            };
            format!("{t}, {}, {}", d.value, d.reason)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) async fn compound_name(state: &AppState, id: &str) -> Result<String, WebError> {
    state
        .store
        .compounds()
        .await?
        .into_iter()
        .find(|(c, _)| c == id)
        .map(|(_, name)| name)
        .ok_or(WebError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    admin.check_compound(&id)?;
    let name = compound_name(&state, &id).await?;
    let r = state.store.compound_rules(&id).await?;
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    page(
        &state,
        "rules.html",
        Some(&admin),
        context! {
            id, name,
            visitors_need_id => r.visitors_need_id,
            self_registration_open => r.self_registration_open,
            temperature => r.resident_temperature_required,
            checkin => r.checkin_required,
            quota_persons => r.exit_quota.map(|q| q.persons),
            quota_days => r.exit_quota.map(|q| q.days),
            hours_from => r.exit_hours.map(|h| hm(h.from)),
            hours_until => r.exit_hours.map(|h| hm(h.until)),
            staffed_from => r.staffed_hours.map(|h| hm(h.from)),
            staffed_until => r.staffed_hours.map(|h| hm(h.until)),
            deny => deny_lines(&r),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct RulesForm {
    csrf: String,
    #[serde(default)]
    visitors_need_id: String,
    #[serde(default)]
    self_registration_open: String,
    #[serde(default)]
    temperature: String,
    #[serde(default)]
    checkin: String,
    #[serde(default)]
    quota_persons: String,
    #[serde(default)]
    quota_days: String,
    #[serde(default)]
    hours_from: String,
    #[serde(default)]
    hours_until: String,
    #[serde(default)]
    staffed_from: String,
    #[serde(default)]
    staffed_until: String,
    #[serde(default)]
    deny: String,
}

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

fn quota(f: &RulesForm) -> Result<Option<ExitQuota>, WebError> {
    match (f.quota_persons.trim(), f.quota_days.trim()) {
        ("", "") => Ok(None),
        (p, d) => {
            let persons = p.parse::<u32>().ok().filter(|n| (1..=20).contains(n));
            let days = d.parse::<u32>().ok().filter(|n| (1..=30).contains(n));
            match (persons, days) {
                (Some(persons), Some(days)) => Ok(Some(ExitQuota { persons, days })),
                _ => Err(bad(
                    "外出限额：人数1–20，天数1–30",
                    "Exit quota: 1–20 persons per 1–30 days",
                )),
            }
        }
    }
}

/// A daily window from two `HH:MM` fields (both empty: none); `what` names it in errors.
fn hours(from: &str, until: &str, what: (&str, &str)) -> Result<Option<ExitHours>, WebError> {
    let parse = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    match (from.trim(), until.trim()) {
        ("", "") => Ok(None),
        (a, b) => match (parse(a), parse(b)) {
            (Some(from), Some(until)) if from != until => Ok(Some(ExitHours { from, until })),
            _ => Err(bad(
                &format!("{}请填 HH:MM 至 HH:MM", what.0),
                &format!("{}: HH:MM to HH:MM", what.1),
            )),
        },
    }
}

fn deny(text: &str) -> Result<Vec<DenyEntry>, WebError> {
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let parts: Vec<&str> = line.splitn(3, [',', '，']).map(str::trim).collect();
        let target = match parts.first().copied() {
            Some("household" | "户") => DenyTarget::Household,
            Some("pass" | "证") => DenyTarget::Pass,
            Some("plate" | "车") => DenyTarget::Plate,
            _ => {
                return Err(bad(
                    &format!("禁止名单第{}行：类型须为 household、pass 或 plate", n + 1),
                    &format!(
                        "Deny list line {}: the kind is household, pass or plate",
                        n + 1
                    ),
                ))
            }
        };
        let (value, reason) = (
            parts.get(1).copied().unwrap_or(""),
            parts.get(2).copied().unwrap_or(""),
        );
        if value.is_empty()
            || reason.is_empty()
            || check_text(value, 32).is_err()
            || check_text(reason, 60).is_err()
        {
            return Err(bad(
                &format!("禁止名单第{}行：须有对象和原因（原因最多60字）", n + 1),
                &format!(
                    "Deny list line {}: a value and a reason (at most 60 characters) are needed",
                    n + 1
                ),
            ));
        }
        out.push(DenyEntry {
            target,
            value: value.to_owned(),
            reason: reason.to_owned(),
        });
    }
    if out.len() > 500 {
        return Err(bad("禁止名单最多500条", "At most 500 deny-list entries"));
    }
    Ok(out)
}

pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<RulesForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    admin.check_compound(&id)?;
    compound_name(&state, &id).await?;
    let rules = CompoundRules {
        visitors_need_id: f.visitors_need_id == "on",
        self_registration_open: f.self_registration_open == "on",
        exit_quota: quota(&f)?,
        exit_hours: hours(&f.hours_from, &f.hours_until, ("外出时段", "Exit hours"))?,
        resident_temperature_required: f.temperature == "on",
        checkin_required: f.checkin == "on",
        deny: deny(&f.deny)?,
        staffed_hours: hours(
            &f.staffed_from,
            &f.staffed_until,
            ("值守时段", "Staffed hours"),
        )?,
    };
    let now = Utc::now().timestamp_millis();
    state
        .store
        .set_compound_rules(&id, &rules, &admin.username, now)
        .await?;
    Ok(Redirect::to(&format!("/admin/compounds/{id}/rules")).into_response())
}
