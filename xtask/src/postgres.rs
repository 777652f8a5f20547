//! A throwaway PostgreSQL cluster on a loopback port for tests and benches (installed from apt if missing).
//!
//! PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user in a
//! temporary directory it owns. The cluster stops and its directory is removed on drop.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

use crate::system::{ensure_apt, run};

/// The environment variable tests read the PostgreSQL server URL from.
pub const PG_URL_ENV: &str = "CHECKPOINT_TEST_PG_URL";
/// Set by `cargo xtask test`: a missing PostgreSQL is then a failure, not a skip.
pub const PG_REQUIRED_ENV: &str = "CHECKPOINT_REQUIRE_PG";
/// The PEM file of the cluster's self-signed certificate (its own CA), for the TLS tests.
pub const PG_CA_ENV: &str = "CHECKPOINT_TEST_PG_CA";

const USER: &str = "checkpoint";

/// A running throwaway cluster.
#[derive(Debug)]
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb`.
fn find_bin() -> Option<PathBuf> {
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

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

impl TempPostgres {
    /// Install PostgreSQL if needed, then init and start a cluster on 127.0.0.1.
    pub fn start() -> anyhow::Result<Self> {
        let bin = match find_bin() {
            Some(bin) => bin,
            None => {
                eprintln!("xtask: PostgreSQL is not installed; installing it from apt for the server tests");
                ensure_apt(&[(
                    "postgresql",
                    "the district server's PostgreSQL tests and bench",
                )])?;
                find_bin()
                    .context("postgresql installed but no /usr/lib/postgresql/*/bin/initdb")?
            }
        };
        let run_as = is_root().then_some("postgres");
        let dir = std::env::temp_dir().join(format!("checkpoint-pg-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        if let Some(user) = run_as {
            run(Command::new("chown").arg(format!("{user}:")).arg(&dir))?;
        }
        let port = free_port()?;
        let pg = Self {
            dir,
            bin,
            port,
            run_as,
        };
        let data = pg.dir.join("data");
        eprintln!(
            "xtask: starting a throwaway PostgreSQL ({}) on 127.0.0.1:{port}{}",
            pg.bin.display(),
            run_as.map(|u| format!(" as user {u}")).unwrap_or_default()
        );
        let (cert, key) = pg.write_certificate()?;
        pg.pg_run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        // TLS on, so the server's `sslmode` handling is tested against a real PostgreSQL; clients
        // that do not ask for it still connect in plain text.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 \
             -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            pg.dir.display(),
            cert.display(),
            key.display()
        );
        pg.pg_run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-l",
                &pg.dir.join("server.log").to_string_lossy(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        )?;
        Ok(pg)
    }

    fn pg_run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
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

    /// A self-signed certificate for 127.0.0.1 and localhost, and its key (mode 0600, owned by the
    /// user the cluster runs as, as PostgreSQL demands).
    fn write_certificate(&self) -> anyhow::Result<(PathBuf, PathBuf)> {
        use std::os::unix::fs::PermissionsExt;
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let made = rcgen::generate_simple_self_signed(names)
            .context("cannot make a certificate for the throwaway PostgreSQL")?;
        let (cert, key) = (self.ca_path(), self.dir.join("server.key"));
        std::fs::write(&cert, made.cert.pem())?;
        std::fs::write(&key, made.key_pair.serialize_pem())?;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))?;
        if let Some(user) = self.run_as {
            run(Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&cert)
                .arg(&key))?;
        }
        Ok((cert, key))
    }

    /// The cluster's certificate (PEM), which is also its own CA.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("server.crt")
    }

    /// The URL of the cluster's `postgres` database; tests create their own databases from it.
    pub fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let stopped = self.pg_run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "fast", "-w", "stop"],
        );
        match stopped {
            Ok(()) => eprintln!("xtask: stopped the throwaway PostgreSQL"),
            Err(e) => eprintln!("xtask: could not stop the throwaway PostgreSQL: {e}"),
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("xtask: could not remove {}: {e}", self.dir.display());
        }
    }
}
