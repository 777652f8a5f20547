//! The server's settings: defaults, an optional JSON config file, then flags and environment variables.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sync_core::protocol::BatchLimits;

/// Everything the server needs to know besides what is in its database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite:district.db` or `postgres://user:password@host/db`.
    pub db: String,
    pub listen: String,
    /// The URL people and phones reach this server at (for QR codes and links).
    pub public_url: String,
    /// Short id printed into every pass; at most 16 bytes.
    pub district_id: String,
    pub district_name: String,
    /// +480 for China Standard Time: decides "today" and midnight.
    pub utc_offset_minutes: i32,
    pub retention_days: u32,
    pub fever_threshold_c: f32,
    /// A device not heard from for this long is listed as silent.
    pub silent_after_minutes: i64,
    pub max_batch_records: usize,
    /// Decompressed body size limit of one batch.
    pub max_batch_bytes: usize,
    /// Self-registrations allowed per client address per hour.
    pub register_per_hour: u32,
    /// Visitor self-registrations per phone number per (district) day; with it the per-network
    /// limit can stay high enough for a compound's shared Wi-Fi.
    pub register_per_phone_day: u32,
    /// Seconds a client may take to send a request's headers (half-open connections are closed).
    pub header_read_timeout_secs: u64,
    /// Seconds the server waits for the next piece of a request body.
    pub body_read_timeout_secs: u64,
    /// Open client connections at most (also capped by the open-files limit).
    pub max_connections: usize,
    /// PostgreSQL: seconds a request waits for a pooled connection, and the `statement_timeout`.
    pub db_wait_timeout_secs: u64,
    pub db_statement_timeout_secs: u64,
    /// PostgreSQL: seconds a commit may wait for the synchronous standby before the request is
    /// answered 503 (the outcome unknown; the device sends again and gets duplicates). Keep it
    /// below the statement timeout, which would let a commit through on the primary alone.
    pub db_commit_wait_secs: u64,
    /// Devices show their revocation list's age after this many hours without a pull …
    pub revocations_warn_hours: u32,
    /// … and show passes checked against it as amber after this many.
    pub revocations_amber_hours: u32,
    /// PEM certificate chain and private key: serve HTTPS. Phones refuse plain HTTP beyond loopback.
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
    /// The largest photo a device may upload (bytes, after its JPEG compression); sent to the
    /// devices in their checkpoint config. Larger uploads get 413.
    pub photo_max_bytes: usize,
    /// A checkpoint that has not acknowledged a notice in force this many minutes after it was
    /// there to read is flagged on the dashboard.
    pub notice_ack_minutes: i64,
    /// An admin web session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// Contact tracing lists everyone admitted at the same checkpoint within this many minutes
    /// of the traced person's passages.
    pub contact_window_minutes: i64,
    /// The anomaly panel lists people going out more often than this in a day …
    pub anomaly_exits_per_day: i64,
    /// … residents not seen at any gate for this many days …
    pub anomaly_unseen_days: i64,
    /// … and households with more visitors than this in a day.
    pub anomaly_visitors_per_household: i64,
    /// The dashboard's anomaly counts are recounted in the background this often (seconds); a
    /// compound's counts older than three times this are recounted when the dashboard asks.
    pub anomaly_refresh_seconds: u64,
    /// Load balancers in front of this server (their own addresses): from these peers the last
    /// `X-Forwarded-For` address is taken as the client's (rate limits, login throttling, audit).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A read-only copy of the PostgreSQL database (a hot standby's URL): the daily report and
    /// the records search read there, so heavy reporting does not slow ingest down. Unset: they
    /// read the database itself.
    pub report_db: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db: "sqlite:district.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            district_id: "district".into(),
            district_name: "示范街道".into(),
            utc_offset_minutes: 480,
            retention_days: 28,
            fever_threshold_c: sync_core::validate::DEFAULT_FEVER_THRESHOLD_C,
            silent_after_minutes: 30,
            max_batch_records: 1000,
            max_batch_bytes: 4 * 1024 * 1024,
            register_per_hour: 120,
            register_per_phone_day: 3,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            max_connections: 8192,
            db_wait_timeout_secs: 10,
            db_statement_timeout_secs: 30,
            db_commit_wait_secs: 10,
            revocations_warn_hours: 24,
            revocations_amber_hours: 72,
            tls_cert: None,
            tls_key: None,
            photo_max_bytes: sync_core::photo::DEFAULT_PHOTO_MAX_BYTES,
            notice_ack_minutes: 30,
            session_idle_minutes: 480,
            contact_window_minutes: 15,
            anomaly_exits_per_day: 5,
            anomaly_unseen_days: 3,
            anomaly_visitors_per_household: 3,
            anomaly_refresh_seconds: 60,
            trusted_proxies: Vec::new(),
            report_db: None,
        }
    }
}

impl Config {
    /// Read a JSON config file; missing keys keep their defaults.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config {} is not valid: {e}", path.display()))
    }

    pub fn batch_limits(&self) -> BatchLimits {
        BatchLimits {
            max_records: self.max_batch_records,
            max_bytes: self.max_batch_bytes,
        }
    }

    /// The accept loop's limits; at most the open-files limit `nofile` less a reserve for the
    /// database and log files.
    pub fn serve_limits(&self, nofile: u64) -> crate::serve::ServeLimits {
        let room = usize::try_from(nofile.saturating_sub(256)).unwrap_or(usize::MAX);
        crate::serve::ServeLimits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            body_read_timeout: std::time::Duration::from_secs(self.body_read_timeout_secs),
            max_connections: self.max_connections.min(room).max(16),
        }
    }

    pub fn db_options(&self) -> crate::store::DbOptions {
        crate::store::DbOptions {
            wait_timeout: std::time::Duration::from_secs(self.db_wait_timeout_secs),
            statement_timeout: std::time::Duration::from_secs(self.db_statement_timeout_secs),
            commit_wait: std::time::Duration::from_secs(self.db_commit_wait_secs),
        }
    }

    /// The database URL with any password replaced by `***`, for printing.
    pub fn db_redacted(&self) -> String {
        redact_url(&self.db)
    }

    /// The effective configuration as lines of `key = value`, secrets hidden.
    pub fn describe(&self) -> String {
        let mut shown = self.clone();
        shown.db = self.db_redacted();
        serde_json::to_string_pretty(&shown).unwrap_or_default()
    }
}

/// Hide the password part of `scheme://user:password@host/…`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_when_printing() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/district"),
            "postgres://app:***@db:5432/district"
        );
        assert_eq!(redact_url("sqlite:district.db"), "sqlite:district.db");
        let c = Config {
            db: "postgres://a:topsecret@h/d".into(),
            ..Config::default()
        };
        assert!(!c.describe().contains("topsecret"));
    }
}
