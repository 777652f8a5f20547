//! The district side of the end-to-end test: a real `district-server` process on loopback with
//! residents imported through its CLI (real signed passes), its admin dashboard, and what it stored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use checkpoint_tests::server_proc::{admin, enrollment_code, ServerProc};
use sync_core::validate::IdNumber;

use checkpoint_tests::webdriver::Browser;

pub const CHECKPOINT: &str = "cp-e2e";
pub const COMPOUND: &str = "c-test";
/// A second compound of the same district: its passes are genuine but not for this gate.
pub const OTHER_COMPOUND: &str = "c-other";
/// Set by `checkpoint_tests::server_proc::admin` on every admin command.
const ADMIN_PASSWORD: &str = "test-admin-password";

/// A pass the server issued, read back from its database.
#[derive(Debug, Clone)]
pub struct IssuedPass {
    pub pass_id: String,
    pub serial: u32,
    pub name: String,
    pub payload: String,
}

pub struct District {
    pub server: ServerProc,
    pub sqlite: PathBuf,
    /// Resident passes of this gate's compound.
    pub passes: Vec<IssuedPass>,
    /// A resident pass of the other compound.
    pub other: IssuedPass,
}

/// A valid resident ID number (real check digit) for test resident `i`.
fn id_number(i: usize) -> String {
    let first17 = format!("11010519900101{:03}", 100 + i);
    let check = IdNumber::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

const NAMES: [&str; 5] = ["张小明", "李华", "王芳", "赵强", "陈静"];

/// Set up the district with the server's own CLI (checkpoint, admin, resident import), then serve it.
pub fn start(dir: &Path) -> anyhow::Result<District> {
    let sqlite = dir.join("district.db");
    let db = format!("sqlite:{}", sqlite.display());
    // Creates the compound and checkpoint; the test takes its own code from the dashboard.
    enrollment_code(&db, CHECKPOINT)?;
    admin(&db, &["set-password", "--username", "admin"])?;
    let csv: String = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                "{name},{},1381234{:04},3,{},{}01\n",
                id_number(i),
                i,
                1 + i % 2,
                4 + i
            )
        })
        .collect();
    let csv_path = dir.join("residents.csv");
    std::fs::write(
        &csv_path,
        format!("name,id_number,phone,building,unit,room\n{csv}"),
    )?;
    let out = admin(
        &db,
        &[
            "import-residents",
            COMPOUND,
            &csv_path.display().to_string(),
        ],
    )?;
    anyhow::ensure!(out.contains("issued"), "import said: {out}");
    admin(&db, &["compound", OTHER_COMPOUND, "和平小区"])?;
    let other_csv = dir.join("other.csv");
    std::fs::write(
        &other_csv,
        format!(
            "name,id_number,phone,building,unit,room\n周邻居,{},13812349999,8,1,201\n",
            id_number(90)
        ),
    )?;
    admin(
        &db,
        &[
            "import-residents",
            OTHER_COMPOUND,
            &other_csv.display().to_string(),
        ],
    )?;
    let other = issued_passes(&sqlite, OTHER_COMPOUND)?
        .pop()
        .context("no pass for the other compound")?;
    let passes = issued_passes(&sqlite, COMPOUND)?;
    anyhow::ensure!(
        passes.len() >= NAMES.len(),
        "the server issued {} passes for {} residents",
        passes.len(),
        NAMES.len()
    );
    let server = ServerProc::start(&db, &dir.join("server.log"))?;
    Ok(District {
        server,
        sqlite,
        passes,
        other,
    })
}

/// Live resident passes of `compound` as the server stored them (payload = the printed card's QR).
fn issued_passes(sqlite: &Path, compound: &str) -> anyhow::Result<Vec<IssuedPass>> {
    let conn =
        rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT pass_id, serial, display_name, payload FROM passes
         WHERE revoked_at_ms IS NULL AND plate IS NULL AND compound_id = ?1 ORDER BY pass_id",
    )?;
    let rows = stmt.query_map([compound], |r| {
        Ok(IssuedPass {
            pass_id: r.get(0)?,
            serial: r.get::<_, i64>(1)? as u32,
            name: r.get(2)?,
            payload: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Log in to the dashboard as the administrator.
pub fn log_in(b: &Browser, server: &str) -> anyhow::Result<()> {
    b.goto(&format!("{server}/admin/login"))?;
    b.fill("input[name=username]", "admin")?;
    b.fill("input[name=password]", ADMIN_PASSWORD)?;
    b.click("form[action='/admin/login'] button")?;
    b.wait_js(
        "the dashboard after login",
        "return location.pathname === '/admin'",
        serde_json::json!([]),
        Duration::from_secs(20),
    )?;
    Ok(())
}

/// Press "Enrollment code" for the checkpoint in the dashboard; returns a screenshot of the QR it shows.
pub fn dashboard_enrollment_qr(b: &Browser, server: &str) -> anyhow::Result<Vec<u8>> {
    b.goto(&format!("{server}/admin/checkpoints"))?;
    b.click(&format!(
        "form[action='/admin/checkpoints/{CHECKPOINT}/enroll'] button"
    ))?;
    b.find("#enroll-code", Duration::from_secs(20))?;
    b.element_png("svg")
}

/// Revoke a pass the way an administrator does: press its revoke button in the dashboard.
pub fn revoke_in_dashboard(b: &Browser, server: &str, pass: &IssuedPass) -> anyhow::Result<()> {
    b.goto(&format!("{server}/admin/residents"))?;
    let button = format!(
        "form[action='/admin/passes/{}/{}/revoke'] button",
        pass.pass_id, pass.serial
    );
    b.click(&button)?;
    b.wait_js(
        "the revoke button to go (pass revoked)",
        "return location.pathname === '/admin/residents' && document.querySelector(arguments[0]) === null",
        serde_json::json!([button]),
        Duration::from_secs(20),
    )
    .context("revoking in the dashboard")?;
    Ok(())
}

/// A visitor registers on the server's public form (host household of this compound) in a browser;
/// returns the day pass's QR payload as the server stored it.
pub fn visitor_day_pass(b: &Browser, server: &str, sqlite: &Path) -> anyhow::Result<String> {
    b.goto(&format!("{server}/register/{CHECKPOINT}"))?;
    for (field, value) in [
        ("#f-name", "孙访客"),
        ("#f-phone", "13712340000"),
        ("#f-host_household", "3-1-401"),
        ("#f-reason", "探亲"),
    ] {
        b.fill(field, value)?;
    }
    b.click("#submit")?;
    b.find("#pass-qr svg", Duration::from_secs(20))
        .context("the visitor day pass page")?;
    let conn =
        rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row(
        "SELECT payload FROM visitor_passes ORDER BY issued_at_ms DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?)
}

/// Disable the device on the devices page, as an administrator does (tick, then press).
pub fn disable_in_dashboard(b: &Browser, server: &str, device_id: &str) -> anyhow::Result<()> {
    b.goto(&format!("{server}/admin/devices"))?;
    let form = "form[action='/admin/devices/disable']";
    b.js(
        "const f = [...document.querySelectorAll(arguments[0])]
            .find(f => f.querySelector('input[name=device_id]').value === arguments[1]);
         f.querySelector('input[name=confirm]').checked = true;
         f.querySelector('button').click();",
        serde_json::json!([form, device_id]),
    )?;
    b.wait_js(
        "the device shown as disabled",
        "return document.body.innerText.includes('已停用 disabled')",
        serde_json::json!([]),
        Duration::from_secs(20),
    )
    .context("disabling in the dashboard")?;
    Ok(())
}

/// The first column of the first row of `sql` on the server's database (-1 when unreadable).
pub fn count(sqlite: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(-1)
}

/// The first column of the first row, as text (None when there is no row).
pub fn text(sqlite: &Path, sql: &str, param: &str) -> Option<String> {
    rusqlite::Connection::open_with_flags(sqlite, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row(sql, [param], |r| r.get(0)))
        .ok()
}
