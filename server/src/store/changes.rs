//! Administrators' changes, each written with its audit row in the same transaction: a crash can
//! never leave an unaudited change (or an audit row for a change that did not happen).

use super::devices::{checkpoint_stmt, compound_stmt, enroll_code_stmt, EnrollCode};
use super::passes::{revoke_in, touch_roster};
use super::{AuditEntry, Checkpoint, DbError, Stmt, Store, Tx};

/// Write `e` to the audit log inside `tx`: it commits with the change it records, or not at all.
pub(crate) async fn audit_in(tx: &mut Tx, e: AuditEntry) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO audit (at_ms, actor, action, detail) VALUES ($1, $2, $3, $4)",
        vec![
            e.at_ms.into(),
            e.actor.into(),
            e.action.into(),
            e.detail.into(),
        ],
    )
    .await
    .map(|_| ())
}

impl Tx {
    /// Append to the audit log inside this transaction. `detail` must not contain ID or phone
    /// numbers.
    pub async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        detail: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        audit_in(self, entry(actor, now_ms, action, detail.to_owned())).await
    }
}

pub(crate) fn entry(actor: &str, at_ms: i64, action: &str, detail: String) -> AuditEntry {
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
        stmts: Vec<Stmt>,
        entry: AuditEntry,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        for s in stmts {
            tx.execute(&s.sql, s.params).await?;
        }
        audit_in(&mut tx, entry).await?;
        tx.commit().await
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
        let mut tx = self.begin().await?;
        let (live,): (i64,) = tx
            .query_one(
                "SELECT COUNT(*) FROM passes WHERE pass_id = $1 AND serial = $2 AND revoked_at_ms IS NULL",
                vec![pass_id.into(), serial.into()],
            )
            .await?;
        if live == 0 {
            return Ok(false);
        }
        revoke_in(&mut tx, pass_id, serial, now_ms).await?;
        touch_roster(&mut tx, pass_id).await?;
        let detail = format!("revoked {pass_id} serial {serial}");
        audit_in(&mut tx, entry(actor, now_ms, "revoke", detail)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A resident moves out: every live pass of theirs is revoked (the revocation list and the
    /// roster tell the gates) and their row — name, ID number, phone — is deleted, audited, in one
    /// transaction. False when there is no such resident.
    pub async fn move_out(
        &self,
        resident_id: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let gone = tx
            .execute(
                "DELETE FROM residents WHERE id = $1",
                vec![resident_id.into()],
            )
            .await?;
        if gone == 0 {
            return Ok(false);
        }
        let live: Vec<(String, i64)> = tx
            .query_as(
                "SELECT pass_id, serial FROM passes WHERE resident_id = $1 AND revoked_at_ms IS NULL",
                vec![resident_id.into()],
            )
            .await?;
        for (pass_id, serial) in &live {
            let serial = u32::try_from(*serial).map_err(|_| DbError::Column {
                index: 1,
                problem: format!("serial {serial} of {pass_id}"),
            })?;
            revoke_in(&mut tx, pass_id, serial, now_ms).await?;
            touch_roster(&mut tx, pass_id).await?;
        }
        let detail = format!("{resident_id} moved out; {} passes revoked", live.len());
        audit_in(&mut tx, entry(actor, now_ms, "move_out", detail)).await?;
        tx.commit().await?;
        Ok(true)
    }
}
