//! The gate handbook (标准化手册): search the section titles and text, open one section, read it.
//! Offline: the sections come with the signed config, so one sync is enough. Opened from Settings.

use dioxus::prelude::*;
use sync_core::handbook::render_markdown;

use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::handbook::HandbookAction;
use crate::text::tr;

#[component]
pub fn Handbook() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut handbook = ctx.handbook;
    // The sections: on opening, then after every sync (a section may have changed or gone).
    let synced = use_memo(move || ctx.status.read().sync.status.last_success_at);
    use_effect(move || {
        let _ = synced();
        flows::handbook::refresh(ctx, &services);
    });
    let mut act = move |a: HandbookAction| handbook.write().reduce(a);

    let s = handbook.read();
    let empty = s.is_empty();
    let query = s.query.clone();
    // The open section's title and its text as HTML. `render_markdown` shows raw HTML in the text
    // as text and turns script links into "#", so the HTML is safe to insert.
    let open = s
        .opened()
        .map(|x| (x.title(lang).to_owned(), render_markdown(x.body(lang))));
    let items: Vec<(String, String)> = s
        .matching()
        .iter()
        .map(|x| (x.section_id.clone(), x.title(lang).to_owned()))
        .collect();
    drop(s);

    rsx! {
        section { class: "handbook", aria_label: tr(lang, "标准化手册", "Gate handbook"),
            if let Some((title, html)) = open {
                button { r#type: "button", id: "handbook-back", class: "wide secondary big",
                    onclick: move |_| act(HandbookAction::Back),
                    {tr(lang, "← 返回目录", "← Back to the list")}
                }
                article {
                    p { class: "hint", {tr(lang, "标准化手册", "Gate handbook")} }
                    h1 { id: "handbook-title", "{title}" }
                    div { id: "handbook-section", class: "handbook-body", dangerous_inner_html: "{html}" }
                }
            } else {
                h1 { {tr(lang, "标准化手册", "Gate handbook")} }
                if empty {
                    p { id: "handbook-empty", class: "empty",
                        {tr(lang, "还没有手册：同步后可离线阅读", "No handbook yet. Sync once to read it offline")}
                    }
                } else {
                    input { id: "handbook-search", class: "search", r#type: "search",
                        value: "{query}",
                        placeholder: tr(lang, "搜索手册（中文或英文）", "Search the handbook"),
                        aria_label: tr(lang, "搜索手册", "Search the handbook"),
                        oninput: move |e| act(HandbookAction::Query(e.value())),
                    }
                    ul { id: "handbook-list", class: "list handbook-list",
                        if items.is_empty() {
                            li { id: "handbook-nomatch", class: "empty",
                                {tr(lang, "没有找到相关内容", "Nothing matches")}
                            }
                        }
                        for (id, title) in items {
                            li { key: "{id}",
                                button { r#type: "button", id: "handbook-section-{id}",
                                    class: "wide secondary big",
                                    onclick: move |_| {
                                        act(HandbookAction::Open(id.clone()));
                                        // The section starts at its top, wherever the list was.
                                        let _ = document::eval("window.scrollTo(0, 0)");
                                    },
                                    "{title}"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
