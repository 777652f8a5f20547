//! The demo's team: a compound manager for each of the two compounds and a district observer, all
//! with one known demo password (a demo database only) that need not be changed.

use crate::access::Role;
use crate::auth::hash_password;
use crate::passes::IssueError;
use crate::store::{AccountRole, Store};

/// The demo team's password.
pub const DEMO_TEAM_PASSWORD: &str = "demo-team-8080";

/// `(username, role, compounds)` of the demo team.
pub const DEMO_TEAM: [(&str, Role, &[&str]); 3] = [
    ("manager-c1", Role::Manager, &["c1"]),
    ("manager-c2", Role::Manager, &["c2"]),
    ("observer", Role::Observer, &[]),
];

/// Create the team's accounts (again with the demo password and role on every run).
pub async fn seed_accounts(store: &Store, now_ms: i64) -> Result<(), IssueError> {
    let phc = hash_password(DEMO_TEAM_PASSWORD).map_err(IssueError::Invalid)?;
    for (username, role, compounds) in DEMO_TEAM {
        let role = AccountRole {
            role,
            compounds: compounds.iter().map(|c| (*c).to_owned()).collect(),
            personal_exports: false,
        };
        if !store
            .create_account(username, &role, &phc, "demo", now_ms)
            .await?
        {
            store
                .set_account_role(username, &role, "demo", now_ms)
                .await?;
        }
        store
            .set_account_password(username, &phc, false, "demo", now_ms)
            .await?;
    }
    Ok(())
}
