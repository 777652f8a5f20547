//! A labelled input with its inline error, wired for screen readers (`aria-invalid`, `aria-describedby`).

use dioxus::prelude::*;

#[component]
pub fn Field(
    id: String,
    label: String,
    value: String,
    error: Option<String>,
    #[props(default = "text".to_string())] kind: String,
    #[props(default)] inputmode: Option<String>,
    oninput: EventHandler<String>,
) -> Element {
    let err_id = format!("{id}-error");
    let invalid = if error.is_some() { "true" } else { "false" };
    rsx! {
        div { class: if error.is_some() { "field invalid" } else { "field" },
            label { r#for: "{id}", "{label}" }
            input {
                id: "{id}",
                name: "{id}",
                r#type: "{kind}",
                inputmode: inputmode.clone().unwrap_or_default(),
                value: "{value}",
                aria_invalid: invalid,
                aria_describedby: "{err_id}",
                oninput: move |e| oninput.call(e.value()),
            }
            if let Some(msg) = error.clone() {
                p { class: "error", id: "{err_id}", role: "alert", "{msg}" }
            }
        }
    }
}
