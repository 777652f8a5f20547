//! The incident report (事件上报) screen: pick what happened (big buttons), mark it urgent, add a
//! note and up to [`MAX_PHOTOS`] photos, report. A report counts only once the ledger has stored
//! it: then the form is reset and "reported, waiting to upload" shown; a refusal keeps everything
//! typed. Below the form, this device's incidents of today with their upload state. The wording of
//! every message lives in [`IncidentNotice`].

use chrono::{DateTime, Utc};
use sync_core::incident::{IncidentCategory, IncidentData};
use uuid::Uuid;

pub use super::incident_notice::IncidentNotice;
use super::recorded::{Stored, Words};

/// Most photos one report carries.
pub const MAX_PHOTOS: usize = 3;

/// The report being filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncidentForm {
    pub category: Option<IncidentCategory>,
    pub urgent: bool,
    pub note: String,
    /// The photos' SHA-256, stored in the ledger's photo directory already, in the order taken.
    pub photos: Vec<String>,
    pub taking_photo: bool,
}

impl IncidentForm {
    /// Another photo may be taken now.
    pub fn can_take_photo(&self) -> bool {
        !self.taking_photo && self.photos.len() < MAX_PHOTOS
    }
}

/// A report to append to the ledger (photos stored already); then send
/// [`IncidentAction::Appended`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReport {
    pub data: IncidentData,
    pub attachments: Vec<String>,
}

/// Where a recorded incident stands with the district server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    Pending,
    /// The report is on the server; some of its photos are still to send.
    PhotosPending,
    Uploaded,
    /// Refused and kept in the server's quarantine, with its reason.
    Rejected(String),
}

impl Upload {
    /// Nothing will change any more.
    pub fn settled(&self) -> bool {
        matches!(self, Self::Uploaded | Self::Rejected(_))
    }
}

/// An incident this device recorded, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: Uuid,
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    pub category: IncidentCategory,
    pub urgent: bool,
    pub note: String,
    pub photos: Vec<String>,
    pub upload: Upload,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IncidentAction {
    /// This device's checkpoint, from the signed config (empty before enrollment).
    Checkpoint(String),
    Category(IncidentCategory),
    ToggleUrgent,
    NoteInput(String),
    /// Staff asked for a photo: marks the form as taking one, when another one fits.
    TakingPhoto,
    /// The photo was stored (its SHA-256), or why not.
    Photo(Result<String, Words>),
    /// Remove the photo at this position.
    RemovePhoto(usize),
    /// Report: returns the report to append when it is complete.
    Submit,
    /// The ledger's answer for a report: stored (seq and device time, with the entry's id), or
    /// why not.
    Appended {
        report: Box<PendingReport>,
        result: Result<(Uuid, Stored), Words>,
    },
    /// Incidents read from the journal after `read_to`'s previous value, up to `read_to`; the list
    /// keeps those recorded since `since` (the start of the district's day).
    Ledger {
        records: Vec<IncidentRecord>,
        read_to: u64,
        since: DateTime<Utc>,
    },
    /// Upload states read again for listed incidents (by entry id).
    Uploads(Vec<(Uuid, Upload)>),
    Dismiss,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncidentState {
    pub checkpoint_id: String,
    pub form: IncidentForm,
    pub notice: Option<IncidentNotice>,
    /// This device's incidents of today, oldest first.
    pub today: Vec<IncidentRecord>,
    /// The journal has been read up to this seq (incidents after it are not listed yet).
    pub read_to: u64,
}

impl IncidentState {
    /// Apply an action; returns a report to append to the ledger, when there is one.
    pub fn reduce(&mut self, action: IncidentAction) -> Option<PendingReport> {
        match action {
            IncidentAction::Checkpoint(id) => self.checkpoint_id = id,
            IncidentAction::Category(c) => {
                self.form.category = Some(c);
                // A new report begins, or a refusal is being answered.
                self.notice = None;
            }
            IncidentAction::ToggleUrgent => self.form.urgent = !self.form.urgent,
            IncidentAction::NoteInput(text) => self.form.note = text,
            IncidentAction::TakingPhoto => {
                if self.form.photos.len() >= MAX_PHOTOS {
                    self.notice = Some(IncidentNotice::TooManyPhotos);
                } else if !self.form.taking_photo {
                    self.form.taking_photo = true;
                }
            }
            IncidentAction::Photo(result) => self.photo(result),
            IncidentAction::RemovePhoto(i) => {
                if i < self.form.photos.len() {
                    self.form.photos.remove(i);
                }
            }
            IncidentAction::Submit => return self.submit(),
            IncidentAction::Appended { report, result } => self.appended(*report, result),
            IncidentAction::Ledger {
                records,
                read_to,
                since,
            } => self.read_ledger(records, read_to, since),
            IncidentAction::Uploads(states) => {
                for (id, upload) in states {
                    if let Some(r) = self.today.iter_mut().find(|r| r.id == id) {
                        r.upload = upload;
                    }
                }
            }
            IncidentAction::Dismiss => self.notice = None,
        }
        None
    }

    fn photo(&mut self, result: Result<String, Words>) {
        self.form.taking_photo = false;
        match result {
            // The same picture twice would name one photo twice in the entry.
            Ok(sha) if self.form.photos.contains(&sha) => {
                self.notice = Some(IncidentNotice::SamePhoto);
            }
            Ok(_) if self.form.photos.len() >= MAX_PHOTOS => {
                self.notice = Some(IncidentNotice::TooManyPhotos);
            }
            Ok(sha) => {
                self.form.photos.push(sha);
                if self.notice.as_ref().is_some_and(IncidentNotice::is_error) {
                    self.notice = None;
                }
            }
            Err(w) => self.notice = Some(IncidentNotice::Photo(w)),
        }
    }

    fn submit(&mut self) -> Option<PendingReport> {
        if self.form.taking_photo {
            self.notice = Some(IncidentNotice::PhotoUnderWay);
            return None;
        }
        if self.checkpoint_id.is_empty() {
            self.notice = Some(IncidentNotice::NotEnrolled);
            return None;
        }
        let Some(category) = self.form.category else {
            self.notice = Some(IncidentNotice::NoCategory);
            return None;
        };
        let data = IncidentData {
            checkpoint_id: self.checkpoint_id.clone(),
            category,
            urgent: self.form.urgent,
            note: self.form.note.trim().to_owned(),
        };
        let attachments = self.form.photos.clone();
        if let Err(e) = data.check(attachments.len()) {
            self.notice = Some(IncidentNotice::Check(e));
            return None;
        }
        Some(PendingReport { data, attachments })
    }

    fn appended(&mut self, report: PendingReport, result: Result<(Uuid, Stored), Words>) {
        let (id, stored) = match result {
            Ok(s) => s,
            Err(w) => {
                // Nothing was recorded: the form keeps everything, staff try again.
                self.notice = Some(IncidentNotice::NotStored(w));
                return;
            }
        };
        let PendingReport { data, attachments } = report;
        self.notice = Some(IncidentNotice::Reported {
            category: data.category,
            urgent: data.urgent,
        });
        self.form = IncidentForm::default();
        if !self.today.iter().any(|r| r.seq == stored.seq) {
            self.today.push(IncidentRecord {
                id,
                seq: stored.seq,
                recorded_at: stored.recorded_at,
                category: data.category,
                urgent: data.urgent,
                note: data.note,
                photos: attachments,
                upload: Upload::Pending,
            });
        }
    }

    fn read_ledger(&mut self, records: Vec<IncidentRecord>, read_to: u64, since: DateTime<Utc>) {
        for r in records {
            match self.today.iter_mut().find(|t| t.seq == r.seq) {
                Some(known) => *known = r,
                None => self.today.push(r),
            }
        }
        self.today.retain(|r| r.recorded_at >= since);
        self.today.sort_by_key(|r| r.seq);
        self.read_to = self.read_to.max(read_to);
    }

    /// Listed incidents whose upload state may still change.
    pub fn unsettled(&self) -> Vec<(Uuid, Vec<String>)> {
        self.today
            .iter()
            .filter(|r| !r.upload.settled())
            .map(|r| (r.id, r.photos.clone()))
            .collect()
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
