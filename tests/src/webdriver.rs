//! A small W3C WebDriver client for Debian's `chromedriver` driving Debian's headless `/usr/bin/chromium`
//! (plain HTTP/JSON over loopback with reqwest; never a downloaded browser): exact viewport sizes
//! through the DevTools protocol, an optional fake camera fed from a Y4M file, real typing and clicks,
//! and PNG screenshots. Used by the server's and the app's browser tests and the app bench.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const WAIT: Duration = Duration::from_secs(30);

/// A running chromedriver on a loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    base: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium with its own fresh profile; its session is closed when dropped.
pub struct Browser<'d> {
    driver: &'d Driver,
    session: String,
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = self.driver.call(reqwest::Method::DELETE, &path, None);
    }
}

impl Driver {
    /// Start Debian's chromedriver; fails with the apt package to install when it or chromium is missing.
    pub fn start() -> anyhow::Result<Self> {
        for (path, pkg) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            if !Path::new(path).exists() {
                bail!("{path} is missing: apt-get install {pkg} (cargo xtask test installs it)");
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start chromedriver")?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let driver = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            rt,
            http,
        };
        let started = Instant::now();
        loop {
            if let Ok(v) = driver.call(reqwest::Method::GET, "/status", None) {
                if v["ready"].as_bool() == Some(true) {
                    return Ok(driver);
                }
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not become ready within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(async {
            let mut req = self.http.request(method, &url);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req
                .send()
                .await
                .with_context(|| format!("WebDriver {path}"))?;
            let status = resp.status();
            let v: Value = resp
                .json()
                .await
                .with_context(|| format!("WebDriver {path}: not JSON"))?;
            if !status.is_success() {
                bail!("WebDriver {path}: {status}: {}", v["value"]["message"]);
            }
            Ok(v["value"].clone())
        })
    }

    /// A fresh headless Chromium with its own profile (`options.profile`, a new empty directory).
    pub fn browser(&self, options: &BrowserOptions<'_>) -> anyhow::Result<Browser<'_>> {
        let (width, height) = options.window;
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--lang=zh-CN",
        ]
        .map(String::from)
        .into();
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--user-data-dir={}", options.profile.display()));
        if let Some(video) = options.fake_camera {
            args.extend(
                [
                    "--autoplay-policy=no-user-gesture-required",
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                ]
                .map(String::from),
            );
            args.push(format!(
                "--use-file-for-fake-video-capture={}",
                video.display()
            ));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let v = self.call(reqwest::Method::POST, "/session", Some(caps))?;
        let session = v["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {v}"))?
            .to_owned();
        Ok(Browser {
            driver: self,
            session,
        })
    }
}

/// How to start one browser.
#[derive(Debug, Clone, Copy)]
pub struct BrowserOptions<'a> {
    /// A new empty directory for the profile.
    pub profile: &'a Path,
    /// Window size in CSS pixels.
    pub window: (u32, u32),
    /// A Y4M (or MJPEG) file the fake camera plays in a loop.
    pub fake_camera: Option<&'a Path>,
}

impl<'a> BrowserOptions<'a> {
    /// A desktop-sized window (1280×800) without a camera.
    pub fn desktop(profile: &'a Path) -> Self {
        Self {
            profile,
            window: (1280, 800),
            fake_camera: None,
        }
    }

    /// A phone-sized window (390×844) whose camera plays `video`.
    pub fn phone_with_camera(video: &'a Path, profile: &'a Path) -> Self {
        Self {
            profile,
            window: (390, 844),
            fake_camera: Some(video),
        }
    }
}

impl Browser<'_> {
    fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let path = format!("/session/{}{path}", self.session);
        self.driver.call(reqwest::Method::POST, &path, Some(body))
    }

    fn get(&self, path: &str) -> anyhow::Result<Value> {
        let path = format!("/session/{}{path}", self.session);
        self.driver.call(reqwest::Method::GET, &path, None)
    }

    /// A DevTools protocol command through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    /// Make the page's viewport exactly `width`×`height` CSS pixels at scale 1 (`mobile` for phones).
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) -> anyhow::Result<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .map(drop)
    }

    pub fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.post("/url", json!({ "url": url })).map(drop)
    }

    /// Run a script (a function body: use `return`, arguments in `arguments[i]`).
    pub fn js(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Wait up to `limit` until the script returns something truthy (not null/false/""/0), and return it.
    pub fn wait_js(
        &self,
        what: &str,
        script: &str,
        args: Value,
        limit: Duration,
    ) -> anyhow::Result<Value> {
        let started = Instant::now();
        loop {
            let v = self.js(script, args.clone())?;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return Ok(v);
            }
            if started.elapsed() > limit {
                let page = self.text("body").unwrap_or_default();
                bail!("waited {limit:?} for {what}; the page shows:\n{page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait up to `limit` for an element, then return its WebDriver element id. A page that
    /// re-renders (liveview replaces its first HTML when its socket connects) can drop the element
    /// between the check and the lookup: then it waits again, within the same limit.
    pub fn find(&self, css: &str, limit: Duration) -> anyhow::Result<String> {
        let start = Instant::now();
        loop {
            let left = limit.saturating_sub(start.elapsed());
            self.wait_js(
                &format!("element {css}"),
                "return document.querySelector(arguments[0]) !== null",
                json!([css]),
                left,
            )?;
            match self.post("/element", json!({ "using": "css selector", "value": css })) {
                Ok(v) => {
                    return v[ELEMENT]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| anyhow!("no element id in {v}"))
                }
                Err(e) if start.elapsed() < limit && e.to_string().contains("no such element") => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Find the element matching `css` and act on it; when a re-render replaced it between the
    /// lookup and the action (a stale element), find it again, within [`WAIT`].
    fn on_element(
        &self,
        css: &str,
        act: impl Fn(&str) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let id = self.find(css, WAIT)?;
            match act(&id) {
                Err(e) if start.elapsed() < WAIT && e.to_string().contains("stale element") => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    /// A real click (WebDriver pointer input) on the element matching `css`.
    pub fn click(&self, css: &str) -> anyhow::Result<()> {
        self.on_element(css, |id| {
            // Centred first: a fixed bar (the app's tab bar) must not be what receives the click.
            self.js(
                "const el = document.querySelector(arguments[0]); if (el) el.scrollIntoView({block: 'center'});",
                json!([css]),
            )?;
            self.post(&format!("/element/{id}/click"), json!({}))
                .map(drop)
        })
    }

    /// Clear the input matching `css` and type `text` into it with real key events.
    pub fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.on_element(css, |id| {
            self.post(&format!("/element/{id}/clear"), json!({}))?;
            self.post(&format!("/element/{id}/value"), json!({ "text": text }))
                .map(drop)
        })
    }

    /// Set an input's value the way a paste does (one `input` event), for apps that read `oninput`.
    pub fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.find(css, WAIT)?;
        self.js(
            "const el = document.querySelector(arguments[0]); el.focus(); el.value = arguments[1];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([css, text]),
        )
        .map(drop)
    }

    /// A PNG screenshot of the element matching `css`, as the screen shows it.
    pub fn element_png(&self, css: &str) -> anyhow::Result<Vec<u8>> {
        let id = self.find(css, WAIT)?;
        let v = self.get(&format!("/element/{id}/screenshot"))?;
        let b64 = v.as_str().ok_or_else(|| anyhow!("no screenshot in {v}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
    }

    /// Wait up to `limit` until the element matching `css` shows text containing `needle`.
    pub fn wait_text(&self, css: &str, needle: &str, limit: Duration) -> anyhow::Result<String> {
        let started = Instant::now();
        loop {
            let t = self.text(css)?;
            if t.contains(needle) {
                return Ok(t);
            }
            if started.elapsed() > limit {
                let page = self.text("body").unwrap_or_default();
                bail!("waited {limit:?} for {needle:?} in {css} (it shows {t:?}); page:\n{page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The value property of the input matching `css`.
    pub fn value(&self, css: &str) -> anyhow::Result<String> {
        let v = self.js(
            "const el = document.querySelector(arguments[0]); return el ? el.value : null;",
            json!([css]),
        )?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no input {css}"))
    }

    /// The rendered text of the element matching `css` ("" when absent or hidden).
    pub fn text(&self, css: &str) -> anyhow::Result<String> {
        let v = self.js(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
            json!([css]),
        )?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Whether the element matching `css` is rendered with a non-empty box inside the viewport.
    pub fn visible_in_viewport(&self, css: &str) -> anyhow::Result<bool> {
        let v = self.js(
            "const el = document.querySelector(arguments[0]); if (!el) return false;
             const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
             return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
               && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;",
            json!([css]),
        )?;
        Ok(v.as_bool() == Some(true))
    }

    /// The rendered width of the element matching `css`, in CSS pixels (0 when absent).
    pub fn width_of(&self, css: &str) -> anyhow::Result<f64> {
        let v = self.js(
            "const el = document.querySelector(arguments[0]);
             return el ? el.getBoundingClientRect().width : 0;",
            json!([css]),
        )?;
        v.as_f64().ok_or_else(|| anyhow!("width of {css}: {v}"))
    }

    /// How far the page is wider than the viewport, in CSS pixels (0 when nothing sticks out sideways).
    pub fn horizontal_overflow(&self) -> anyhow::Result<i64> {
        let v = self.js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            json!([]),
        )?;
        v.as_i64().ok_or_else(|| anyhow!("scrollWidth: {v}"))
    }

    /// The current URL.
    pub fn url(&self) -> anyhow::Result<String> {
        let v = self.get("/url")?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no url in {v}"))
    }

    /// A PNG of the viewport, as Chromium painted it.
    pub fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        let v = self.get("/screenshot")?;
        let b64 = v.as_str().ok_or_else(|| anyhow!("screenshot: {v}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
    }

    /// A PNG of the whole page at the current width, at most `max_height` CSS pixels tall.
    pub fn screenshot_page(&self, max_height: u32) -> anyhow::Result<Vec<u8>> {
        let m = self.cdp("Page.getLayoutMetrics", json!({}))?;
        let width = m["cssContentSize"]["width"].as_f64().unwrap_or(0.0);
        let view = m["cssLayoutViewport"]["clientWidth"]
            .as_f64()
            .unwrap_or(0.0);
        let height = m["cssContentSize"]["height"].as_f64().unwrap_or(0.0);
        let clip = json!({ "x": 0, "y": 0, "width": width.min(view).max(1.0),
                           "height": height.min(f64::from(max_height)).max(1.0), "scale": 1 });
        let v = self.cdp(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }),
        )?;
        let b64 = v["data"]
            .as_str()
            .ok_or_else(|| anyhow!("no data in {v}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
    }
}
