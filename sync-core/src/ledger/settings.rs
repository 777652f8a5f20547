//! Device settings as typed JSON values under string keys (enrollment, language, gate, clock offset, …).

use rusqlite::{params, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

use super::{Ledger, LedgerError};

impl Ledger {
    /// Read a setting, `None` when unset.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, LedgerError> {
        let raw: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        raw.map(|s| serde_json::from_str(&s).map_err(LedgerError::from))
            .transpose()
    }

    /// Write a setting durably.
    pub fn set_setting<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), LedgerError> {
        let json = serde_json::to_string(value)?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, json],
        )?;
        Ok(())
    }

    /// Remove a setting (e.g. on un-enroll).
    pub fn clear_setting(&mut self, key: &str) -> Result<(), LedgerError> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}
