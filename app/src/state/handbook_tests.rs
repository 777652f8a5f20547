//! Tests of the handbook reader: search in both languages and handbook order, open and back, a
//! reload keeps the open section only while it exists, an empty handbook.

use sync_core::handbook::HandbookSection;
use sync_core::i18n::Lang;

use super::*;

fn section(
    id: &str,
    position: u32,
    title_zh: &str,
    body_zh: &str,
    body_en: &str,
) -> HandbookSection {
    HandbookSection {
        section_id: id.into(),
        version: 1,
        position,
        title_zh: title_zh.into(),
        body_zh: body_zh.into(),
        title_en: String::new(),
        body_en: body_en.into(),
    }
}

fn handbook() -> Vec<HandbookSection> {
    vec![
        section(
            "disinfect",
            2,
            "消毒",
            "电梯按钮用含氯消毒液 500 mg/L 擦拭",
            "Wipe lift buttons",
        ),
        section(
            "temp",
            1,
            "测温",
            "体温 37.3 °C 以上引导至观察点",
            "Send 37.3 °C and above to the observation point",
        ),
    ]
}

fn loaded() -> HandbookState {
    let mut s = HandbookState::default();
    s.reduce(HandbookAction::Loaded(handbook()));
    s
}

fn ids(s: &HandbookState) -> Vec<&str> {
    s.matching().iter().map(|x| x.section_id.as_str()).collect()
}

#[test]
fn search_in_both_languages_in_handbook_order() {
    let mut s = loaded();
    assert_eq!(
        ids(&s),
        ["temp", "disinfect"],
        "empty search: all, by position"
    );
    s.reduce(HandbookAction::Query("LIFT".into()));
    assert_eq!(ids(&s), ["disinfect"]);
    s.reduce(HandbookAction::Query("观察点".into()));
    assert_eq!(ids(&s), ["temp"]);
    s.reduce(HandbookAction::Query("lift 观察点".into()));
    assert!(ids(&s).is_empty(), "every word must match");
    assert!(!s.is_empty(), "no match is not an empty handbook");
    s.reduce(HandbookAction::Query("   ".into()));
    assert_eq!(ids(&s), ["temp", "disinfect"]);
}

#[test]
fn open_and_back() {
    let mut s = loaded();
    assert_eq!(s.opened(), None);
    s.reduce(HandbookAction::Open("disinfect".into()));
    let open = s.opened().expect("open");
    assert_eq!(open.title(Lang::ZhCn), "消毒");
    assert_eq!(open.body(Lang::En), "Wipe lift buttons");
    assert_eq!(
        open.title(Lang::En),
        "消毒",
        "no English title: the Chinese"
    );
    // A section that does not exist does not open (the open one stays).
    s.reduce(HandbookAction::Open("nope".into()));
    assert_eq!(s.open.as_deref(), Some("disinfect"));
    s.reduce(HandbookAction::Back);
    assert_eq!((s.open.clone(), s.opened()), (None, None));
    s.reduce(HandbookAction::Back);
    assert_eq!(s.open, None);
}

#[test]
fn a_reload_keeps_the_open_section_while_it_exists() {
    let mut s = loaded();
    s.reduce(HandbookAction::Query("lift".into()));
    s.reduce(HandbookAction::Open("disinfect".into()));
    // A new version of the same section: still open, with the new text.
    let mut next = handbook();
    next[0].version = 2;
    next[0].body_zh = "电梯按钮每两小时擦拭一次".into();
    s.reduce(HandbookAction::Loaded(next.clone()));
    assert_eq!(s.open.as_deref(), Some("disinfect"));
    let open = s.opened().expect("still open");
    assert_eq!(
        (open.version, open.body(Lang::ZhCn)),
        (2, "电梯按钮每两小时擦拭一次")
    );
    assert_eq!(s.query, "lift", "the search is kept");
    // The district removed it: the reader is back at the list.
    s.reduce(HandbookAction::Loaded(next[1..].to_vec()));
    assert_eq!((s.open.clone(), s.opened()), (None, None));
    assert_eq!(s.sections.len(), 1);
}

#[test]
fn an_empty_handbook_lists_nothing_and_opens_nothing() {
    let mut s = HandbookState::default();
    assert!(s.is_empty());
    assert!(s.matching().is_empty());
    s.reduce(HandbookAction::Open("temp".into()));
    assert_eq!(s.opened(), None);
    // Loaded, opened, then the district withdrew the whole handbook.
    s.reduce(HandbookAction::Loaded(handbook()));
    s.reduce(HandbookAction::Open("temp".into()));
    s.reduce(HandbookAction::Loaded(Vec::new()));
    assert!(s.is_empty());
    assert_eq!((s.open.clone(), s.opened()), (None, None));
}
