//! Compounds, checkpoints, one-time enrollment codes and enrolled devices (tokens stored only hashed).

use sync_core::domain::GENESIS_HASH;

use super::changes::{audit_in, entry};
use super::{AuditEntry, DbError, FromRow, JsonList, Row, Stmt, Store, Tx};

/// A device to register with its token hash.
struct NewDevice<'a> {
    device_id: &'a str,
    checkpoint_id: &'a str,
    label: &'a str,
    token_hash: &'a str,
}

/// Register (or re-register a released) device at the start of its chain.
async fn insert_device(tx: &mut Tx, d: &NewDevice<'_>, now_ms: i64) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO devices (device_id, checkpoint_id, label, token_hash, enrolled_at_ms, last_hash)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (device_id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id,
         label = excluded.label, token_hash = excluded.token_hash,
         enrolled_at_ms = excluded.enrolled_at_ms, released_at_ms = NULL,
         disabled_at_ms = NULL, disabled_by = NULL",
        vec![
            d.device_id.into(),
            d.checkpoint_id.into(),
            d.label.into(),
            d.token_hash.into(),
            now_ms.into(),
            GENESIS_HASH.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// A checkpoint (卡口) at a compound gate, with its gate names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: String,
    pub compound_id: String,
    pub name: String,
    pub gates: Vec<String>,
}

/// An enrolled device, as the API sees it after checking its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: String,
    pub checkpoint_id: String,
    pub label: String,
    /// Switched off by an administrator (a lost phone): every endpoint refuses it.
    pub disabled_at_ms: Option<i64>,
}

/// What an enrollment attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollOutcome {
    Enrolled(Checkpoint),
    /// The code is unknown, used or expired.
    BadCode,
    /// The device id is enrolled and an administrator has not released it.
    DeviceTaken,
}

impl EnrollOutcome {
    /// The checkpoint when enrolled.
    pub fn checkpoint(self) -> Option<Checkpoint> {
        match self {
            Self::Enrolled(cp) => Some(cp),
            Self::BadCode | Self::DeviceTaken => None,
        }
    }
}

/// A row of the devices list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: String,
    pub checkpoint_id: String,
    pub label: String,
    pub enrolled_at_ms: i64,
    pub last_seen_ms: Option<i64>,
    pub last_batch_at_ms: Option<i64>,
    pub last_batch_size: i64,
    pub backlog: i64,
    pub last_seq: i64,
    pub n_gaps: i64,
    pub n_breaks: i64,
    pub n_rejected: i64,
    /// Sequence numbers up to `last_seq` never received (rows the retention purge removed were
    /// received: they are not missing).
    pub missing: i64,
    /// Released by an administrator: may be enrolled again.
    pub released_at_ms: Option<i64>,
    /// Disabled by an administrator (and by whom).
    pub disabled_at_ms: Option<i64>,
    pub disabled_by: Option<String>,
    /// Stored records whose device did not know its clock offset: counted by the device's own
    /// clock, which may be wrong (the devices page flags the device).
    pub unknown_offset: i64,
    /// Photos that stored entries name but that never arrived, and since when the oldest is expected.
    pub missing_photos: i64,
    pub missing_photos_since_ms: Option<i64>,
}

pub(super) fn compound_stmt(id: &str, name: &str) -> Stmt {
    Stmt::new(
        "INSERT INTO compounds (id, name) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        vec![id.into(), name.into()],
    )
}

pub(super) fn checkpoint_stmt(cp: &Checkpoint, now_ms: i64) -> Stmt {
    let gates = serde_json::to_string(&cp.gates).unwrap_or_else(|_| "[]".into());
    Stmt::new(
        "INSERT INTO checkpoints (id, compound_id, name, gates, created_at_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET compound_id = excluded.compound_id,
         name = excluded.name, gates = excluded.gates",
        vec![
            cp.id.as_str().into(),
            cp.compound_id.as_str().into(),
            cp.name.as_str().into(),
            gates.into(),
            now_ms.into(),
        ],
    )
}

/// A one-time enrollment code to remember (by hash).
#[derive(Debug, Clone, Copy)]
pub struct EnrollCode<'a> {
    pub code_hash: &'a str,
    pub checkpoint_id: &'a str,
    pub created_by: &'a str,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}

pub(super) fn enroll_code_stmt(c: &EnrollCode<'_>) -> Stmt {
    Stmt::new(
        "INSERT INTO enroll_codes (code_hash, checkpoint_id, created_by, created_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5)",
        vec![
            c.code_hash.into(),
            c.checkpoint_id.into(),
            c.created_by.into(),
            c.now_ms.into(),
            c.expires_at_ms.into(),
        ],
    )
}

impl FromRow for Checkpoint {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let JsonList(gates) = r.get(3)?;
        Ok(Self {
            id: r.get(0)?,
            compound_id: r.get(1)?,
            name: r.get(2)?,
            gates,
        })
    }
}

impl FromRow for Device {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            device_id: r.get(0)?,
            checkpoint_id: r.get(1)?,
            label: r.get(2)?,
            disabled_at_ms: r.get(3)?,
        })
    }
}

impl FromRow for DeviceInfo {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            device_id: r.get(0)?,
            checkpoint_id: r.get(1)?,
            label: r.get(2)?,
            enrolled_at_ms: r.get(3)?,
            last_seen_ms: r.get(4)?,
            last_batch_at_ms: r.get(5)?,
            last_batch_size: r.get(6)?,
            backlog: r.get(7)?,
            last_seq: r.get(8)?,
            n_gaps: r.get(9)?,
            n_breaks: r.get(10)?,
            n_rejected: r.get(11)?,
            missing: r.get::<i64>(12)?.max(0),
            released_at_ms: r.get(13)?,
            disabled_at_ms: r.get(14)?,
            disabled_by: r.get(15)?,
            unknown_offset: r.get(16)?,
            missing_photos: r.get(17)?,
            missing_photos_since_ms: r.get(18)?,
        })
    }
}

impl Store {
    pub async fn upsert_compound(&self, id: &str, name: &str) -> Result<(), DbError> {
        self.run(compound_stmt(id, name)).await
    }

    /// `(id, name)` of every compound.
    pub async fn compounds(&self) -> Result<Vec<(String, String)>, DbError> {
        self.query_as("SELECT id, name FROM compounds ORDER BY id", vec![])
            .await
    }

    pub async fn upsert_checkpoint(&self, cp: &Checkpoint, now_ms: i64) -> Result<(), DbError> {
        self.run(checkpoint_stmt(cp, now_ms)).await
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, DbError> {
        self.query_as(
            "SELECT id, compound_id, name, gates FROM checkpoints ORDER BY id",
            vec![],
        )
        .await
    }

    pub async fn checkpoint(&self, id: &str) -> Result<Option<Checkpoint>, DbError> {
        self.query_opt(
            "SELECT id, compound_id, name, gates FROM checkpoints WHERE id = $1",
            vec![id.into()],
        )
        .await
    }

    /// Remember a one-time enrollment code (by hash) for a checkpoint.
    pub async fn create_enroll_code(
        &self,
        code_hash: &str,
        checkpoint_id: &str,
        created_by: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), DbError> {
        let code = EnrollCode {
            code_hash,
            checkpoint_id,
            created_by,
            now_ms,
            expires_at_ms,
        };
        self.run(enroll_code_stmt(&code)).await
    }

    /// Use up an enrollment code and register the device with a new token hash, audited in the
    /// same transaction. A device id that is already enrolled is refused (and the code left
    /// unused) unless an administrator released it.
    pub async fn enroll(
        &self,
        code_hash: &str,
        device_id: &str,
        label: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<EnrollOutcome, DbError> {
        let mut tx = self.begin().await?;
        let used: Option<(String,)> = tx
            .query_opt(
                "UPDATE enroll_codes SET used_at_ms = $1, used_by_device = $2
                 WHERE code_hash = $3 AND used_at_ms IS NULL AND expires_at_ms > $1
                 RETURNING checkpoint_id",
                vec![now_ms.into(), device_id.into(), code_hash.into()],
            )
            .await?;
        let Some((checkpoint_id,)) = used else {
            return Ok(EnrollOutcome::BadCode);
        };
        let existing: Option<(Option<i64>,)> = tx
            .query_opt(
                "SELECT released_at_ms FROM devices WHERE device_id = $1",
                vec![device_id.into()],
            )
            .await?;
        // A known device id that was not released: roll back, the code stays unused.
        if matches!(existing, Some((None,))) {
            return Ok(EnrollOutcome::DeviceTaken);
        }
        let device = NewDevice {
            device_id,
            checkpoint_id: &checkpoint_id,
            label,
            token_hash,
        };
        insert_device(&mut tx, &device, now_ms).await?;
        let detail = format!("device {device_id} ({label}) enrolled at checkpoint {checkpoint_id}");
        audit_in(&mut tx, entry(device_id, now_ms, "enroll", detail)).await?;
        let cp: Option<Checkpoint> = tx
            .query_opt(
                "SELECT id, compound_id, name, gates FROM checkpoints WHERE id = $1",
                vec![checkpoint_id.into()],
            )
            .await?;
        tx.commit().await?;
        Ok(cp.map_or(EnrollOutcome::BadCode, EnrollOutcome::Enrolled))
    }

    /// Let `device_id` be enrolled again (a reset or replaced phone), audited in the same
    /// transaction. False when no such device is enrolled or it is already released.
    pub async fn release_device(
        &self,
        device_id: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let change = Stmt::new(
            "UPDATE devices SET released_at_ms = $1
             WHERE device_id = $2 AND released_at_ms IS NULL RETURNING device_id",
            vec![now_ms.into(), device_id.into()],
        );
        let entry = AuditEntry {
            at_ms: now_ms,
            actor: actor.to_owned(),
            action: "release_device".into(),
            detail: format!("released device {device_id} for re-enrollment"),
        };
        self.audited_change(change, entry).await
    }

    /// Switch a device off (`disable`) or on again, audited in the same transaction. False when no
    /// such device exists or it is already in that state. Records it uploaded before stay.
    pub async fn set_device_disabled(
        &self,
        device_id: &str,
        disable: bool,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let change = if disable {
            Stmt::new(
                "UPDATE devices SET disabled_at_ms = $1, disabled_by = $2
                 WHERE device_id = $3 AND disabled_at_ms IS NULL RETURNING device_id",
                vec![now_ms.into(), actor.into(), device_id.into()],
            )
        } else {
            Stmt::new(
                "UPDATE devices SET disabled_at_ms = NULL, disabled_by = NULL
                 WHERE device_id = $1 AND disabled_at_ms IS NOT NULL RETURNING device_id",
                vec![device_id.into()],
            )
        };
        let (action, detail) = if disable {
            ("disable_device", format!("disabled device {device_id}"))
        } else {
            ("enable_device", format!("enabled device {device_id} again"))
        };
        let entry = AuditEntry {
            at_ms: now_ms,
            actor: actor.to_owned(),
            action: action.into(),
            detail,
        };
        self.audited_change(change, entry).await
    }

    /// The device holding this token hash, if any.
    pub async fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>, DbError> {
        self.query_opt(
            "SELECT device_id, checkpoint_id, label, disabled_at_ms FROM devices WHERE token_hash = $1",
            vec![token_hash.into()],
        )
        .await
    }

    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, DbError> {
        self.query_as(
            "SELECT d.device_id, d.checkpoint_id, d.label, d.enrolled_at_ms, d.last_seen_ms,
                    d.last_batch_at_ms, d.last_batch_size, d.backlog, d.last_seq, d.n_gaps,
                    d.n_breaks, d.n_rejected,
                    d.last_seq - d.purged_rows
                      - (SELECT COUNT(*) FROM journal_heads j WHERE j.device_id = d.device_id),
                    d.released_at_ms, d.disabled_at_ms, d.disabled_by,
                    (SELECT COUNT(*) FROM passages p WHERE p.device_id = d.device_id
                       AND p.offset_known = 0)
                    + (SELECT COUNT(*) FROM entries e WHERE e.device_id = d.device_id
                       AND e.offset_known = 0),
                    (SELECT COUNT(*) FROM entry_photos ep WHERE ep.device_id = d.device_id
                       AND NOT EXISTS (SELECT 1 FROM photos ph WHERE ph.sha256 = ep.sha256)),
                    (SELECT MIN(ep.expected_since_ms) FROM entry_photos ep
                       WHERE ep.device_id = d.device_id
                       AND NOT EXISTS (SELECT 1 FROM photos ph WHERE ph.sha256 = ep.sha256))
             FROM devices d ORDER BY d.checkpoint_id, d.device_id",
            vec![],
        )
        .await
    }

    /// Chain events of one device: `(kind, expected_seq, found_seq, detected_at_ms)`.
    pub async fn chain_events(
        &self,
        device_id: &str,
    ) -> Result<Vec<(String, i64, i64, i64)>, DbError> {
        self.query_as(
            "SELECT kind, expected_seq, found_seq, detected_at_ms FROM chain_events
             WHERE device_id = $1 ORDER BY pk",
            vec![device_id.into()],
        )
        .await
    }

    /// How many passages are stored, in all or for one device.
    pub async fn passage_count(&self, device_id: Option<&str>) -> Result<i64, DbError> {
        match device_id {
            Some(d) => {
                self.count(
                    "SELECT COUNT(*) FROM passages WHERE device_id = $1",
                    vec![d.into()],
                )
                .await
            }
            None => self.count("SELECT COUNT(*) FROM passages", vec![]).await,
        }
    }
}
