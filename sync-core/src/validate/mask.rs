//! Masking personal data for screens and for what leaves the server (one rule each, used everywhere).

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

/// A name with all but the first character hidden: `李*`, `欧阳**` → `欧**`.
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
    fn masks_show_no_more_than_they_must() {
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_id_number("110105194912311234"), "110***********1234");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name("欧阳小明"), "欧***");
        assert_eq!(mask_name(""), "");
        // Short or odd input never shows more than half.
        assert_eq!(mask_id_number("1234"), "**34");
        assert_eq!(mask_id_number(""), "");
    }
}
