//! Photos attached to journal entries: files named by their SHA-256 in the directory beside the
//! ledger, written durably before an entry may reference them, uploaded once their entry is
//! acknowledged, and deleted with their entry (never before the server has them).

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::upload::UploadOutcome;
use super::{Ledger, LedgerError};
use crate::photo::{check_photo, is_blob_id, sha256_hex, DEFAULT_PHOTO_MAX_BYTES};

/// Setting: the size cap of one photo in bytes (default [`DEFAULT_PHOTO_MAX_BYTES`]).
pub const SETTING_PHOTO_MAX_BYTES: &str = "photo_max_bytes";

/// A photo file no entry references (its entry was never saved) is deleted after this long.
const UNREFERENCED_GRACE: Duration = Duration::from_secs(24 * 3600);

/// One photo waiting for upload: its name and bytes (checked against the name when read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoUpload {
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Photo counts for the sync status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhotoSummary {
    /// Waiting for upload (their entry may still be pending too).
    pub pending: u64,
    pub uploaded: u64,
    /// Refused by the server, or their entry was refused.
    pub rejected: u64,
}

impl Ledger {
    /// The size cap for one photo on this device.
    pub fn photo_max_bytes(&self) -> Result<usize, LedgerError> {
        Ok(self
            .setting::<usize>(SETTING_PHOTO_MAX_BYTES)?
            .unwrap_or(DEFAULT_PHOTO_MAX_BYTES))
    }

    fn photo_path(&self, sha256: &str) -> PathBuf {
        self.photo_dir.join(format!("{sha256}.jpg"))
    }

    /// Store a compressed photo (see [`crate::photo::compress_photo`]) durably beside the ledger
    /// and return its name, to list in a new entry's attachments. Storing the same bytes twice is
    /// harmless.
    pub fn store_photo(&self, jpeg: &[u8]) -> Result<String, LedgerError> {
        check_photo(jpeg, self.photo_max_bytes()?)?;
        let name = sha256_hex(jpeg);
        let path = self.photo_path(&name);
        if fs::metadata(&path).is_ok_and(|m| m.len() == jpeg.len() as u64) {
            return Ok(name);
        }
        fs::create_dir_all(&self.photo_dir).map_err(io_error)?;
        let tmp = self
            .photo_dir
            .join(format!("{name}.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&tmp).map_err(io_error)?;
        file.write_all(jpeg).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io_error)?;
        // The rename is durable once the directory is synced.
        if let Ok(dir) = fs::File::open(&self.photo_dir) {
            dir.sync_all().map_err(io_error)?;
        }
        Ok(name)
    }

    /// The bytes of a stored photo, checked against its name.
    pub fn read_photo(&self, sha256: &str) -> Result<Vec<u8>, LedgerError> {
        if !is_blob_id(sha256) {
            return Err(LedgerError::MissingPhoto(sha256.chars().take(80).collect()));
        }
        let bytes = fs::read(self.photo_path(sha256))
            .map_err(|_| LedgerError::MissingPhoto(sha256.to_owned()))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(LedgerError::Decode(format!(
                "photo {sha256} is damaged on this device"
            )));
        }
        Ok(bytes)
    }

    /// Up to `limit` photos whose entry the server has acknowledged and which have not been
    /// uploaded yet, oldest entry first.
    pub fn pending_photos(&self, limit: usize) -> Result<Vec<String>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.sha256 FROM attachments a JOIN journal j ON j.seq = a.entry_seq
             WHERE a.upload_state = 'pending' AND j.upload_state = 'uploaded'
             GROUP BY a.sha256 ORDER BY MIN(a.entry_seq) LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A pending photo with its bytes, or the reason it cannot be sent (missing or damaged file).
    pub fn photo_upload(&self, sha256: &str) -> Result<PhotoUpload, LedgerError> {
        Ok(PhotoUpload {
            sha256: sha256.to_owned(),
            bytes: self.read_photo(sha256)?,
        })
    }

    /// Record the server's answer for one photo (every entry that references it).
    pub fn apply_photo_result(
        &mut self,
        sha256: &str,
        outcome: &UploadOutcome,
    ) -> Result<usize, LedgerError> {
        let (state, reason) = match outcome {
            UploadOutcome::Acknowledged => ("uploaded", None),
            UploadOutcome::Rejected(r) => ("rejected", Some(r.as_str())),
        };
        Ok(self.conn.execute(
            "UPDATE attachments SET upload_state = ?2, reject_reason = ?3
             WHERE sha256 = ?1 AND upload_state = 'pending'",
            params![sha256, state, reason],
        )?)
    }

    /// Photo counts by upload state.
    pub fn photo_summary(&self) -> Result<PhotoSummary, LedgerError> {
        let (pending, uploaded, rejected): (i64, i64, i64) = self.conn.query_row(
            "SELECT COALESCE(SUM(upload_state = 'pending'), 0),
                    COALESCE(SUM(upload_state = 'uploaded'), 0),
                    COALESCE(SUM(upload_state = 'rejected'), 0) FROM attachments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(PhotoSummary {
            pending: pending as u64,
            uploaded: uploaded as u64,
            rejected: rejected as u64,
        })
    }

    /// Check that every photo a new entry names is stored, before the entry is written.
    pub(super) fn check_photos_stored(&self, names: &[String]) -> Result<(), LedgerError> {
        match names.iter().find(|n| !self.photo_path(n).is_file()) {
            Some(missing) => Err(LedgerError::MissingPhoto(missing.clone())),
            None => Ok(()),
        }
    }

    /// Delete photo files no entry references any more: `names` at once (their entries were just
    /// purged), any other unreferenced file once it is older than a day. Returns how many went.
    pub(super) fn delete_unreferenced_photos(
        &self,
        names: &[String],
    ) -> Result<usize, LedgerError> {
        let Ok(dir) = fs::read_dir(&self.photo_dir) else {
            return Ok(0);
        };
        let cutoff = SystemTime::now()
            .checked_sub(UNREFERENCED_GRACE)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut referenced = self
            .conn
            .prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1 LIMIT 1")?;
        let mut deleted = 0;
        for file in dir.flatten() {
            let file_name = file.file_name().to_string_lossy().into_owned();
            let stem = file_name.split('.').next().unwrap_or_default().to_owned();
            let old = file
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff);
            if !(old || names.contains(&stem)) || referenced.exists([&stem])? {
                continue;
            }
            match fs::remove_file(file.path()) {
                Ok(()) => deleted += 1,
                Err(e) => tracing::warn!(file = %file_name, error = %e, "photo not deleted"),
            }
        }
        Ok(deleted)
    }
}

/// Insert the attachment rows of a new entry.
pub(super) fn attach(tx: &Transaction<'_>, seq: u64, names: &[String]) -> Result<(), LedgerError> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO attachments (entry_seq, sha256) VALUES (?1, ?2)")?;
    for name in names {
        stmt.execute(params![seq as i64, name])?;
    }
    Ok(())
}

fn io_error(e: std::io::Error) -> LedgerError {
    // The same plain words as a full database when the disk is full.
    if e.raw_os_error() == Some(28) {
        LedgerError::DiskFull
    } else {
        LedgerError::PhotoFile(e.to_string())
    }
}
