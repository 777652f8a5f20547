//! The demo district's notice: a normal, district-wide rule change published two hours ago, so the
//! dashboard shows which checkpoints have not acknowledged it yet.

use sync_core::notice::{NoticePriority, NoticeTarget};

use crate::store::{DbError, NoticeEdit, Store};

pub async fn seed_notices(store: &Store, now_ms: i64) -> Result<(), DbError> {
    if !store.notices().await?.is_empty() {
        return Ok(());
    }
    let published = now_ms - 2 * 3_600_000;
    let edit = NoticeEdit {
        notice_id: "nt-demo-visitors".into(),
        title: "访客须出示48小时核酸阴性证明 Visitors need a 48-hour negative test".into(),
        body: "自明日 **0:00** 起，所有访客须出示 **48 小时内**核酸阴性证明，否则不予登记进入。\n\n\
               From **0:00** tomorrow every visitor shows a negative test from the **last 48 hours**; \
               without one, do not register them in."
            .into(),
        priority: NoticePriority::Normal,
        target: NoticeTarget::District,
        effective_from_ms: published,
        effective_until_ms: None,
        retired: false,
    };
    store.save_notice(&edit, "demo", published).await?;
    Ok(())
}
