//! The device's copy of the district key set and revocation list, for verifying passes offline.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Ledger, LedgerError};

/// One public key of the district, by key id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub key_id: String,
    pub district_id: String,
    /// The Ed25519 public key, hex.
    pub public_key: String,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
}

/// One revoked pass serial; `version` is the server's revocation-list version that added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub pass_id: String,
    pub serial: u32,
    pub version: u64,
}

impl Ledger {
    /// Replace the whole key set (the server sends it whole; it is small).
    pub fn replace_key_set(&mut self, keys: &[KeyRecord]) -> Result<(), LedgerError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM keys", [])?;
        for k in keys {
            tx.execute(
                "INSERT INTO keys (key_id, district_id, public_key, not_before_ms, not_after_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    k.key_id,
                    k.district_id,
                    k.public_key,
                    k.not_before.map(|t| t.timestamp_millis()),
                    k.not_after.map(|t| t.timestamp_millis())
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn key_set(&self) -> Result<Vec<KeyRecord>, LedgerError> {
        let mut stmt = self.conn.prepare(
            "SELECT key_id, district_id, public_key, not_before_ms, not_after_ms FROM keys ORDER BY key_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeyRecord {
                key_id: r.get(0)?,
                district_id: r.get(1)?,
                public_key: r.get(2)?,
                not_before: r
                    .get::<_, Option<i64>>(3)?
                    .and_then(DateTime::from_timestamp_millis),
                not_after: r
                    .get::<_, Option<i64>>(4)?
                    .and_then(DateTime::from_timestamp_millis),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Add a delta of revocations and remember the version reached, in one transaction.
    pub fn apply_revocations(
        &mut self,
        version: u64,
        delta: &[Revocation],
    ) -> Result<(), LedgerError> {
        let tx = self.conn.transaction()?;
        for r in delta {
            tx.execute(
                "INSERT INTO revocations (pass_id, serial, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT (pass_id, serial) DO NOTHING",
                params![r.pass_id, r.serial, r.version as i64],
            )?;
        }
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('revocations_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The revocation-list version this device has (0 when none).
    pub fn revocations_version(&self) -> Result<u64, LedgerError> {
        Ok(self.setting::<u64>("revocations_version")?.unwrap_or(0))
    }

    pub fn revocations(&self) -> Result<Vec<Revocation>, LedgerError> {
        let mut stmt = self.conn.prepare(
            "SELECT pass_id, serial, version FROM revocations ORDER BY version, pass_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Revocation {
                pass_id: r.get(0)?,
                serial: r.get(1)?,
                version: r.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
