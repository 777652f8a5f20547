//! Photos attached to journal entries: stored by SHA-256 as they arrive (after their entries),
//! the list of photos accepted entries expect, and what the devices page shows as missing.

use super::{DbError, Stmt, Store};

/// A stored photo as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub device_id: String,
    pub bytes: Vec<u8>,
    pub received_at_ms: i64,
}

/// A photo arriving from a device, its bytes already checked against its name.
#[derive(Debug, Clone, Copy)]
pub struct NewPhoto<'a> {
    pub sha256: &'a str,
    pub device_id: &'a str,
    pub bytes: &'a [u8],
    pub now_ms: i64,
}

impl Store {
    /// Store a photo; `true` when this call stored it, `false` when it was there already (the
    /// upload is idempotent: the same name always holds the same bytes).
    pub async fn put_photo(&self, p: NewPhoto<'_>) -> Result<bool, DbError> {
        let stored: Option<(String,)> = self
            .query_opt(
                "INSERT INTO photos (sha256, device_id, size, bytes, received_at_ms)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
                vec![
                    p.sha256.into(),
                    p.device_id.into(),
                    (p.bytes.len() as u64).into(),
                    p.bytes.to_vec().into(),
                    p.now_ms.into(),
                ],
            )
            .await?;
        Ok(stored.is_some())
    }

    /// A stored photo by name.
    pub async fn photo(&self, sha256: &str) -> Result<Option<StoredPhoto>, DbError> {
        let row: Option<(String, Vec<u8>, i64)> = self
            .query_opt(
                "SELECT device_id, bytes, received_at_ms FROM photos WHERE sha256 = $1",
                vec![sha256.into()],
            )
            .await?;
        Ok(row.map(|(device_id, bytes, received_at_ms)| StoredPhoto {
            device_id,
            bytes,
            received_at_ms,
        }))
    }

    /// Names of the photos an entry expects that have not arrived.
    pub async fn missing_photos(&self, entry_id: &str) -> Result<Vec<String>, DbError> {
        let rows: Vec<(String,)> = self
            .query_as(
                "SELECT ep.sha256 FROM entry_photos ep WHERE ep.entry_id = $1
                 AND NOT EXISTS (SELECT 1 FROM photos ph WHERE ph.sha256 = ep.sha256)
                 ORDER BY ep.sha256",
                vec![entry_id.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }
}

/// Remember the photos an accepted entry names (statements of the ingest transaction): only when
/// the stored entry with this id is this one (its hash), so a concurrent writer's entry never
/// gains another's expectations.
pub(super) fn expect_photo_stmts(
    head: &sync_core::EntryHead,
    hash: &str,
    now_ms: i64,
) -> Vec<Stmt> {
    head.attachments
        .iter()
        .map(|sha256| {
            Stmt::new(
                "INSERT INTO entry_photos (entry_id, device_id, sha256, expected_since_ms)
                 SELECT $1, $2, $3, CAST($4 AS BIGINT) WHERE EXISTS
                     (SELECT 1 FROM entries WHERE id = $1 AND hash = $5)
                 ON CONFLICT DO NOTHING",
                vec![
                    head.id.to_string().into(),
                    head.device_id.as_str().into(),
                    sha256.as_str().into(),
                    now_ms.into(),
                    hash.into(),
                ],
            )
        })
        .collect()
}

/// How long a photo no entry expects is kept (it may have come before its entry's batch).
pub const UNEXPECTED_PHOTO_HOURS: i64 = 24;

/// Statements of the retention purge, in order: the expectations of entries that are gone, then
/// photos no entry expects that came more than a day before `now_ms`.
pub(super) const PURGE_EXPECTATIONS: &str = "DELETE FROM entry_photos
     WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = entry_photos.entry_id)
     RETURNING sha256";
pub(super) const PURGE_UNEXPECTED: &str = "DELETE FROM photos WHERE received_at_ms < $1
     AND NOT EXISTS (SELECT 1 FROM entry_photos ep WHERE ep.sha256 = photos.sha256)
     RETURNING sha256";
