//! A small W3C WebDriver client for Debian's `chromedriver` driving Debian's `/usr/bin/chromium`
//! (plain HTTP/JSON over loopback with reqwest; no downloaded browser, no driver manager).
//! Shared with `benches/app.rs`, which uses a subset.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver; killed when dropped.
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

/// One browser (a chromium process with its own profile and fake camera); closed when dropped.
pub struct Browser<'d> {
    driver: &'d Driver,
    session: String,
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self.driver.call(
            reqwest::Method::DELETE,
            &format!("/session/{}", self.session),
            None,
        );
    }
}

impl Driver {
    pub fn start() -> anyhow::Result<Self> {
        for (path, pkg) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            if !Path::new(path).exists() {
                bail!("{path} is missing: apt-get install {pkg}");
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
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

    /// A fresh headless chromium at phone size whose camera plays `video` (a Y4M file, looped).
    pub fn browser(&self, video: &Path, profile: &Path) -> anyhow::Result<Browser<'_>> {
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            "--use-fake-ui-for-media-stream".into(),
            "--use-fake-device-for-media-stream".into(),
            "--window-size=390,844".into(),
            format!("--use-file-for-fake-video-capture={}", video.display()),
            format!("--user-data-dir={}", profile.display()),
        ];
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

impl Browser<'_> {
    fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.driver.call(
            reqwest::Method::POST,
            &format!("/session/{}{path}", self.session),
            Some(body),
        )
    }

    pub fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.post("/url", json!({ "url": url })).map(drop)
    }

    /// Run a script (a function body: use `return`, arguments in `arguments[i]`).
    pub fn js(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Wait until the script returns something truthy (not null/false/""/0), and return it.
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

    /// Wait for an element to be present, then return its WebDriver element id.
    pub fn find(&self, css: &str, limit: Duration) -> anyhow::Result<String> {
        self.wait_js(
            &format!("element {css}"),
            "return document.querySelector(arguments[0]) !== null",
            json!([css]),
            limit,
        )?;
        let v = self.post("/element", json!({ "using": "css selector", "value": css }))?;
        v[ELEMENT]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no element id in {v}"))
    }

    /// A real click (WebDriver pointer input) on the element matching `css`.
    pub fn click(&self, css: &str) -> anyhow::Result<()> {
        let id = self.find(css, Duration::from_secs(20))?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .map(drop)
    }

    /// Type into an input the way a paste does: set the value and fire one `input` event.
    pub fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.find(css, Duration::from_secs(20))?;
        self.js(
            "const el = document.querySelector(arguments[0]); el.focus(); el.value = arguments[1];
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([css, text]),
        )
        .map(drop)
    }

    /// A PNG screenshot of the element matching `css`, as the screen shows it.
    pub fn element_png(&self, css: &str) -> anyhow::Result<Vec<u8>> {
        use base64::Engine;
        let id = self.find(css, Duration::from_secs(20))?;
        let v = self.driver.call(
            reqwest::Method::GET,
            &format!("/session/{}/element/{id}/screenshot", self.session),
            None,
        )?;
        let b64 = v.as_str().ok_or_else(|| anyhow!("no screenshot in {v}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
    }

    /// The visible text of the element matching `css` ("" when absent).
    pub fn text(&self, css: &str) -> anyhow::Result<String> {
        let v = self.js(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
            json!([css]),
        )?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Wait until the element matching `css` shows text containing `needle`.
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
}
