//! The gate in front of every route: no account → the login form; a password that must be changed
//! → the password form; a role that does not reach the route's access level → 403.

use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};

use super::session::Admin;
use super::WebError;
use crate::access::Access;

/// The refusal shown when a role does not reach a route.
pub const ROLE_REFUSED: &str = "您的角色无权执行此操作 Your role does not allow this";

/// The response that refuses the request, or `None` to let it through.
pub fn refusal(access: Access, req: &Request) -> Option<Response> {
    if access == Access::Public {
        return None;
    }
    let Some(admin) = req.extensions().get::<Admin>() else {
        return Some(Redirect::to("/admin/login").into_response());
    };
    if access == Access::Account {
        return None;
    }
    if admin.must_change_password {
        return Some(Redirect::to("/admin/password").into_response());
    }
    if admin.role.allows(access, admin.personal_exports) {
        None
    } else {
        tracing::info!(user = %admin.username, ?access, "route refused to the account's role");
        Some(WebError::Forbidden(ROLE_REFUSED.into()).into_response())
    }
}
