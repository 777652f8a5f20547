//! Residents, issued passes with serials, revocations (versioned for delta pulls), signing keys, visitor passes.

use chrono::DateTime;
use sync_core::ledger::{KeyRecord, Revocation};

use super::{DbError, Row, Stmt, Store};

/// A resident from the import (ID number and phone are shown masked everywhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: String,
    pub compound_id: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub household: String,
    pub plates: Vec<String>,
}

/// One issued pass (a serial of a pass id) and its signed payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedPass {
    pub pass_id: String,
    pub serial: u32,
    pub kind: String,
    pub resident_id: Option<String>,
    pub compound_id: String,
    pub household: String,
    pub display_name: String,
    pub plate: Option<String>,
    pub payload: String,
    pub issued_at_ms: i64,
    pub valid_until_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// A visitor day pass made by self-registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorPass {
    pub pass_id: String,
    pub checkpoint_id: String,
    pub name: String,
    pub phone: String,
    pub host_household: String,
    pub reason: String,
    pub plate: Option<String>,
    pub payload: String,
    pub issued_at_ms: i64,
    pub valid_until_ms: i64,
    /// The last 4 characters of the visitor's ID number, when the compound asks for it.
    pub id_tail: Option<String>,
}

const PASS_COLUMNS: &str =
    "pass_id, serial, kind, resident_id, compound_id, household, display_name, \
     plate, payload, issued_at_ms, valid_until_ms, revoked_at_ms";

fn issued(r: &Row) -> Result<IssuedPass, DbError> {
    Ok(IssuedPass {
        pass_id: r.text(0)?,
        serial: u32::try_from(r.int(1)?).unwrap_or(0),
        kind: r.text(2)?,
        resident_id: r.opt_text(3)?,
        compound_id: r.text(4)?,
        household: r.text(5)?,
        display_name: r.text(6)?,
        plate: r.opt_text(7)?,
        payload: r.text(8)?,
        issued_at_ms: r.int(9)?,
        valid_until_ms: r.int(10)?,
        revoked_at_ms: r.opt_int(11)?,
    })
}

fn resident(r: &Row) -> Result<Resident, DbError> {
    Ok(Resident {
        id: r.text(0)?,
        compound_id: r.text(1)?,
        name: r.text(2)?,
        id_number: r.text(3)?,
        phone: r.text(4)?,
        household: r.text(5)?,
        plates: serde_json::from_str(&r.text(6)?).unwrap_or_default(),
    })
}

impl Store {
    /// Insert a resident; on the same ID number, update the stored details. Returns the resident id.
    pub async fn upsert_resident(&self, r: &Resident, now_ms: i64) -> Result<String, DbError> {
        let plates = serde_json::to_string(&r.plates).unwrap_or_else(|_| "[]".into());
        let rows = self
            .rows(
                "INSERT INTO residents (id, compound_id, name, id_number, phone, household, plates, created_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (id_number) DO UPDATE SET compound_id = excluded.compound_id,
                 name = excluded.name, phone = excluded.phone, household = excluded.household,
                 plates = excluded.plates
                 RETURNING id",
                vec![
                    r.id.as_str().into(),
                    r.compound_id.as_str().into(),
                    r.name.as_str().into(),
                    r.id_number.as_str().into(),
                    r.phone.as_str().into(),
                    r.household.as_str().into(),
                    plates.into(),
                    now_ms.into(),
                ],
            )
            .await?;
        rows.first().map_or(Ok(r.id.clone()), |row| row.text(0))
    }

    pub async fn residents(&self) -> Result<Vec<Resident>, DbError> {
        self.rows(
            "SELECT id, compound_id, name, id_number, phone, household, plates FROM residents ORDER BY household, id",
            vec![],
        )
        .await?
        .iter()
        .map(resident)
        .collect()
    }

    pub async fn resident_count(&self) -> Result<i64, DbError> {
        let rows = self.rows("SELECT COUNT(*) FROM residents", vec![]).await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }

    /// The highest serial issued for a pass id (0 when none).
    pub async fn last_serial(&self, pass_id: &str) -> Result<u32, DbError> {
        let rows = self
            .rows(
                "SELECT COALESCE(MAX(serial), 0) FROM passes WHERE pass_id = $1",
                vec![pass_id.into()],
            )
            .await?;
        Ok(rows
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0))
    }

    /// Store a newly signed pass and revoke every older serial of the same pass id, in one transaction.
    pub async fn store_pass(&self, p: &IssuedPass, now_ms: i64) -> Result<(), DbError> {
        let older = self
            .rows(
                "SELECT serial FROM passes WHERE pass_id = $1 AND serial < $2 AND revoked_at_ms IS NULL",
                vec![p.pass_id.as_str().into(), p.serial.into()],
            )
            .await?
            .iter()
            .map(|r| r.int(0))
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmts = vec![Stmt::new(
            format!("INSERT INTO passes ({PASS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)"),
            vec![
                p.pass_id.as_str().into(),
                p.serial.into(),
                p.kind.as_str().into(),
                p.resident_id.clone().into(),
                p.compound_id.as_str().into(),
                p.household.as_str().into(),
                p.display_name.as_str().into(),
                p.plate.clone().into(),
                p.payload.as_str().into(),
                p.issued_at_ms.into(),
                p.valid_until_ms.into(),
            ],
        )];
        for serial in older {
            stmts.extend(revocation_stmts(&p.pass_id, serial, now_ms));
        }
        stmts.extend(roster_stmts(&p.pass_id));
        self.run_in_order(stmts).await
    }

    async fn run_in_order(&self, stmts: Vec<Stmt>) -> Result<(), DbError> {
        self.transact(stmts, Box::new(|_| Ok(Vec::new())))
            .await
            .map(|_| ())
    }

    pub async fn passes(&self) -> Result<Vec<IssuedPass>, DbError> {
        self.rows(
            &format!("SELECT {PASS_COLUMNS} FROM passes ORDER BY household, pass_id, serial"),
            vec![],
        )
        .await?
        .iter()
        .map(issued)
        .collect()
    }

    /// Revocations with a version above `since`, and the newest version.
    pub async fn revocations_since(&self, since: u64) -> Result<(u64, Vec<Revocation>), DbError> {
        let list = self
            .rows(
                "SELECT pass_id, serial, version FROM revocations WHERE version > $1 ORDER BY version",
                vec![since.into()],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Revocation {
                    pass_id: r.text(0)?,
                    serial: u32::try_from(r.int(1)?).unwrap_or(0),
                    version: u64::try_from(r.int(2)?).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        let version = list.last().map_or(since, |r| r.version);
        Ok((version, list))
    }

    pub async fn add_signing_key(
        &self,
        key: &KeyRecord,
        secret_hex: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO signing_keys (key_id, public_key, secret_key, not_before_ms, not_after_ms, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_id) DO NOTHING",
            vec![
                key.key_id.as_str().into(),
                key.public_key.as_str().into(),
                secret_hex.into(),
                key.not_before.map(|t| t.timestamp_millis()).into(),
                key.not_after.map(|t| t.timestamp_millis()).into(),
                now_ms.into(),
            ],
        )
        .await
    }

    /// The district's public keys (the key set devices pull).
    pub async fn key_set(&self, district_id: &str) -> Result<Vec<KeyRecord>, DbError> {
        self.rows(
            "SELECT key_id, public_key, not_before_ms, not_after_ms FROM signing_keys ORDER BY created_at_ms, key_id",
            vec![],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(KeyRecord {
                key_id: r.text(0)?,
                district_id: district_id.to_owned(),
                public_key: r.text(1)?,
                not_before: r.opt_int(2)?.and_then(DateTime::from_timestamp_millis),
                not_after: r.opt_int(3)?.and_then(DateTime::from_timestamp_millis),
            })
        })
        .collect()
    }

    /// The newest signing key's secret, hex (never leaves the server).
    pub async fn current_secret_key(&self) -> Result<Option<String>, DbError> {
        self.rows(
            "SELECT secret_key FROM signing_keys ORDER BY created_at_ms DESC, key_id DESC LIMIT 1",
            vec![],
        )
        .await?
        .first()
        .map(|r| r.text(0))
        .transpose()
    }

    pub async fn store_visitor_pass(&self, v: &VisitorPass) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO visitor_passes (pass_id, checkpoint_id, name, phone, host_household, reason, plate,
             payload, issued_at_ms, valid_until_ms, id_tail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            vec![
                v.pass_id.as_str().into(),
                v.checkpoint_id.as_str().into(),
                v.name.as_str().into(),
                v.phone.as_str().into(),
                v.host_household.as_str().into(),
                v.reason.as_str().into(),
                v.plate.clone().into(),
                v.payload.as_str().into(),
                v.issued_at_ms.into(),
                v.valid_until_ms.into(),
                v.id_tail.clone().into(),
            ],
        )
        .await
    }

    /// The next value of a named counter (resident numbers, visitor pass numbers), from 1.
    pub async fn next_counter(&self, name: &str) -> Result<i64, DbError> {
        let rows = self
            .rows(
                "INSERT INTO counters (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                vec![name.into()],
            )
            .await?;
        rows.first()
            .map(|r| r.int(0))
            .transpose()?
            .ok_or_else(|| DbError::Invalid(format!("counter {name} returned nothing")))
    }

    pub async fn visitor_pass_count(&self) -> Result<i64, DbError> {
        let rows = self
            .rows("SELECT COUNT(*) FROM visitor_passes", vec![])
            .await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }
}

/// Raise the roster counter (serialising writers until they commit) and stamp the pass's rows with
/// it, so devices pulling the roster since an older version get the pass again.
pub(super) fn roster_stmts(pass_id: &str) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE counters SET value = value + 1 WHERE name = 'roster'",
            vec![],
        ),
        Stmt::new(
            "UPDATE passes SET roster_version = (SELECT value FROM counters WHERE name = 'roster')
             WHERE pass_id = $1",
            vec![pass_id.into()],
        ),
    ]
}

/// Raise the revocation counter (serialising revokers) and record the revocation at that version.
pub(super) fn revocation_stmts(pass_id: &str, serial: i64, now_ms: i64) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE counters SET value = value + 1 WHERE name = 'revocation'",
            vec![],
        ),
        Stmt::new(
            "INSERT INTO revocations (version, pass_id, serial, revoked_at_ms)
             SELECT value, $1, CAST($2 AS BIGINT), CAST($3 AS BIGINT) FROM counters WHERE name = 'revocation'
             ON CONFLICT (pass_id, serial) DO NOTHING",
            vec![pass_id.into(), serial.into(), now_ms.into()],
        ),
        Stmt::new(
            "UPDATE passes SET revoked_at_ms = $1 WHERE pass_id = $2 AND serial = $3 AND revoked_at_ms IS NULL",
            vec![now_ms.into(), pass_id.into(), serial.into()],
        ),
    ]
}
