//! The compound roster devices pull: the newest serial of every pass of a compound (and every
//! staff pass of the district) changed after a version, with masked names and ID-number tails only.

use chrono::DateTime;
use sync_core::pass::PassKind;
use sync_core::protocol::{RosterEntry, RosterExit};
use sync_core::validate::mask_name;
use sync_core::Passage;

use super::ingest::id_tail;
use super::{DbError, FromRow, Row, Store};

/// A roster row: `pass_id, kind, serial, revoked_at_ms, household, display_name, plate,
/// valid_until_ms, roster_version, id_number`, with the version it was changed at.
struct Versioned(u64, RosterEntry);

impl FromRow for Versioned {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: PassKind = r.get(1)?;
        let name: String = r.get(5)?;
        let until_ms: i64 = r.get(7)?;
        let id_number: Option<String> = r.get(9)?;
        let checked_in_on: Option<String> = r.get(10)?;
        Ok(Self(
            r.get(8)?,
            RosterEntry {
                pass_id: r.get(0)?,
                kind,
                serial: r.get(2)?,
                revoked: r.get::<Option<i64>>(3)?.is_some(),
                household: r.get(4)?,
                name: mask_name(&name),
                plate: r.get(6)?,
                valid_until: DateTime::from_timestamp_millis(until_ms).unwrap_or_default(),
                // Residents are found by the tail of their ID number; no other pass carries it.
                id_tail: id_number
                    .filter(|_| kind == PassKind::Resident)
                    .map(|id| id_tail(&id)),
                checked_in_on: checked_in_on.and_then(|d| d.parse().ok()),
            },
        ))
    }
}

impl Store {
    /// Roster entries of `compound` changed after `since`, and the version they bring a device to.
    pub async fn roster_since(
        &self,
        compound: &str,
        since: u64,
    ) -> Result<(u64, Vec<RosterEntry>), DbError> {
        // The counter first: every change up to it has committed (changes take the counter's row
        // lock until they commit), so no change below the answered version can appear later.
        let counter = self
            .query_opt::<(u64,)>("SELECT value FROM counters WHERE name = 'roster'", vec![])
            .await?
            .map_or(0, |(v,)| v);
        let rows: Vec<Versioned> = self
            .query_as(
                "SELECT p.pass_id, p.kind, p.serial, p.revoked_at_ms, p.household, p.display_name,
                        p.plate, p.valid_until_ms, p.roster_version, r.id_number,
                        (SELECT MAX(h.day) FROM health_checkins h WHERE h.pass_id = p.pass_id)
                 FROM passes p LEFT JOIN residents r ON r.id = p.resident_id
                 WHERE (p.compound_id = $1 OR p.kind = 'staff') AND p.roster_version > $2
                   AND p.serial = (SELECT MAX(q.serial) FROM passes q WHERE q.pass_id = p.pass_id)
                 ORDER BY p.roster_version, p.pass_id",
                vec![compound.into(), since.into()],
            )
            .await?;
        let mut version = counter.max(since);
        let mut entries = Vec::with_capacity(rows.len());
        for Versioned(v, e) in rows {
            version = version.max(v);
            entries.push(e);
        }
        Ok((version, entries))
    }
}

/// Most exits one pull carries (the next pull continues from its cursor).
pub const MAX_EXITS_PER_PULL: i64 = 20_000;

impl Store {
    /// Residents' admitted exits at `compound`'s gates received after `received_after_ms` and
    /// recorded at or after `recorded_from_ms`, oldest receipt first, with the cursor to continue
    /// from (the newest receipt time sent, or `received_after_ms` when none).
    pub async fn compound_exits(
        &self,
        compound: &str,
        received_after_ms: i64,
        recorded_from_ms: i64,
    ) -> Result<(i64, Vec<RosterExit>), DbError> {
        let rows: Vec<(String, i64, i64, String)> = self
            .query_as(
                "SELECT p.id, p.corrected_at_ms, p.received_at_ms, p.body
                 FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id
                 WHERE c.compound_id = $1 AND p.subject_kind = 'resident' AND p.direction = 'out'
                   AND p.verdict = 'admitted' AND p.received_at_ms > $2 AND p.corrected_at_ms >= $3
                 ORDER BY p.received_at_ms LIMIT $4",
                vec![
                    compound.into(),
                    received_after_ms.into(),
                    recorded_from_ms.into(),
                    MAX_EXITS_PER_PULL.into(),
                ],
            )
            .await?;
        let mut cursor = received_after_ms;
        let mut exits = Vec::with_capacity(rows.len());
        for (id, at_ms, received_ms, body) in rows {
            cursor = cursor.max(received_ms);
            let Ok(p) = serde_json::from_str::<Passage>(&body) else {
                continue;
            };
            if let sync_core::Subject::Resident { household, .. } = p.body.subject {
                exits.push(RosterExit {
                    id,
                    household,
                    at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
                });
            }
        }
        Ok((cursor, exits))
    }
}
