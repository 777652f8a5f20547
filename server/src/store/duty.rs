//! The duty roster: staff accounts (the id is their staff pass id; PIN kept as an argon2id hash;
//! every change audited), the roster a checkpoint's phones get, and the duty events the ingest
//! stores from `duty` entries, read back for shifts.

use sync_core::duty::{DutyEvent, DutyRow, StaffMember};

use super::changes::{audit_in, entry};
use super::{DbError, FromRow, Row, Store};

/// A staff account as the admin web lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub staff_id: String,
    pub name: String,
    /// '' for staff of the whole district.
    pub compound_id: String,
    pub has_pin: bool,
    pub active: bool,
}

impl FromRow for StaffRecord {
    fn from_row(row: &Row) -> Result<Self, DbError> {
        let pin: Option<String> = row.get(3)?;
        Ok(Self {
            staff_id: row.get(0)?,
            name: row.get(1)?,
            compound_id: row.get(2)?,
            has_pin: pin.is_some(),
            active: row.get(4)?,
        })
    }
}

/// A change to one account, audited with its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    Active(bool),
    /// The new PIN's hash.
    Pin(String),
}

impl Store {
    /// Create an account (its staff pass is issued by the caller with the same id), audited.
    pub async fn add_staff(
        &self,
        member: &StaffRecord,
        pin_hash: Option<&str>,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO staff (staff_id, name, compound_id, pin_hash, active, created_at_ms,
             updated_at_ms) VALUES ($1, $2, $3, $4, 1, $5, $5)",
            vec![
                member.staff_id.as_str().into(),
                member.name.as_str().into(),
                member.compound_id.as_str().into(),
                pin_hash.map(str::to_owned).into(),
                now_ms.into(),
            ],
        )
        .await?;
        let detail = format!("staff {} added: {}", member.staff_id, member.name);
        audit_in(&mut tx, entry(actor, now_ms, "staff", detail)).await?;
        tx.commit().await
    }

    /// Change one account, audited (the PIN itself never reaches the audit). False: no such
    /// account.
    pub async fn change_staff(
        &self,
        staff_id: &str,
        change: &StaffChange,
        actor: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let (sql, value, what) = match change {
            StaffChange::Active(on) => (
                "UPDATE staff SET active = $1, updated_at_ms = $2 WHERE staff_id = $3 RETURNING staff_id",
                i64::from(*on).into(),
                if *on { "reactivated" } else { "deactivated" },
            ),
            StaffChange::Pin(hash) => (
                "UPDATE staff SET pin_hash = $1, updated_at_ms = $2 WHERE staff_id = $3 RETURNING staff_id",
                hash.as_str().into(),
                "PIN reset",
            ),
        };
        let changed = !tx
            .rows(sql, vec![value, now_ms.into(), staff_id.into()])
            .await?
            .is_empty();
        if changed {
            let detail = format!("staff {staff_id} {what}");
            audit_in(&mut tx, entry(actor, now_ms, "staff", detail)).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Every account, by compound then name.
    pub async fn staff(&self) -> Result<Vec<StaffRecord>, DbError> {
        self.query_as(
            "SELECT staff_id, name, compound_id, pin_hash, active FROM staff
             ORDER BY compound_id, name, staff_id",
            vec![],
        )
        .await
    }

    /// The active staff who may sign on by name and PIN at a checkpoint of `compound_id`: that
    /// compound's and the district's.
    pub async fn roster_for(&self, compound_id: &str) -> Result<Vec<StaffMember>, DbError> {
        let rows: Vec<(String, String, Option<String>)> = self
            .query_as(
                "SELECT staff_id, name, pin_hash FROM staff
                 WHERE active = 1 AND (compound_id = $1 OR compound_id = '') ORDER BY name, staff_id",
                vec![compound_id.into()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(staff_id, name, pin_hash)| StaffMember {
                staff_id,
                name,
                pin_hash,
            })
            .collect())
    }

    /// Duty events that happened (corrected time) in `[from_ms, to_ms)`, with their checkpoint.
    pub async fn duty_rows(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(DutyRow, String)>, DbError> {
        let rows: Vec<(String, String, String, String, i64, String)> = self
            .query_as(
                "SELECT device_id, staff_id, staff_name, event, corrected_at_ms, checkpoint_id
                 FROM duty_events WHERE corrected_at_ms >= $1 AND corrected_at_ms < $2",
                vec![from_ms.into(), to_ms.into()],
            )
            .await?;
        rows.into_iter()
            .map(
                |(device_id, staff_id, staff_name, event, at_ms, checkpoint)| {
                    let event = DutyEvent::parse(&event)
                        .ok_or_else(|| DbError::Invalid(format!("duty event {event:?}")))?;
                    let at = chrono::DateTime::from_timestamp_millis(at_ms)
                        .ok_or_else(|| DbError::Invalid(format!("time {at_ms} ms")))?;
                    let row = DutyRow {
                        device_id,
                        staff_id,
                        staff_name,
                        event,
                        at,
                    };
                    Ok((row, checkpoint))
                },
            )
            .collect()
    }

    /// The times of a device's passages in `[from_ms, to_ms)`, ascending.
    pub async fn passage_times(
        &self,
        device_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<i64>, DbError> {
        let rows: Vec<(i64,)> = self
            .query_as(
                "SELECT corrected_at_ms FROM passages WHERE device_id = $1
                 AND corrected_at_ms >= $2 AND corrected_at_ms < $3 ORDER BY corrected_at_ms",
                vec![device_id.into(), from_ms.into(), to_ms.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    /// When each patrol round a device walked in `[from_ms, to_ms)` began, ascending.
    pub async fn round_starts(
        &self,
        device_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<i64>, DbError> {
        let rows: Vec<(String, i64)> = self
            .query_as(
                "SELECT round_id, MIN(corrected_at_ms) FROM patrol_checks WHERE device_id = $1
                 AND corrected_at_ms >= $2 AND corrected_at_ms < $3 GROUP BY round_id",
                vec![device_id.into(), from_ms.into(), to_ms.into()],
            )
            .await?;
        let mut starts: Vec<i64> = rows.into_iter().map(|(_, t)| t).collect();
        starts.sort_unstable();
        Ok(starts)
    }
}
