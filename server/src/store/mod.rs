//! Storage: one `Backend` trait (SQLite or PostgreSQL, picked from the URL) under the `Store` the server uses.
//!
//! Architecture invariant: every SQL statement in this crate is written once, with `$1`-style
//! placeholders and PostgreSQL-compatible syntax (no `::` casts, no SQLite-only functions), and
//! runs unchanged on both backends. A backend only knows how to run statements and transactions
//! and how to migrate its own schema (`server/migrations/<backend>/`).

mod accounts;
mod admin;
mod anomalies;
mod anomaly_counts;
mod bulk;
mod changes;
mod compound_of;
mod devices;
mod duty;
mod from_row;
mod handbook;
mod health;
mod households;
mod incidents;
mod ingest;
mod invitations;
mod lead;
mod notices;
mod partitions;
mod passes;
mod patrol;
mod pg_tls;
mod photos;
mod postgres;
mod presence;
mod quarantine;
mod rate;
mod records;
mod reports;
mod roster;
mod rules;
mod schema;
mod signoffs;
mod sqlite;
mod tallies;
mod throttle;
mod tx;
mod value;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

pub use accounts::{Account, AccountRole};
pub use admin::{AuditEntry, Session};
pub use anomalies::{Anomalies, AnomalyRules, HouseholdCount, SubjectCount, Unseen};
pub use anomaly_counts::{AnomalyCounts, StoredCounts};
pub use bulk::{BulkInsert, ColumnType};
pub use compound_of::Owned;
pub use devices::{Checkpoint, Device, DeviceInfo, EnrollCode, EnrollOutcome};
pub use duty::{StaffChange, StaffRecord};
pub use from_row::{FromRow, FromVal, JsonList};
pub use handbook::SectionEdit;
pub use health::{CheckinContext, CheckinCount, FlaggedCheckin};
pub use households::HouseholdLink;
pub use incidents::{IncidentFilter, IncidentRow, IncidentStatus};
pub use ingest::{
    id_tail, plan_batch, BatchPlan, Clock, DeviceState, Incoming, Source, StoredRecord,
};
pub use invitations::{InvitationRow, InviteError, NewInvitation};
pub use lead::{run_led, Job, Lead};
pub use notices::{NoticeEdit, NoticeRecord, Overdue, Receipt};
pub use partitions::{months_to_make, MONTHS_AHEAD};
pub use passes::{IssuedPass, Resident, VisitorPass};
pub use patrol::{new_patrol_id, PointRow, RouteRow, RoutesOf};
pub use photos::{NewPhoto, StoredPhoto, UNEXPECTED_PHOTO_HOURS};
pub use presence::{PlaceQuery, Whereabouts};
pub use quarantine::{Decision, QuarantinedRecord, ReviewOutcome};
pub use rate::RateLimit;
pub use records::{Contact, RecordQuery, RecordRow, SearchField};
pub use reports::{PassageFacts, Presence};
pub use signoffs::SignOff;
pub use tallies::HourTally;
pub use throttle::ThrottleKey;
pub use tx::Tx;
pub use value::{Row, Stmt, Val};

/// Any storage failure. Internal details stay in logs; clients see a generic message.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", pg_message(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(String),
    #[error("unsupported database URL `{0}` (use sqlite:FILE or postgres://…)")]
    BadUrl(String),
    #[error("column {index}: {problem}")]
    Column { index: usize, problem: String },
    #[error("migration {name}: {source}")]
    Migration {
        name: String,
        #[source]
        source: Box<DbError>,
    },
    #[error("blocking task failed: {0}")]
    Join(String),
    #[error("{0}")]
    Invalid(String),
    /// Code under the storage layer panicked; the transaction was rolled back.
    #[error("storage code panicked: {0}")]
    Panic(String),
    /// The database holds migrations this build does not know: a newer server migrated it.
    #[error(
        "the database was migrated by a newer district-server (migrations this version does not \
         know: {}); start that version or a later one, never an older one",
        .unknown.join(", ")
    )]
    NewerSchema { unknown: Vec<String> },
    /// The database could not answer now (failing over, a standby behind, a commit not
    /// confirmed in time); the request may be sent again.
    #[error("the database is unavailable for now: {0}")]
    Unavailable(String),
}

impl DbError {
    /// A failure that passes: the database is down, failing over, read-only (a standby), busy
    /// past the statement timeout, or a commit was not confirmed in time. Clients are told to
    /// come back later (503) rather than that something is wrong with their request.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Pool(_) | Self::Unavailable(_) => true,
            Self::Postgres(e) => {
                e.is_closed()
                    || e.as_db_error().is_some_and(|db| {
                        let code = db.code().code();
                        // connection exception, admin shutdown / crash shutdown / cannot connect
                        // now, read-only transaction (a standby), query cancelled (timeout)
                        code.starts_with("08")
                            || code.starts_with("57P")
                            || code == "25006"
                            || code == "57014"
                    })
            }
            _ => false,
        }
    }
}

/// The server's own message and SQLSTATE when there is one ("db error" alone says nothing).
fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// Run `f`, turning a panic into `DbError::Panic` so one request cannot take the store down.
pub(crate) fn catch_panic<T>(
    f: impl FnOnce() -> Result<T, DbError> + std::panic::UnwindSafe,
) -> Result<T, DbError> {
    std::panic::catch_unwind(f).unwrap_or_else(|payload| {
        let message = crate::panics::panic_message(payload.as_ref());
        tracing::error!(panic = %message, "storage code panicked; request failed, store kept");
        Err(DbError::Panic(message))
    })
}

/// A database engine: runs statements; both backends run the same SQL.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;

    /// Run one statement on its own; rows for `SELECT`/`RETURNING`, else none.
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError>;

    /// Open a transaction on a connection of its own (SQLite: the one connection, locked).
    async fn begin(&self) -> Result<Tx, DbError>;

    /// Lead the job with this lock key unless another instance does (see `lead.rs`); a backend
    /// that serves one instance always leads.
    async fn try_lead(&self, _key: i64) -> Result<Option<lead::Lead>, DbError> {
        Ok(Some(lead::Lead::solo()))
    }

    /// The statement that makes the journal's month starting at `month` (`YYYY-MM-01`) where
    /// the backend partitions the journal by month (`partitions.rs`); `None` where it does not.
    fn month_stmt(&self, _month: &str) -> Option<Stmt> {
        None
    }

    /// The statements the purge runs first in its transaction to drop the journal's months that
    /// ended by `cutoff_ms`; the first returns the rows dropped per table. None without months.
    fn drop_month_stmts(&self, _cutoff_ms: i64) -> Vec<Stmt> {
        Vec::new()
    }

    /// Open a transaction and run statements in it; the rows of each (SQLite: in one trip).
    async fn begin_with(&self, stmts: Vec<Stmt>) -> Result<(Tx, Vec<Vec<Row>>), DbError> {
        let mut tx = self.begin().await?;
        let rows = tx.rows_all(stmts).await?;
        Ok((tx, rows))
    }
}

/// The server's storage: all reads and writes go through here.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// A read-only copy (a standby): reads that would write first (applying the places queue)
    /// read what the primary last applied instead.
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend.kind())
            .finish()
    }
}

/// Rows removed by one retention purge, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub passages: u64,
    /// Journal entries of the other kinds.
    pub entries: u64,
    /// Photos no entry expects any more (their entries were purged) or ever did, a day after they came.
    pub photos: u64,
    pub visitor_passes: u64,
    pub chain_events: u64,
    pub enroll_codes: u64,
    pub sessions: u64,
    pub quarantine: u64,
    /// Health check-ins received before the cutoff.
    pub checkins: u64,
    /// Invitations whose visit day ended before the cutoff.
    pub invitations: u64,
    /// Rate-limit windows older than a day.
    pub rate_windows: u64,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.passages
            + self.entries
            + self.photos
            + self.visitor_passes
            + self.chain_events
            + self.enroll_codes
            + self.sessions
            + self.quarantine
            + self.checkins
            + self.invitations
            + self.rate_windows
    }
}

/// How long storage calls may wait (PostgreSQL: for a pooled connection, per statement, and for
/// a commit to be confirmed by the synchronous standby).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbOptions {
    pub wait_timeout: std::time::Duration,
    pub statement_timeout: std::time::Duration,
    pub commit_wait: std::time::Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            wait_timeout: std::time::Duration::from_secs(10),
            statement_timeout: std::time::Duration::from_secs(30),
            commit_wait: std::time::Duration::from_secs(10),
        }
    }
}

impl Store {
    /// Open (and migrate) the database named by `url`: `sqlite:PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        Self::open_with(url, &DbOptions::default()).await
    }

    /// `open` with explicit timeouts.
    pub async fn open_with(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        let backend: Arc<dyn Backend> = if let Some(path) = url.strip_prefix("sqlite:") {
            Arc::new(sqlite::SqliteBackend::open(path.trim_start_matches("//")).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(postgres::PgBackend::connect(url, options).await?)
        } else {
            return Err(DbError::BadUrl(url.to_owned()));
        };
        Ok(Self {
            backend,
            read_only: false,
        })
    }

    /// Open a read-only copy of the district's PostgreSQL database (a hot standby) for heavy
    /// reading: the daily report and the records search. Nothing is migrated or written there.
    pub async fn open_replica(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(DbError::BadUrl(url.to_owned()));
        }
        Ok(Self {
            backend: Arc::new(postgres::PgBackend::connect_replica(url, options).await?),
            read_only: true,
        })
    }

    /// A read-only copy (see [`Store::open_replica`]).
    pub fn is_replica(&self) -> bool {
        self.read_only
    }

    pub fn kind(&self) -> &'static str {
        self.backend.kind()
    }

    pub(crate) async fn rows(&self, sql: &str, params: Vec<Val>) -> Result<Vec<Row>, DbError> {
        self.backend.query(Stmt::new(sql, params)).await
    }

    /// Run one statement on its own.
    pub(crate) async fn run(&self, stmt: Stmt) -> Result<(), DbError> {
        self.exec(&stmt.sql, stmt.params).await
    }

    pub(crate) async fn exec(&self, sql: &str, params: Vec<Val>) -> Result<(), DbError> {
        self.backend.query(Stmt::new(sql, params)).await.map(|_| ())
    }

    /// Open a transaction: straight-line statements on it, then `Tx::commit`. Dropped without
    /// a commit, it is rolled back.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        self.backend.begin().await
    }

    /// `begin`, then statements in the new transaction; the rows of each.
    pub async fn begin_with(&self, stmts: Vec<Stmt>) -> Result<(Tx, Vec<Vec<Row>>), DbError> {
        self.backend.begin_with(stmts).await
    }

    /// Run one statement and decode every row it returns.
    pub async fn query_as<T: FromRow>(
        &self,
        sql: &str,
        params: Vec<Val>,
    ) -> Result<Vec<T>, DbError> {
        T::from_rows(&self.rows(sql, params).await?)
    }

    /// The first row decoded, if any.
    pub async fn query_opt<T: FromRow>(
        &self,
        sql: &str,
        params: Vec<Val>,
    ) -> Result<Option<T>, DbError> {
        T::from_first(&self.rows(sql, params).await?)
    }

    /// `SELECT COUNT(*)`-style statements: the first column of the first row (0 when none).
    pub(crate) async fn count(&self, sql: &str, params: Vec<Val>) -> Result<i64, DbError> {
        Ok(self
            .query_opt::<(i64,)>(sql, params)
            .await?
            .map_or(0, |(n,)| n))
    }

    /// A stored setting (district id, signing key, revocation version…).
    pub async fn setting(&self, key: &str) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> = self
            .query_opt(
                "SELECT value FROM settings WHERE key = $1",
                vec![key.into()],
            )
            .await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.exec(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![key.into(), value.into()],
        )
        .await
    }

    /// Store a setting only if it is not set yet; returns the value in force (first writer wins).
    pub async fn init_setting(&self, key: &str, value: &str) -> Result<String, DbError> {
        self.exec(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            vec![key.into(), value.into()],
        )
        .await?;
        Ok(self.setting(key).await?.unwrap_or_else(|| value.to_owned()))
    }

    /// Run a `SELECT COUNT(*) …` written by the caller (tests and benches check counts this way).
    pub async fn count_query(&self, sql: &str) -> Result<i64, DbError> {
        self.count(sql, vec![]).await
    }

    /// The journal's part of the purge, in one transaction: each device's count of purged rows
    /// grows by what goes (so the devices page does not take them for missing), then the facts of
    /// the entries, the passages and the entries go. Returns `(passages, entries)` removed.
    async fn purge_journal(&self, cutoff_ms: i64) -> Result<(u64, u64), DbError> {
        let mut tx = self.begin().await?;
        // Whole months first (PostgreSQL), so the count below sees only the rows left to delete.
        let dropped = tx
            .rows_all(self.backend.drop_month_stmts(cutoff_ms))
            .await?;
        let (months_p, months_e) = dropped
            .first()
            .map(|rows| <(u64, u64)>::from_first(rows))
            .transpose()?
            .flatten()
            .unwrap_or((0, 0));
        tx.execute(
            "UPDATE devices SET purged_rows = purged_rows
                 + (SELECT COUNT(*) FROM passages p
                    WHERE p.device_id = devices.device_id AND p.corrected_at_ms < $1)
                 + (SELECT COUNT(*) FROM entries e
                    WHERE e.device_id = devices.device_id AND e.corrected_at_ms < $1)",
            vec![cutoff_ms.into()],
        )
        .await?;
        let passages = tx
            .execute(
                "DELETE FROM passages WHERE corrected_at_ms < $1",
                vec![cutoff_ms.into()],
            )
            .await?;
        // The facts of purged patrol checks and incidents go with them (not counted twice), and
        // the places of subjects whose last crossing went (they have no passage left).
        for facts in [
            "DELETE FROM presence WHERE corrected_at_ms < $1",
            "DELETE FROM passage_occupants WHERE corrected_at_ms < $1",
            "DELETE FROM passage_hours WHERE hour_ms + 3600000 <= $1",
            "DELETE FROM patrol_checks WHERE corrected_at_ms < $1",
            "DELETE FROM incidents WHERE corrected_at_ms < $1",
            "DELETE FROM notice_acks WHERE corrected_at_ms < $1",
            "DELETE FROM duty_events WHERE corrected_at_ms < $1",
        ] {
            tx.execute(facts, vec![cutoff_ms.into()]).await?;
        }
        let entries = tx
            .execute(
                "DELETE FROM entries WHERE corrected_at_ms < $1",
                vec![cutoff_ms.into()],
            )
            .await?;
        tx.commit().await?;
        Ok((passages + months_p, entries + months_e))
    }

    /// The retention purge: passages and other entries that happened (corrected time) before
    /// `cutoff_ms` with their photos, patrol-check, incident, read-receipt and duty facts, photos no entry expects a day after they came, and visitor day passes
    /// (names, phones) that ended before it, chain events detected before it, enrollment codes that
    /// expired before it, quarantined records received before it, and sessions expired by `now_ms`. Returns how many rows went, per table.
    pub async fn purge_before(&self, cutoff_ms: i64, now_ms: i64) -> Result<Purged, DbError> {
        let deleted = |sql: &'static str, at: i64| async move {
            Ok::<u64, DbError>(self.rows(sql, vec![at.into()]).await?.len() as u64)
        };
        let (passages, entries) = self.purge_journal(cutoff_ms).await?;
        Ok(Purged {
            passages,
            entries,
            photos: {
                self.rows(photos::PURGE_EXPECTATIONS, vec![]).await?;
                let day_ago = now_ms - photos::UNEXPECTED_PHOTO_HOURS * 3_600_000;
                deleted(photos::PURGE_UNEXPECTED, day_ago).await?
            },
            visitor_passes: deleted(
                "DELETE FROM visitor_passes WHERE valid_until_ms < $1 RETURNING pass_id",
                cutoff_ms,
            )
            .await?,
            chain_events: deleted(
                "DELETE FROM chain_events WHERE detected_at_ms < $1 RETURNING pk",
                cutoff_ms,
            )
            .await?,
            enroll_codes: deleted(
                "DELETE FROM enroll_codes WHERE expires_at_ms < $1 RETURNING code_hash",
                cutoff_ms,
            )
            .await?,
            sessions: deleted(
                "DELETE FROM sessions WHERE expires_at_ms < $1 RETURNING token_hash",
                now_ms,
            )
            .await?,
            quarantine: deleted(
                "DELETE FROM quarantine WHERE received_at_ms < $1 RETURNING pk",
                cutoff_ms,
            )
            .await?,
            checkins: deleted(
                "DELETE FROM health_checkins WHERE received_at_ms < $1 RETURNING id",
                cutoff_ms,
            )
            .await?,
            invitations: deleted(
                "DELETE FROM invitations WHERE valid_until_ms < $1 RETURNING pass_id",
                cutoff_ms,
            )
            .await?,
            rate_windows: deleted(
                "DELETE FROM rate_windows WHERE window_start_ms < $1 RETURNING rate_key",
                now_ms - rate::KEEP_WINDOWS_MS,
            )
            .await?,
        })
    }
}
