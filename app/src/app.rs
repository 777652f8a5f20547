//! The root component: provides the shared state, applies theme and language, and mounts the router.

use std::rc::Rc;

use dioxus::prelude::*;

use crate::ctx::{provide, Ctx};
use crate::route::Route;
use crate::services::Services;
use crate::state::theme::{theme_class, Theme};

/// The stylesheet, inlined so desktop, mobile, browser and static renders look the same.
pub const CSS: &str = include_str!("../../assets/main.css");

/// Prepares the shared state before the first render (screenshots and render tests).
#[derive(Clone)]
pub struct Seed(pub Rc<dyn Fn(Ctx)>);

impl PartialEq for Seed {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Props, Clone, PartialEq)]
pub struct RootProps {
    pub services: Services,
    /// Start at this path with an in-memory history (static renders); `None` uses the platform's history.
    #[props(default)]
    pub start_path: Option<String>,
    #[props(default)]
    pub seed: Option<Seed>,
}

#[allow(non_snake_case)]
pub fn Root(props: RootProps) -> Element {
    let ctx = use_hook(|| {
        let ctx = provide(&props.services);
        if let Some(seed) = &props.seed {
            (seed.0)(ctx);
        }
        ctx
    });
    // "Dark after sunset" is looked at again every minute.
    let mut minute = use_signal(|| 0u32);
    use_future(move || async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            if ctx.prefs.peek().theme == Theme::Sunset {
                minute += 1;
            }
        }
    });
    let prefs = ctx.prefs.read();
    let offset = crate::flows::district_offset(&props.services).local_minus_utc() / 60;
    let _tick = minute.read();
    let theme = theme_class(prefs.theme, chrono::Utc::now(), offset);
    let lang = prefs.lang.code();
    let router = match props.start_path.clone() {
        Some(path) => rsx! {
            dioxus::router::components::HistoryProvider {
                history: move |_| Rc::new(dioxus::history::MemoryHistory::with_initial_path(path.clone())) as Rc<dyn dioxus::history::History>,
                Router::<Route> {}
            }
        },
        None => rsx! { Router::<Route> {} },
    };
    rsx! {
        document::Meta { name: "viewport", content: "width=device-width, initial-scale=1, viewport-fit=cover" }
        style { {CSS} }
        div { class: theme, lang: lang, {router} }
    }
}
