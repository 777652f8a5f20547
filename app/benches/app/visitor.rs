//! Registering a visitor by staff in the served app (headless Chromium at 390×844), from the tap on
//! the visitor tab to the verdict, every tap (a key, a field, a button) at a fixed rate: a first
//! visit (four required fields) and the same visitor again (the phone number, then one tap).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use checkpoint_tests::webdriver::{Browser, BrowserOptions, Driver};
use serde_json::json;

use crate::camera;

/// One tap every 250 ms: a gloved thumb on a phone keyboard, four keys a second.
pub const MS_PER_TAP: u64 = 250;
/// Registrations of each kind; the figures are medians.
const RUNS: usize = 5;
const WAIT: Duration = Duration::from_secs(30);

/// One kind of registration, measured.
pub struct Registration {
    /// Taps from the visitor tab to the submit button (each character typed is a tap; a Chinese
    /// name counts one tap per character, as with handwriting input).
    pub taps: u32,
    /// Fields typed into.
    pub fields: u32,
    /// Seconds, tab tap to verdict on screen, per run (sorted).
    pub runs_s: Vec<f64>,
}

impl Registration {
    pub fn median_s(&self) -> f64 {
        camera::quantile(&self.runs_s, 0.5)
    }

    /// The taps alone at the fixed rate: the floor the app's own time sits on.
    pub fn floor_s(&self) -> f64 {
        f64::from(self.taps) * MS_PER_TAP as f64 / 1000.0
    }
}

pub struct VisitorRun {
    pub first: Registration,
    pub returning: Registration,
}

fn pause() {
    std::thread::sleep(Duration::from_millis(MS_PER_TAP));
}

fn tap(b: &Browser, css: &str, taps: &mut u32) -> anyhow::Result<()> {
    b.click(css)?;
    *taps += 1;
    pause();
    Ok(())
}

/// Focus a field (a tap) and type `text` one character per tap.
fn type_into(b: &Browser, css: &str, text: &str, taps: &mut u32) -> anyhow::Result<()> {
    b.find(css, WAIT)?;
    b.js("document.querySelector(arguments[0]).focus()", json!([css]))?;
    *taps += 1;
    pause();
    for c in text.chars() {
        b.js(
            "const el = document.querySelector(arguments[0]); el.value = el.value + arguments[1];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([css, c.to_string()]),
        )?;
        *taps += 1;
        pause();
    }
    Ok(())
}

fn wait_for(b: &Browser, css: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let there = b.js(
            "return document.querySelector(arguments[0]) !== null",
            json!([css]),
        )?;
        if there == json!(true) {
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < WAIT, "{css} did not appear");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Back to the scan screen with no verdict up, ready for the next registration.
fn reset(b: &Browser, url: &str) -> anyhow::Result<()> {
    b.js(
        "const v = document.querySelector('#verdict'); if (v) v.click();",
        json!([]),
    )?;
    b.goto(&format!("{url}/scan"))?;
    b.find("a.tab[href='/visitor']", WAIT)?;
    Ok(())
}

fn first_visit(b: &Browser, url: &str, phone: &str) -> anyhow::Result<(u32, f64)> {
    reset(b, url)?;
    let mut taps = 0;
    let started = Instant::now();
    tap(b, "a.tab[href='/visitor']", &mut taps)?;
    type_into(b, "#visitor-name", "周访客", &mut taps)?;
    type_into(b, "#visitor-phone", phone, &mut taps)?;
    type_into(b, "#visitor-host", "3-1-401", &mut taps)?;
    type_into(b, "#visitor-reason", "探亲", &mut taps)?;
    b.click("#visitor-submit")?;
    taps += 1;
    wait_for(b, "#verdict")?;
    Ok((taps, started.elapsed().as_secs_f64()))
}

fn returning_visit(b: &Browser, url: &str, phone: &str) -> anyhow::Result<(u32, f64)> {
    reset(b, url)?;
    let mut taps = 0;
    let started = Instant::now();
    tap(b, "a.tab[href='/visitor']", &mut taps)?;
    type_into(b, "#visitor-phone", phone, &mut taps)?;
    wait_for(b, "#visitor-returning")?;
    tap(b, "#visitor-returning", &mut taps)?;
    b.click("#visitor-submit")?;
    taps += 1;
    wait_for(b, "#verdict")?;
    Ok((taps, started.elapsed().as_secs_f64()))
}

/// Serve the app on a copy of the enrolled ledger and register visitors in a phone-sized browser.
pub fn run(live: &Path, dir: &Path, ledger_src: &Path) -> anyhow::Result<VisitorRun> {
    let ledger = dir.join("visitor.db");
    std::fs::copy(ledger_src, &ledger)?;
    let (_server, url) = crate::serve(live, &ledger)?;
    let video = dir.join("blank.y4m");
    camera::write_y4m(None, &video)?;
    let driver = Driver::start()?;
    let profile = dir.join("profile-visitor");
    let b = driver.browser(&BrowserOptions::phone_with_camera(&video, &profile))?;
    b.viewport(390, 844, true)?;
    b.goto(&format!("{url}/scan"))?;
    let phones: Vec<String> = (0..RUNS)
        .map(|i| format!("1391234{:04}", 1000 + i))
        .collect();
    let mut first = Vec::new();
    let mut taps_first = 0;
    for phone in &phones {
        let (taps, s) = first_visit(&b, &url, phone)?;
        taps_first = taps;
        first.push(s);
    }
    // The same visitors again (each more than the 30 s duplicate window after the first time).
    let mut again = Vec::new();
    let mut taps_again = 0;
    for phone in &phones {
        let (taps, s) = returning_visit(&b, &url, phone).context("a returning visitor")?;
        taps_again = taps;
        again.push(s);
    }
    first.sort_by(f64::total_cmp);
    again.sort_by(f64::total_cmp);
    Ok(VisitorRun {
        first: Registration {
            taps: taps_first,
            fields: 4,
            runs_s: first,
        },
        returning: Registration {
            taps: taps_again,
            fields: 1,
            runs_s: again,
        },
    })
}
