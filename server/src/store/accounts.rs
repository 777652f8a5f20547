//! Accounts of the admin web: role, compounds, the personal-data export grant, a password that
//! must be changed, deactivation. Every change is written with its audit row.

use super::changes::{audit_in, entry};
use super::{DbError, FromRow, Row, Stmt, Store};
use crate::access::{Role, Scope};

/// One account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub role: Role,
    /// The compounds a manager looks after (empty for the other roles).
    pub compounds: Vec<String>,
    pub personal_exports: bool,
    pub must_change_password: bool,
    pub deactivated_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

impl Account {
    pub fn scope(&self) -> Scope {
        Scope::of(self.role, self.compounds.iter().cloned())
    }

    pub fn active(&self) -> bool {
        self.deactivated_at_ms.is_none()
    }
}

/// What an administrator sets on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRole {
    pub role: Role,
    pub compounds: Vec<String>,
    pub personal_exports: bool,
}

struct AccountRow(Account);

impl FromRow for AccountRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let role: String = r.get(1)?;
        Ok(Self(Account {
            username: r.get(0)?,
            role: Role::parse(&role).ok_or_else(|| DbError::Column {
                index: 1,
                problem: format!("unknown role {role:?}"),
            })?,
            compounds: Vec::new(),
            personal_exports: r.get(2)?,
            must_change_password: r.get(3)?,
            deactivated_at_ms: r.get(4)?,
            created_at_ms: r.get(5)?,
        }))
    }
}

const ACCOUNT_COLUMNS: &str = "username, role, personal_exports, must_change_password, \
                               deactivated_at_ms, created_at_ms";

fn role_stmts(username: &str, role: &AccountRole) -> Vec<Stmt> {
    let mut stmts = vec![
        Stmt::new(
            "UPDATE admins SET role = $2, personal_exports = $3 WHERE username = $1",
            vec![
                username.into(),
                role.role.as_str().into(),
                i64::from(role.personal_exports).into(),
            ],
        ),
        Stmt::new(
            "DELETE FROM admin_compounds WHERE username = $1",
            vec![username.into()],
        ),
    ];
    if role.role == Role::Manager {
        stmts.extend(role.compounds.iter().map(|c| {
            Stmt::new(
                "INSERT INTO admin_compounds (username, compound_id) VALUES ($1, $2)",
                vec![username.into(), c.into()],
            )
        }));
    }
    stmts
}

fn describe(role: &AccountRole) -> String {
    let mut text = role.role.as_str().to_owned();
    if role.role == Role::Manager {
        text.push_str(&format!(" of {}", role.compounds.join(",")));
    }
    if role.personal_exports {
        text.push_str(", personal-data exports");
    }
    text
}

impl Store {
    /// One account with its compounds, active or not.
    pub async fn account(&self, username: &str) -> Result<Option<Account>, DbError> {
        let row: Option<AccountRow> = self
            .query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM admins WHERE username = $1"),
                vec![username.into()],
            )
            .await?;
        let Some(AccountRow(mut account)) = row else {
            return Ok(None);
        };
        let compounds: Vec<(String,)> = self
            .query_as(
                "SELECT compound_id FROM admin_compounds WHERE username = $1 ORDER BY compound_id",
                vec![username.into()],
            )
            .await?;
        account.compounds = compounds.into_iter().map(|(c,)| c).collect();
        Ok(Some(account))
    }

    /// Every account, by name, with its compounds.
    pub async fn accounts(&self) -> Result<Vec<Account>, DbError> {
        let rows: Vec<AccountRow> = self
            .query_as(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM admins ORDER BY username"),
                vec![],
            )
            .await?;
        let links: Vec<(String, String)> = self
            .query_as(
                "SELECT username, compound_id FROM admin_compounds ORDER BY compound_id",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|AccountRow(mut a)| {
                a.compounds = links
                    .iter()
                    .filter(|(u, _)| *u == a.username)
                    .map(|(_, c)| c.clone())
                    .collect();
                a
            })
            .collect())
    }

    /// Create an account whose password must be changed at its first login. False when the name
    /// is taken (nothing changed).
    pub async fn create_account(
        &self,
        username: &str,
        role: &AccountRole,
        password_hash: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let inserted = tx
            .execute(
                "INSERT INTO admins (username, password_hash, created_at_ms, must_change_password)
                 VALUES ($1, $2, $3, 1) ON CONFLICT (username) DO NOTHING",
                vec![username.into(), password_hash.into(), now_ms.into()],
            )
            .await?;
        if inserted == 0 {
            return Ok(false);
        }
        for s in role_stmts(username, role) {
            tx.execute(&s.sql, s.params).await?;
        }
        let detail = format!("created account {username}: {}", describe(role));
        audit_in(&mut tx, entry(actor, now_ms, "account", detail)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Change an account's role, compounds and export grant, audited.
    pub async fn set_account_role(
        &self,
        username: &str,
        role: &AccountRole,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let detail = format!("account {username} is now {}", describe(role));
        self.with_audit(
            role_stmts(username, role),
            entry(actor, now_ms, "account", detail),
        )
        .await
    }

    /// Deactivate (its sessions end) or reactivate an account, audited. True when it changed.
    pub async fn set_account_active(
        &self,
        username: &str,
        active: bool,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let change = if active {
            Stmt::new(
                "UPDATE admins SET deactivated_at_ms = NULL
                 WHERE username = $1 AND deactivated_at_ms IS NOT NULL",
                vec![username.into()],
            )
        } else {
            Stmt::new(
                "UPDATE admins SET deactivated_at_ms = $2
                 WHERE username = $1 AND deactivated_at_ms IS NULL",
                vec![username.into(), now_ms.into()],
            )
        };
        let verb = if active { "reactivated" } else { "deactivated" };
        let mut tx = self.begin().await?;
        let changed = tx.execute(&change.sql, change.params).await? > 0;
        if changed {
            tx.execute(
                "DELETE FROM sessions WHERE username = $1",
                vec![username.into()],
            )
            .await?;
            let detail = format!("{verb} account {username}");
            audit_in(&mut tx, entry(actor, now_ms, "account", detail)).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// A new password hash (every session of the account ends), audited. `must_change` when an
    /// administrator reset it: the user chooses their own at the next login.
    pub async fn set_account_password(
        &self,
        username: &str,
        password_hash: &str,
        must_change: bool,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let action = if must_change {
            format!("reset the password of {username}")
        } else {
            format!("{username} changed their password")
        };
        self.with_audit(
            vec![
                Stmt::new(
                    "UPDATE admins SET password_hash = $2, must_change_password = $3
                     WHERE username = $1",
                    vec![
                        username.into(),
                        password_hash.into(),
                        i64::from(must_change).into(),
                    ],
                ),
                Stmt::new(
                    "DELETE FROM sessions WHERE username = $1",
                    vec![username.into()],
                ),
            ],
            entry(actor, now_ms, "password", action),
        )
        .await
    }
}
