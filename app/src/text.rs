//! UI text in both languages, side by side at the call site; PII masking comes from sync-core.

use sync_core::i18n::Lang;

/// Pick the zh-CN or en text.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

pub use sync_core::validate::{mask_id_number, mask_name, mask_phone};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_language() {
        assert_eq!(tr(Lang::ZhCn, "扫码", "Scan"), "扫码");
        assert_eq!(tr(Lang::En, "扫码", "Scan"), "Scan");
    }
}
