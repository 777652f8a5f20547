//! The mobile permissions are declared in `Dioxus.toml` the way `dx` 0.7.4+ reads them (see
//! `../shared/notes/dioxus-0.7.md`): the camera for Android and iOS in one `[permissions]` line
//! with a bilingual reason, Android's `VIBRATE`, and the camera as a feature the app does not
//! require. Parsed, so a claim about the file cannot drift from it.
#![allow(clippy::unwrap_used)]

fn manifest() -> toml::Table {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Dioxus.toml");
    std::fs::read_to_string(path)
        .unwrap()
        .parse()
        .expect("Dioxus.toml is TOML")
}

fn description<'a>(table: &'a toml::Value, key: &str) -> &'a str {
    table
        .get(key)
        .and_then(|p| p.get("description"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{key} has a description"))
}

/// A reason shown to the user names what the permission is for, in Chinese and in English.
fn bilingual(text: &str) {
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese: {text}"
    );
    assert!(
        text.chars().any(|c| c.is_ascii_alphabetic()),
        "English: {text}"
    );
}

#[test]
fn the_camera_is_declared_for_android_and_ios() {
    let m = manifest();
    let camera = description(&m["permissions"], "camera");
    bilingual(camera);
    assert!(camera.contains("QR"), "{camera}");
}

#[test]
fn android_may_vibrate_and_does_not_require_a_camera() {
    let m = manifest();
    let android = &m["android"];
    bilingual(description(
        &android["permissions"],
        "android.permission.VIBRATE",
    ));
    let raw = android["raw"]["manifest"].as_str().unwrap();
    assert!(
        raw.contains(r#"android:name="android.hardware.camera""#)
            && raw.contains(r#"android:required="false""#),
        "{raw}"
    );
}

#[test]
fn the_app_identity_is_kept() {
    let m = manifest();
    assert_eq!(
        m["bundle"]["identifier"].as_str(),
        Some("cn.district.checkpoint")
    );
    assert_eq!(m["application"]["asset_dir"].as_str(), Some("assets"));
}
