//! Which compound a thing belongs to, for the admin web's scope checks: a device (its
//! checkpoint's), a pass, a resident, a staff member, an incident, a photo (its device's), a
//! quarantined record (its device's). (Checkpoints and patrol routes are read with their compound.) Records from phones count by the device's own checkpoint,
//! never by what the record claims.

use super::{DbError, Store};

/// Something the admin web changes or shows by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned<'a> {
    Device(&'a str),
    Pass(&'a str),
    Resident(&'a str),
    Staff(&'a str),
    Incident(&'a str),
    Photo(&'a str),
    Quarantined(i64),
}

impl Owned<'_> {
    fn query(self) -> (&'static str, super::Val) {
        match self {
            Self::Device(id) => (
                "SELECT cp.compound_id FROM devices d JOIN checkpoints cp ON cp.id = d.checkpoint_id
                 WHERE d.device_id = $1",
                id.into(),
            ),
            Self::Pass(id) => (
                "SELECT compound_id FROM passes WHERE pass_id = $1
                 UNION ALL SELECT cp.compound_id FROM visitor_passes v
                 JOIN checkpoints cp ON cp.id = v.checkpoint_id WHERE v.pass_id = $1",
                id.into(),
            ),
            Self::Resident(id) => ("SELECT compound_id FROM residents WHERE id = $1", id.into()),
            Self::Staff(id) => ("SELECT compound_id FROM staff WHERE staff_id = $1", id.into()),
            Self::Incident(id) => (
                "SELECT cp.compound_id FROM incidents i JOIN devices d ON d.device_id = i.device_id
                 JOIN checkpoints cp ON cp.id = d.checkpoint_id WHERE i.entry_id = $1",
                id.into(),
            ),
            Self::Photo(sha) => (
                "SELECT cp.compound_id FROM photos p JOIN devices d ON d.device_id = p.device_id
                 JOIN checkpoints cp ON cp.id = d.checkpoint_id WHERE p.sha256 = $1",
                sha.into(),
            ),
            Self::Quarantined(pk) => (
                "SELECT cp.compound_id FROM quarantine q JOIN devices d ON d.device_id = q.device_id
                 JOIN checkpoints cp ON cp.id = d.checkpoint_id WHERE q.pk = $1",
                pk.into(),
            ),
        }
    }
}

impl Store {
    /// The compound `thing` belongs to; `None` when it does not exist.
    pub async fn compound_of(&self, thing: Owned<'_>) -> Result<Option<String>, DbError> {
        let (sql, id) = thing.query();
        let rows: Vec<(String,)> = self.query_as(sql, vec![id]).await?;
        Ok(rows.into_iter().next().map(|(c,)| c))
    }
}
