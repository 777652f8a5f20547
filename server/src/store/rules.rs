//! Each compound's rules (stored as JSON), changed with their audit row in one transaction, and the
//! facts self-registration checks: is a household in the compound, how often a phone registered.

use sync_core::rules::CompoundRules;

use super::changes::{audit_in, entry};
use super::{DbError, Store};

impl Store {
    /// The rules of `compound` (the defaults when none were set).
    pub async fn compound_rules(&self, compound: &str) -> Result<CompoundRules, DbError> {
        let row: Option<(String,)> = self
            .query_opt(
                "SELECT rules FROM compound_rules WHERE compound_id = $1",
                vec![compound.into()],
            )
            .await?;
        match row {
            Some((json,)) => serde_json::from_str(&json)
                .map_err(|e| DbError::Invalid(format!("stored rules of {compound}: {e}"))),
            None => Ok(CompoundRules::default()),
        }
    }

    /// The rules set for each compound that has any (the others follow the defaults).
    pub async fn all_compound_rules(&self) -> Result<Vec<(String, CompoundRules)>, DbError> {
        let rows: Vec<(String, String)> = self
            .query_as(
                "SELECT compound_id, rules FROM compound_rules ORDER BY compound_id",
                vec![],
            )
            .await?;
        rows.into_iter()
            .map(|(compound, json)| {
                let rules = serde_json::from_str(&json)
                    .map_err(|e| DbError::Invalid(format!("stored rules of {compound}: {e}")))?;
                Ok((compound, rules))
            })
            .collect()
    }

    /// Replace the rules of `compound`, audited in the same transaction.
    pub async fn set_compound_rules(
        &self,
        compound: &str,
        rules: &CompoundRules,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let json = serde_json::to_string(rules).map_err(|e| DbError::Invalid(e.to_string()))?;
        let detail = format!("rules of compound {compound}: {json}");
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO compound_rules (compound_id, rules, updated_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (compound_id) DO UPDATE SET rules = excluded.rules,
             updated_at_ms = excluded.updated_at_ms",
            vec![compound.into(), json.into(), now_ms.into()],
        )
        .await?;
        audit_in(&mut tx, entry(actor, now_ms, "compound_rules", detail)).await?;
        tx.commit().await
    }

    /// Does any resident of `compound` live in `household`?
    pub async fn household_exists(&self, compound: &str, household: &str) -> Result<bool, DbError> {
        let n = self
            .count(
                "SELECT COUNT(*) FROM residents WHERE compound_id = $1 AND household = $2",
                vec![compound.into(), household.into()],
            )
            .await?;
        Ok(n > 0)
    }

    /// Visitor day passes issued to `phone` since `since_ms`.
    pub async fn visitor_passes_of_phone(
        &self,
        phone: &str,
        since_ms: i64,
    ) -> Result<i64, DbError> {
        self.count(
            "SELECT COUNT(*) FROM visitor_passes WHERE phone = $1 AND issued_at_ms >= $2",
            vec![phone.into(), since_ms.into()],
        )
        .await
    }
}
