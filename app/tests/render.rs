//! Static renders of every screen (no display): each shows its own content in the chosen language,
//! with PII masked and accessible labels present.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap too

use checkpoint_app::scenes::{render_scene, seed_ledger, SCENES};
use checkpoint_app::services::Services;
use sync_core::i18n::Lang;

fn services() -> (tempfile::TempDir, tokio::runtime::Runtime, Services) {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = Services::open(dir.path().join("ledger.db"), rt.handle().clone()).unwrap();
    seed_ledger(&mut s.ledger().unwrap()).unwrap();
    (dir, rt, s)
}

#[test]
fn every_screen_renders_in_both_languages() {
    let (_d, _rt, s) = services();
    let expect: &[(&str, &str, &str)] = &[
        ("enroll", "本机登记", "Enroll this device"),
        ("scan", "手工录入", "Type instead"),
        ("verdict-green", "请通行", "Admitted"),
        ("verdict-red", "通行证已注销", "Pass revoked"),
        (
            "verdict-amber",
            "已登记，无需重复扫码",
            "Already registered",
        ),
        (
            "verdict-other-compound",
            "非本小区通行证（和平小区）",
            "Pass for another compound",
        ),
        ("verdict-typed", "请核对证件", "Check the card"),
        ("verdict-visitor", "已核实被访户", "Host confirmed"),
        ("verdict-fever", "体温异常", "Send to the observation point"),
        (
            "verdict-invited",
            "已预约 · 邀请人 3-2-401",
            "Invited by 3-2-401",
        ),
        (
            "verdict-not-checked-in",
            "今日未打卡",
            "Not checked in today",
        ),
        ("vehicle", "车辆登记", "Vehicle"),
        ("visitor", "访客登记", "Visitor"),
        ("records", "今日记录", "Today&#39;s records"),
        ("patrol", "巡查点：", "Patrol point: "),
        ("incident", "可疑车辆", "Suspicious vehicle"),
        ("status", "同步与状态", "Sync &#38; status"),
        ("settings", "发热阈值", "Fever threshold"),
        (
            "handbook",
            "含氯消毒液 500 mg/L",
            "chlorine disinfectant 500 mg/L",
        ),
        (
            "handbook-list",
            "测温与登记",
            "Temperature and registration",
        ),
        ("notices", "✓ 已读", "✓ read"),
        ("notice-urgent", "已阅，确认", "I have read it"),
        ("duty", "在岗，自", "On duty since"),
        ("my-pass", "有效期至", "Valid until"),
        (
            "my-pass-revoked",
            "此通行证已被注销",
            "This pass was revoked",
        ),
        ("checkin", "今日已打卡", "Checked in today"),
        ("invite", "到达", "arrived"),
        ("add-pass", "添加通行证", "Add a pass"),
        (
            "locked",
            "本机已被街道停用",
            "This device has been disabled",
        ),
    ];
    assert_eq!(expect.len(), SCENES.len());
    for (scene, zh, en) in expect {
        let html_zh = render_scene(&s, scene, Lang::ZhCn);
        let html_en = render_scene(&s, scene, Lang::En);
        assert!(html_zh.contains(zh), "{scene} zh-CN lacks {zh}");
        assert!(html_en.contains(en), "{scene} en lacks {en}");
        assert!(
            !html_en.contains(zh) || zh.is_ascii(),
            "{scene}: Chinese text left in the English screen"
        );
    }
}

#[test]
fn status_bar_shows_pending_and_offline_banner() {
    let (_d, _rt, s) = services();
    let html = render_scene(&s, "scan", Lang::En);
    assert!(html.contains("id=\"pending-count\""), "{html}");
    assert!(html.contains("⇡ 12"), "12 seeded passages are pending");
    assert!(html.contains("id=\"offline-banner\""));
    assert!(html.contains("aria-label=\"Camera viewfinder"));
    let online = render_scene(&s, "vehicle", Lang::En);
    assert!(!online.contains("offline-banner"));
}

#[test]
fn records_mask_pii_and_show_upload_state() {
    let (_d, _rt, s) = services();
    let html = render_scene(&s, "records", Lang::En);
    assert!(html.contains("110***********002X"), "ID masked");
    assert!(!html.contains("11010519491231002X"), "full ID never shown");
    assert!(html.contains("138****56"), "phone masked");
    assert!(!html.contains("13812345"), "full phone never shown");
    assert!(html.contains("pending"));
    assert!(html.contains("revoked"), "the denied passage says why");
}

/// The 上报 button is in the tab bar of every staff screen (in thumb reach); the form has its parts.
#[test]
fn the_incident_report_opens_from_every_staff_screen() {
    let (_d, _rt, s) = services();
    for scene in SCENES {
        let html = render_scene(&s, scene, Lang::ZhCn);
        let staff_screen = !matches!(
            scene,
            "enroll" | "my-pass" | "my-pass-revoked" | "checkin" | "invite" | "add-pass"
        );
        assert_eq!(
            html.contains("id=\"incident-open\""),
            staff_screen,
            "{scene}: the report button"
        );
        if staff_screen {
            assert!(html.contains(">上报<"), "{scene}");
            assert!(html.contains("href=\"/incident\""), "{scene}");
        }
    }
    let html = render_scene(&s, "incident", Lang::En);
    for id in [
        "incident-category-fever",
        "incident-category-refused_registration",
        "incident-category-other",
        "incident-urgent",
        "incident-note",
        "incident-photo",
        "incident-photo-count",
        "incident-submit",
        "incident-list",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{id} missing: {html}"
        );
    }
    assert!(html.contains(">Report<"), "the tab bar's button");
    assert!(html.contains(">Send report<"), "the form's own button");
    assert!(html.contains("Mark as urgent") || html.contains("Urgent ✓"));
    assert!(html.contains("Urgent ✓"), "the scene's report is urgent");
    assert!(
        html.contains("白色面包车在东门外停了半小时"),
        "the note typed"
    );
    assert!(html.contains("Photos 0/3"));
    // The one reported earlier, waiting to upload.
    assert!(html.contains("Supplies running out"));
    assert!(html.contains("waiting to upload"));
    assert!(!html.contains("id=\"incident-error\""));
}

/// The handbook opens from Settings, lists its sections as big buttons and shows the open one as
/// HTML, with the raw HTML in its text shown as text.
#[test]
fn the_handbook_opens_from_settings_and_reads_offline() {
    let (_d, _rt, s) = services();
    let settings = render_scene(&s, "settings", Lang::En);
    assert!(settings.contains("id=\"handbook-open\""), "{settings}");
    assert!(settings.contains("href=\"/handbook\""));
    assert!(settings.contains("Handbook"));

    let list = render_scene(&s, "handbook-list", Lang::ZhCn);
    for id in [
        "handbook-search",
        "handbook-list",
        "handbook-section-temperature",
        "handbook-section-disinfection",
    ] {
        assert!(
            list.contains(&format!("id=\"{id}\"")),
            "{id} missing: {list}"
        );
    }
    assert!(list.contains("岗亭消毒"));
    assert!(
        list.find("测温与登记") < list.find("岗亭消毒"),
        "handbook order"
    );
    assert!(!list.contains("handbook-empty") && !list.contains("id=\"handbook-section\""));

    let html = render_scene(&s, "handbook", Lang::En);
    for id in ["handbook-back", "handbook-title", "handbook-section"] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{id} missing: {html}"
        );
    }
    assert!(html.contains("Disinfecting the booth"));
    assert!(
        html.contains("<h2>Every day</h2>"),
        "Markdown rendered: {html}"
    );
    assert!(html.contains("<table>") && html.contains("<td>Lift buttons</td>"));
    assert!(html.contains("<blockquote>"));
    assert!(!html.contains("<script>alert"), "raw HTML never runs");
    assert!(html.contains("&lt;script&gt;"), "it is shown as text");
    assert!(!html.contains("id=\"handbook-list\""), "the list is closed");
}

#[test]
fn visitor_error_is_inline_and_accessible() {
    let (_d, _rt, s) = services();
    let html = render_scene(&s, "visitor", Lang::ZhCn);
    assert!(html.contains("手机号应为以13–19开头的11位数字"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("id=\"visitor-phone-error\""));
    assert!(html.contains("role=\"alert\""));
}

#[test]
fn resident_pass_is_a_real_qr() {
    let (_d, _rt, s) = services();
    let html = render_scene(&s, "my-pass", Lang::En);
    assert!(html.contains("<svg"), "QR drawn");
    assert!(html.contains("Turn screen brightness up"));
    assert!(html.contains("京A12345"), "the vehicle pass is held too");
}

/// A damaged ledger file does not stop the app: it opens on a new ledger and the enrollment screen
/// says, in both languages, that the old file was kept and where.
#[test]
fn a_damaged_ledger_opens_a_recovery_note_instead_of_exiting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = Services::open(&path, rt.handle().clone()).expect("opens anyway");
    assert!(!s.is_enrolled());
    let kept = s.ledger().unwrap().recovered().unwrap().kept_at;
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        vec![0x42u8; 8192],
        "kept untouched"
    );
    let en = render_scene(&s, "enroll", Lang::En);
    assert!(en.contains("id=\"ledger-recovered\""), "{en}");
    assert!(en.contains(&kept.display().to_string()));
    assert!(en.contains("enroll it again"));
    let zh = render_scene(&s, "enroll", Lang::ZhCn);
    assert!(zh.contains("原文件已完整保留"));
}

/// A phone whose last pull of keys and revocations was days ago says so on the scan screen.
#[test]
fn an_old_revocation_list_is_shown_on_the_scan_screen() {
    let (_d, _rt, s) = services();
    let fresh = render_scene(&s, "scan", Lang::En);
    assert!(
        !fresh.contains("revocations-age"),
        "never pulled and not enrolled: no banner"
    );
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(30);
    s.ledger()
        .unwrap()
        .set_setting(sync_core::sync::SETTING_TRUST_PULLED_AT, &long_ago)
        .unwrap();
    let html = render_scene(&s, "scan", Lang::En);
    assert!(html.contains("id=\"revocations-age\""), "{html}");
    assert!(html.contains("Revocation list 30 h old"), "{html}");
}

/// The field layouts in both languages: the visitor form's required fields with their keypads and
/// the fold for optional ones, the theme choices (light, following the phone, by default), the
/// spoken-verdict switch, and a sync screen that does not call a failed contact "online".
#[test]
fn field_layouts_render_in_both_languages() {
    let (_d, _rt, s) = services();
    for (lang, more, theme, speak, offline) in [
        (Lang::ZhCn, "更多（选填）", "日落后深色", "语音播报", "离线"),
        (
            Lang::En,
            "More (optional)",
            "Dark after sunset",
            "Spoken verdict",
            "Offline",
        ),
    ] {
        let visitor = render_scene(&s, "visitor", lang);
        assert!(visitor.contains(more), "{visitor}");
        assert!(visitor.contains("id=\"visitor-phone\"") && visitor.contains("inputmode=\"tel\""));
        assert!(
            visitor.contains("class=\"app auto\""),
            "the theme follows the phone by default"
        );
        let settings = render_scene(&s, "settings", lang);
        assert!(
            settings.contains(theme) && settings.contains(speak),
            "{settings}"
        );
        assert!(settings.contains("id=\"speak-on\""));
        let status = render_scene(&s, "status", lang);
        assert!(
            status.contains(&format!("id=\"sync-online\">{offline}<")),
            "{status}"
        );
    }
}
