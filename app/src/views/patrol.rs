//! The patrol (巡查) screen: the round due next, the round being walked (scan a point's label,
//! then tap 正常 or 有问题), the problem form with a photo, finishing, and rounds waiting to upload.

use chrono::{DateTime, FixedOffset, Utc};
use dioxus::prelude::*;
use sync_core::i18n::{Lang, Localized};
use sync_core::patrol::PointOutcome;

use crate::components::camera::{take_still, CameraView, CodeRead};
use crate::ctx::{use_ctx, use_lang, use_services};
use crate::flows::{self, district_offset};
use crate::state::patrol::{ActiveRound, PatrolAction, PatrolState};
use crate::text::tr;

/// How often the round due next is recomputed while the screen is open.
const TICK: std::time::Duration = std::time::Duration::from_secs(20);

#[component]
pub fn Patrol() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let services = use_services();
    let mut patrol = ctx.patrol;
    // Routes, rounds waiting to upload and a round to resume: on opening, then whenever the
    // pending count moves (a step stored, an upload acknowledged).
    let pending = use_memo(move || ctx.status.read().sync.status.pending);
    let svc = services.clone();
    use_effect(move || {
        let _ = pending();
        flows::patrol::refresh(ctx, &svc);
    });
    use_future(move || async move {
        loop {
            tokio::time::sleep(TICK).await;
            patrol.write().reduce(PatrolAction::Tick(Utc::now()));
        }
    });
    let svc = services.clone();
    let act = use_callback(move |a: PatrolAction| flows::patrol::act(ctx, &svc, a));
    let svc = services.clone();
    let start = use_callback(move |route_id: String| flows::patrol::start(ctx, &svc, route_id));
    let svc = services.clone();
    let photo = use_callback(move |()| {
        act.call(PatrolAction::TakingPhoto);
        let svc = svc.clone();
        spawn(async move {
            let taken = take_still().await;
            flows::patrol::still(ctx, &svc, taken);
        });
    });
    let svc = services.clone();
    let on_code = move |read: CodeRead| flows::patrol::code(ctx, &svc, &read.text);

    let s = patrol.read().clone();
    let offset = district_offset(&services);
    let paused = s.problem.is_some() || s.confirm_missing.is_some();
    rsx! {
        section { class: "patrol", aria_label: tr(lang, "巡查", "Patrol"),
            h1 { {tr(lang, "巡查", "Patrol")} }
            if let Some(n) = s.notice.clone() {
                div { class: "row", id: "patrol-notice",
                    p { class: if n.is_error() { "error" } else { "ok" },
                        role: if n.is_error() { "alert" } else { "status" },
                        style: "flex: 1; font-size: 20px;",
                        "{n.message(lang)}"
                    }
                    button { r#type: "button", class: "secondary",
                        onclick: move |_| act.call(PatrolAction::Dismiss),
                        {tr(lang, "知道了", "OK")}
                    }
                }
            }
            if let Some(round) = s.round.clone() {
                {round_head(lang, &round, offset)}
                CameraView { on_code, paused }
                {point_step(lang, &s, act, photo)}
                {point_list(lang, &round)}
                {finish(lang, &s, &round, act)}
            } else {
                {idle(lang, &s, offset, start)}
                CameraView { on_code, paused }
            }
            {waiting(lang, &s, offset)}
        }
    }
}

fn hm(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset).format("%H:%M").to_string()
}

/// No round running: the round due next, a point scanned first, every route.
fn idle(lang: Lang, s: &PatrolState, offset: FixedOffset, start: Callback<String>) -> Element {
    if s.routes.is_empty() {
        return rsx! {
            p { class: "empty", id: "patrol-no-routes",
                {tr(lang, "本岗尚未配置巡查路线（同步后更新）", "No patrol route for this checkpoint yet (updated by sync)")}
            }
        };
    }
    let now = Utc::now();
    let offers = s
        .scanned
        .as_ref()
        .map(|p| (p.name.clone(), s.routes_with(&p.point_id)));
    rsx! {
        if let Some(due) = s.next.clone() {
            div { class: "matches", id: "patrol-due",
                h2 { {tr(lang, "下一轮", "Next round")} }
                p { style: "font-size: 22px; font-weight: 800; margin: 4px 0;", "{due.route_name}" }
                p { class: if due.window.contains(now) { "notice" } else { "hint" },
                    if due.window.contains(now) {
                        {tr(lang, "进行中，截止 ", "Open now, due by ")} "{hm(due.window.end, offset)}"
                    } else {
                        "{hm(due.window.start, offset)}–{hm(due.window.end, offset)}"
                    }
                }
                button { class: "wide primary big", r#type: "button", id: "patrol-start-due",
                    onclick: move |_| start.call(due.route_id.clone()),
                    {tr(lang, "开始巡查", "Start round")}
                }
            }
        }
        if let Some((name, routes)) = offers {
            div { class: "matches", id: "patrol-scanned", role: "dialog",
                h2 { {tr(lang, "巡查点：", "Patrol point: ")} "{name}" }
                for r in routes.into_iter().cloned() {
                    button { class: "wide primary big", r#type: "button",
                        onclick: move |_| start.call(r.route_id.clone()),
                        {tr(lang, "开始巡查：", "Start round: ")} "{r.name}"
                    }
                }
            }
        }
        p { class: "hint", {tr(lang, "扫巡查点标签，或选择路线开始：", "Scan a point's label, or pick a route to start:")} }
        for r in s.routes.iter().cloned() {
            button { class: "wide secondary", r#type: "button", id: "patrol-start-{r.route_id}",
                onclick: move |_| start.call(r.route_id.clone()),
                "{r.name}"
                span { class: "hint", " · {r.points.len()}" {tr(lang, " 个点", " points")} }
            }
        }
    }
}

/// The round's route, deadline and progress.
fn round_head(lang: Lang, round: &ActiveRound, offset: FixedOffset) -> Element {
    let done = round.done_count();
    let total = round.route.points.len();
    let late = round.window.is_some_and(|w| Utc::now() >= w.end);
    rsx! {
        div { class: "row", style: "justify-content: space-between; flex-wrap: wrap;", id: "patrol-round",
            strong { style: "font-size: 22px;", "{round.route.name}" }
            span { id: "patrol-progress", {tr(lang, "已查 ", "Checked ")} strong { "{done}/{total}" } }
        }
        p { class: if late { "notice" } else { "hint" },
            match round.window {
                Some(w) if late => rsx! { {tr(lang, "已过截止时间 ", "Past its deadline ")} "{hm(w.end, offset)}" },
                Some(w) => rsx! { {tr(lang, "截止 ", "Due by ")} "{hm(w.end, offset)}" },
                None => rsx! { {tr(lang, "不在排班时段内（按时间归档）", "Outside the schedule (filed by its time)")} },
            }
        }
    }
}

/// The point just scanned: 正常 / 有问题, or the problem form.
fn point_step(
    lang: Lang,
    s: &PatrolState,
    act: Callback<PatrolAction>,
    photo: Callback<()>,
) -> Element {
    let Some(point) = s.awaiting() else {
        return rsx! {
            p { class: "hint", style: "font-size: 20px;", {tr(lang, "请扫下一个巡查点的标签", "Scan the next point's label")} }
        };
    };
    let name = point.name.clone();
    let Some(form) = s.problem.clone() else {
        return rsx! {
            div { class: "matches", id: "patrol-awaiting",
                h2 { {tr(lang, "巡查点：", "Patrol point: ")} "{name}" }
                div { class: "row",
                    button { class: "primary big", r#type: "button", id: "patrol-normal",
                        style: "flex: 1;",
                        onclick: move |_| act.call(PatrolAction::Normal),
                        {PointOutcome::Normal.label(lang)}
                    }
                    button { class: "danger big", r#type: "button", id: "patrol-problem",
                        style: "flex: 1;",
                        onclick: move |_| act.call(PatrolAction::Problem),
                        {PointOutcome::Problem.label(lang)}
                    }
                }
            }
        };
    };
    rsx! {
        form { class: "matches", id: "patrol-problem-form",
            onsubmit: move |e| { e.prevent_default(); act.call(PatrolAction::SubmitProblem); },
            h2 { {PointOutcome::Problem.label(lang)} "：{name}" }
            label { r#for: "patrol-note", class: "hint", {tr(lang, "问题说明（或拍照）", "What is wrong (or take a photo)")} }
            textarea { id: "patrol-note", rows: "3", maxlength: "500",
                value: "{form.note}",
                oninput: move |e| act.call(PatrolAction::NoteInput(e.value())),
            }
            if form.photo.is_some() {
                div { class: "row",
                    p { class: "ok", style: "flex: 1;", id: "patrol-photo-taken", {tr(lang, "已拍照 ✓", "Photo taken ✓")} }
                    button { class: "secondary", r#type: "button",
                        onclick: move |_| act.call(PatrolAction::RemovePhoto),
                        {tr(lang, "删除照片", "Remove photo")}
                    }
                }
            } else {
                button { class: "wide secondary big", r#type: "button", id: "patrol-photo", disabled: form.taking_photo,
                    onclick: move |_| photo.call(()),
                    if form.taking_photo { {tr(lang, "正在拍照…", "Taking photo…")} } else { {tr(lang, "拍照", "Take photo")} }
                }
            }
            button { class: "wide primary big", r#type: "submit", id: "patrol-submit-problem",
                {tr(lang, "记录问题", "Record problem")}
            }
            button { class: "wide secondary", r#type: "button",
                onclick: move |_| act.call(PatrolAction::CancelProblem),
                {tr(lang, "取消", "Cancel")}
            }
        }
    }
}

/// The route's points, in order, with how each was found on this round.
fn point_list(lang: Lang, round: &ActiveRound) -> Element {
    rsx! {
        ul { class: "list", id: "patrol-points",
            for (i, p) in round.route.points.iter().enumerate() {
                li { key: "{p.point_id}",
                    div { class: "rec-main",
                        span { class: "rec-time", "{i + 1}" }
                        span { class: "rec-title", style: "flex: 1;", "{p.name}" }
                        match round.outcome_of(&p.point_id) {
                            Some(PointOutcome::Normal) => rsx! { span { class: "up done", {PointOutcome::Normal.label(lang)} } },
                            Some(PointOutcome::Problem) => rsx! { span { class: "up rejected", {PointOutcome::Problem.label(lang)} } },
                            None => rsx! { span { class: "up", {tr(lang, "未查", "Not checked")} } },
                        }
                    }
                }
            }
        }
    }
}

/// Finish the round; with points missing, staff confirm first (recorded as partial).
fn finish(
    lang: Lang,
    s: &PatrolState,
    round: &ActiveRound,
    act: Callback<PatrolAction>,
) -> Element {
    let Some(missing) = s.confirm_missing.clone() else {
        return rsx! {
            button { class: "wide secondary big", r#type: "button", id: "patrol-finish",
                onclick: move |_| act.call(PatrolAction::Finish),
                {tr(lang, "结束本轮", "Finish round")}
            }
        };
    };
    let names: Vec<String> = missing
        .iter()
        .map(|id| {
            round
                .route
                .points
                .iter()
                .find(|p| &p.point_id == id)
                .map_or_else(|| id.clone(), |p| p.name.clone())
        })
        .collect();
    let count = names.len();
    let list = names.join(lang_sep(lang));
    rsx! {
        div { class: "matches", id: "patrol-confirm", role: "dialog",
            h2 { {tr(lang, "还有未查的巡查点", "Points not checked")} }
            p { class: "notice", "{count} · {list}" }
            p { {tr(lang, "确认结束？本轮将记为漏查。", "Finish anyway? The round is recorded as partial.")} }
            button { class: "wide danger big", r#type: "button", id: "patrol-confirm-finish",
                onclick: move |_| act.call(PatrolAction::ConfirmFinish),
                {tr(lang, "确认结束", "Finish as partial")}
            }
            button { class: "wide secondary", r#type: "button",
                onclick: move |_| act.call(PatrolAction::CancelFinish),
                {tr(lang, "继续巡查", "Keep patrolling")}
            }
        }
    }
}

fn lang_sep(lang: Lang) -> &'static str {
    tr(lang, "、", ", ")
}

/// Rounds with steps not yet on the district server.
fn waiting(lang: Lang, s: &PatrolState, offset: FixedOffset) -> Element {
    if s.waiting.is_empty() {
        return rsx! {};
    }
    rsx! {
        h2 { {tr(lang, "待上传的巡查", "Rounds waiting to upload")} }
        ul { class: "list", id: "patrol-waiting",
            for (w, at) in s.waiting.iter().cloned().map(|w| { let at = w.started_at.with_timezone(&offset).format("%m-%d %H:%M").to_string(); (w, at) }) {
                li { key: "{w.round_id}",
                    div { class: "rec-main",
                        span { class: "rec-time", "{at}" }
                        span { class: "rec-title", "{w.route_name}" }
                    }
                    div { class: "rec-sub",
                        span {
                            if w.finished { {tr(lang, "已结束", "finished")} } else { {tr(lang, "未结束", "not finished")} }
                        }
                        span { class: "up pending", {tr(lang, "待上传 ", "pending ")} "{w.pending}/{w.steps}" }
                    }
                }
            }
        }
    }
}
