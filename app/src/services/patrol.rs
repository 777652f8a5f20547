//! The patrol screen's back end: a round's step appended to the journal (same staff and clock
//! offset as a passage), and a camera still turned into a stored, capped JPEG.

use base64::Engine;
use chrono::{DateTime, Utc};
use sync_core::domain::{EntryBody, NewEntry};
use sync_core::i18n::Localized;
use sync_core::ledger::{Ledger, PatrolStepRecord};
use sync_core::photo::{compress_photo, PhotoError};
use sync_core::LedgerError;

use crate::state::patrol::{PendingStep, LOOKBACK_DAYS};
use crate::state::recorded::{Stored, Words};

/// Append `step` durably; the screen marks it done only on `Ok`.
pub fn record_step(
    ledger: &mut Ledger,
    step: &PendingStep,
    staff: &str,
    clock_offset_ms: Option<i64>,
    recorded_at: DateTime<Utc>,
) -> Result<Stored, Words> {
    let entry = ledger
        .append_entry(NewEntry {
            recorded_at,
            clock_offset_ms,
            staff: staff.to_owned(),
            attachments: step.attachments.clone(),
            body: EntryBody::PatrolCheck(step.data.clone()),
        })
        .map_err(|e| {
            tracing::error!("patrol step not stored: {e}");
            Words::of(&e)
        })?;
    Ok(Stored {
        seq: entry.head.seq,
        recorded_at: entry.head.recorded_at,
    })
}

/// The patrol steps the screen looks at (the last [`LOOKBACK_DAYS`] days), oldest first.
pub fn recent_steps(
    ledger: &Ledger,
    now: DateTime<Utc>,
) -> Result<Vec<PatrolStepRecord>, LedgerError> {
    ledger.patrol_steps_since(now - chrono::Duration::days(LOOKBACK_DAYS))
}

/// A still from the camera bridge (`data:image/jpeg;base64,…`, or PNG where the web view has no
/// JPEG encoder) as a JPEG of at most `max` bytes. Slow on a big picture: call it without the
/// ledger's lock.
pub fn compress_still(data_url: &str, max: usize) -> Result<Vec<u8>, Words> {
    let encoded = data_url
        .strip_prefix("data:image/")
        .and_then(|rest| rest.split_once(";base64,"))
        .map(|(_, b64)| b64)
        .ok_or_else(|| photo_words(&PhotoError::Unreadable("not a picture".into())))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| photo_words(&PhotoError::Unreadable(e.to_string())))?;
    compress_photo(&bytes, max).map_err(|e| photo_words(&e))
}

/// A photo error in staff's words (sync-core's one table of them).
pub fn photo_words(e: &PhotoError) -> Words {
    Words {
        zh: e.zh(),
        en: e.en(),
    }
}

#[cfg(test)]
#[path = "patrol_tests.rs"]
mod tests;
