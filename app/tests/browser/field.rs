//! Field use at the gate: the staff visitor form fits one screen on a 390×844 phone and on a small
//! 360×640 one (required fields and the submit button visible above the tab bar, every control at
//! least 64 px tall for gloves), the light theme is the default, and a returning visitor is one tap.

use std::path::Path;

use serde_json::{json, Value};

use checkpoint_tests::webdriver::{BrowserOptions, Driver};

use super::WAIT;

/// The visitor form's required fields and its buttons, which must be in view without scrolling.
const IN_VIEW: [&str; 6] = [
    "#visitor-name",
    "#visitor-phone",
    "#visitor-host",
    "#visitor-reason",
    "#visitor-more",
    "#visitor-submit",
];

/// Open `/visitor` in a browser of `size` and check what one screen shows.
pub fn visitor_form_fits(driver: &Driver, dir: &Path, app: &str, camera: &Path, size: (u32, u32)) {
    let profile = dir.join(format!("profile-fit-{}x{}", size.0, size.1));
    let b = driver
        .browser(&BrowserOptions::phone_with_camera(camera, &profile))
        .unwrap();
    // The window alone gives no phone's viewport (headless Chromium keeps a 500 px minimum).
    b.viewport(size.0, size.1, true).unwrap();
    b.goto(&format!("{app}/visitor")).unwrap();
    b.find("#visitor-submit", WAIT).unwrap();
    let report: Value = b
        .js(
            "const tabs = document.querySelector('nav.tabs').getBoundingClientRect().top;
             const bar = document.querySelector('.status-bar').getBoundingClientRect().bottom;
             const hidden = arguments[0].filter(css => {
               const r = document.querySelector(css).getBoundingClientRect();
               return r.top < bar || r.bottom > tabs || r.height === 0;
             });
             const small = [...document.querySelectorAll('button, input, select, a.tab')]
               .filter(el => el.offsetParent !== null)
               .map(el => [el.id || el.className || el.tagName, el.getBoundingClientRect().height])
               .filter(([, h]) => h < 63.5);
             const app = document.querySelector('.app');
             return { hidden, small, scrolled: window.scrollY, inner: [innerWidth, innerHeight],
                      theme: app.className, background: getComputedStyle(app).backgroundColor };",
            json!([IN_VIEW]),
        )
        .unwrap();
    let at = format!("{}×{}", size.0, size.1);
    assert_eq!(
        report["inner"],
        json!([size.0, size.1]),
        "the viewport at {at}: {report}"
    );
    assert_eq!(report["hidden"], json!([]), "out of view at {at}: {report}");
    assert_eq!(
        report["small"],
        json!([]),
        "touch targets under 64 px at {at}: {report}"
    );
    assert_eq!(report["scrolled"], json!(0), "{report}");
    assert_eq!(
        report["theme"],
        json!("app auto"),
        "follows the phone's setting by default"
    );
    assert_eq!(
        report["background"],
        json!("rgb(255, 255, 255)"),
        "light where the phone asks for nothing: {report}"
    );
    // The optional fields fold away, and unfold on a tap.
    let folded = b
        .js(
            "return document.querySelector('#visitor-temp') === null",
            json!([]),
        )
        .unwrap();
    assert_eq!(folded, json!(true), "temperature is folded away");
    b.click("#visitor-more").unwrap();
    b.find("#visitor-temp", WAIT).unwrap();
    b.find("#visitor-plate-province", WAIT).unwrap();
    b.find("#visitor-id-x", WAIT).unwrap();
}
