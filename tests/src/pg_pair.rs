//! A PostgreSQL primary and a streaming-replication hot standby on loopback ports (Debian's
//! PostgreSQL, `pg_basebackup`), with synchronous replication: a commit returns only once the
//! standby has it. For the failover test: SIGKILL the primary, promote the standby. Both clusters
//! stop and their directory goes when the pair is dropped. As root the clusters run as `postgres`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::server_proc::free_port;

const USER: &str = "checkpoint";
/// The standby's name in `synchronous_standby_names`.
pub const STANDBY_NAME: &str = "standby1";

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb`, if PostgreSQL is installed.
pub fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// One cluster of the pair.
#[derive(Debug, Clone)]
pub struct Node {
    pub port: u16,
    data: PathBuf,
}

/// A running primary and standby.
#[derive(Debug)]
pub struct PgPair {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<&'static str>,
    pub primary: Node,
    pub standby: Node,
}

impl PgPair {
    /// Start the pair in a new directory under the system's temporary directory (one the
    /// `postgres` user can reach), or say why not.
    pub fn start() -> anyhow::Result<Self> {
        let bin =
            find_bin().context("PostgreSQL is not installed (cargo xtask test installs it)")?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            &std::env::temp_dir().join(format!("checkpoint-pgpair-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir)?;
        let run_as = is_root().then_some("postgres");
        if let Some(user) = run_as {
            run(Command::new("chown").arg(format!("{user}:")).arg(dir))?;
        }
        let pair = Self {
            dir: dir.to_owned(),
            bin,
            run_as,
            primary: Node {
                port: free_port()?,
                data: dir.join("primary"),
            },
            standby: Node {
                port: free_port()?,
                data: dir.join("standby"),
            },
        };
        pair.init_primary()?;
        pair.clone_standby()?;
        pair.wait_synchronous(Duration::from_secs(30))?;
        Ok(pair)
    }

    fn init_primary(&self) -> anyhow::Result<()> {
        let data = self.primary.data.to_string_lossy().into_owned();
        self.tool(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "{} -c wal_level=replica -c max_wal_senders=5 -c synchronous_commit=on \
             -c synchronous_standby_names={STANDBY_NAME}",
            self.common_options(self.primary.port)
        );
        self.pg_ctl_start(&self.primary, &options)
    }

    fn clone_standby(&self) -> anyhow::Result<()> {
        let data = self.standby.data.to_string_lossy().into_owned();
        let port = self.primary.port.to_string();
        self.tool(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                USER,
                "-D",
                &data,
                "-R",
                "-X",
                "stream",
            ],
        )?;
        // -R wrote standby.signal and a primary_conninfo; name the standby so that the primary
        // waits for it (a later line of postgresql.auto.conf wins).
        let conninfo = format!(
            "\nprimary_conninfo = 'host=127.0.0.1 port={port} user={USER} application_name={STANDBY_NAME}'\n"
        );
        let auto = self.standby.data.join("postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&auto)?;
        text.push_str(&conninfo);
        std::fs::write(&auto, text)?;
        self.start_standby()
    }

    /// Start the standby (again, after `stop_standby`); `wait_synchronous` tells when it is
    /// back in step.
    pub fn start_standby(&self) -> anyhow::Result<()> {
        let options = format!(
            "{} -c hot_standby=on",
            self.common_options(self.standby.port)
        );
        self.pg_ctl_start(&self.standby, &options)
    }

    fn common_options(&self, port: u16) -> String {
        format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off",
            self.dir.display()
        )
    }

    fn pg_ctl_start(&self, node: &Node, options: &str) -> anyhow::Result<()> {
        let log = self.dir.join(format!("{}.log", node.port));
        self.tool(
            "pg_ctl",
            &[
                "-D",
                &node.data.to_string_lossy(),
                "-l",
                &log.to_string_lossy(),
                "-o",
                options,
                "-w",
                "start",
            ],
        )
    }

    /// Wait until the primary reports the standby as its synchronous one.
    pub fn wait_synchronous(&self, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < limit {
            let state = self.psql(
                &self.primary,
                "postgres",
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'",
            )?;
            if state.trim() == "sync" {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("the standby did not become synchronous within {limit:?}")
    }

    /// Run one SQL statement with `psql` on `database` of `node`; its unaligned output.
    pub fn psql(&self, node: &Node, database: &str, sql: &str) -> anyhow::Result<String> {
        let port = node.port.to_string();
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args(["-h", "127.0.0.1", "-p", &port, "-U", USER, "-d", database])
            .args(["-At", "-v", "ON_ERROR_STOP=1", "-c", sql]);
        let out = cmd.output().context("cannot run psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The URL of `database` on both nodes: the client takes whichever accepts writes.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}@127.0.0.1:{},127.0.0.1:{}/{database}?target_session_attrs=read-write",
            self.primary.port, self.standby.port
        )
    }

    /// The URL of `database` on one node only.
    pub fn node_url(&self, node: &Node, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", node.port)
    }

    /// SIGKILL the primary's postmaster (its backends notice and exit): the disk is gone.
    pub fn kill_primary(&self) -> anyhow::Result<()> {
        let pid_file = std::fs::read_to_string(self.primary.data.join("postmaster.pid"))?;
        let pid = pid_file
            .lines()
            .next()
            .context("empty postmaster.pid")?
            .trim()
            .to_owned();
        run(Command::new("kill").args(["-KILL", &pid]))
    }

    /// Stop the standby as a crash would (immediate), to test a primary that cannot replicate.
    pub fn stop_standby(&self) -> anyhow::Result<()> {
        self.tool(
            "pg_ctl",
            &[
                "-D",
                &self.standby.data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
    }

    /// Freeze (`SIGSTOP`) or thaw (`SIGCONT`) the standby's processes: a standby that falls
    /// behind without going away (a stalled disk or network), as the primary sees it.
    pub fn freeze_standby(&self, frozen: bool) -> anyhow::Result<()> {
        let pid_file = std::fs::read_to_string(self.standby.data.join("postmaster.pid"))?;
        let postmaster = pid_file
            .lines()
            .next()
            .context("empty postmaster.pid")?
            .trim()
            .to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &postmaster])
            .output()
            .context("cannot run pgrep")?;
        let signal = if frozen { "-STOP" } else { "-CONT" };
        let mut kill = Command::new("kill");
        kill.arg(signal).arg(&postmaster);
        kill.args(String::from_utf8_lossy(&children.stdout).split_whitespace());
        run(&mut kill)
    }

    /// Promote the standby to a primary that accepts writes.
    pub fn promote(&self) -> anyhow::Result<()> {
        self.tool(
            "pg_ctl",
            &["-D", &self.standby.data.to_string_lossy(), "-w", "promote"],
        )
    }

    fn tool(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let exe = self.bin.join(tool);
        let mut cmd = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args).current_dir(&self.dir);
        let out = cmd
            .output()
            .with_context(|| format!("cannot run {}", exe.display()))?;
        if !out.status.success() {
            bail!(
                "{tool} failed: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for PgPair {
    fn drop(&mut self) {
        // A test that failed with the standby frozen must not leave it stopped for ever.
        let _ = self.freeze_standby(false);
        for node in [&self.primary, &self.standby] {
            if node.data.join("postmaster.pid").exists() {
                let _ = self.tool(
                    "pg_ctl",
                    &[
                        "-D",
                        &node.data.to_string_lossy(),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ],
                );
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}
