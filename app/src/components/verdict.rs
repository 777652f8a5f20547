//! The full-screen verdict overlay: colour, who and why, a countdown, and the beep/vibration per outcome.

use std::time::{Duration, Instant};

use dioxus::prelude::*;

use crate::components::icon::Icon;
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows;
use crate::state::gate::GateAction;
use crate::state::verdict::{
    direction_label, kind_label, Feedback, Headline, Outcome, VerdictAction,
};
use crate::text::tr;
use sync_core::i18n::Lang;

/// JS that speaks the verdict through the platform's speech synthesis, where there is one
/// (the words are from [`Outcome::spoken`]; a verdict still speaking is cut short by the next).
fn speech_js(outcome: Outcome, lang: Lang) -> String {
    let (words, tag) = outcome.spoken(lang);
    format!(
        "try {{ const s = window.speechSynthesis; if (s && window.SpeechSynthesisUtterance) {{
           s.cancel(); const u = new SpeechSynthesisUtterance('{words}'); u.lang = '{tag}'; u.rate = 1.1;
           s.speak(u); }} }} catch (e) {{}}"
    )
}

/// JS that plays the tones and vibration pattern (silently skipped where unsupported).
fn feedback_js(f: Feedback) -> String {
    let tones: Vec<String> = f
        .tones
        .iter()
        .map(|(hz, ms)| format!("[{hz},{ms}]"))
        .collect();
    let vib: Vec<String> = f.vibrate.iter().map(u32::to_string).collect();
    format!(
        "try {{ if (navigator.vibrate) navigator.vibrate([{}]); }} catch (e) {{}}
         try {{ const C = window.AudioContext || window.webkitAudioContext; if (C) {{
           const a = window.__cpAudio || (window.__cpAudio = new C());
           if (a.state === 'suspended') a.resume(); let t = a.currentTime;
           for (const [hz, ms] of [{}]) {{ if (hz > 0) {{ const o = a.createOscillator(), g = a.createGain();
             o.frequency.value = hz; g.gain.value = 0.4; o.connect(g); g.connect(a.destination);
             o.start(t); o.stop(t + ms / 1000); }} t += ms / 1000; }} }} }} catch (e) {{}}",
        vib.join(","),
        tones.join(",")
    )
}

/// JS run once: the first tap anywhere creates or resumes the audio context, so the first
/// verdict's tone is not lost where a browser starts audio suspended until a gesture.
const AUDIO_UNLOCK_JS: &str = "if (!window.__cpUnlock) { window.__cpUnlock = true;
  document.addEventListener('pointerdown', () => { try {
    const C = window.AudioContext || window.webkitAudioContext; if (!C) return;
    const a = window.__cpAudio || (window.__cpAudio = new C());
    if (a.state === 'suspended') a.resume(); } catch (e) {} }, { capture: true }); }";

#[component]
pub fn VerdictOverlay() -> Element {
    use_hook(|| {
        let _ = document::eval(AUDIO_UNLOCK_JS);
    });
    let lang = use_lang();
    let ctx = use_ctx();
    let mut verdict = ctx.verdict;
    let mut gate = ctx.gate;

    // Auto-dismiss: tick while a verdict is up.
    use_future(move || async move {
        loop {
            dioxus_sleep(Duration::from_millis(250)).await;
            if verdict.peek().current.is_some() {
                verdict.write().reduce(VerdictAction::Tick(Instant::now()));
                if verdict.peek().current.is_none() {
                    gate.write().reduce(GateAction::VerdictClosed);
                }
            }
        }
    });
    // Sound and vibration, once per verdict (not on the countdown's ticks), and the spoken
    // verdict when switched on.
    let played = use_hook(|| std::rc::Rc::new(std::cell::Cell::new(0u64)));
    use_effect(move || {
        let state = verdict.read();
        if let Some(outcome) = state.feedback_due(played.get()) {
            played.set(state.serial);
            let _ = document::eval(&feedback_js(outcome.feedback()));
            let prefs = ctx.prefs.peek();
            if prefs.speak {
                let _ = document::eval(&speech_js(outcome, prefs.lang));
            }
        }
    });

    let state = verdict.read();
    let Some(v) = state.current.clone() else {
        return rsx! {};
    };
    let left = state.seconds_left(Instant::now());
    let frame_t: Option<String> = (*ctx.frame_t.read()).map(|t| format!("{t:.0}"));
    let seq = v.seq.map(|s| format!("#{s}")).unwrap_or_default();
    let waiting = v.headline == Headline::Visitor;
    let services = use_services();
    let decide = move |confirmed: bool| {
        let services = services.clone();
        move |e: Event<MouseData>| {
            e.stop_propagation();
            flows::host_decision(ctx, &services, confirmed);
        }
    };
    rsx! {
        div {
            class: "verdict {v.outcome.css()}",
            id: "verdict",
            role: "alertdialog",
            aria_live: "assertive",
            "data-outcome": v.outcome.css(),
            "data-headline": "{v.headline.mark()}",
            "data-frame-t": frame_t,
            onclick: move |_| {
                // A visitor waits for an answer: a stray tap does not close it.
                if !waiting {
                    verdict.write().reduce(VerdictAction::Dismiss);
                    gate.write().reduce(GateAction::VerdictClosed);
                }
            },
            div { class: "verdict-badges",
                span { class: "badge kind", id: "verdict-kind", {kind_label(v.kind, lang)} }
                if let Some(d) = v.direction {
                    span { class: "badge dir", id: "verdict-direction", {direction_label(d, lang)} }
                }
            }
            div { class: "verdict-mark", aria_hidden: "true",
                Icon { name: v.headline.mark() }
            }
            h1 { class: "verdict-title", "{v.title(lang)}" }
            if !v.who.is_empty() {
                p { class: "verdict-who", "{v.who}" }
            }
            p { class: "verdict-detail", id: "verdict-detail", "{v.detail(lang)}" }
            if waiting {
                div { class: "row verdict-actions",
                    button { class: "wide confirm", r#type: "button", id: "host-confirm",
                        onclick: decide(true),
                        {tr(lang, "已核实被访户", "Host confirmed")}
                    }
                    button { class: "wide refuse", r#type: "button", id: "host-refuse",
                        onclick: decide(false),
                        {tr(lang, "拒绝", "Refuse")}
                    }
                }
            } else {
                p { class: "verdict-foot",
                    "{seq} · "
                    {tr(lang, "轻触继续", "Tap to continue")}
                    " ({left})"
                }
            }
        }
    }
}

async fn dioxus_sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spoken_verdict_is_the_short_word_in_the_ui_language() {
        let js = speech_js(Outcome::Red, Lang::ZhCn);
        assert!(js.contains("'禁止通行'") && js.contains("'zh-CN'"), "{js}");
        assert!(speech_js(Outcome::Green, Lang::ZhCn).contains("'请通行'"));
        assert!(speech_js(Outcome::Amber, Lang::ZhCn).contains("'请核实'"));
        assert!(speech_js(Outcome::Visitor, Lang::En).contains("'Please check'"));
        assert!(js.contains("window.speechSynthesis"), "feature-detected");
    }
}
