//! Residents, issued passes with serials, revocations (versioned for delta pulls), signing keys, visitor passes.

use chrono::DateTime;
use sync_core::ledger::{KeyRecord, Revocation};
use sync_core::pass::PassKind;

use super::{DbError, FromRow, JsonList, Row, Store, Tx};

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
    pub kind: PassKind,
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

pub(super) const PASS_COLUMNS: &str =
    "pass_id, serial, kind, resident_id, compound_id, household, display_name, \
     plate, payload, issued_at_ms, valid_until_ms, revoked_at_ms";

impl FromRow for IssuedPass {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            pass_id: r.get(0)?,
            serial: r.get(1)?,
            kind: r.get(2)?,
            resident_id: r.get(3)?,
            compound_id: r.get(4)?,
            household: r.get(5)?,
            display_name: r.get(6)?,
            plate: r.get(7)?,
            payload: r.get(8)?,
            issued_at_ms: r.get(9)?,
            valid_until_ms: r.get(10)?,
            revoked_at_ms: r.get(11)?,
        })
    }
}

impl FromRow for Resident {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let JsonList(plates) = r.get(6)?;
        Ok(Self {
            id: r.get(0)?,
            compound_id: r.get(1)?,
            name: r.get(2)?,
            id_number: r.get(3)?,
            phone: r.get(4)?,
            household: r.get(5)?,
            plates,
        })
    }
}

impl Tx {
    /// Insert a resident; on the same ID number, update the stored details. Returns the resident id.
    pub async fn upsert_resident(&mut self, r: &Resident, now_ms: i64) -> Result<String, DbError> {
        let plates = serde_json::to_string(&r.plates).unwrap_or_else(|_| "[]".into());
        let id: Option<(String,)> = self
            .query_opt(
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
        Ok(id.map_or_else(|| r.id.clone(), |(id,)| id))
    }

    /// One resident's stored details.
    pub async fn resident(&mut self, resident_id: &str) -> Result<Option<Resident>, DbError> {
        self.query_opt(
            "SELECT id, compound_id, name, id_number, phone, household, plates FROM residents WHERE id = $1",
            vec![resident_id.into()],
        )
        .await
    }

    /// Change a resident's name, phone, household and plates (the ID number and compound stay).
    pub async fn update_resident(&mut self, r: &Resident) -> Result<(), DbError> {
        let plates = serde_json::to_string(&r.plates).unwrap_or_else(|_| "[]".into());
        self.execute(
            "UPDATE residents SET name = $2, phone = $3, household = $4, plates = $5 WHERE id = $1",
            vec![
                r.id.as_str().into(),
                r.name.as_str().into(),
                r.phone.as_str().into(),
                r.household.as_str().into(),
                plates.into(),
            ],
        )
        .await
        .map(|_| ())
    }

    /// The live (not revoked) passes of a resident, their own and their vehicles'.
    pub async fn live_passes_of(&mut self, resident_id: &str) -> Result<Vec<IssuedPass>, DbError> {
        self.query_as(
            &format!(
                "SELECT {PASS_COLUMNS} FROM passes WHERE resident_id = $1 AND revoked_at_ms IS NULL
                 ORDER BY pass_id, serial"
            ),
            vec![resident_id.into()],
        )
        .await
    }

    /// Revoke one serial of a pass and tell the gates (revocation list and roster).
    pub async fn revoke_pass(
        &mut self,
        pass_id: &str,
        serial: u32,
        now_ms: i64,
    ) -> Result<(), DbError> {
        revoke_in(self, pass_id, serial, now_ms).await?;
        touch_roster(self, pass_id).await
    }

    /// The newest serial of a pass id, if it was ever issued.
    pub async fn newest_pass(&mut self, pass_id: &str) -> Result<Option<IssuedPass>, DbError> {
        self.query_opt(
            &format!(
                "SELECT {PASS_COLUMNS} FROM passes WHERE pass_id = $1 ORDER BY serial DESC LIMIT 1"
            ),
            vec![pass_id.into()],
        )
        .await
    }

    /// The highest serial issued for a pass id (0 when none).
    pub async fn last_serial(&mut self, pass_id: &str) -> Result<u32, DbError> {
        let (serial,): (u32,) = self
            .query_one(
                "SELECT COALESCE(MAX(serial), 0) FROM passes WHERE pass_id = $1",
                vec![pass_id.into()],
            )
            .await?;
        Ok(serial)
    }

    /// The next value of a named counter (resident numbers, visitor pass numbers), from 1.
    pub async fn next_counter(&mut self, name: &str) -> Result<i64, DbError> {
        let (value,): (i64,) = self
            .query_one(
                "INSERT INTO counters (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                vec![name.into()],
            )
            .await?;
        Ok(value)
    }

    /// Store a newly signed pass and revoke every older serial of the same pass id.
    pub async fn store_pass(&mut self, p: &IssuedPass, now_ms: i64) -> Result<(), DbError> {
        let older: Vec<(u32,)> = self
            .query_as(
                "SELECT serial FROM passes WHERE pass_id = $1 AND serial < $2 AND revoked_at_ms IS NULL",
                vec![p.pass_id.as_str().into(), p.serial.into()],
            )
            .await?;
        self.execute(
            &format!("INSERT INTO passes ({PASS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)"),
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
        )
        .await?;
        for (serial,) in older {
            revoke_in(self, &p.pass_id, serial, now_ms).await?;
        }
        touch_roster(self, &p.pass_id).await
    }
}

impl Store {
    /// Insert a resident; on the same ID number, update the stored details. Returns the resident id.
    pub async fn upsert_resident(&self, r: &Resident, now_ms: i64) -> Result<String, DbError> {
        let mut tx = self.begin().await?;
        let id = tx.upsert_resident(r, now_ms).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn residents(&self) -> Result<Vec<Resident>, DbError> {
        self.query_as(
            "SELECT id, compound_id, name, id_number, phone, household, plates FROM residents ORDER BY household, id",
            vec![],
        )
        .await
    }

    pub async fn resident_count(&self) -> Result<i64, DbError> {
        self.count("SELECT COUNT(*) FROM residents", vec![]).await
    }

    /// The highest serial issued for a pass id (0 when none).
    pub async fn last_serial(&self, pass_id: &str) -> Result<u32, DbError> {
        let (serial,): (u32,) = self
            .query_opt(
                "SELECT COALESCE(MAX(serial), 0) FROM passes WHERE pass_id = $1",
                vec![pass_id.into()],
            )
            .await?
            .unwrap_or((0,));
        Ok(serial)
    }

    /// Store a newly signed pass and revoke every older serial of the same pass id, in one transaction.
    pub async fn store_pass(&self, p: &IssuedPass, now_ms: i64) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        tx.store_pass(p, now_ms).await?;
        tx.commit().await
    }

    pub async fn passes(&self) -> Result<Vec<IssuedPass>, DbError> {
        self.query_as(
            &format!("SELECT {PASS_COLUMNS} FROM passes ORDER BY household, pass_id, serial"),
            vec![],
        )
        .await
    }

    /// Revocations with a version above `since`, and the newest version.
    pub async fn revocations_since(&self, since: u64) -> Result<(u64, Vec<Revocation>), DbError> {
        let list: Vec<Revocation> = self
            .query_as::<(String, u32, u64)>(
                "SELECT pass_id, serial, version FROM revocations WHERE version > $1 ORDER BY version",
                vec![since.into()],
            )
            .await?
            .into_iter()
            .map(|(pass_id, serial, version)| Revocation {
                pass_id,
                serial,
                version,
            })
            .collect();
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
        let rows: Vec<(String, String, Option<i64>, Option<i64>)> = self
            .query_as(
                "SELECT key_id, public_key, not_before_ms, not_after_ms FROM signing_keys ORDER BY created_at_ms, key_id",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(key_id, public_key, not_before, not_after)| KeyRecord {
                key_id,
                district_id: district_id.to_owned(),
                public_key,
                not_before: not_before.and_then(DateTime::from_timestamp_millis),
                not_after: not_after.and_then(DateTime::from_timestamp_millis),
            })
            .collect())
    }

    /// The newest signing key's secret, hex (never leaves the server).
    pub async fn current_secret_key(&self) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> = self
            .query_opt(
                "SELECT secret_key FROM signing_keys ORDER BY created_at_ms DESC, key_id DESC LIMIT 1",
                vec![],
            )
            .await?;
        Ok(row.map(|(key,)| key))
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
        let mut tx = self.begin().await?;
        let value = tx.next_counter(name).await?;
        tx.commit().await?;
        Ok(value)
    }

    pub async fn visitor_pass_count(&self) -> Result<i64, DbError> {
        self.count("SELECT COUNT(*) FROM visitor_passes", vec![])
            .await
    }
}

/// Raise the roster counter (serialising writers until they commit) and stamp the pass's rows with
/// it, so devices pulling the roster since an older version get the pass again.
pub(super) async fn touch_roster(tx: &mut Tx, pass_id: &str) -> Result<(), DbError> {
    tx.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'roster'",
        vec![],
    )
    .await?;
    tx.execute(
        "UPDATE passes SET roster_version = (SELECT value FROM counters WHERE name = 'roster')
         WHERE pass_id = $1",
        vec![pass_id.into()],
    )
    .await?;
    Ok(())
}

/// Raise the revocation counter (serialising revokers) and record the revocation at that version.
pub(super) async fn revoke_in(
    tx: &mut Tx,
    pass_id: &str,
    serial: u32,
    now_ms: i64,
) -> Result<(), DbError> {
    tx.execute(
        "UPDATE counters SET value = value + 1 WHERE name = 'revocation'",
        vec![],
    )
    .await?;
    tx.execute(
        "INSERT INTO revocations (version, pass_id, serial, revoked_at_ms)
         SELECT value, $1, CAST($2 AS BIGINT), CAST($3 AS BIGINT) FROM counters WHERE name = 'revocation'
         ON CONFLICT (pass_id, serial) DO NOTHING",
        vec![pass_id.into(), serial.into(), now_ms.into()],
    )
    .await?;
    tx.execute(
        "UPDATE passes SET revoked_at_ms = $1 WHERE pass_id = $2 AND serial = $3 AND revoked_at_ms IS NULL",
        vec![now_ms.into(), pass_id.into(), serial.into()],
    )
    .await?;
    Ok(())
}
