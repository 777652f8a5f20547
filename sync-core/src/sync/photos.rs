//! Uploading photos: after their entries are acknowledged, each photo once through the
//! idempotent `PUT /api/v1/blobs/{sha256}`, settled only by a signed receipt for those bytes.

use super::client::PhotoOutcome;
use super::engine::{lock, SyncEngine};
use super::trust::check_photo_receipt;
use super::SyncError;
use crate::ledger::{LedgerError, UploadOutcome};

/// Photos read from the ledger per round trip to it.
const PHOTOS_PER_READ: usize = 16;

/// What one photo upload pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoReport {
    pub sent: usize,
    /// Refused by the server, or missing or damaged on this device: settled, shown, not resent.
    pub refused: usize,
    pub bytes_sent: usize,
}

impl SyncEngine {
    /// Upload every photo whose entry the server has acknowledged. A transport error stops the
    /// pass (the photo stays pending); each photo is settled by its own answer.
    pub async fn upload_photos(&mut self) -> Result<PhotoReport, SyncError> {
        let mut report = PhotoReport::default();
        let device_id = lock(&self.ledger)?.device_id().to_owned();
        loop {
            let names = lock(&self.ledger)?.pending_photos(PHOTOS_PER_READ)?;
            if names.is_empty() {
                return Ok(report);
            }
            for name in names {
                let outcome = self.send_photo(&name, &device_id, &mut report).await?;
                lock(&self.ledger)?.apply_photo_result(&name, &outcome)?;
            }
        }
    }

    /// Send one photo; its outcome for the ledger.
    async fn send_photo(
        &mut self,
        name: &str,
        device_id: &str,
        report: &mut PhotoReport,
    ) -> Result<UploadOutcome, SyncError> {
        let upload = match lock(&self.ledger)?.photo_upload(name) {
            Ok(upload) => upload,
            Err(e @ (LedgerError::MissingPhoto(_) | LedgerError::Decode(_))) => {
                tracing::error!(photo = name, error = %e, "photo cannot be sent from this device");
                report.refused += 1;
                return Ok(UploadOutcome::Rejected(e.to_string()));
            }
            Err(e) => return Err(e.into()),
        };
        let size = upload.bytes.len();
        match self.client.put_photo(name, upload.bytes).await? {
            PhotoOutcome::Stored(receipt) => {
                let sent = (name, size as u64, device_id);
                check_photo_receipt(self.config.root_key.as_ref(), sent, &receipt)?;
                report.sent += 1;
                report.bytes_sent += size;
                Ok(UploadOutcome::Acknowledged)
            }
            PhotoOutcome::Refused { status, message } => {
                tracing::warn!(photo = name, status, message, "photo refused by the server");
                report.refused += 1;
                Ok(UploadOutcome::Rejected(format!("{status}: {message}")))
            }
        }
    }
}
