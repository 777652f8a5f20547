//! Small inline SVG icons (no icon font or emoji font needed on any platform).

use dioxus::prelude::*;

/// The named icon, drawn with `currentColor`.
#[component]
pub fn Icon(name: &'static str) -> Element {
    let body = match name {
        "scan" => r#"<path d="M3 8V4h4M17 4h4v4M21 16v4h-4M7 20H3v-4"/><path d="M3 12h18"/>"#,
        "vehicle" => {
            r#"<path d="M4 16V11l2-5h12l2 5v5z"/><circle cx="7.5" cy="16.5" r="1.8"/><circle cx="16.5" cy="16.5" r="1.8"/><path d="M4 11h16"/>"#
        }
        "visitor" => r#"<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>"#,
        "records" => r#"<path d="M5 6h14M5 12h14M5 18h14"/>"#,
        "patrol" => {
            r#"<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>"#
        }
        "sync" => r#"<path d="M7 4v14M3 8l4-4 4 4M17 20V6M13 16l4 4 4-4"/>"#,
        "settings" => {
            r#"<circle cx="12" cy="12" r="3.5"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>"#
        }
        "pass" => {
            r#"<rect x="3" y="3" width="7" height="7"/><rect x="14" y="3" width="7" height="7"/><rect x="3" y="14" width="7" height="7"/><path d="M14 14h3v3h-3zM18 18h3v3h-3z"/>"#
        }
        "add" => r#"<path d="M12 5v14M5 12h14"/>"#,
        "torch" => r#"<path d="M8 3h8l-1 6H9zM9 9h6v12H9z"/><path d="M12 13v3"/>"#,
        "keyboard" => {
            r#"<rect x="2" y="6" width="20" height="12" rx="2"/><path d="M6 10h1M10 10h1M14 10h1M18 10h1M7 14h10"/>"#
        }
        // Verdict marks: one per outcome and per amber reason.
        "check" => r#"<path d="M4 12.5l5 5L20 6.5"/>"#,
        "cross" => r#"<path d="M5 5l14 14M19 5L5 19"/>"#,
        "thermometer" => {
            r#"<path d="M10 14V5a2 2 0 0 1 4 0v9a4 4 0 1 1-4 0z"/><path d="M12 9v7"/>"#
        }
        "card" => {
            r#"<rect x="2" y="5" width="20" height="14" rx="2"/><circle cx="8" cy="11" r="2"/><path d="M5 16c1-2 5-2 6 0M14 10h5M14 14h4"/>"#
        }
        "clock" => r#"<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 3"/>"#,
        "list-old" => {
            r#"<path d="M4 6h10M4 12h8M4 18h6"/><circle cx="18" cy="15" r="4"/><path d="M18 13v2h1.5"/>"#
        }
        "repeat" => {
            r#"<path d="M4 9a7 7 0 0 1 13-3l2 2M20 15a7 7 0 0 1-13 3l-2-2"/><path d="M19 4v4h-4M5 20v-4h4"/>"#
        }
        "door" => {
            r#"<path d="M6 21V3h10v18M3 21h18"/><path d="M13 12h.01"/><path d="M17 8l3 4-3 4"/>"#
        }
        "checkin-old" => {
            r#"<rect x="4" y="3" width="12" height="16" rx="1"/><path d="M7 8h6M7 12h4"/><circle cx="18" cy="17" r="4"/><path d="M18 15v2h1.5"/>"#
        }
        "alert" => r#"<path d="M12 3l10 18H2z"/><path d="M12 10v5M12 18h.01"/>"#,
        _ => "",
    };
    rsx! {
        svg {
            class: "icon",
            view_box: "0 0 24 24",
            width: "26",
            height: "26",
            fill: "none",
            stroke: "currentColor",
            stroke_width: "2",
            stroke_linecap: "round",
            stroke_linejoin: "round",
            "aria-hidden": "true",
            dangerous_inner_html: "{body}",
        }
    }
}
