//! Account management for district administrators: create an account (a temporary password,
//! shown once, that must be changed at the first login), change its role, compounds and export
//! grant, deactivate or reactivate it, reset its password. Every change is audited by the store.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::context;

use super::session::Admin;
use super::{form_field, page, WebError};
use crate::access::Role;
use crate::auth::{hash_password, random_token};
use crate::state::AppState;
use crate::store::AccountRole;

/// A username: 2 to 32 letters, digits, `.`, `_` or `-`.
fn valid_username(name: &str) -> bool {
    (2..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub async fn list(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    show(&state, &admin, None).await
}

/// The page, with a temporary password to hand over when one was just made.
async fn show(
    state: &AppState,
    admin: &Admin,
    temporary: Option<(String, String)>,
) -> Result<Response, WebError> {
    let accounts = state.store.accounts().await?;
    let compounds = state.store.compounds().await?;
    let rows: Vec<_> = accounts
        .iter()
        .map(|a| {
            context! {
                username => a.username, role => a.role.as_str(), role_label => a.role.label(),
                compounds => a.compounds, personal_exports => a.personal_exports,
                must_change => a.must_change_password, active => a.active(),
                is_me => a.username == admin.username,
            }
        })
        .collect();
    let roles: Vec<_> = Role::ALL
        .iter()
        .map(|r| context! { value => r.as_str(), label => r.label() })
        .collect();
    page(
        state,
        "accounts.html",
        Some(admin),
        context! { accounts => rows, compounds, roles, temporary },
    )
}

/// Role, compounds and export grant from a form's fields; refused when they do not fit.
fn role_from(
    fields: &[(String, String)],
    known: &[(String, String)],
) -> Result<AccountRole, WebError> {
    let role = Role::parse(form_field(fields, "role"))
        .ok_or_else(|| WebError::BadRequest("未知角色 Unknown role".into()))?;
    let compounds: Vec<String> = fields
        .iter()
        .filter(|(n, _)| n == "compound")
        .map(|(_, v)| v.clone())
        .collect();
    if compounds
        .iter()
        .any(|c| !known.iter().any(|(id, _)| id == c))
    {
        return Err(WebError::BadRequest("未知小区 Unknown compound".into()));
    }
    if role == Role::Manager && compounds.is_empty() {
        return Err(WebError::BadRequest(
            "小区管理员至少要管一个小区 A compound manager needs at least one compound".into(),
        ));
    }
    Ok(AccountRole {
        role,
        compounds: if role == Role::Manager {
            compounds
        } else {
            Vec::new()
        },
        personal_exports: form_field(fields, "personal_exports") == "on",
    })
}

fn temporary_password() -> Result<String, WebError> {
    random_token(6).map_err(|e| WebError::Internal(e.to_string()))
}

pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    admin.check_csrf(form_field(&fields, "csrf"))?;
    let username = form_field(&fields, "username").trim().to_owned();
    if !valid_username(&username) {
        return Err(WebError::BadRequest(
            "用户名须为 2–32 个字母、数字或 . _ - A username is 2–32 letters, digits or . _ -"
                .into(),
        ));
    }
    let role = role_from(&fields, &state.store.compounds().await?)?;
    let password = temporary_password()?;
    let phc = hash_password(&password).map_err(WebError::Internal)?;
    let now = Utc::now().timestamp_millis();
    let made = state
        .store
        .create_account(&username, &role, &phc, &admin.username, now)
        .await?;
    if !made {
        return Err(WebError::BadRequest(
            "用户名已存在 That username is taken".into(),
        ));
    }
    show(&state, &admin, Some((username, password))).await
}

/// The checks before changing another account: the form's CSRF token, not one's own account (a
/// district administrator could lock the district out), and an account that exists.
async fn other_account(
    state: &AppState,
    admin: &Admin,
    fields: &[(String, String)],
    username: &str,
) -> Result<(), WebError> {
    admin.check_csrf(form_field(fields, "csrf"))?;
    if admin.username == username {
        return Err(WebError::BadRequest(
            "不能在此更改自己的账号 You cannot change your own account here".into(),
        ));
    }
    state
        .store
        .account(username)
        .await?
        .ok_or(WebError::NotFound)
        .map(drop)
}

pub async fn set_role(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    other_account(&state, &admin, &fields, &username).await?;
    let role = role_from(&fields, &state.store.compounds().await?)?;
    let now = Utc::now().timestamp_millis();
    state
        .store
        .set_account_role(&username, &role, &admin.username, now)
        .await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}

pub async fn change(
    State(state): State<AppState>,
    admin: Admin,
    Path((username, verb)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    other_account(&state, &admin, &fields, &username).await?;
    let now = Utc::now().timestamp_millis();
    match verb.as_str() {
        "deactivate" | "reactivate" => {
            let active = verb == "reactivate";
            state
                .store
                .set_account_active(&username, active, &admin.username, now)
                .await?;
            Ok(Redirect::to("/admin/accounts").into_response())
        }
        "reset" => {
            let password = temporary_password()?;
            let phc = hash_password(&password).map_err(WebError::Internal)?;
            state
                .store
                .set_account_password(&username, &phc, true, &admin.username, now)
                .await?;
            show(&state, &admin, Some((username, password))).await
        }
        _ => Err(WebError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn usernames_are_short_and_plain() {
        assert!(valid_username("wang.li"));
        assert!(!valid_username("a"));
        assert!(!valid_username("王丽"));
        assert!(!valid_username(&"x".repeat(33)));
        assert!(!valid_username("a b"));
    }

    #[test]
    fn a_manager_needs_known_compounds() {
        let known = pairs(&[("c1", "一号院")]);
        let ok = role_from(&pairs(&[("role", "manager"), ("compound", "c1")]), &known);
        assert_eq!(ok.map(|r| r.compounds).ok(), Some(vec!["c1".to_owned()]));
        assert!(role_from(&pairs(&[("role", "manager")]), &known).is_err());
        assert!(role_from(&pairs(&[("role", "manager"), ("compound", "c9")]), &known).is_err());
        assert!(role_from(&pairs(&[("role", "root")]), &known).is_err());
        let observer = role_from(&pairs(&[("role", "observer"), ("compound", "c1")]), &known);
        assert_eq!(observer.map(|r| r.compounds.len()).ok(), Some(0));
    }
}
