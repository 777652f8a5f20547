//! The root component. At this stage a skeleton window; the screens come with the app issue.

use dioxus::prelude::*;

#[component]
pub fn App() -> Element {
    rsx! {
        main {
            h1 { "一卡一码 · 卡口登记" }
            p { "Checkpoint registration" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_title_without_a_display() {
        let mut dom = VirtualDom::new(App);
        dom.rebuild_in_place();
        let html = dioxus_ssr::render(&dom);
        assert!(html.contains("一卡一码"), "{html}");
    }
}
