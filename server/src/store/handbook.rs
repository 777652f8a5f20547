//! The gate handbook's sections: each save is a new version (audited in its transaction); the
//! newest version of every section that is not retired is what the phones get.

use sync_core::handbook::HandbookSection;

use super::changes::{audit_in, entry};
use super::{DbError, Store};

/// What an administrator saves; the version is the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionEdit {
    pub section_id: String,
    pub position: u32,
    pub title_zh: String,
    pub body_zh: String,
    pub title_en: String,
    pub body_en: String,
    pub retired: bool,
}

type Raw = (String, i64, i64, String, String, String, String);

impl Store {
    /// The newest version of every published section, in handbook order.
    pub async fn handbook(&self) -> Result<Vec<HandbookSection>, DbError> {
        let rows: Vec<Raw> = self
            .query_as(
                "SELECT h.section_id, h.version, h.position, h.title_zh, h.body_zh, h.title_en,
                 h.body_en FROM handbook_sections h
                 WHERE h.version = (SELECT MAX(version) FROM handbook_sections n
                                    WHERE n.section_id = h.section_id)
                   AND h.retired = 0
                 ORDER BY h.position, h.section_id",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(section_id, version, position, title_zh, body_zh, title_en, body_en)| {
                    HandbookSection {
                        section_id,
                        version: u32::try_from(version).unwrap_or(u32::MAX),
                        position: u32::try_from(position).unwrap_or(u32::MAX),
                        title_zh,
                        body_zh,
                        title_en,
                        body_en,
                    }
                },
            )
            .collect())
    }

    /// Save `edit` as the section's next version (1 for a new one), audited. Returns the version.
    pub async fn save_handbook_section(
        &self,
        edit: &SectionEdit,
        actor: &str,
        now_ms: i64,
    ) -> Result<u32, DbError> {
        let mut tx = self.begin().await?;
        let version = tx
            .next_version("handbook_sections", "section_id", &edit.section_id)
            .await?;
        tx.execute(
            "INSERT INTO handbook_sections (section_id, version, position, title_zh, body_zh,
             title_en, body_en, retired, updated_by, updated_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            vec![
                edit.section_id.as_str().into(),
                version.into(),
                i64::from(edit.position).into(),
                edit.title_zh.as_str().into(),
                edit.body_zh.as_str().into(),
                edit.title_en.as_str().into(),
                edit.body_en.as_str().into(),
                i64::from(edit.retired).into(),
                actor.into(),
                now_ms.into(),
            ],
        )
        .await?;
        let what = if edit.retired { "retired" } else { "saved" };
        let detail = format!(
            "handbook section {} v{version} {what}: {}",
            edit.section_id, edit.title_zh
        );
        audit_in(&mut tx, entry(actor, now_ms, "handbook", detail)).await?;
        tx.commit().await?;
        Ok(u32::try_from(version).unwrap_or(u32::MAX))
    }

    /// How many versions of `section_id` exist.
    pub async fn handbook_versions(&self, section_id: &str) -> Result<i64, DbError> {
        self.count(
            "SELECT COUNT(*) FROM handbook_sections WHERE section_id = $1",
            vec![section_id.into()],
        )
        .await
    }
}
