//! Signed-off daily reports: stored once per compound and day (the primary key refuses a second),
//! with the audit row in the same transaction.

use super::changes::{audit_in, entry};
use super::{DbError, Store};

/// One signed-off report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub compound_id: String,
    /// `YYYY-MM-DD`, the district's local day.
    pub day: String,
    pub signed_by: String,
    pub signed_at_ms: i64,
    /// The snapshot's JSON text, exactly as signed.
    pub snapshot: String,
    pub content_hash: String,
}

type SignOffRow = (String, String, String, i64, String, String);

fn from_row(
    (compound_id, day, signed_by, signed_at_ms, snapshot, content_hash): SignOffRow,
) -> SignOff {
    SignOff {
        compound_id,
        day,
        signed_by,
        signed_at_ms,
        snapshot,
        content_hash,
    }
}

const COLUMNS: &str = "compound_id, day, signed_by, signed_at_ms, snapshot, content_hash";

impl Store {
    /// Store a sign-off; false (nothing changed) when the compound's day was signed already.
    pub async fn sign_off(&self, s: &SignOff) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let stored = tx
            .execute(
                &format!(
                    "INSERT INTO report_signoffs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (compound_id, day) DO NOTHING"
                ),
                vec![
                    s.compound_id.as_str().into(),
                    s.day.as_str().into(),
                    s.signed_by.as_str().into(),
                    s.signed_at_ms.into(),
                    s.snapshot.as_str().into(),
                    s.content_hash.as_str().into(),
                ],
            )
            .await?
            > 0;
        if stored {
            let detail = format!(
                "signed off the daily report of {} for {} (sha256 {})",
                s.compound_id, s.day, s.content_hash
            );
            audit_in(
                &mut tx,
                entry(&s.signed_by, s.signed_at_ms, "report_signoff", detail),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The sign-off of one compound's day, if it was signed.
    pub async fn signoff(&self, compound_id: &str, day: &str) -> Result<Option<SignOff>, DbError> {
        let row: Option<SignOffRow> = self
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM report_signoffs WHERE compound_id = $1 AND day = $2"
                ),
                vec![compound_id.into(), day.into()],
            )
            .await?;
        Ok(row.map(from_row))
    }

    /// The compounds that signed off `day`.
    pub async fn signed_compounds(&self, day: &str) -> Result<Vec<String>, DbError> {
        let rows: Vec<(String,)> = self
            .query_as(
                "SELECT compound_id FROM report_signoffs WHERE day = $1 ORDER BY compound_id",
                vec![day.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }
}
