//! The device's copy of its compound's roster: every pass of the compound (and the district's staff
//! passes) with its status, pulled as deltas like the revocations; never an ID number, only its tail.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{Ledger, LedgerError};
use crate::pass::PassKind;
use crate::protocol::{RosterEntry, RosterExit};

const COLUMNS: &str =
    "pass_id, kind, serial, revoked, household, name, plate, valid_until, id_tail, checked_in_on";

/// Setting keys: the roster version reached, and the compound it is for.
const SETTING_VERSION: &str = "roster_version";
const SETTING_COMPOUND: &str = "roster_compound";
/// Where the next pull continues other gates' exits from (server receipt time, ms).
const SETTING_EXITS_CURSOR: &str = "roster_exits_cursor";
/// Other gates' exits are kept this long (longer than any exit-quota window).
const EXITS_KEPT_DAYS: i64 = 31;

fn entry(r: &Row<'_>) -> rusqlite::Result<RosterEntry> {
    let kind: u8 = r.get(1)?;
    let until: i64 = r.get(7)?;
    Ok(RosterEntry {
        pass_id: r.get(0)?,
        kind: PassKind::from_code(kind).unwrap_or(PassKind::Resident),
        serial: r.get(2)?,
        revoked: r.get(3)?,
        household: r.get(4)?,
        name: r.get(5)?,
        plate: r.get(6)?,
        valid_until: DateTime::from_timestamp(until, 0).unwrap_or_default(),
        id_tail: r.get(8)?,
        checked_in_on: r.get::<_, Option<String>>(9)?.and_then(|d| d.parse().ok()),
    })
}

impl Ledger {
    /// Apply a roster delta for `compound` reaching `version`, in one transaction. A delta for
    /// another compound than the stored one replaces the whole roster (`full` must then be set).
    pub fn apply_roster(
        &mut self,
        compound: &str,
        full: bool,
        version: u64,
        delta: &[RosterEntry],
    ) -> Result<(), LedgerError> {
        let tx = self.conn.transaction()?;
        if full {
            tx.execute("DELETE FROM roster", [])?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO roster (pass_id, kind, serial, revoked, household, name, plate, valid_until, id_tail, checked_in_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (pass_id) DO UPDATE SET kind = excluded.kind, serial = excluded.serial,
                 revoked = excluded.revoked, household = excluded.household, name = excluded.name,
                 plate = excluded.plate, valid_until = excluded.valid_until, id_tail = excluded.id_tail,
                 checked_in_on = excluded.checked_in_on",
            )?;
            for e in delta {
                insert.execute(params![
                    e.pass_id,
                    e.kind.code(),
                    e.serial,
                    e.revoked,
                    e.household,
                    e.name,
                    e.plate,
                    e.valid_until.timestamp(),
                    e.id_tail,
                    e.checked_in_on.map(|d| d.to_string()),
                ])?;
            }
        }
        for (key, value) in [
            (SETTING_VERSION, version.to_string()),
            (
                SETTING_COMPOUND,
                serde_json::to_string(compound).unwrap_or_default(),
            ),
        ] {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The roster version this device has for `compound` (0 when none, or for another compound).
    pub fn roster_version(&self, compound: &str) -> Result<u64, LedgerError> {
        let stored: Option<String> = self.setting(SETTING_COMPOUND)?;
        if stored.as_deref() != Some(compound) {
            return Ok(0);
        }
        Ok(self.setting::<u64>(SETTING_VERSION)?.unwrap_or(0))
    }

    /// The roster entry of a pass id.
    pub fn roster_pass(&self, pass_id: &str) -> Result<Option<RosterEntry>, LedgerError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM roster WHERE pass_id = ?1"))?
            .query_row([pass_id], entry)
            .optional()?)
    }

    /// The vehicle passes registered for a plate, newest valid first.
    pub fn roster_plate(&self, plate: &str) -> Result<Vec<RosterEntry>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM roster WHERE plate = ?1 ORDER BY revoked, valid_until DESC"
        ))?;
        let rows = stmt.query_map([plate], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Residents whose ID number ends in `tail` (at most `limit`).
    pub fn roster_id_tail(&self, tail: &str, limit: u32) -> Result<Vec<RosterEntry>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM roster WHERE id_tail = ?1 ORDER BY household, pass_id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![tail.to_uppercase(), limit], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Is any pass of this compound registered to this household?
    pub fn roster_has_household(&self, household: &str) -> Result<bool, LedgerError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM roster WHERE household = ?1 LIMIT 1")?
            .query_row([household], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Add other gates' exits (kept once per record id), forget those past any quota window, and
    /// remember where the next pull continues from.
    pub fn apply_roster_exits(
        &mut self,
        exits: &[RosterExit],
        cursor: i64,
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO roster_exits (id, household, at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO NOTHING",
            )?;
            for e in exits {
                insert.execute(params![e.id, e.household, e.at.timestamp_millis()])?;
            }
        }
        let oldest = now - chrono::Duration::days(EXITS_KEPT_DAYS);
        tx.execute(
            "DELETE FROM roster_exits WHERE at_ms < ?1",
            [oldest.timestamp_millis()],
        )?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![SETTING_EXITS_CURSOR, cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Where the next pull continues other gates' exits from.
    pub fn roster_exits_cursor(&self) -> Result<i64, LedgerError> {
        Ok(self.setting::<i64>(SETTING_EXITS_CURSOR)?.unwrap_or(0))
    }

    /// Admitted resident exits of `household` since `since`, at this gate and (as of the last
    /// pull) every other gate of the compound, each record counted once.
    pub fn household_exits(
        &self,
        household: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, LedgerError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM (
                 SELECT id FROM passages
                 WHERE recorded_ms >= ?1 AND kind = 'resident' AND direction = 'out'
                   AND verdict = 'admitted' AND json_extract(body, '$.subject.household') = ?2
                 UNION
                 SELECT id FROM roster_exits WHERE at_ms >= ?1 AND household = ?2)",
            params![since.timestamp_millis(), household],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// How many passes the roster holds.
    pub fn roster_len(&self) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM roster", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Where a roster entry stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterStatus {
    Valid,
    Revoked,
    Expired,
}

impl RosterEntry {
    pub fn status(&self, now: DateTime<Utc>) -> RosterStatus {
        if self.revoked {
            RosterStatus::Revoked
        } else if now >= self.valid_until {
            RosterStatus::Expired
        } else {
            RosterStatus::Valid
        }
    }
}
