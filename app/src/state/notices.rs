//! Notices on the gate phone (上传下达): the board from the signed config, the receipts this phone
//! gave (each by the staff member on duty then), the notice open, and what the screens show — a
//! banner on the scan screen while any is unread, the whole screen while an urgent one is.
//!
//! Read means: the staff member on duty now acknowledged this version. A new version, or a new
//! staff member on duty, reads it again.

use chrono::{DateTime, Utc};
use sync_core::notice::{Notice, NoticeAckData, NoticeBoard};

use super::recorded::Words;

/// One receipt this phone gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub notice_id: String,
    pub version: u32,
    pub staff: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticesAction {
    /// The board from the signed config (read again after every sync).
    Loaded(NoticeBoard),
    /// The receipts in the journal (read once at start).
    Receipts(Vec<Receipt>),
    /// Open a notice to read it (nothing happens for one not on the board).
    Open(String),
    Close,
    /// Staff tapped "acknowledge" on the notice open, or on the urgent one taking the screen.
    Acknowledge {
        notice_id: String,
        version: u32,
    },
    /// The journal's answer to the receipt `Acknowledge` asked for.
    Recorded {
        receipt: Receipt,
        result: Result<(), Words>,
    },
}

/// What `reduce` asks the caller to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckRequest {
    pub data: NoticeAckData,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticesState {
    pub board: NoticeBoard,
    pub receipts: Vec<Receipt>,
    /// The notice open, by id.
    pub open: Option<String>,
    /// The last receipt that could not be stored, in staff's words.
    pub error: Option<Words>,
    /// The checkpoint receipts are given at (from the config).
    pub checkpoint_id: String,
    /// The journal's receipts were read (once, at the first refresh).
    pub receipts_read: bool,
}

impl NoticesState {
    /// Apply `action`; `Acknowledge` of a notice on the board returns the receipt to record.
    pub fn reduce(&mut self, action: NoticesAction) -> Option<AckRequest> {
        match action {
            NoticesAction::Loaded(board) => {
                self.board = board;
                if self.opened().is_none() {
                    self.open = None;
                }
            }
            NoticesAction::Receipts(receipts) => {
                self.receipts = receipts;
                self.receipts_read = true;
            }
            NoticesAction::Open(id) => {
                if self.board.all().iter().any(|n| n.notice_id == id) {
                    self.open = Some(id);
                }
            }
            NoticesAction::Close => self.open = None,
            NoticesAction::Acknowledge { notice_id, version } => {
                return match self.board.ack(&notice_id, version, &self.checkpoint_id) {
                    Ok(data) => {
                        self.error = None;
                        Some(AckRequest { data })
                    }
                    Err(e) => {
                        self.error = Some(Words::of(&e));
                        None
                    }
                };
            }
            NoticesAction::Recorded { receipt, result } => match result {
                Ok(()) => {
                    self.error = None;
                    if self.open.as_deref() == Some(receipt.notice_id.as_str()) {
                        self.open = None;
                    }
                    self.receipts.push(receipt);
                }
                Err(words) => self.error = Some(words),
            },
        }
        None
    }

    /// Whether `staff` acknowledged this version of `n`.
    pub fn is_read(&self, n: &Notice, staff: &str) -> bool {
        self.receipts
            .iter()
            .any(|r| r.notice_id == n.notice_id && r.version == n.version && r.staff == staff)
    }

    /// The notices in force that `staff` has not acknowledged: urgent first, then newest.
    pub fn unread(&self, now: DateTime<Utc>, staff: &str) -> Vec<&Notice> {
        self.board.unread(now, |n| self.is_read(n, staff))
    }

    /// The urgent notice that takes the screen until `staff` acknowledges it.
    pub fn takeover(&self, now: DateTime<Utc>, staff: &str) -> Option<&Notice> {
        self.unread(now, staff).into_iter().find(|n| n.is_urgent())
    }

    /// The notice open, while it is on the board.
    pub fn opened(&self) -> Option<&Notice> {
        let id = self.open.as_deref()?;
        self.board.all().iter().find(|n| n.notice_id == id)
    }
}

#[cfg(test)]
#[path = "notices_tests.rs"]
mod tests;
