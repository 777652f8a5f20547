//! Administrators' changes, each written with its audit row in the same transaction: a crash can
//! never leave an unaudited change (or an audit row for a change that did not happen).

use super::devices::{checkpoint_stmt, compound_stmt, enroll_code_stmt, EnrollCode};
use super::passes::{revocation_stmts, roster_stmts};
use super::{AuditEntry, Checkpoint, DbError, Stmt, Store};

fn audit_stmt(e: AuditEntry) -> Stmt {
    Stmt::new(
        "INSERT INTO audit (at_ms, actor, action, detail) VALUES ($1, $2, $3, $4)",
        vec![
            e.at_ms.into(),
            e.actor.into(),
            e.action.into(),
            e.detail.into(),
        ],
    )
}

fn entry(actor: &str, at_ms: i64, action: &str, detail: String) -> AuditEntry {
    AuditEntry {
        at_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        detail,
    }
}

impl Store {
    /// Run `stmts` and write `entry`, in one transaction.
    pub(crate) async fn with_audit(
        &self,
        mut stmts: Vec<Stmt>,
        entry: AuditEntry,
    ) -> Result<(), DbError> {
        stmts.push(audit_stmt(entry));
        self.transact(stmts, Box::new(|_| Ok(Vec::new())))
            .await
            .map(|_| ())
    }

    /// Add or rename a compound, audited.
    pub async fn save_compound(
        &self,
        id: &str,
        name: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let e = entry(
            actor,
            now_ms,
            "compound",
            format!("saved compound {id} ({name})"),
        );
        self.with_audit(vec![compound_stmt(id, name)], e).await
    }

    /// Add or change a checkpoint, audited.
    pub async fn save_checkpoint(
        &self,
        cp: &Checkpoint,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let detail = format!(
            "saved checkpoint {} ({}) in {}",
            cp.id, cp.name, cp.compound_id
        );
        let e = entry(actor, now_ms, "checkpoint", detail);
        self.with_audit(vec![checkpoint_stmt(cp, now_ms)], e).await
    }

    /// Remember a new one-time enrollment code, audited (`created_by` is the actor).
    pub async fn issue_enroll_code(&self, code: &EnrollCode<'_>) -> Result<(), DbError> {
        let detail = format!("enrollment code for checkpoint {}", code.checkpoint_id);
        let e = entry(code.created_by, code.now_ms, "enroll_code", detail);
        self.with_audit(vec![enroll_code_stmt(code)], e).await
    }

    /// Revoke one serial of a pass, audited; false when it does not exist or is already revoked
    /// (then nothing is written).
    pub async fn revoke(
        &self,
        pass_id: &str,
        serial: u32,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let live = Stmt::new(
            "SELECT COUNT(*) FROM passes WHERE pass_id = $1 AND serial = $2 AND revoked_at_ms IS NULL",
            vec![pass_id.into(), serial.into()],
        );
        let (pass, actor) = (pass_id.to_owned(), actor.to_owned());
        let out = self
            .transact(
                vec![live],
                Box::new(move |rows| {
                    let n = rows[0].first().map(|r| r.int(0)).transpose()?.unwrap_or(0);
                    if n == 0 {
                        return Ok(Vec::new());
                    }
                    let mut stmts = revocation_stmts(&pass, i64::from(serial), now_ms);
                    stmts.extend(roster_stmts(&pass));
                    let detail = format!("revoked {pass} serial {serial}");
                    stmts.push(audit_stmt(entry(&actor, now_ms, "revoke", detail)));
                    Ok(stmts)
                }),
            )
            .await?;
        Ok(out.first[0]
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0)
            > 0)
    }
}
