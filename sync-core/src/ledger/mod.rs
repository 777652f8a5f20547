//! The device's local ledger: a durable, hash-chained SQLite file holding the journal (every entry
//! the phone records — passages and the kinds to come — on one chain) plus device settings, keys,
//! revocations and the roster.
//!
//! Durability: WAL mode with `synchronous=FULL`; `append_entries` returns only after the entries
//! are on disk. A ledger belongs to one device; `seq` counts up from 1 over every kind with no
//! gaps and never repeats, even after purges.

mod disable;
mod error;
mod journal;
mod keys;
mod passages;
mod patrol;
mod photos;
mod purge;
mod queries;
mod recover;
mod roster;
mod schema;
mod settings;
mod upload;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use disable::SETTING_DISABLED_AT;
pub use error::LedgerError;
pub use keys::{KeyRecord, Revocation};
pub use patrol::PatrolStepRecord;
pub use photos::{PhotoSummary, PhotoUpload, SETTING_PHOTO_MAX_BYTES};
pub use purge::DEFAULT_RETENTION_DAYS;
pub use queries::{DayCounts, KindCounts, RecordFilter};
pub use recover::{Recovered, SETTING_RECOVERED};
pub use roster::RosterStatus;
pub use upload::{UploadOutcome, UploadState, UploadSummary};

/// An open ledger file.
pub struct Ledger {
    conn: Connection,
    device_id: String,
    /// Where attached photos live: the directory `<ledger file>.photos` beside it.
    photo_dir: PathBuf,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// The photo directory of the ledger at `path`: `<path>.photos`.
fn photo_dir(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".photos");
    PathBuf::from(name)
}

impl Ledger {
    /// Open (or create) the ledger at `path`, migrating its schema. A new ledger gets a fresh device id.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let conn = Connection::open(path.as_ref())?;
        Self::init(conn, photo_dir(path.as_ref()), true)
    }

    /// Open an existing ledger without the right to write (for inspection and tests).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let conn = Connection::open_with_flags(
            path.as_ref(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::init(conn, photo_dir(path.as_ref()), false)
    }

    fn init(conn: Connection, photo_dir: PathBuf, writable: bool) -> Result<Self, LedgerError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if writable {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            schema::migrate(&conn)?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let device_id = conn.query_row("SELECT device_id FROM device WHERE id = 1", [], |r| {
            r.get::<_, String>(0)
        })?;
        Ok(Self {
            conn,
            device_id,
            photo_dir,
        })
    }

    /// This device's id (a UUIDv7 made when the ledger was created).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Run `PRAGMA integrity_check` and return its first line (`ok` when healthy).
    pub fn integrity_check(&self) -> Result<String, LedgerError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Limit the file to `pages` pages (testing the full-disk path with SQLite's own `SQLITE_FULL`).
    pub fn set_max_page_count(&self, pages: u64) -> Result<(), LedgerError> {
        self.conn
            .pragma_update(None, "max_page_count", pages as i64)?;
        Ok(())
    }
}
