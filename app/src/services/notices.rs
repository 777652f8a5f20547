//! The notices' back end: a read receipt appended to the journal (as the staff on duty, with the
//! clock offset, like every entry), and the receipts this phone gave, read back from the journal.

use chrono::{DateTime, Utc};
use sync_core::domain::{EntryBody, EntryKind, NewEntry};
use sync_core::ledger::Ledger;
use sync_core::notice::NoticeAckData;
use sync_core::LedgerError;

use crate::state::notices::Receipt;
use crate::state::recorded::Words;

/// Append the receipt durably; the screen lets the notice go only on `Ok`.
pub fn record_ack(
    ledger: &mut Ledger,
    data: &NoticeAckData,
    staff: &str,
    clock_offset_ms: Option<i64>,
    recorded_at: DateTime<Utc>,
) -> Result<(), Words> {
    ledger
        .append_entry(NewEntry {
            recorded_at,
            clock_offset_ms,
            staff: staff.to_owned(),
            attachments: Vec::new(),
            body: EntryBody::NoticeAck(data.clone()),
        })
        .map(|_| ())
        .map_err(|e| {
            tracing::error!("notice receipt not stored: {e}");
            Words::of(&e)
        })
}

/// Every receipt still in the journal (the retention purge removes old ones with their entries).
pub fn read_receipts(ledger: &Ledger) -> Result<Vec<Receipt>, LedgerError> {
    Ok(ledger
        .entries_of_kind(EntryKind::NoticeAck, 0, DateTime::<Utc>::MIN_UTC)?
        .into_iter()
        .filter_map(|entry| match entry.body {
            EntryBody::NoticeAck(a) => Some(Receipt {
                notice_id: a.notice_id,
                version: a.version,
                staff: entry.head.staff,
            }),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_is_read_back_with_the_staff_who_gave_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut ledger = Ledger::open(dir.path().join("gate.db")).expect("ledger");
        let data = NoticeAckData {
            notice_id: "nt-1".into(),
            version: 3,
            checkpoint_id: "cp-east".into(),
        };
        record_ack(&mut ledger, &data, "王师傅", Some(0), Utc::now()).expect("stored");
        let read = read_receipts(&ledger).expect("read");
        assert_eq!(
            read,
            [Receipt {
                notice_id: "nt-1".into(),
                version: 3,
                staff: "王师傅".into()
            }]
        );
        assert_eq!(ledger.pending_count().expect("count"), 1);
    }
}
