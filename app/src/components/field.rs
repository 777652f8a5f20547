//! A labelled input with its inline error, wired for screen readers (`aria-invalid`,
//! `aria-describedby`), opening the keyboard its content needs: digits for phones, digits and an
//! X key for ID numbers, a province picker and capitals for plates.

use dioxus::prelude::*;

use crate::state::keypad::{join_plate, provinces, split_plate, with_x, Keys};

#[component]
pub fn Field(
    id: String,
    label: String,
    value: String,
    error: Option<String>,
    #[props(default)] keys: Keys,
    #[props(default)] placeholder: String,
    /// Spans both columns of a two-column form.
    #[props(default)]
    wide: bool,
    oninput: EventHandler<String>,
) -> Element {
    let err_id = format!("{id}-error");
    let invalid = if error.is_some() { "true" } else { "false" };
    let (kind, mode) = keys.attributes();
    let class = match (error.is_some(), wide) {
        (true, true) => "field invalid span",
        (true, false) => "field invalid",
        (false, true) => "field span",
        (false, false) => "field",
    };
    let (province, rest) = split_plate(&value);
    let rest = rest.to_owned();
    let typed = value.clone();
    rsx! {
        div { class,
            label { r#for: "{id}", "{label}" }
            div { class: "input-row",
                if keys == Keys::Plate {
                    select { id: "{id}-province", class: "province", aria_label: "省份 Province",
                        onchange: move |e| {
                            let p = e.value().chars().next();
                            oninput.call(join_plate(p, &rest));
                        },
                        option { value: "", selected: province.is_none(), "省" }
                        for p in provinces() {
                            option { key: "{p}", value: "{p}", selected: province == Some(p), "{p}" }
                        }
                    }
                }
                input {
                    id: "{id}",
                    name: "{id}",
                    r#type: "{kind}",
                    inputmode: "{mode}",
                    autocapitalize: if keys == Keys::Plate { "characters" } else { "off" },
                    autocomplete: "off",
                    value: if keys == Keys::Plate { split_plate(&value).1.to_owned() } else { value.clone() },
                    placeholder: "{placeholder}",
                    aria_invalid: invalid,
                    aria_describedby: "{err_id}",
                    oninput: move |e| {
                        if keys == Keys::Plate {
                            oninput.call(join_plate(province, &e.value()));
                        } else {
                            oninput.call(e.value());
                        }
                    },
                }
                if keys == Keys::IdNumber {
                    button { r#type: "button", class: "x-key", id: "{id}-x", aria_label: "X",
                        onclick: move |_| oninput.call(with_x(&typed)),
                        "X"
                    }
                }
            }
            if let Some(msg) = error.clone() {
                p { class: "error", id: "{err_id}", role: "alert", "{msg}" }
            }
        }
    }
}
