//! The daily health check-in (智慧健康打卡, issue 14 part 2): what a household member declares once a
//! day on a resident's own phone — temperature, symptoms from a short fixed list, whether they left
//! the city in the last 14 days and where to — its checks, when it is flagged for follow-up, and
//! the upload of queued declarations with the household letter's token (`POST
//! /api/v1/household/checkins`), idempotent by each declaration's id.
//!
//! Only what the form asks is kept: no ID number, no phone, no free text but the destination.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Localized};
use crate::validate::{check_temperature, check_text, TemperatureCheck, ValidationError};

/// How far back a declaration may be dated (a phone offline for days still uploads its queue).
pub const MAX_DAYS_BACK: i64 = 14;
/// The longest destination text.
pub const MAX_DESTINATION_CHARS: usize = 40;
/// Most declarations in one upload.
pub const MAX_PER_UPLOAD: usize = 100;

/// The short fixed list of symptoms the form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symptom {
    Cough,
    SoreThroat,
    Fatigue,
    ShortBreath,
    LossOfTasteOrSmell,
    Diarrhoea,
}

impl Symptom {
    pub const ALL: [Symptom; 6] = [
        Self::Cough,
        Self::SoreThroat,
        Self::Fatigue,
        Self::ShortBreath,
        Self::LossOfTasteOrSmell,
        Self::Diarrhoea,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cough => "cough",
            Self::SoreThroat => "sore_throat",
            Self::Fatigue => "fatigue",
            Self::ShortBreath => "short_breath",
            Self::LossOfTasteOrSmell => "loss_of_taste_or_smell",
            Self::Diarrhoea => "diarrhoea",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Cough, Lang::ZhCn) => "咳嗽",
            (Self::Cough, Lang::En) => "Cough",
            (Self::SoreThroat, Lang::ZhCn) => "咽痛",
            (Self::SoreThroat, Lang::En) => "Sore throat",
            (Self::Fatigue, Lang::ZhCn) => "乏力",
            (Self::Fatigue, Lang::En) => "Fatigue",
            (Self::ShortBreath, Lang::ZhCn) => "呼吸困难",
            (Self::ShortBreath, Lang::En) => "Short of breath",
            (Self::LossOfTasteOrSmell, Lang::ZhCn) => "嗅觉味觉减退",
            (Self::LossOfTasteOrSmell, Lang::En) => "Loss of taste or smell",
            (Self::Diarrhoea, Lang::ZhCn) => "腹泻",
            (Self::Diarrhoea, Lang::En) => "Diarrhoea",
        }
    }
}

/// What one member declares for one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkin {
    /// A UUIDv7 made on the phone: the same declaration uploaded twice is stored once.
    pub id: String,
    /// The member's resident pass.
    pub pass_id: String,
    /// The district's calendar day it is for.
    pub day: NaiveDate,
    pub temperature_c: f32,
    #[serde(default)]
    pub symptoms: Vec<Symptom>,
    /// Left the city in the last 14 days: where to (`None`: did not).
    #[serde(default)]
    pub left_city_to: Option<String>,
    pub declared_at: DateTime<Utc>,
}

/// Why a declaration is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckinError {
    #[error("the check-in is for a future day ({0})")]
    FutureDay(NaiveDate),
    #[error("the check-in is for a day more than {MAX_DAYS_BACK} days ago ({0})")]
    TooOld(NaiveDate),
    #[error("temperature: {0}")]
    Temperature(ValidationError),
    #[error("where they went: {0}")]
    Destination(ValidationError),
    #[error("a symptom is named twice")]
    RepeatedSymptom,
    #[error("the declaration's id is not a UUID")]
    BadId,
    #[error("pass {0} is not a resident pass of this household")]
    NotOfHousehold(String),
}

impl Localized for CheckinError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::FutureDay(d), Lang::ZhCn) => format!("不能为将来的日期打卡（{d}）"),
            (Self::TooOld(d), Lang::ZhCn) => format!("只能补报 {MAX_DAYS_BACK} 天内的打卡（{d}）"),
            (Self::Temperature(e), Lang::ZhCn) => format!("体温：{}", e.message(lang)),
            (Self::Destination(e), Lang::ZhCn) => format!("去向：{}", e.message(lang)),
            (Self::RepeatedSymptom, Lang::ZhCn) => "症状重复".into(),
            (Self::BadId, Lang::ZhCn) => "打卡记录编号无效".into(),
            (Self::NotOfHousehold(p), Lang::ZhCn) => format!("{p} 不是本户的居民通行证"),
        }
    }
}

impl Checkin {
    /// Check the declaration against the district's calendar day `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), CheckinError> {
        if uuid::Uuid::parse_str(&self.id).is_err() {
            return Err(CheckinError::BadId);
        }
        if self.day > today {
            return Err(CheckinError::FutureDay(self.day));
        }
        if (today - self.day).num_days() > MAX_DAYS_BACK {
            return Err(CheckinError::TooOld(self.day));
        }
        check_temperature(
            self.temperature_c,
            crate::validate::DEFAULT_FEVER_THRESHOLD_C,
        )
        .map_err(CheckinError::Temperature)?;
        let mut seen = self.symptoms.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.symptoms.len() {
            return Err(CheckinError::RepeatedSymptom);
        }
        if let Some(to) = &self.left_city_to {
            if to.trim().is_empty() {
                return Err(CheckinError::Destination(ValidationError::Required));
            }
            check_text(to, MAX_DESTINATION_CHARS).map_err(CheckinError::Destination)?;
        }
        Ok(())
    }

    /// Flagged for follow-up: a fever at `threshold_c` or any symptom.
    pub fn flagged(&self, threshold_c: f32) -> bool {
        !self.symptoms.is_empty()
            || check_temperature(self.temperature_c, threshold_c)
                .is_ok_and(|t| t == TemperatureCheck::Fever)
    }

    /// The symptoms as stored (`cough,fatigue`).
    pub fn symptom_words(&self) -> String {
        let words: Vec<&str> = self.symptoms.iter().map(|s| s.as_str()).collect();
        words.join(",")
    }
}

/// The district's calendar day at `at`.
pub fn district_day(at: DateTime<Utc>, utc_offset_minutes: i32) -> NaiveDate {
    let offset = chrono::Duration::minutes(i64::from(utc_offset_minutes));
    (at + offset).date_naive()
}

/// `POST /api/v1/household/checkins` (`Authorization: Household <token>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinUpload {
    pub checkins: Vec<Checkin>,
}

/// One refused declaration, with its reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinRefusal {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// What became of each declaration: stored now, stored before (a repeat), or refused (kept on the
/// phone with the reason, never silently dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinReceipt {
    pub stored: Vec<String>,
    pub duplicate: Vec<String>,
    pub refused: Vec<CheckinRefusal>,
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
