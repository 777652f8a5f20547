//! Admin accounts (argon2 hashes), login sessions (token hashes with a CSRF token) and the audit log.

use super::changes::audit_in;
use super::{DbError, FromRow, Row, Stmt, Store};

/// A logged-in admin session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub username: String,
    pub csrf: String,
    pub expires_at_ms: i64,
    /// The time of the session's last request (it ends after a configured idle time).
    pub last_seen_ms: i64,
}

/// One line of the audit log: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

impl FromRow for AuditEntry {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            at_ms: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
        })
    }
}

impl Store {
    /// Create or replace an admin's password hash.
    pub async fn set_admin(
        &self,
        username: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO admins (username, password_hash, created_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
            vec![username.into(), password_hash.into(), now_ms.into()],
        )
        .await
    }

    /// The password hash of an active account (none for a deactivated one).
    pub async fn admin_password_hash(&self, username: &str) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> = self
            .query_opt(
                "SELECT password_hash FROM admins
                 WHERE username = $1 AND deactivated_at_ms IS NULL",
                vec![username.into()],
            )
            .await?;
        Ok(row.map(|(hash,)| hash))
    }

    pub async fn admin_count(&self) -> Result<i64, DbError> {
        self.count("SELECT COUNT(*) FROM admins", vec![]).await
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        csrf: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO sessions (token_hash, username, csrf, expires_at_ms, last_seen_ms)
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                token_hash.into(),
                username.into(),
                csrf.into(),
                expires_at_ms.into(),
                now_ms.into(),
            ],
        )
        .await
    }

    /// The live session with this token hash: not expired, and used within `idle_ms`.
    pub async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
        idle_ms: i64,
    ) -> Result<Option<Session>, DbError> {
        let row: Option<(String, String, i64, i64)> = self
            .query_opt(
                "SELECT username, csrf, expires_at_ms, last_seen_ms FROM sessions
                 WHERE token_hash = $1 AND expires_at_ms > $2 AND last_seen_ms > $3",
                vec![token_hash.into(), now_ms.into(), (now_ms - idle_ms).into()],
            )
            .await?;
        Ok(
            row.map(|(username, csrf, expires_at_ms, last_seen_ms)| Session {
                username,
                csrf,
                expires_at_ms,
                last_seen_ms,
            }),
        )
    }

    /// Note a session's request (the idle clock starts again).
    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<(), DbError> {
        self.exec(
            "UPDATE sessions SET last_seen_ms = $2 WHERE token_hash = $1",
            vec![token_hash.into(), now_ms.into()],
        )
        .await
    }

    pub async fn delete_session(&self, token_hash: &str, now_ms: i64) -> Result<(), DbError> {
        self.exec(
            "DELETE FROM sessions WHERE token_hash = $1 OR expires_at_ms <= $2",
            vec![token_hash.into(), now_ms.into()],
        )
        .await
    }

    /// Append to the audit log. `detail` must not contain ID or phone numbers.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        detail: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO audit (at_ms, actor, action, detail) VALUES ($1, $2, $3, $4)",
            vec![now_ms.into(), actor.into(), action.into(), detail.into()],
        )
        .await
    }

    /// Run `change` (an `UPDATE … RETURNING`) and, only when it changed a row, write its audit
    /// entry in the same transaction: an audited change is never half done. True when it changed.
    pub(crate) async fn audited_change(
        &self,
        change: Stmt,
        entry: AuditEntry,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let changed = tx.execute(&change.sql, change.params).await? > 0;
        if changed {
            audit_in(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
        self.query_as(
            "SELECT at_ms, actor, action, detail FROM audit ORDER BY pk DESC LIMIT $1",
            vec![limit.into()],
        )
        .await
    }
}
