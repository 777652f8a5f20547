//! Visitor invitations: the household's limit per day (counted under the invitation counter's row
//! lock, so two phones of one household cannot both take the tenth), the invited visitor's pass
//! issued in the same transaction, the visitor's link by its token's hash, and the host's list with
//! the admitted passages of each invited pass at the compound's gates.

use chrono::{DateTime, Utc};
use sync_core::invitation::{Arrival, MAX_PER_DAY};
use sync_core::pass::{DistrictSigner, PassBody};
use sync_core::Direction;

use super::changes::{audit_in, entry};
use super::{DbError, Store};
use crate::passes::{issue_in, IssueError};

/// An invitation to store, with the pass body to sign for it.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub token_hash: String,
    pub phone: String,
    pub reason: String,
    /// The district day it was made on (the limit counts these).
    pub made_day: String,
    /// The district day of the visit.
    pub day: String,
    pub body: PassBody,
    pub now_ms: i64,
}

/// A stored invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub pass_id: String,
    pub compound_id: String,
    pub household: String,
    pub name: String,
    pub day: String,
    pub plate: Option<String>,
    pub reason: String,
    pub payload: String,
}

type Columns = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
);
const COLUMNS: &str = "pass_id, compound_id, household, name, day, plate, reason, payload";

fn row(c: Columns) -> InvitationRow {
    InvitationRow {
        pass_id: c.0,
        compound_id: c.1,
        household: c.2,
        name: c.3,
        day: c.4,
        plate: c.5,
        reason: c.6,
        payload: c.7,
    }
}

/// Why an invitation was not made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("the household's limit of invitations for today is reached")]
    Limit,
    #[error("{0}")]
    Issue(#[from] IssueError),
    #[error("{0}")]
    Db(#[from] DbError),
}

impl Store {
    /// Issue the invited visitor's pass and keep the invitation, unless the household has made
    /// [`MAX_PER_DAY`] today. `pass_id` of `inv.body` is filled in here.
    pub async fn invite(
        &self,
        signer: &DistrictSigner,
        mut inv: NewInvitation,
    ) -> Result<InvitationRow, InviteError> {
        let mut tx = self.begin().await?;
        // Taking the counter's row lock first serialises invitations until this one commits.
        let n = tx.next_counter("invitation").await?;
        let (made,): (i64,) = tx
            .query_one(
                "SELECT COUNT(*) FROM invitations
                 WHERE compound_id = $1 AND household = $2 AND made_day = $3",
                vec![
                    inv.body.compound_id.as_str().into(),
                    inv.body.household.as_str().into(),
                    inv.made_day.as_str().into(),
                ],
            )
            .await?;
        if made >= i64::from(MAX_PER_DAY) {
            return Err(InviteError::Limit);
        }
        inv.body.pass_id = format!("Y{n:07}");
        let issued = issue_in(&mut tx, signer, inv.body.clone(), None).await?;
        let b = &inv.body;
        let day = inv.day.clone();
        tx.execute(
            &format!(
                "INSERT INTO invitations ({COLUMNS}, token_hash, phone, made_day, created_at_ms,
                 valid_until_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ),
            vec![
                b.pass_id.as_str().into(),
                b.compound_id.as_str().into(),
                b.household.as_str().into(),
                b.display_name.as_str().into(),
                day.as_str().into(),
                b.plate.clone().into(),
                inv.reason.as_str().into(),
                issued.payload.as_str().into(),
                inv.token_hash.as_str().into(),
                inv.phone.as_str().into(),
                inv.made_day.as_str().into(),
                inv.now_ms.into(),
                b.valid_until.timestamp_millis().into(),
            ],
        )
        .await?;
        let detail = format!(
            "{} invited a visitor for {day} ({})",
            b.household, b.pass_id
        );
        audit_in(&mut tx, entry("resident", inv.now_ms, "invitation", detail)).await?;
        tx.commit().await?;
        Ok(InvitationRow {
            pass_id: b.pass_id.clone(),
            compound_id: b.compound_id.clone(),
            household: b.household.clone(),
            name: b.display_name.clone(),
            day,
            plate: b.plate.clone(),
            reason: inv.reason,
            payload: issued.payload,
        })
    }

    /// Invitations a household made on `made_day`.
    pub async fn invitations_made(
        &self,
        compound_id: &str,
        household: &str,
        made_day: &str,
    ) -> Result<i64, DbError> {
        self.count(
            "SELECT COUNT(*) FROM invitations
             WHERE compound_id = $1 AND household = $2 AND made_day = $3",
            vec![compound_id.into(), household.into(), made_day.into()],
        )
        .await
    }

    /// The invitation a visitor's link names.
    pub async fn invitation_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<InvitationRow>, DbError> {
        let found: Option<Columns> = self
            .query_opt(
                &format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1"),
                vec![token_hash.into()],
            )
            .await?;
        Ok(found.map(row))
    }

    /// A household's invitations for visits on or after `from_day`, newest visit first, each with
    /// its admitted passages.
    pub async fn household_invitations(
        &self,
        compound_id: &str,
        household: &str,
        from_day: &str,
    ) -> Result<Vec<(InvitationRow, Vec<Arrival>)>, DbError> {
        let rows: Vec<Columns> = self
            .query_as(
                &format!(
                    "SELECT {COLUMNS} FROM invitations
                     WHERE compound_id = $1 AND household = $2 AND day >= $3
                     ORDER BY day DESC, pass_id DESC LIMIT 50"
                ),
                vec![compound_id.into(), household.into(), from_day.into()],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows.into_iter().map(row) {
            let arrivals = self.arrivals(&r.pass_id).await?;
            out.push((r, arrivals));
        }
        Ok(out)
    }

    /// The admitted passages of a visitor's pass, oldest first.
    async fn arrivals(&self, pass_id: &str) -> Result<Vec<Arrival>, DbError> {
        let rows: Vec<(Direction, i64, String)> = self
            .query_as(
                "SELECT direction, corrected_at_ms, gate FROM passages
                 WHERE subject_key = $1 AND verdict = 'admitted' ORDER BY corrected_at_ms",
                vec![format!("pass:{pass_id}").into()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(direction, at_ms, gate)| Arrival {
                direction,
                at: DateTime::<Utc>::from_timestamp_millis(at_ms).unwrap_or_default(),
                gate,
            })
            .collect())
    }
}
