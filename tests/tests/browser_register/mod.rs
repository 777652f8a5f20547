//! A visitor registers themself in the browser: the poster's QR leads to the form, a bad mobile
//! number and an unknown host are refused in place, the corrected form issues one day pass whose QR
//! verifies offline with the server's keys (part of `server_browser`).

use std::path::Path;

use anyhow::{ensure, Context};
use checkpoint_tests::webdriver::{Browser, WAIT};
use chrono::Utc;
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::{verify, KeySet, PassKind, Revocations};
use sync_core::protocol::KeySetResponse;
use sync_core::validate::validate_phone;

use crate::{one_read, shoot, Shots, Size};

/// The visitor poster's QR, read from its screenshot: the self-registration URL.
pub fn poster_url(b: &Browser<'_>, base: &str, shots: &Shots) -> anyhow::Result<String> {
    b.goto(&format!("{base}/admin/checkpoints/cp-east/poster"))?;
    b.find("#poster-qr svg", WAIT)?;
    let qr_width = b.width_of("#poster-qr svg")?;
    ensure!(
        qr_width >= 300.0,
        "the poster QR is only {qr_width} px wide"
    );
    let png = b.screenshot_page(1400)?;
    shots.save("poster-desktop", &png)?;
    one_read(&png, "poster")
}

fn visitor_passes(db_file: &Path) -> anyhow::Result<i64> {
    let conn =
        rusqlite::Connection::open_with_flags(db_file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("SELECT COUNT(*) FROM visitor_passes", [], |r| r.get(0))?)
}

/// Fill the form with a bad mobile number, check the inline error, correct it and read the pass QR.
pub fn register(
    b: &Browser<'_>,
    url: &str,
    db_file: &Path,
    shots: &Shots,
    size: Size,
    name: &str,
) -> anyhow::Result<(String, Vec<u8>)> {
    b.goto(url)?;
    b.find("#f-name", WAIT)?;
    shoot(b, shots, size, "register")?;
    let before = visitor_passes(db_file)?;
    b.type_into("#f-name", name)?;
    b.type_into("#f-phone", "1381234")?;
    // A household that is not in this compound: refused under its field (the demo has 1-1-101).
    b.type_into("#f-host_household", "99-99-9999")?;
    b.type_into("#f-reason", "探亲")?;
    b.click("#submit")?;
    b.find("#err-phone", WAIT)?;
    let host_error = b.text("#err-host_household")?;
    ensure!(
        host_error.contains("本小区没有这个住户"),
        "unknown host household: {host_error:?}"
    );
    let expected = validate_phone("1381234")
        .err()
        .context("1381234 must be an invalid mobile number")?
        .message(Lang::ZhCn);
    let shown = b.text("#err-phone")?;
    ensure!(
        shown.contains(&expected),
        "inline error {shown:?}, expected {expected:?}"
    );
    ensure!(
        b.visible_in_viewport("#err-phone")?,
        "the phone error is not on screen"
    );
    ensure!(
        b.text("#err-name")?.is_empty(),
        "the valid name got an error"
    );
    ensure!(
        b.value("#f-name")? == name && b.value("#f-reason")? == "探亲",
        "the form lost what the visitor typed"
    );
    ensure!(
        visitor_passes(db_file)? == before,
        "a pass was issued for a bad form"
    );
    shoot(b, shots, size, "register-error")?;

    b.type_into("#f-phone", "13812345678")?;
    b.type_into("#f-host_household", "1-1-101")?;
    b.click("#submit")?;
    b.find("#pass-qr svg", WAIT)?;
    ensure!(
        b.visible_in_viewport("#pass-qr")?,
        "the pass QR is not on screen"
    );
    let qr_width = b.width_of("#pass-qr svg")?;
    ensure!(
        qr_width >= 280.0,
        "the pass QR is only {qr_width} px wide: too small for the gate"
    );
    let pass_id = b.text("#pass-id")?;
    let png = shoot(b, shots, size, "visitor-pass")?;
    ensure!(
        visitor_passes(db_file)? == before + 1,
        "exactly one pass must be issued"
    );
    Ok((pass_id.trim().to_owned(), png))
}

/// Every pass issued on screen (its id and screenshot) verifies offline as a VisitorDay pass for
/// the visitor's name and host, and has not expired.
pub fn issued_passes_verify(
    issued: &[(String, Vec<u8>)],
    names: &[&str],
    keys: &KeySetResponse,
    key_set: &KeySet,
) -> anyhow::Result<()> {
    ensure!(
        issued.len() == names.len(),
        "{} passes for {} names",
        issued.len(),
        names.len()
    );
    for ((pass_id, png), name) in issued.iter().zip(names) {
        let payload = one_read(png, "visitor pass")?;
        let v = verify(
            &payload,
            key_set,
            &Revocations::default(),
            &keys.district_id,
            Utc::now(),
            Some(0),
        );
        ensure!(
            v.verdict.is_valid(),
            "the visitor pass verifies as {:?}",
            v.verdict
        );
        let body = v.pass.context("a valid pass has a body")?;
        ensure!(body.kind == PassKind::VisitorDay, "kind {:?}", body.kind);
        ensure!(
            &body.pass_id == pass_id,
            "QR holds {}, page shows {pass_id}",
            body.pass_id
        );
        ensure!(
            body.display_name == *name && body.household == "1-1-101",
            "{body:?}"
        );
        ensure!(
            body.valid_until > Utc::now(),
            "the day pass has already expired"
        );
    }
    Ok(())
}
