//! UI text in both languages, side by side at the call site, plus PII masking for what the screen shows.

use sync_core::i18n::Lang;

/// Pick the zh-CN or en text.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

/// `110***********1234` for an 18-character ID number; anything shorter keeps only its last 4.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() == 18 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[14..].iter().collect();
        return format!("{head}***********{tail}");
    }
    let keep = chars.len().min(4).min(chars.len() / 2);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - keep))
}

/// `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    sync_core::validate::mask_phone(phone)
}

/// A visitor's name with all but the first character hidden: `李*`, `欧阳**`→`欧**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_the_issue_says() {
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_id_number("110105194912311234"), "110***********1234");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name(""), "");
        // Short or odd input never shows more than half.
        assert_eq!(mask_id_number("1234"), "**34");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn picks_language() {
        assert_eq!(tr(Lang::ZhCn, "扫码", "Scan"), "扫码");
        assert_eq!(tr(Lang::En, "扫码", "Scan"), "Scan");
    }
}
