//! The desktop window: phone-sized, with WebKitGTK's camera permission request answered on Linux
//! (wry installs no handler, so `getUserMedia` would fail with NotAllowedError — DioxusLabs/dioxus#5037).

use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
use dioxus::prelude::*;

use crate::app::Root;
use crate::services::Services;

/// Launch the desktop app on `services`. Does not return until the window closes.
pub fn launch(services: Services) {
    let window = WindowBuilder::new()
        .with_title("一卡一码 · 卡口登记")
        .with_inner_size(LogicalSize::new(390.0, 844.0));
    let cfg = Config::new()
        .with_window(window)
        .with_menu(None)
        .with_background_color((11, 15, 20, 255));
    LaunchBuilder::desktop()
        .with_cfg(cfg)
        .with_context(services)
        .launch(DesktopApp);
}

#[allow(non_snake_case)]
fn DesktopApp() -> Element {
    let services = use_context::<Services>();
    use_hook(allow_camera);
    rsx! { Root { services } }
}

/// Grant the page's camera request (Linux/WebKitGTK). `CHECKPOINT_MOCK_CAMERA=1` adds WebKit's mock camera for tests.
#[cfg(target_os = "linux")]
fn allow_camera() {
    use dioxus::desktop::wry::WebViewExtUnix;
    use webkit2gtk::{PermissionRequestExt, SettingsExt, WebViewExt};

    let webview = dioxus::desktop::window().webview.webview();
    if let Some(settings) = WebViewExt::settings(&webview) {
        settings.set_enable_media_stream(true);
        settings.set_enable_mediasource(true);
        if std::env::var_os("CHECKPOINT_MOCK_CAMERA").is_some() {
            settings.set_enable_mock_capture_devices(true);
        }
    }
    webview.connect_permission_request(|_, request| {
        // Only the app's own page runs in this web view; it asks for the camera alone.
        request.allow();
        true
    });
}

#[cfg(not(target_os = "linux"))]
fn allow_camera() {}
