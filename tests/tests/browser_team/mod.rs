//! The back office's team in the browser: a compound manager waits after wrong passwords, sees
//! only their compound and signs its day off (part of `server_browser`).

use anyhow::ensure;
use checkpoint_tests::webdriver::{Browser, WAIT};
use district_server::demo::DEMO_TEAM_PASSWORD;

use crate::{shoot, Shots, Size};

/// A compound manager's day: four wrong passwords make the next login wait (the message says how
/// long), then the manager sees only their compound and signs its day off once.
pub fn manager_signs_off(
    b: &Browser<'_>,
    base: &str,
    shots: &Shots,
    size: Size,
    (manager, other): (&str, &str),
) -> anyhow::Result<()> {
    b.goto(&format!("{base}/admin"))?;
    b.click("header form button")?;
    b.find("input[name=username]", WAIT)?;
    for _ in 0..4 {
        b.type_into("input[name=username]", manager)?;
        b.type_into("input[name=password]", "not the password")?;
        b.click("main form button")?;
        b.find(".error", WAIT)?;
    }
    b.type_into("input[name=username]", manager)?;
    b.type_into("input[name=password]", DEMO_TEAM_PASSWORD)?;
    b.click("main form button")?;
    b.wait_text(".error", "秒后再试", WAIT)?;
    shoot(b, shots, size, "login-throttled")?;
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    b.type_into("input[name=username]", manager)?;
    b.type_into("input[name=password]", DEMO_TEAM_PASSWORD)?;
    b.click("main form button")?;
    b.find("#total-in", WAIT)?;
    let dashboard = b.text("body")?;
    ensure!(
        !dashboard.contains(other) && !dashboard.contains("全街道"),
        "{manager} sees another compound or the district: {dashboard}"
    );
    shoot(b, shots, size, "dashboard-manager")?;
    b.goto(&format!("{base}/admin/report"))?;
    b.find("#signoff-form", WAIT)?;
    b.type_into("#signoff-form input[name=home_observation]", "2")?;
    b.type_into("#signoff-form input[name=masks_in_stock]", "800")?;
    b.click("#signoff-form button")?;
    b.wait_text("#signed-off", manager, WAIT)?;
    ensure!(
        b.text("#manual-figures")?.contains("800"),
        "the typed figures are on the signed report"
    );
    shoot(b, shots, size, "report-signed")?;
    Ok(())
}
