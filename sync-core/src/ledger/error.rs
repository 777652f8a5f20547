//! Ledger errors: a full or read-only disk is its own case, so the UI can say "not stored" plainly.

use rusqlite::ErrorCode;
use thiserror::Error;

use crate::domain::ChainError;
use crate::i18n::{Lang, Localized};

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("storage is full; the record was not stored")]
    DiskFull,
    #[error("storage is read-only; the record was not stored")]
    ReadOnly,
    #[error("the ledger file is damaged: {0}")]
    Corrupt(String),
    #[error("the ledger file cannot be opened: {0}")]
    CannotOpen(String),
    #[error("the ledger was written by a newer app (schema {found}, this app knows {supported})")]
    TooNew { found: i64, supported: i64 },
    #[error("hash chain does not verify: {0}")]
    Chain(#[from] ChainError),
    #[error("a stored record cannot be read: {0}")]
    Decode(String),
    #[error("no passage with that id")]
    NotFound,
    #[error("photo: {0}")]
    Photo(#[from] crate::photo::PhotoError),
    #[error("the photo {0} is not stored on this device")]
    MissingPhoto(String),
    #[error("photo file: {0}")]
    PhotoFile(String),
    #[error("the entry cannot be stored: {0}")]
    BadEntry(#[from] crate::domain::EntryError),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            Some(ErrorCode::ReadOnly) => Self::ReadOnly,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                Self::Corrupt(e.to_string())
            }
            Some(ErrorCode::CannotOpen) => Self::CannotOpen(e.to_string()),
            _ => match e {
                rusqlite::Error::QueryReturnedNoRows => Self::NotFound,
                other => Self::Sqlite(other),
            },
        }
    }
}

impl From<serde_json::Error> for LedgerError {
    fn from(e: serde_json::Error) -> Self {
        Self::Decode(e.to_string())
    }
}

impl Localized for LedgerError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Self::DiskFull => "存储空间已满，本条记录未保存".into(),
                Self::ReadOnly => "存储为只读，本条记录未保存".into(),
                Self::Corrupt(_) => "本机记录文件已损坏，请联系管理员".into(),
                Self::CannotOpen(_) => "无法打开本机记录文件".into(),
                Self::TooNew { .. } => "记录文件来自更新版本的应用，请升级".into(),
                Self::Chain(_) => "记录链校验失败，可能被篡改".into(),
                Self::Decode(_) => "有记录无法读取".into(),
                Self::NotFound => "未找到该记录".into(),
                Self::Photo(crate::photo::PhotoError::TooLarge { .. }) => "照片过大，请重拍".into(),
                Self::Photo(_) => "照片无法读取，请重拍".into(),
                Self::MissingPhoto(_) => "照片未保存在本机，本条记录未保存".into(),
                Self::PhotoFile(_) => "照片无法写入本机存储，本条记录未保存".into(),
                Self::BadEntry(_) => "记录内容不完整，本条记录未保存".into(),
                Self::Sqlite(_) => "本机数据库出错，本条记录未保存".into(),
            },
        }
    }
}
