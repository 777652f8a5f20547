//! Writes every screen, in zh-CN and en, as a standalone HTML page into the directory given
//! (default `target/screens`); `cargo xtask screenshots` turns them into phone-size PNGs with Chromium.

use anyhow::Context;
use checkpoint_app::scenes::{render_scene, seed_ledger, SCENES};
use checkpoint_app::services::Services;
use sync_core::i18n::Lang;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/screens".into());
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {out}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let services = Services::open(dir.path().join("ledger.db"), runtime.handle().clone())?;
    seed_ledger(&mut *services.ledger()?)?;
    for lang in [Lang::ZhCn, Lang::En] {
        for scene in SCENES {
            let html = render_scene(&services, scene, lang);
            let path = format!("{out}/app-{scene}-{}.html", lang.code());
            std::fs::write(&path, html).with_context(|| format!("cannot write {path}"))?;
            println!("{path}");
        }
    }
    Ok(())
}
