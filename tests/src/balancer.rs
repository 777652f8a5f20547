//! HAProxy from Debian's package in front of two `district-server` processes, on loopback ports,
//! running the project's own `deploy/haproxy.cfg` (its addresses come from the environment).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::server_proc::free_port;

/// The shipped configuration.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("deploy")
        .join("haproxy.cfg")
}

fn haproxy_bin() -> anyhow::Result<PathBuf> {
    ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .context(
            "HAProxy is not installed (Debian package haproxy; `cargo xtask test` installs it)",
        )
}

/// One running balancer; stopped (SIGKILL) when dropped.
pub struct Balancer {
    child: Option<Child>,
    log: PathBuf,
    pub addr: SocketAddr,
    pub stats: SocketAddr,
}

impl std::fmt::Debug for Balancer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Balancer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// One instance's line of the statistics: name, status, requests it was sent, times it went down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceStats {
    pub name: String,
    pub status: String,
    pub sessions: u64,
    pub went_down: u64,
}

impl Balancer {
    /// Start HAProxy in front of `instances`, logging to `log`, and wait until it answers
    /// `/health` through an instance.
    pub fn start(instances: [SocketAddr; 2], log: &Path) -> anyhow::Result<Self> {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        let stats: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        let log_path = log.to_owned();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let child = Command::new(haproxy_bin()?)
            .arg("-db")
            .arg("-f")
            .arg(config_path())
            .env("CHECKPOINT_LB_BIND", addr.to_string())
            .env("CHECKPOINT_LB_STATS", stats.to_string())
            .env("CHECKPOINT_SERVER_1", instances[0].to_string())
            .env("CHECKPOINT_SERVER_2", instances[1].to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start haproxy")?;
        let mut me = Self {
            child: Some(child),
            log: log_path,
            addr,
            stats,
        };
        me.wait_ready(Duration::from_secs(20))?;
        Ok(me)
    }

    fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self
                .child
                .as_mut()
                .map(Child::try_wait)
                .transpose()?
                .flatten()
            {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                bail!("haproxy exited with {status}:\n{log}");
            }
            let up = self
                .instances()
                .map(|all| all.iter().all(|i| i.status == "UP"))
                .unwrap_or(false);
            if up {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("haproxy did not see both instances up within {limit:?}")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Wait until HAProxy's health checks have marked `instance` down (about three checks, 2 s
    /// apart, in `deploy/haproxy.cfg`).
    pub fn wait_down(&self, instance: &str, limit: Duration) -> anyhow::Result<()> {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if self
                .instances()?
                .iter()
                .any(|i| i.name == instance && i.status.starts_with("DOWN"))
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("haproxy did not mark {instance} down within {limit:?}")
    }

    /// The instances' lines of HAProxy's CSV statistics.
    pub fn instances(&self) -> anyhow::Result<Vec<InstanceStats>> {
        let csv = crate::server_proc::raw_get(self.stats, "/stats;csv")?;
        let mut lines = csv.lines();
        let header: Vec<&str> = lines
            .next()
            .context("empty statistics")?
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .with_context(|| format!("no {name} column in HAProxy's statistics"))
        };
        let (px, sv, status, stot, chkdown) = (
            col("pxname")?,
            col("svname")?,
            col("status")?,
            col("stot")?,
            col("chkdown")?,
        );
        let number = |v: Option<&&str>| v.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        Ok(lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| {
                f.get(px) == Some(&"instances")
                    && f.get(sv).is_some_and(|s| s.starts_with("instance"))
            })
            .map(|f| InstanceStats {
                name: f.get(sv).map_or_else(String::new, |s| (*s).to_owned()),
                status: f.get(status).map_or_else(String::new, |s| (*s).to_owned()),
                sessions: number(f.get(stot)),
                went_down: number(f.get(chkdown)),
            })
            .collect())
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
