//! Resident mode's daily health check-in (智慧健康打卡): the form (member, temperature, symptoms
//! from the fixed list, whether they left the city and where to) and the queue of declarations on
//! the phone — kept in the ledger's settings, uploaded with the household letter's token when
//! online, each marked sent (stored or already stored) or refused with the server's reason; never
//! dropped before the server answered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sync_core::health::{Checkin, CheckinReceipt, Symptom, MAX_DAYS_BACK};
use sync_core::i18n::{Lang, Localized};

/// The ledger setting key for the queue.
pub const CHECKIN_KEY: &str = "resident_checkins";

/// Where a declaration stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum QueueStatus {
    /// On the phone only, to upload.
    Pending,
    /// The server has it.
    Sent,
    /// The server refused it: why, in both languages (kept to show).
    Refused { zh: String, en: String },
}

/// A declaration on the phone, with the member's name to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub checkin: Checkin,
    pub name: String,
    pub status: QueueStatus,
}

/// The form being filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckinForm {
    pub member: Option<String>,
    pub temperature: String,
    pub symptoms: Vec<Symptom>,
    pub left_city: bool,
    pub left_to: String,
    pub error: Option<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckinState {
    pub queue: Vec<Queued>,
    #[serde(skip)]
    pub form: CheckinForm,
    /// An upload is under way.
    #[serde(skip)]
    pub uploading: bool,
    /// The last upload failed (offline, a revoked letter): both languages.
    #[serde(skip)]
    pub upload_error: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckinAction {
    Member(String),
    Temperature(String),
    ToggleSymptom(Symptom),
    LeftCity(bool),
    LeftTo(String),
    /// Check the form and queue it (`id`: a fresh UUIDv7; `today`: the district's day).
    Submit {
        id: String,
        name: String,
        now: DateTime<Utc>,
        today: NaiveDate,
    },
    Uploading,
    Receipt(CheckinReceipt),
    UploadFailed(String, String),
}

fn words(e: &dyn Localized) -> (String, String) {
    (e.message(Lang::ZhCn), e.message(Lang::En))
}

impl CheckinState {
    pub fn reduce(&mut self, action: CheckinAction) {
        match action {
            CheckinAction::Member(m) => self.form.member = Some(m),
            CheckinAction::Temperature(t) => self.form.temperature = t,
            CheckinAction::ToggleSymptom(s) => {
                if let Some(i) = self.form.symptoms.iter().position(|x| *x == s) {
                    self.form.symptoms.remove(i);
                } else {
                    self.form.symptoms.push(s);
                }
            }
            CheckinAction::LeftCity(on) => self.form.left_city = on,
            CheckinAction::LeftTo(t) => self.form.left_to = t,
            CheckinAction::Submit {
                id,
                name,
                now,
                today,
            } => self.submit(id, name, now, today),
            CheckinAction::Uploading => {
                self.uploading = true;
                self.upload_error = None;
            }
            CheckinAction::Receipt(r) => {
                self.uploading = false;
                for q in &mut self.queue {
                    let id = &q.checkin.id;
                    if r.stored.contains(id) || r.duplicate.contains(id) {
                        q.status = QueueStatus::Sent;
                    } else if let Some(refused) = r.refused.iter().find(|x| &x.id == id) {
                        q.status = QueueStatus::Refused {
                            zh: refused.zh.clone(),
                            en: refused.en.clone(),
                        };
                    }
                }
            }
            CheckinAction::UploadFailed(zh, en) => {
                self.uploading = false;
                self.upload_error = Some((zh, en));
            }
        }
    }

    fn submit(&mut self, id: String, name: String, now: DateTime<Utc>, today: NaiveDate) {
        self.form.error = None;
        let Some(member) = self.form.member.clone() else {
            self.form.error = Some(("请选择打卡人".into(), "Choose who is checking in".into()));
            return;
        };
        let Ok(celsius) = self.form.temperature.trim().parse::<f32>() else {
            self.form.error = Some((
                "请填写体温，如 36.5".into(),
                "Enter the temperature, e.g. 36.5".into(),
            ));
            return;
        };
        let checkin = Checkin {
            id,
            pass_id: member,
            day: today,
            temperature_c: celsius,
            symptoms: self.form.symptoms.clone(),
            left_city_to: self
                .form
                .left_city
                .then(|| self.form.left_to.trim().to_owned()),
            declared_at: now,
        };
        if let Err(e) = checkin.check(today) {
            self.form.error = Some(words(&e));
            return;
        }
        // Old sent declarations go; pending and refused ones stay until they are dealt with.
        self.queue.retain(|q| {
            q.status != QueueStatus::Sent || (today - q.checkin.day).num_days() <= MAX_DAYS_BACK
        });
        self.queue.push(Queued {
            checkin,
            name,
            status: QueueStatus::Pending,
        });
        self.form = CheckinForm {
            member: self.form.member.clone(),
            ..CheckinForm::default()
        };
    }

    /// The declarations still to upload.
    pub fn pending(&self) -> Vec<Checkin> {
        self.queue
            .iter()
            .filter(|q| q.status == QueueStatus::Pending)
            .map(|q| q.checkin.clone())
            .collect()
    }

    /// The latest declaration of `pass_id` for `day`, if any.
    pub fn latest(&self, pass_id: &str, day: NaiveDate) -> Option<&Queued> {
        self.queue
            .iter()
            .rev()
            .find(|q| q.checkin.pass_id == pass_id && q.checkin.day == day)
    }
}

#[cfg(test)]
#[path = "checkin_tests.rs"]
mod tests;
