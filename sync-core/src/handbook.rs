//! The gate handbook (标准化手册): Markdown sections the district publishes to its gates with the
//! signed config, read offline on the phone. Sections are versioned on the server; a phone holds
//! the newest version of each. Search looks through titles and text in both languages; rendering
//! turns Markdown into HTML with any raw HTML in the text shown as text, never run.

use pulldown_cmark::{html, CowStr, Event, Options, Parser};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// One section, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandbookSection {
    pub section_id: String,
    /// Grows by one with every edit of this section.
    pub version: u32,
    /// Where it stands in the handbook (smaller first).
    pub position: u32,
    pub title_zh: String,
    pub body_zh: String,
    /// English where the text exists; empty otherwise (the Chinese is shown).
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub body_en: String,
}

impl HandbookSection {
    /// The title in `lang`, or the Chinese when there is no English.
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.title_en.trim().is_empty() => &self.title_en,
            _ => &self.title_zh,
        }
    }

    /// The Markdown text in `lang`, or the Chinese when there is no English.
    pub fn body(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.body_en.trim().is_empty() => &self.body_en,
            _ => &self.body_zh,
        }
    }

    /// Whether every word of `query` is in the title or text (either language, any case).
    pub fn matches(&self, query: &str) -> bool {
        let hay = [&self.title_zh, &self.body_zh, &self.title_en, &self.body_en]
            .map(|s| s.to_lowercase())
            .join("\n");
        query
            .split_whitespace()
            .all(|word| hay.contains(&word.to_lowercase()))
    }
}

/// The sections matching `query` (all of them for an empty query), in handbook order.
pub fn search<'a>(sections: &'a [HandbookSection], query: &str) -> Vec<&'a HandbookSection> {
    let mut found: Vec<&HandbookSection> = sections.iter().filter(|s| s.matches(query)).collect();
    found.sort_by_key(|s| (s.position, s.section_id.as_str()));
    found
}

/// Markdown to HTML (tables and strikethrough on). Raw HTML in the text is shown as text.
pub fn render_markdown(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_link(&dest_url) => Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// Links may go to the web or a phone number; nothing that runs script.
fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_lowercase();
    ["https://", "http://", "tel:", "#"]
        .iter()
        .any(|p| lower.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: &str, position: u32, zh: &str, en: &str) -> HandbookSection {
        HandbookSection {
            section_id: id.into(),
            version: 1,
            position,
            title_zh: format!("标题{id}"),
            body_zh: zh.into(),
            title_en: String::new(),
            body_en: en.into(),
        }
    }

    #[test]
    fn search_looks_in_both_languages_and_keeps_handbook_order() {
        let s = [
            section(
                "b",
                2,
                "电梯按钮用含氯消毒液 500 mg/L 擦拭",
                "Wipe lift buttons",
            ),
            section(
                "a",
                1,
                "测温后登记",
                "Register after taking the temperature",
            ),
        ];
        let ids = |q| {
            search(&s, q)
                .iter()
                .map(|x| x.section_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(""), ["a", "b"]);
        assert_eq!(ids("500 mg/L"), ["b"]);
        assert_eq!(ids("LIFT"), ["b"]);
        assert_eq!(ids("登记"), ["a"]);
        assert!(ids("lift 登记").is_empty(), "every word must match");
    }

    #[test]
    fn english_falls_back_to_chinese_when_missing() {
        let s = section("a", 1, "只有中文", "");
        assert_eq!(s.body(Lang::En), "只有中文");
        assert_eq!(s.title(Lang::En), "标题a");
    }

    #[test]
    fn markdown_renders_and_raw_html_or_script_links_never_run() {
        let html = render_markdown(
            "## 电梯\n\n- 含氯消毒液 **500 mg/L**\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.org)",
        );
        assert!(html.contains("<h2>电梯</h2>") && html.contains("<strong>500 mg/L</strong>"));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        assert!(!html.contains("javascript:") && html.contains("href=\"https://example.org\""));
    }
}
