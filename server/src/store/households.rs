//! Household links: the token of a household letter (only its hash is kept), a new letter revoking
//! the household's earlier link, revocation from the admin web, the phones that opened a link, and
//! the household's passes a link hands out (the newest serial of each, revoked or not).

use super::changes::{audit_in, entry};
use super::passes::PASS_COLUMNS;
use super::{DbError, IssuedPass, Store};

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdLink {
    pub compound_id: String,
    pub household: String,
    pub revoked: bool,
}

impl Store {
    /// Keep a new link (by its token's hash) for a household, revoking any earlier one; audited.
    pub async fn new_household_link(
        &self,
        compound_id: &str,
        household: &str,
        token_hash: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        tx.execute(
            "UPDATE household_links SET revoked_at_ms = $1
             WHERE compound_id = $2 AND household = $3 AND revoked_at_ms IS NULL",
            vec![now_ms.into(), compound_id.into(), household.into()],
        )
        .await?;
        tx.execute(
            "INSERT INTO household_links (token_hash, compound_id, household, created_by,
             created_at_ms) VALUES ($1, $2, $3, $4, $5)",
            vec![
                token_hash.into(),
                compound_id.into(),
                household.into(),
                actor.into(),
                now_ms.into(),
            ],
        )
        .await?;
        let detail =
            format!("household letter for {compound_id} {household} (earlier link revoked)");
        audit_in(&mut tx, entry(actor, now_ms, "household_link", detail)).await?;
        tx.commit().await
    }

    /// Revoke a household's live link; false when it had none. Audited.
    pub async fn revoke_household_link(
        &self,
        compound_id: &str,
        household: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let revoked = !tx
            .rows(
                "UPDATE household_links SET revoked_at_ms = $1
                 WHERE compound_id = $2 AND household = $3 AND revoked_at_ms IS NULL
                 RETURNING token_hash",
                vec![now_ms.into(), compound_id.into(), household.into()],
            )
            .await?
            .is_empty();
        if revoked {
            let detail = format!("household link of {compound_id} {household} revoked");
            audit_in(&mut tx, entry(actor, now_ms, "household_link", detail)).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The link a token's hash names, if any.
    pub async fn household_link(&self, token_hash: &str) -> Result<Option<HouseholdLink>, DbError> {
        let row: Option<(String, String, Option<i64>)> = self
            .query_opt(
                "SELECT compound_id, household, revoked_at_ms FROM household_links
                 WHERE token_hash = $1",
                vec![token_hash.into()],
            )
            .await?;
        Ok(
            row.map(|(compound_id, household, revoked_at)| HouseholdLink {
                compound_id,
                household,
                revoked: revoked_at.is_some(),
            }),
        )
    }

    /// Note that `phone_id` opened the link; the first time for that phone is audited.
    pub async fn note_link_phone(
        &self,
        token_hash: &str,
        link: &HouseholdLink,
        phone_id: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        let new = !tx
            .rows(
                "INSERT INTO household_link_phones (token_hash, phone_id, first_seen_ms, last_seen_ms)
                 VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING RETURNING phone_id",
                vec![token_hash.into(), phone_id.into(), now_ms.into()],
            )
            .await?
            .is_empty();
        if new {
            let detail = format!(
                "household link of {} {} opened on phone {phone_id}",
                link.compound_id, link.household
            );
            audit_in(
                &mut tx,
                entry("resident", now_ms, "household_phone", detail),
            )
            .await?;
        } else {
            tx.execute(
                "UPDATE household_link_phones SET last_seen_ms = $1
                 WHERE token_hash = $2 AND phone_id = $3",
                vec![now_ms.into(), token_hash.into(), phone_id.into()],
            )
            .await?;
        }
        tx.commit().await
    }

    /// The newest serial of each resident and vehicle pass of a household (revoked ones too), by
    /// pass id; visitor day passes naming the household as host are their visitors', not its own.
    pub async fn household_passes(
        &self,
        compound_id: &str,
        household: &str,
    ) -> Result<Vec<IssuedPass>, DbError> {
        self.query_as(
            &format!(
                "SELECT {PASS_COLUMNS} FROM passes p WHERE compound_id = $1 AND household = $2
                 AND kind IN ('resident', 'vehicle') AND serial = (SELECT MAX(serial) FROM passes q WHERE q.pass_id = p.pass_id)
                 ORDER BY pass_id"
            ),
            vec![compound_id.into(), household.into()],
        )
        .await
    }
}
