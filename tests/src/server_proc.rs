//! A real `district-server` process on a loopback port, for the sync tests: start, kill (SIGKILL), restart,
//! headless admin commands, and reading back what the server stored for a device.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// The server binary: `$CHECKPOINT_SERVER_BIN`, else `district-server` beside the test executable's
/// target directory (`cargo xtask test` builds it before running the tests).
pub fn server_bin() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("CHECKPOINT_SERVER_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    // target/debug/deps/<test> → target/debug/district-server
    let candidate = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("district-server"))
        .context("cannot locate the target directory")?;
    if candidate.exists() {
        Ok(candidate)
    } else {
        bail!(
            "{} is missing: run `cargo build -p district-server` first (cargo xtask test does)",
            candidate.display()
        )
    }
}

/// A free loopback port (free when asked; bind it soon).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One running server.
pub struct ServerProc {
    child: Option<Child>,
    pub db: String,
    pub addr: SocketAddr,
    log: PathBuf,
    /// A JSON config file (`DISTRICT_CONFIG`), for timeouts a test shortens.
    config: Option<PathBuf>,
}

impl std::fmt::Debug for ServerProc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerProc")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ServerProc {
    /// Start a server on `db` (e.g. `sqlite:/tmp/x/district.db`), logging to `log`.
    pub fn start(db: &str, log: &Path) -> anyhow::Result<Self> {
        Self::start_configured(db, log, None)
    }

    /// `start` with a JSON config file (flags still set the database and the address).
    pub fn start_configured(db: &str, log: &Path, config: Option<&Path>) -> anyhow::Result<Self> {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        let mut me = Self {
            child: None,
            db: db.to_owned(),
            addr,
            log: log.to_owned(),
            config: config.map(Path::to_owned),
        };
        me.spawn()?;
        Ok(me)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut command = Command::new(server_bin()?);
        if let Some(config) = &self.config {
            command.env("DISTRICT_CONFIG", config);
        }
        let child = command
            .args([
                "--db",
                &self.db,
                "serve",
                "--listen",
                &self.addr.to_string(),
                "--public-url",
                &format!("http://{}", self.addr),
            ])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start district-server")?;
        self.child = Some(child);
        self.wait_healthy(Duration::from_secs(30))
    }

    fn wait_healthy(&mut self, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                    bail!("district-server exited with {status}:\n{log}");
                }
            }
            if health(self.addr) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("district-server did not answer /health within {limit:?}")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL the process (no graceful shutdown).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start again on the same port and database.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.spawn()
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A raw `GET /health` (no client library, so it also works while the runtime is busy).
fn health(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}

/// A raw `GET path` over HTTP/1.0 (so the body comes unchunked, and no client library is
/// needed): the body of a 200 answer, else an error.
pub fn raw_get(addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())?;
    let mut buf = String::new();
    // A read cut short keeps what came; the status line decides.
    let _ = s.read_to_string(&mut buf);
    if !(buf.starts_with("HTTP/1.1 200") || buf.starts_with("HTTP/1.0 200")) {
        bail!("GET {path}: {}", buf.lines().next().unwrap_or("no answer"));
    }
    let (head, body) = buf.split_once("\r\n\r\n").unwrap_or((buf.as_str(), ""));
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return dechunk(body);
    }
    Ok(body.to_owned())
}

/// The body of a chunked HTTP/1.1 answer (HAProxy answers chunked even to HTTP/1.0).
fn dechunk(mut rest: &str) -> anyhow::Result<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest
            .split_once("\r\n")
            .context("a chunk without its size")?;
        let size =
            usize::from_str_radix(size.trim(), 16).context("a chunk size that is not hex")?;
        if size == 0 {
            return Ok(body);
        }
        let chunk = after.get(..size).context("a chunk cut short")?;
        body.push_str(chunk);
        rest = after.get(size..).unwrap_or("").trim_start_matches("\r\n");
    }
}

/// Run `district-server --db DB admin ARGS…` and return its stdout.
pub fn admin(db: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(server_bin()?)
        .args(["--db", db, "admin"])
        .args(args)
        .env("RUST_LOG", "warn")
        .env("DISTRICT_ADMIN_PASSWORD", "test-admin-password")
        .output()?;
    if !out.status.success() {
        bail!(
            "admin {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Create a compound and checkpoint (idempotent) and return a fresh one-time enrollment code.
pub fn enrollment_code(db: &str, checkpoint: &str) -> anyhow::Result<String> {
    admin(db, &["compound", "c-test", "测试小区"])?;
    admin(
        db,
        &[
            "checkpoint",
            checkpoint,
            "c-test",
            "东门",
            "--gate",
            "east-1",
        ],
    )?;
    another_enrollment_code(db, checkpoint)
}

/// A fresh one-time enrollment code for an existing checkpoint.
pub fn another_enrollment_code(db: &str, checkpoint: &str) -> anyhow::Result<String> {
    let out = admin(db, &["enroll-code", checkpoint])?;
    out.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
        .context("enroll-code printed nothing")
}

/// What the server stored for one device, read from its SQLite file: (seq, id, prev_hash, hash) by
/// seq, over every kind of journal entry (passages and the other kinds' table).
pub fn stored_for_device(
    sqlite_path: &Path,
    device_id: &str,
) -> anyhow::Result<Vec<(u64, String, String, String)>> {
    let conn = rusqlite::Connection::open_with_flags(
        sqlite_path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = conn.prepare(
        "SELECT seq, id, prev_hash, hash FROM passages WHERE device_id = ?1
         UNION ALL SELECT seq, id, prev_hash, hash FROM entries WHERE device_id = ?1
         ORDER BY seq",
    )?;
    let rows = stmt.query_map([device_id], |r| {
        Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
