//! The incident screen's words: every refusal and error it shows, and the confirmation, in both
//! languages. The category words are sync-core's (`IncidentCategory::label`).

use sync_core::i18n::{Lang, Localized};
use sync_core::incident::{IncidentCategory, IncidentError};

use super::incident::MAX_PHOTOS;
use super::recorded::Words;

#[derive(Debug, Clone, PartialEq)]
pub enum IncidentNotice {
    /// No category picked.
    NoCategory,
    /// The report is incomplete or too long (sync-core's check).
    Check(IncidentError),
    /// Already [`MAX_PHOTOS`] photos.
    TooManyPhotos,
    /// The picture just taken is one already attached.
    SamePhoto,
    /// Report pressed while a photo is being taken.
    PhotoUnderWay,
    /// No checkpoint yet: the device is not enrolled.
    NotEnrolled,
    /// The photo could not be taken or kept.
    Photo(Words),
    /// The ledger refused the report: nothing was recorded.
    NotStored(Words),
    /// Stored in the journal, waiting for the sync engine.
    Reported {
        category: IncidentCategory,
        urgent: bool,
    },
}

impl IncidentNotice {
    /// Everything but the confirmation is a refusal or an error.
    pub fn is_error(&self) -> bool {
        !matches!(self, Self::Reported { .. })
    }
}

impl Localized for IncidentNotice {
    fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        match self {
            Self::Check(e) => e.message(lang),
            Self::NoCategory if zh => "请先选择事件类别".into(),
            Self::NoCategory => "Pick what happened first".into(),
            Self::TooManyPhotos if zh => format!("最多 {MAX_PHOTOS} 张照片"),
            Self::TooManyPhotos => format!("At most {MAX_PHOTOS} photos"),
            Self::SamePhoto if zh => "这张照片已添加".into(),
            Self::SamePhoto => "That photo is attached already".into(),
            Self::PhotoUnderWay if zh => "正在拍照，请稍候再上报".into(),
            Self::PhotoUnderWay => "A photo is being taken: report when it is done".into(),
            Self::NotEnrolled if zh => "本机尚未登记到检查点，无法上报".into(),
            Self::NotEnrolled => {
                "This device is not enrolled at a checkpoint: nothing can be reported".into()
            }
            Self::Photo(w) if zh => format!("照片未保存：{}", w.zh),
            Self::Photo(w) => format!("Photo not kept: {}", w.en),
            Self::NotStored(w) if zh => format!("未上报，请重试：{}", w.zh),
            Self::NotStored(w) => format!("Not reported, try again: {}", w.en),
            Self::Reported { category, urgent } if zh => format!(
                "已上报，待上传：{}{}",
                category.label(lang),
                if *urgent { "（紧急）" } else { "" }
            ),
            Self::Reported { category, urgent } => format!(
                "Reported, waiting to upload: {}{}",
                category.label(lang),
                if *urgent { " (urgent)" } else { "" }
            ),
        }
    }
}
