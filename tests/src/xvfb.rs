//! A private Xvfb display for desktop tests and benches: the first free display number, ready once its
//! socket exists, stopped when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// A child process that is killed and reaped when dropped.
#[derive(Debug)]
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running Xvfb; `display` is the `DISPLAY` value (e.g. `:150`).
#[derive(Debug)]
pub struct Xvfb {
    pub display: String,
    _server: Reaped,
}

impl Xvfb {
    /// Start Xvfb (phone-sized 480×900 screen) on the first free display number from 150.
    pub fn start() -> anyhow::Result<Self> {
        let n = (150..250)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .context("no free X display number")?;
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "480x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("Xvfb is needed (apt xvfb)")?;
        let server = Reaped(child);
        let started = Instant::now();
        while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(10),
                "Xvfb {display} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            display,
            _server: server,
        })
    }
}
