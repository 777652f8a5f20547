//! End-to-end test of the app in a real browser against a real district server: Debian's headless
//! Chromium (driven by Debian's chromedriver) at 390×844 with a fake camera playing Y4M clips of
//! passes the server really issued, the app served by `checkpoint-liveview`, and `district-server`
//! on loopback. Enrollment, keys and revocations come from the server through the sync engine;
//! a patrol round is walked offline from printed point labels and seen on the district's page;
//! an urgent incident reported offline with a photo arrives once; a handbook section published
//! in the admin web is read on the phone with the server stopped; a resident's own phone holds its
//! household's passes, checks in offline and invites a visitor the gate admits.
//!
//! Also measures frame capture → verdict on screen and writes `target/bench/app.json`.
//! Needs apt `chromium chromium-driver`; says so and fails when they are missing.

#![cfg(feature = "liveview")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap too

mod camera;
mod district;
mod duty;
mod field;
mod handbook;
mod household;
mod incident;
mod notices;
mod patrol;
mod resident;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::{DenyReason, Ledger, Passage, Subject, Verdict};

use checkpoint_tests::webdriver::{Browser, BrowserOptions, Driver};

const WAIT: Duration = Duration::from_secs(60);

/// Kills its process when dropped (the test never leaves a server behind).
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serve the app on a free loopback port; returns its base URL.
fn serve(ledger: &Path) -> (Reaped, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkpoint-liveview"))
        .env("CHECKPOINT_LISTEN", "127.0.0.1:0")
        .env("CHECKPOINT_LEDGER", ledger)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().replace("/home", "");
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (Reaped(child), url)
}

/// A phone browser (390×844) whose camera shows `frame` (an empty view when `None`), at `path`.
fn phone_at<'d>(
    driver: &'d Driver,
    dir: &Path,
    tag: &str,
    frame: Option<&[u8]>,
    url: &str,
) -> Browser<'d> {
    let clip = dir.join(format!("{tag}.y4m"));
    match frame {
        Some(y) => camera::write_clip(&clip, &[(y, 10)]).unwrap(),
        None => camera::write_y4m(None, &clip).unwrap(),
    }
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(
            &clip,
            &dir.join(format!("profile-{tag}")),
        ))
        .unwrap();
    b.goto(url).unwrap();
    b
}

fn passages(path: &Path) -> Vec<Passage> {
    Ledger::open_read_only(path)
        .and_then(|l| l.passages_after(0, 1000))
        .unwrap_or_default()
}

fn wait_until<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pass_id(p: &Passage) -> &str {
    match &p.body.subject {
        Subject::Resident { pass_id, .. } => pass_id,
        _ => "",
    }
}

/// What the verdict screen showed for a code in front of the camera.
#[derive(Debug)]
struct Shown {
    outcome: String,
    who: String,
    detail: String,
}

/// Open a fresh browser whose camera shows `payload`, on the scan screen, and read the verdict.
/// The code stays in view afterwards: the caller checks that no second passage appears.
fn show<'d>(
    driver: &'d Driver,
    dir: &Path,
    app: &str,
    tag: &str,
    payload: &str,
) -> (Browser<'d>, Shown) {
    let video = dir.join(format!("{tag}.y4m"));
    camera::write_y4m(Some(payload), &video).unwrap();
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(
            &video,
            &dir.join(format!("profile-{tag}")),
        ))
        .unwrap();
    b.goto(&format!("{app}/scan")).unwrap();
    b.find("#verdict", WAIT)
        .unwrap_or_else(|e| panic!("no verdict for the {tag} pass: {e}"));
    let outcome = b
        .js(
            "return document.querySelector('#verdict').dataset.outcome",
            json!([]),
        )
        .unwrap();
    let shown = Shown {
        outcome: outcome.as_str().unwrap_or_default().to_owned(),
        who: b.text(".verdict-who").unwrap(),
        detail: b.text("#verdict-detail").unwrap(),
    };
    (b, shown)
}

/// Frame-to-verdict times the page recorded (ms), once the verdict has been painted.
fn latencies(b: &Browser) -> Vec<f64> {
    let v = b
        .wait_js(
            "a latency sample",
            "return (window.__cpLatencies || []).length > 0 && window.__cpLatencies",
            json!([]),
            Duration::from_secs(10),
        )
        .unwrap();
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
        .unwrap_or_default()
}

fn sync_now(b: &Browser, app: &str) {
    b.goto(&format!("{app}/status")).unwrap();
    b.click("#sync-now").unwrap();
}

/// Every device passage is on the server exactly once (same ids, same sequence numbers).
fn assert_on_server_exactly_once(district: &district::District, ledger: &Path) {
    let device = Ledger::open_read_only(ledger).unwrap();
    let device_id = device.device_id().to_owned();
    let mine = device.passages_after(0, 1000).unwrap();
    let stored = wait_until("the server to hold every passage", WAIT, || {
        let s = checkpoint_tests::server_proc::stored_for_device(&district.sqlite, &device_id)
            .unwrap_or_default();
        (s.len() >= mine.len()).then_some(s)
    });
    let server: Vec<(u64, String)> = stored
        .into_iter()
        .map(|(seq, id, _, _)| (seq, id))
        .collect();
    let expected: Vec<(u64, String)> = mine
        .iter()
        .map(|p| (p.body.seq, p.body.id.to_string()))
        .collect();
    assert_eq!(server, expected, "server rows vs device passages");
}

#[test]
fn app_against_a_real_district_server_enroll_scan_sync_revoke_forge_visitor_offline() {
    let dir = tempfile::tempdir().unwrap();
    let mut district = district::start(dir.path()).unwrap();
    let ledger = dir.path().join("device.db");
    let (_app, app) = serve(&ledger);
    let driver = Driver::start().unwrap();
    let blank = dir.path().join("blank.y4m");
    camera::write_y4m(None, &blank).unwrap();
    let mut samples: Vec<f64> = Vec::new();

    // 1. The administrator opens an enrollment code in the dashboard; its QR, as the screen shows it,
    //    goes in front of the phone's camera.
    let admin = driver
        .browser(&BrowserOptions::phone_with_camera(
            &blank,
            &dir.path().join("profile-admin"),
        ))
        .unwrap();
    district::log_in(&admin, &district.server.url()).unwrap();
    let qr_png = district::dashboard_enrollment_qr(&admin, &district.server.url()).unwrap();
    let enroll_clip = dir.path().join("enroll.y4m");
    let qr_frame = camera::luma_from_png(&qr_png).unwrap();
    camera::write_clip(&enroll_clip, &[(&qr_frame, 10)]).unwrap();
    {
        let b = driver
            .browser(&BrowserOptions::phone_with_camera(
                &enroll_clip,
                &dir.path().join("profile-enroll"),
            ))
            .unwrap();
        b.goto(&format!("{app}/home")).unwrap();
        b.find("#enroll-server", WAIT).unwrap();
        // A mistyped code: the server refuses, the reason shows, nothing is enrolled.
        b.fill("#enroll-server", &district.server.url()).unwrap();
        b.fill("#enroll-code", "WRONG-CODE").unwrap();
        b.click("#enroll-submit").unwrap();
        b.find("#enroll-error", WAIT).unwrap();
        assert!(!b.text("#enroll-error").unwrap().trim().is_empty());
        let token: Option<String> = Ledger::open_read_only(&ledger)
            .unwrap()
            .setting("device_token")
            .unwrap();
        assert_eq!(token, None, "a refused code enrolls nothing");
        // Scan the dashboard's QR: enrolled; then gate and staff name.
        b.click("#enroll-scan").unwrap();
        b.find("#enroll-staff", WAIT).unwrap();
        b.fill("#enroll-staff", "王师傅").unwrap();
        b.click("#enroll-finish").unwrap();
        b.find("#dir-in", WAIT).unwrap();
    }
    let district_id: String = {
        let l = Ledger::open_read_only(&ledger).unwrap();
        assert!(
            !l.key_set().unwrap().is_empty(),
            "the district keys came with the first sync"
        );
        l.setting("district_id").unwrap().unwrap()
    };

    // 2. A pass the server issued, in front of the camera: green, with the holder's name, durable.
    let p1 = &district.passes[0];
    let (b, shown) = show(&driver, dir.path(), &app, "valid", &p1.payload);
    assert_eq!(shown.outcome, "green", "{shown:?}");
    assert!(shown.who.contains(&p1.name), "{shown:?}");
    let stored = passages(&ledger);
    assert_eq!(
        stored.len(),
        1,
        "green only after the passage is in the ledger"
    );
    assert_eq!(pass_id(&stored[0]), p1.pass_id);
    assert_eq!(stored[0].body.verdict, Verdict::Admitted);
    samples.extend(latencies(&b));
    // The code stays in view: no second passage.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(passages(&ledger).len(), 1, "duplicate window");

    // 3. Sync now: the passage is on the server, exactly once (even after another round).
    sync_now(&b, &app);
    b.wait_text("#sync-pending", "0", WAIT).unwrap();
    assert_on_server_exactly_once(&district, &ledger);
    b.click("#sync-now").unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert_on_server_exactly_once(&district, &ledger);

    // 4. Revoke a pass in the dashboard; the revocation reaches the app through sync; red with the reason.
    let p2 = &district.passes[1];
    district::revoke_in_dashboard(&admin, &district.server.url(), p2).unwrap();
    sync_now(&b, &app);
    wait_until("the revocation on the device", WAIT, || {
        let l = Ledger::open_read_only(&ledger).ok()?;
        let r = l.revocations().ok()?;
        r.iter().any(|r| r.pass_id == p2.pass_id).then_some(())
    });
    drop(b);
    let (b, shown) = show(&driver, dir.path(), &app, "revoked", &p2.payload);
    let revoked = Verdict::Denied {
        reason: DenyReason::Revoked,
    };
    assert_eq!(shown.outcome, "red", "{shown:?}");
    assert_eq!(
        shown.detail,
        sync_core::pass::PassVerdict::Revoked.message(Lang::ZhCn),
        "{shown:?}"
    );
    samples.extend(latencies(&b));
    let last = passages(&ledger).pop().unwrap();
    assert_eq!(pass_id(&last), p2.pass_id);
    assert_eq!(last.body.verdict, revoked);
    drop(b);

    // 5. A forged pass: right district and format, signed with a key the district never had.
    let forger = DistrictSigner::generate(&district_id).unwrap();
    let now = Utc::now();
    let forged = forger
        .sign(&PassBody {
            kind: PassKind::Resident,
            pass_id: "R999999".into(),
            serial: 1,
            district_id: district_id.clone(),
            compound_id: district::COMPOUND.into(),
            household: "9-9-999".into(),
            display_name: "伪造者".into(),
            plate: None,
            valid_from: now - chrono::Duration::days(1),
            valid_until: now + chrono::Duration::days(30),
        })
        .unwrap();
    let (b, shown) = show(&driver, dir.path(), &app, "forged", &forged);
    assert_eq!(shown.outcome, "red", "{shown:?}");
    samples.extend(latencies(&b));
    let last = passages(&ledger).pop().unwrap();
    assert!(!last.body.verdict.is_admitted(), "{last:?}");
    drop(b);

    // 5b. A genuine pass of the district's other compound: red, naming that compound.
    let (b, shown) = show(
        &driver,
        dir.path(),
        &app,
        "other-compound",
        &district.other.payload,
    );
    assert_eq!(shown.outcome, "red", "{shown:?}");
    assert!(
        shown.detail.contains("非本小区通行证") && shown.detail.contains("和平小区"),
        "{shown:?}"
    );
    let last = passages(&ledger).pop().unwrap();
    let other = DenyReason::WrongCompound;
    assert_eq!(last.body.verdict, Verdict::Denied { reason: other });
    drop(b);

    // 5c. The revoked pass's id typed by hand: the roster says revoked, red (no way round the QR).
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(
            &blank,
            &dir.path().join("profile-typed"),
        ))
        .unwrap();
    b.goto(&format!("{app}/scan")).unwrap();
    b.click("#open-manual").unwrap();
    b.click("#manual-kind-pass").unwrap();
    b.fill("#manual-entry", &p2.pass_id).unwrap();
    b.click("#manual-go").unwrap();
    b.find("#verdict", WAIT).unwrap();
    let outcome = b
        .js(
            "return document.querySelector('#verdict').dataset.outcome",
            json!([]),
        )
        .unwrap();
    assert_eq!(outcome, json!("red"));
    assert_eq!(
        b.text("#verdict-detail").unwrap(),
        DenyReason::Revoked.message(Lang::ZhCn)
    );
    let last = passages(&ledger).pop().unwrap();
    assert_eq!(
        (pass_id(&last), last.body.verdict),
        (p2.pass_id.as_str(), revoked)
    );
    drop(b);

    // 5d. A visitor's self-registration day pass: the visitor verdict, nothing stored until the host
    //     tap; "host confirmed" stores the admitted visitor.
    let day_pass =
        district::visitor_day_pass(&admin, &district.server.url(), &district.sqlite).unwrap();
    let before_visitor = passages(&ledger).len();
    let (b, shown) = show(&driver, dir.path(), &app, "visitor-pass", &day_pass);
    assert_eq!(shown.outcome, "visitor", "{shown:?}");
    assert!(shown.detail.contains("3-1-401"), "{shown:?}");
    assert_eq!(
        passages(&ledger).len(),
        before_visitor,
        "nothing before the host tap"
    );
    b.click("#host-confirm").unwrap();
    let confirmed = wait_until("the confirmed visitor", WAIT, || {
        passages(&ledger).into_iter().nth(before_visitor)
    });
    assert!(confirmed.body.verdict.is_admitted());
    assert!(
        matches!(confirmed.body.subject, Subject::Visitor { .. }),
        "{confirmed:?}"
    );
    drop(b);

    // 6. A visitor through the form: it fits one screen on two phone sizes; an invalid phone shows
    //    its error and stores nothing; fixed, admitted, and the verdict spoken.
    for size in [(390, 844), (360, 640)] {
        field::visitor_form_fits(&driver, dir.path(), &app, &blank, size);
    }
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(
            &blank,
            &dir.path().join("profile-visitor"),
        ))
        .unwrap();
    b.goto(&format!("{app}/visitor")).unwrap();
    b.click("#visitor-more").unwrap();
    for (field, value) in [
        ("#visitor-name", "周访客"),
        ("#visitor-phone", "12345"),
        ("#visitor-host", "3-1-401"),
        ("#visitor-reason", "探亲"),
        ("#visitor-temp", "36.5"),
    ] {
        b.fill(field, value).unwrap();
    }
    let before = passages(&ledger).len();
    b.click("#visitor-submit").unwrap();
    let phone_error = sync_core::validate::validate_phone("12345")
        .unwrap_err()
        .message(Lang::ZhCn);
    b.wait_text("#visitor-phone-error", &phone_error, WAIT)
        .unwrap();
    let kept = b
        .js(
            "return document.querySelector('#visitor-name').value",
            json!([]),
        )
        .unwrap();
    assert_eq!(kept, json!("周访客"), "nothing typed is lost");
    assert_eq!(
        passages(&ledger).len(),
        before,
        "an invalid form stores nothing"
    );
    b.fill("#visitor-phone", "13912345678").unwrap();
    // What the phone would say aloud (the page's speech synthesis, watched).
    b.js(
        "window.__spoken = []; window.speechSynthesis.speak = u => window.__spoken.push([u.text, u.lang]);",
        json!([]),
    )
    .unwrap();
    b.click("#visitor-submit").unwrap();
    b.find("#verdict", WAIT).unwrap();
    let spoken = b
        .wait_js(
            "the spoken verdict",
            "return window.__spoken.length > 0 && window.__spoken",
            json!([]),
            WAIT,
        )
        .unwrap();
    assert_eq!(spoken, json!([["请通行", "zh-CN"]]));
    // Once per verdict: the countdown's ticks (every 250 ms) do not say it again.
    std::thread::sleep(Duration::from_millis(1200));
    let spoken = b.js("return window.__spoken", json!([])).unwrap();
    assert_eq!(spoken, json!([["请通行", "zh-CN"]]), "spoken once");
    let visitor = wait_until("the visitor passage", WAIT, || {
        passages(&ledger).into_iter().nth(before)
    });
    assert!(
        matches!(&visitor.body.subject, Subject::Visitor { name, .. } if name == "周访客"),
        "{visitor:?}"
    );
    assert!(visitor.body.verdict.is_admitted());
    // The same visitor again: the phone number offers the last visit, one tap fills the form.
    b.goto(&format!("{app}/visitor")).unwrap();
    b.fill("#visitor-phone", "13912345678").unwrap();
    b.wait_text("#visitor-returning", "3-1-401", WAIT).unwrap();
    b.click("#visitor-returning").unwrap();
    b.wait_js(
        "the form filled in",
        "return document.querySelector('#visitor-name').value === '周访客'
           && document.querySelector('#visitor-reason').value === '探亲'",
        json!([]),
        WAIT,
    )
    .unwrap();
    drop(b);

    // 7. Once everything so far is uploaded, the server goes away: passages are still admitted,
    //    the offline banner shows...
    wait_until("the visitor passage to upload", WAIT, || {
        let l = Ledger::open_read_only(&ledger).ok()?;
        (l.upload_summary().ok()?.pending == 0).then_some(())
    });
    district.server.kill();
    let mut offline_ids = Vec::new();
    for (i, p) in district.passes[2..4].iter().enumerate() {
        let (b, shown) = show(
            &driver,
            dir.path(),
            &app,
            &format!("offline-{i}"),
            &p.payload,
        );
        assert_eq!(shown.outcome, "green", "offline: {shown:?}");
        samples.extend(latencies(&b));
        b.find("#offline-banner", WAIT).unwrap();
        offline_ids.push(p.pass_id.clone());
    }
    let pending = Ledger::open_read_only(&ledger)
        .unwrap()
        .upload_summary()
        .unwrap()
        .pending;
    assert_eq!(pending, 2, "both offline passages wait for upload");
    // ...and after the server is back, everything uploads, exactly once.
    district.server.restart().unwrap();
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(
            &blank,
            &dir.path().join("profile-back"),
        ))
        .unwrap();
    sync_now(&b, &app);
    b.wait_text("#sync-pending", "0", WAIT).unwrap();
    assert_eq!(
        b.text("#offline-banner").unwrap(),
        "",
        "banner gone once online"
    );
    assert_on_server_exactly_once(&district, &ledger);
    let all = passages(&ledger);
    for id in &offline_ids {
        assert_eq!(all.iter().filter(|p| pass_id(p) == id).count(), 1, "{id}");
    }
    Ledger::open_read_only(&ledger).unwrap().verify().unwrap();

    // 7b. A patrol round walked offline by scanning printed point labels (patrol.rs).
    patrol::walk_a_round(&driver, dir.path(), &app, &ledger, &mut district, &admin);

    // 7c. An urgent incident reported offline with a photo (incident.rs).
    incident::report_offline(&driver, dir.path(), &app, &ledger, &mut district, &admin);

    // 7d. A handbook section published in the admin web, read on the phone with the server away.
    handbook::read_offline(&driver, dir.path(), &app, &ledger, &mut district, &admin);

    // 7e. An urgent notice takes the phone's screen until acknowledged; the receipt reaches the
    //     notice's page (notices.rs).
    notices::urgent_takes_the_screen(&driver, dir.path(), &app, &ledger, &district, &admin);

    // 7f. Two staff members take turns on duty; each passage carries the one on duty (duty.rs).
    duty::two_staff_take_turns(&driver, dir.path(), &app, &ledger, &district, &admin);

    // 7g. A resident's own phone takes the household letter's link (household.rs).
    household::resident_phone_holds_the_pass(&driver, dir.path(), &mut district, &admin);

    // 7h. Check-in required: 未打卡 at the gate, a check-in made offline on the resident's phone,
    //     uploaded once, 今日已打卡 after the gate's sync; an invited visitor admitted without the
    //     host tap and seen arriving on the resident's phone (resident.rs).
    resident::checks_in_and_invites(&driver, dir.path(), &app, &ledger, &mut district, &admin);

    // 8. The phone is lost: the administrator disables it; at its next contact it locks its gate
    //    screens and deletes what it already uploaded.
    let device_id = Ledger::open_read_only(&ledger)
        .unwrap()
        .device_id()
        .to_owned();
    district::disable_in_dashboard(&admin, &district.server.url(), &device_id).unwrap();
    sync_now(&b, &app);
    wait_until("the device to lock", WAIT, || {
        let l = Ledger::open_read_only(&ledger).ok()?;
        l.disabled_at().ok().flatten()
    });
    b.goto(&format!("{app}/scan")).unwrap();
    b.find("#device-locked", WAIT).unwrap();
    assert!(b
        .text("#device-locked")
        .unwrap()
        .contains("本机已被街道停用"));
    assert_eq!(
        passages(&ledger).len(),
        0,
        "uploaded passages and their personal data deleted"
    );
    drop(b);

    camera::report_latency(&samples).unwrap();
}
