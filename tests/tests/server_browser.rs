//! The district server in a real browser: Debian's headless Chromium (driven by Debian's chromedriver)
//! opens the admin dashboard and the visitor self-registration page of a real `district-server`
//! process at 1280×800 and 390×844. The enrollment QR and the poster QR are read back from
//! screenshots by sync-core's scanner and used (a device enrolls with the code; the visitor opens the
//! poster's URL); the visitor form is submitted with a bad mobile number first (its inline error must
//! be on screen), then corrected; the pass QR on the screenshot must verify as a VisitorDay pass
//! against the key set the server gives an enrolled device. The patrol page shows the demo's route,
//! and the point labels read back from the printed sheet verify as points of the demo compound;
//! the incidents page lists the demo's incidents; the handbook page renders the starter handbook;
//! the notices, one notice's receipts, the staff accounts and the duty report show the demo's; the
//! hourly chart fits the phone's width; the anomalies page shows the demo's fever case, the records
//! page its visitors, one visitor's timeline leads to its contacts; the dashboard's "residents out"
//! leads to who they are; a resident's edit form masks the phone; the accounts page lists the
//! demo team. A compound manager
//! (one per size) is made to wait after four wrong passwords, then sees only their compound and
//! signs its day off with the typed figures.
//!
//! With `CHECKPOINT_SCREENSHOTS=DIR` the screenshots are also written to `DIR/server-*.png`
//! (`cargo xtask screenshots` does that for docs/screenshots/).

mod browser_register;
mod browser_team;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure};
use checkpoint_tests::server_proc::{admin, another_enrollment_code, server_bin, ServerProc};
use checkpoint_tests::webdriver::{Browser, BrowserOptions, Driver, WAIT};
use chrono::Utc;
use district_server::demo::demo_residents;
use serde_json::json;
use sync_core::pass::{verify, KeySet, PassKind, Revocations};
use sync_core::patrol::PointCheck;
use sync_core::protocol::{EnrollRequest, EnrollResponse, KeySetResponse};
use sync_core::scan::{LumaFrame, Scanner};

const ADMIN_PASSWORD: &str = "test-admin-password"; // what `server_proc::admin` sets
const DESKTOP: Size = Size {
    name: "desktop",
    width: 1280,
    height: 800,
    mobile: false,
};
const PHONE: Size = Size {
    name: "phone",
    width: 390,
    height: 844,
    mobile: true,
};

#[derive(Debug, Clone, Copy)]
struct Size {
    name: &'static str,
    width: u32,
    height: u32,
    mobile: bool,
}

/// Where screenshots go when asked for (`CHECKPOINT_SCREENSHOTS`).
struct Shots(Option<PathBuf>);

impl Shots {
    fn save(&self, name: &str, png: &[u8]) -> anyhow::Result<()> {
        if let Some(dir) = &self.0 {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("server-{name}.png")), png)?;
        }
        Ok(())
    }
}

/// Every QR text the scanner finds in a PNG screenshot.
fn scan_png(png: &[u8]) -> anyhow::Result<Vec<String>> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)?.to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let frame = LumaFrame::new(w, h, w, img.as_raw())?;
    Ok(Scanner::default()
        .scan(&frame)
        .reads
        .into_iter()
        .map(|r| r.text)
        .collect())
}

fn one_read(png: &[u8], what: &str) -> anyhow::Result<String> {
    let reads = scan_png(png)?;
    match reads.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!("expected one QR code in the {what} screenshot, the scanner read {reads:?}"),
    }
}

fn open<'d>(driver: &'d Driver, dir: &Path, size: Size) -> anyhow::Result<Browser<'d>> {
    let profile = dir.join(format!("profile-{}", size.name));
    std::fs::create_dir_all(&profile)?;
    let b = driver.browser(&BrowserOptions::desktop(&profile))?;
    b.viewport(size.width, size.height, size.mobile)?;
    Ok(b)
}

/// Check the page fits the viewport's width, then photograph it.
fn shoot(b: &Browser<'_>, shots: &Shots, size: Size, page: &str) -> anyhow::Result<Vec<u8>> {
    let overflow = b.horizontal_overflow()?;
    ensure!(
        overflow <= 0,
        "{page} at {}x{} is {overflow} px wider than the screen",
        size.width,
        size.height
    );
    let png = b.screenshot()?;
    let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)?;
    ensure!(
        (img.width(), img.height()) == (size.width, size.height),
        "{page}: screenshot is {}x{}, expected {}x{}",
        img.width(),
        img.height(),
        size.width,
        size.height
    );
    shots.save(&format!("{page}-{}", size.name), &png)?;
    Ok(png)
}

fn login(b: &Browser<'_>, base: &str) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin"))?;
    ensure!(
        b.url()?.contains("/admin/login"),
        "the dashboard must ask for a login first, it is at {}",
        b.url()?
    );
    b.type_into("input[name=username]", "admin")?;
    b.type_into("input[name=password]", ADMIN_PASSWORD)?;
    b.click("main form button")?;
    b.find("#total-in", WAIT)?;
    Ok(())
}

/// The admin pages at one size: dashboard with the seeded numbers, report, residents (masked), devices.
fn admin_pages(b: &Browser<'_>, base: &str, shots: &Shots, size: Size) -> anyhow::Result<()> {
    login(b, base)?;
    let total_in: u64 = b.text("#total-in")?.trim().parse()?;
    ensure!(total_in > 0, "the seeded district shows no passages in");
    let bars = b.js(
        "return [...document.querySelectorAll('svg rect')].filter(r => +r.getAttribute('height') > 0).length",
        json!([]),
    )?;
    ensure!(bars.as_u64() > Some(0), "the hourly chart has no bars");
    let chart_overflow = b.js(
        "const w = document.querySelector('.chart-wrap'); return w.scrollWidth - w.clientWidth",
        json!([]),
    )?;
    ensure!(
        chart_overflow.as_i64() <= Some(0),
        "the hourly chart scrolls sideways at {} px: {chart_overflow}",
        size.width
    );
    shoot(b, shots, size, "dashboard")?;

    b.goto(&format!("{base}/admin/report"))?;
    let report = b.text("main")?;
    ensure!(report.contains("一单式日报"), "report page: {report}");
    shoot(b, shots, size, "report")?;

    b.goto(&format!("{base}/admin/residents"))?;
    b.find("table", WAIT)?;
    let page = b.text("body")?;
    for r in demo_residents() {
        ensure!(
            !page.contains(&r.id_number) && !page.contains(&r.phone),
            "the residents list shows an unmasked ID number or phone of {}",
            r.name
        );
    }
    ensure!(
        page.contains("***********"),
        "no masked ID numbers on the list"
    );
    shoot(b, shots, size, "residents")?;

    b.goto(&format!("{base}/admin/devices"))?;
    let devices = b.text("table")?;
    ensure!(devices.contains("demo-phone-1"), "devices: {devices}");
    shoot(b, shots, size, "devices")?;

    b.goto(&format!("{base}/admin/patrol?compound=c1"))?;
    b.find(".timeline", WAIT)?;
    ensure!(
        b.text("main")?.contains("围墙一圈 Fence line"),
        "the demo route on the patrol page"
    );
    shoot(b, shots, size, "patrol")?;

    b.goto(&format!("{base}/admin/incidents"))?;
    b.find("#incidents", WAIT)?;
    ensure!(
        b.text("#incidents")?.contains("访客体温38.4℃"),
        "the demo's urgent incident on the incidents page"
    );
    shoot(b, shots, size, "incidents")?;

    b.goto(&format!("{base}/admin/handbook"))?;
    b.find("#section-disinfection table", WAIT)?;
    shoot(b, shots, size, "handbook")?;
    b.goto(&format!("{base}/admin/anomalies"))?;
    b.find("#anomalies-c1", WAIT)?;
    ensure!(
        b.text("#anomalies-c1 .fever")?.contains("cp-east"),
        "the demo's fever case on the anomalies page"
    );
    shoot(b, shots, size, "anomalies")?;
    b.goto(&format!("{base}/admin/records?compound=c1&kind=visitor"))?;
    b.find("#records", WAIT)?;
    ensure!(
        b.text("#records")?.contains("访客"),
        "the demo's visitors on the records page"
    );
    shoot(b, shots, size, "records")?;
    b.click("#records a")?;
    b.find("#contacts-link", WAIT)?;
    b.click("#contacts-link")?;
    b.find("#contacts", WAIT)?;
    shoot(b, shots, size, "contacts")?;
    b.goto(&format!("{base}/admin"))?;
    b.click("#residents-out")?;
    b.find("#inside", WAIT)?;
    shoot(b, shots, size, "inside")?;
    b.goto(&format!("{base}/admin/residents"))?;
    b.click("a.edit-resident")?;
    b.find("#edit-resident", WAIT)?;
    let phone = b.js(
        "return document.querySelector('#edit-resident input[name=phone]').placeholder",
        serde_json::json!([]),
    )?;
    ensure!(
        phone.as_str().is_some_and(|p| p.contains("****"))
            && b.value("#edit-resident input[name=phone]")?.is_empty(),
        "the phone is masked on the edit form: {phone}"
    );
    shoot(b, shots, size, "resident-edit")?;
    b.goto(&format!("{base}/admin/accounts"))?;
    ensure!(
        b.text("main")?.contains("manager-c1"),
        "the demo team on the accounts page"
    );
    shoot(b, shots, size, "accounts")?;
    notices_and_duty(b, base, shots, size)
}

/// The notices (the demo's district-wide notice, not acknowledged anywhere yet), one notice's
/// receipts, the staff accounts and the monthly duty report (the demo's sign-on at the north gate).
fn notices_and_duty(b: &Browser<'_>, base: &str, shots: &Shots, size: Size) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin/notices"))?;
    b.find("#notices", WAIT)?;
    ensure!(
        b.text("#notices")?.contains("48小时核酸"),
        "the demo's notice on the notices page"
    );
    shoot(b, shots, size, "notices")?;
    b.goto(&format!("{base}/admin/notices/nt-demo-visitors"))?;
    b.find("#receipts-by-checkpoint", WAIT)?;
    ensure!(
        b.text("#receipts-by-checkpoint")?.contains("未确认"),
        "no checkpoint has acknowledged the demo notice"
    );
    shoot(b, shots, size, "notice")?;
    b.goto(&format!("{base}/admin/staff"))?;
    b.find("#staff", WAIT)?;
    ensure!(b.text("#staff")?.contains("刘志愿者"), "the demo's staff");
    shoot(b, shots, size, "staff")?;
    b.goto(&format!("{base}/admin/duty"))?;
    b.find("#duty", WAIT)?;
    ensure!(
        b.text("#duty")?.contains("刘志愿者"),
        "the demo's sign-on in this month's duty report"
    );
    shoot(b, shots, size, "duty")?;
    residents_phones(b, base, shots, size)
}

/// Residents' phones in the admin web: the health check-in page with the demo's flagged
/// check-in to follow up; the household's mobile page (passes, who checked in, the check-in
/// form) and the invited visitor's page, as a phone shows them.
fn residents_phones(b: &Browser<'_>, base: &str, shots: &Shots, size: Size) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin/health?compound=c1"))?;
    b.find("#health-flagged", WAIT)?;
    ensure!(
        b.text("#health-flagged")?.contains("咳嗽"),
        "the demo's flagged check-in on the follow-up list"
    );
    shoot(b, shots, size, "health")?;
    let token = district_server::demo::DEMO_HOUSEHOLD_TOKEN;
    b.goto(&format!("{base}/h/{token}"))?;
    b.find("#web-checkin", WAIT)?;
    ensure!(
        b.text("body")?.contains("今日已打卡"),
        "the demo household's check-in on its page"
    );
    shoot(b, shots, size, "household-page")?;
    b.goto(&format!("{base}/v/demo-invitation"))?;
    b.find("#invited-pass svg", WAIT)?;
    shoot(b, shots, size, "invitation-page")?;
    Ok(())
}

/// The patrol setup page and the label sheet: every label's QR, read back from the screenshot,
/// verifies offline as a point of the demo compound.
fn patrol_labels(
    b: &Browser<'_>,
    base: &str,
    shots: &Shots,
    keys: &KeySetResponse,
    key_set: &KeySet,
) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin/patrol/setup?compound=c1"))?;
    b.find("#route-form", WAIT)?;
    shoot(b, shots, DESKTOP, "patrol-setup")?;
    b.goto(&format!("{base}/admin/patrol/labels?compound=c1"))?;
    b.find(".label svg", WAIT)?;
    let png = shoot(b, shots, DESKTOP, "patrol-labels")?;
    let check = PointCheck {
        keys: key_set,
        district_id: &keys.district_id,
        compound_id: "c1",
    };
    let points: Vec<String> = scan_png(&png)?
        .iter()
        .map(|payload| check.verify(payload).map(|p| p.name))
        .collect::<Result<_, _>>()?;
    ensure!(
        !points.is_empty(),
        "no point label could be read from the sheet"
    );
    Ok(())
}

/// Create an enrollment code on the checkpoints page, read its QR from the screenshot and enroll a
/// device with it; returns the key set the server gives that device.
fn enroll_from_screen(
    b: &Browser<'_>,
    base: &str,
    shots: &Shots,
    size: Size,
) -> anyhow::Result<KeySetResponse> {
    b.goto(&format!("{base}/admin/checkpoints"))?;
    shoot(b, shots, size, "checkpoints")?;
    b.click("form[action='/admin/checkpoints/cp-east/enroll'] button")?;
    b.find("#enroll-qr svg", WAIT)?;
    let code = b.text("#enroll-code")?;
    let qr_width = b.width_of("#enroll-qr svg")?;
    ensure!(
        qr_width >= 250.0,
        "the enrollment QR is only {qr_width} px wide"
    );
    let png = shoot(b, shots, size, "enroll-code")?;
    let payload: serde_json::Value = serde_json::from_str(&one_read(&png, "enrollment")?)?;
    ensure!(
        payload["code"].as_str() == Some(code.trim()) && payload["server"].as_str() == Some(base),
        "enrollment QR {payload} does not match the code {code:?} on screen"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let http = reqwest::Client::new();
        let enrolled: EnrollResponse = http
            .post(format!("{base}/api/v1/enroll"))
            .json(&EnrollRequest {
                code: code.trim().to_owned(),
                device_id: "browser-test-phone".into(),
                label: "browser test".into(),
            })
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let keys: KeySetResponse = http
            .get(format!("{base}/api/v1/keys"))
            .bearer_auth(&enrolled.device_token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(keys)
    })
}

/// The printable card sheets: the residents' pass QRs on screen verify with the server's keys.
fn card_sheet(
    b: &Browser<'_>,
    base: &str,
    shots: &Shots,
    keys: &KeySetResponse,
    key_set: &KeySet,
) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin/cards"))?;
    b.find("svg", WAIT)?;
    let png = shoot(b, shots, DESKTOP, "cards")?;
    let reads = scan_png(&png)?;
    ensure!(
        !reads.is_empty(),
        "no pass QR could be read from the card sheet"
    );
    for payload in reads {
        let v = verify(
            &payload,
            key_set,
            &Revocations::default(),
            &keys.district_id,
            Utc::now(),
            Some(0),
        );
        let kind = v.pass.as_ref().map(|p| p.kind);
        ensure!(
            v.verdict.is_valid()
                && matches!(
                    kind,
                    Some(PassKind::Resident | PassKind::Vehicle | PassKind::Staff)
                ),
            "a card on the sheet verifies as {:?} ({kind:?})",
            v.verdict
        );
    }
    Ok(())
}

#[test]
fn dashboard_and_self_registration_in_headless_chromium() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let db_file = tmp.path().join("district.db");
    let db = format!("sqlite:{}", db_file.display());
    let seeded = Command::new(server_bin()?)
        .args(["--db", &db, "demo-seed"])
        .env("RUST_LOG", "warn")
        .output()?;
    ensure!(
        seeded.status.success(),
        "demo-seed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    admin(&db, &["set-password"])?;
    // An unused code from the CLI stays unused: only the one read from the screen enrolls.
    another_enrollment_code(&db, "cp-east")?;
    let server = ServerProc::start(&db, &tmp.path().join("server.log"))?;
    let base = server.url();
    let shots = Shots(std::env::var_os("CHECKPOINT_SCREENSHOTS").map(PathBuf::from));
    let driver = Driver::start()?;

    let desktop = open(&driver, tmp.path(), DESKTOP)?;
    admin_pages(&desktop, &base, &shots, DESKTOP)?;
    let keys = enroll_from_screen(&desktop, &base, &shots, DESKTOP)?;
    let key_set = KeySet::from_records(&keys.keys)?;
    card_sheet(&desktop, &base, &shots, &keys, &key_set)?;
    patrol_labels(&desktop, &base, &shots, &keys, &key_set)?;
    let register_url = browser_register::poster_url(&desktop, &base, &shots)?;
    ensure!(
        register_url == format!("{base}/register/cp-east"),
        "the poster QR says {register_url}"
    );
    let mut issued = vec![browser_register::register(
        &desktop,
        &register_url,
        &db_file,
        &shots,
        DESKTOP,
        "王五",
    )?];
    browser_team::manager_signs_off(&desktop, &base, &shots, DESKTOP, ("manager-c1", "和平小区"))?;
    drop(desktop);

    let phone = open(&driver, tmp.path(), PHONE)?;
    issued.push(browser_register::register(
        &phone,
        &register_url,
        &db_file,
        &shots,
        PHONE,
        "李四",
    )?);
    admin_pages(&phone, &base, &shots, PHONE)?;
    browser_team::manager_signs_off(&phone, &base, &shots, PHONE, ("manager-c2", "阳光小区"))?;
    drop(phone);

    browser_register::issued_passes_verify(&issued, &["王五", "李四"], &keys, &key_set)
}
