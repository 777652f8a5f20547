//! The embedded SQLite backend: one connection on a blocking thread, WAL, migrations from `migrations/sqlite`.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, TransactionBehavior};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::tx::{Tx, TxConn};
use super::value::sqlite_placeholders;
use super::{catch_panic, Backend, DbError, Row, Stmt, Val};

/// Ordered migrations; each runs once, recorded in `schema_migrations`.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        "0002_device_release",
        include_str!("../../migrations/sqlite/0002_device_release.sql"),
    ),
    (
        "0003_quarantine",
        include_str!("../../migrations/sqlite/0003_quarantine.sql"),
    ),
    (
        "0004_quarantine_hash_verified",
        include_str!("../../migrations/sqlite/0004_quarantine_hash_verified.sql"),
    ),
    (
        "0005_visitor_id_tail",
        include_str!("../../migrations/sqlite/0005_visitor_id_tail.sql"),
    ),
    (
        "0006_roster",
        include_str!("../../migrations/sqlite/0006_roster.sql"),
    ),
    (
        "0007_device_disable",
        include_str!("../../migrations/sqlite/0007_device_disable.sql"),
    ),
    (
        "0008_compound_rules",
        include_str!("../../migrations/sqlite/0008_compound_rules.sql"),
    ),
    (
        "0009_corrected_time",
        include_str!("../../migrations/sqlite/0009_corrected_time.sql"),
    ),
    (
        "0010_entries",
        include_str!("../../migrations/sqlite/0010_entries.sql"),
    ),
    (
        "0011_photos",
        include_str!("../../migrations/sqlite/0011_photos.sql"),
    ),
    (
        "0012_patrol",
        include_str!("../../migrations/sqlite/0012_patrol.sql"),
    ),
    (
        "0013_incidents",
        include_str!("../../migrations/sqlite/0013_incidents.sql"),
    ),
    (
        "0014_handbook",
        include_str!("../../migrations/sqlite/0014_handbook.sql"),
    ),
    (
        "0015_notices",
        include_str!("../../migrations/sqlite/0015_notices.sql"),
    ),
    (
        "0016_duty",
        include_str!("../../migrations/sqlite/0016_duty.sql"),
    ),
    (
        "0017_household_links",
        include_str!("../../migrations/sqlite/0017_household_links.sql"),
    ),
    (
        "0018_health_invitations",
        include_str!("../../migrations/sqlite/0018_health_invitations.sql"),
    ),
    (
        "0019_accounts",
        include_str!("../../migrations/sqlite/0019_accounts.sql"),
    ),
    (
        "0020_report_signoffs",
        include_str!("../../migrations/sqlite/0020_report_signoffs.sql"),
    ),
    (
        "0021_purged_rows",
        include_str!("../../migrations/sqlite/0021_purged_rows.sql"),
    ),
    (
        "0022_vehicle_occupants",
        include_str!("../../migrations/sqlite/0022_vehicle_occupants.sql"),
    ),
    (
        "0023_passage_search",
        include_str!("../../migrations/sqlite/0023_passage_search.sql"),
    ),
    (
        "0024_presence",
        include_str!("../../migrations/sqlite/0024_presence.sql"),
    ),
    (
        "0025_anomaly_counts",
        include_str!("../../migrations/sqlite/0025_anomaly_counts.sql"),
    ),
    (
        "0026_passage_occupants",
        include_str!("../../migrations/sqlite/0026_passage_occupants.sql"),
    ),
    (
        "0027_passage_hours",
        include_str!("../../migrations/sqlite/0027_passage_hours.sql"),
    ),
    (
        "0028_rate_windows",
        include_str!("../../migrations/sqlite/0028_rate_windows.sql"),
    ),
];

pub struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
}

type ConnGuard = OwnedMutexGuard<Connection>;

/// Roll back a transaction that someone left open (a dropped `Tx`, a failed request).
fn roll_back_if_open(conn: &Connection) {
    if !conn.is_autocommit() {
        tracing::error!("sqlite: a transaction was left open; rolling back");
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::error!(error = %e, "sqlite: rollback failed");
        }
    }
}

/// Run `f` on the locked connection on a blocking thread, panics caught; the guard comes back.
async fn on_blocking<T: Send + 'static>(
    mut guard: ConnGuard,
    f: impl FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
) -> Result<(ConnGuard, Result<T, DbError>), DbError> {
    tokio::task::spawn_blocking(move || {
        let result = catch_panic(AssertUnwindSafe(|| f(&mut guard)));
        (guard, result)
    })
    .await
    .map_err(|e| DbError::Join(e.to_string()))
}

impl SqliteBackend {
    pub async fn open(path: &str) -> Result<Self, DbError> {
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, DbError> {
            if let Some(dir) = Path::new(&path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Invalid(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
            }
            let mut conn = Connection::open(&path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // An acknowledged batch must survive power loss: the device may forget it afterwards.
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            migrate(&mut conn)?;
            Ok(conn)
        })
        .await
        .map_err(|e| DbError::Join(e.to_string()))??;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }
}

/// An open SQLite transaction: it holds the connection's lock until it ends.
struct SqliteTx {
    guard: Option<ConnGuard>,
}

impl SqliteTx {
    async fn on_conn<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let guard = self
            .guard
            .take()
            .ok_or_else(|| DbError::Invalid("the transaction has ended".into()))?;
        // If this future is dropped while the statement runs, the guard is dropped with the
        // blocking task, and the next user of the lock rolls the transaction back.
        let (guard, result) = on_blocking(guard, f).await?;
        self.guard = Some(guard);
        result
    }
}

#[async_trait]
impl TxConn for SqliteTx {
    async fn query(&mut self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        self.on_conn(move |conn| run(conn, &stmt)).await
    }

    async fn execute(&mut self, stmt: Stmt) -> Result<u64, DbError> {
        self.on_conn(move |conn| execute(conn, &stmt)).await
    }

    async fn query_all(&mut self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        self.on_conn(move |conn| stmts.iter().map(|s| run(conn, s)).collect())
            .await
    }

    async fn commit(mut self: Box<Self>) -> Result<(), DbError> {
        self.on_conn(|conn| Ok(conn.execute_batch("COMMIT")?)).await
    }

    async fn commit_after(mut self: Box<Self>, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        self.on_conn(move |conn| {
            let rows = stmts
                .iter()
                .map(|s| run(conn, s))
                .collect::<Result<Vec<_>, _>>()?;
            conn.execute_batch("COMMIT")?;
            Ok(rows)
        })
        .await
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        if guard.is_autocommit() {
            return;
        }
        // Roll back now, still holding the lock, so no one else runs inside this transaction.
        // Without a runtime the next user of the lock rolls it back instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn_blocking(move || roll_back_if_open(&guard));
        }
    }
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
    )?;
    let applied: Vec<String> = conn
        .prepare("SELECT name FROM schema_migrations")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    super::schema::check_known(&applied, MIGRATIONS)?;
    for (name, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: i64 = tx.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE name = ?1",
            [name],
            |r| r.get(0),
        )?;
        if done == 0 {
            tx.execute_batch(sql).map_err(|e| DbError::Migration {
                name: (*name).to_owned(),
                source: Box::new(e.into()),
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at_ms) VALUES (?1, ?2)",
                rusqlite::params![name, chrono::Utc::now().timestamp_millis()],
            )?;
            tracing::info!(migration = name, "sqlite migration applied");
        }
        tx.commit()?;
    }
    Ok(())
}

fn to_sql(v: &Val) -> SqlValue {
    match v {
        Val::Int(i) => SqlValue::Integer(*i),
        Val::Real(f) => SqlValue::Real(*f),
        Val::Text(s) => SqlValue::Text(s.clone()),
        Val::Bytes(b) => SqlValue::Blob(b.clone()),
        Val::Null => SqlValue::Null,
    }
}

fn from_sql(v: ValueRef<'_>) -> Val {
    match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(f) => Val::Real(f),
        ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Val::Bytes(b.to_vec()),
    }
}

fn run(conn: &Connection, stmt: &Stmt) -> Result<Vec<Row>, DbError> {
    let mut prepared = conn.prepare_cached(&sqlite_placeholders(&stmt.sql))?;
    let params = params_from_iter(stmt.params.iter().map(to_sql));
    let n_cols = prepared.column_count();
    if n_cols == 0 {
        prepared.execute(params)?;
        return Ok(Vec::new());
    }
    let mut rows = prepared.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(n_cols);
        for i in 0..n_cols {
            row.push(from_sql(r.get_ref(i)?));
        }
        out.push(Row(row));
    }
    Ok(out)
}

fn execute(conn: &Connection, stmt: &Stmt) -> Result<u64, DbError> {
    let mut prepared = conn.prepare_cached(&sqlite_placeholders(&stmt.sql))?;
    let params = params_from_iter(stmt.params.iter().map(to_sql));
    if prepared.column_count() == 0 {
        return Ok(prepared.execute(params)? as u64);
    }
    let mut rows = prepared.query(params)?;
    let mut n = 0;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[async_trait]
impl Backend for SqliteBackend {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        // One trip to the blocking thread: roll back what a previous user left open, run, and
        // check again before the lock goes to the next user (a statement that failed half way
        // began no transaction, but check anyway).
        let guard = Arc::clone(&self.conn).lock_owned().await;
        let (_guard, result) = on_blocking(guard, move |conn| {
            roll_back_if_open(conn);
            let result = run(conn, &stmt);
            roll_back_if_open(conn);
            result
        })
        .await?;
        result
    }

    async fn begin_with(&self, stmts: Vec<Stmt>) -> Result<(Tx, Vec<Vec<Row>>), DbError> {
        // One trip to the blocking thread: roll back what a previous user left open, begin, run.
        let guard = Arc::clone(&self.conn).lock_owned().await;
        let (guard, result) = on_blocking(guard, move |conn| {
            roll_back_if_open(conn);
            conn.execute_batch("BEGIN IMMEDIATE")?;
            stmts.iter().map(|s| run(conn, s)).collect()
        })
        .await?;
        // On an error the transaction is rolled back when this `Tx` is dropped.
        let tx = Tx::new(Box::new(SqliteTx { guard: Some(guard) }));
        Ok((tx, result?))
    }

    async fn begin(&self) -> Result<Tx, DbError> {
        Ok(self.begin_with(Vec::new()).await?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn count(db: &SqliteBackend) -> i64 {
        let rows = db
            .query(Stmt::new(
                "SELECT COUNT(*) FROM settings WHERE key = $1",
                vec!["k".into()],
            ))
            .await
            .expect("the connection still serves");
        rows[0].get(0).expect("count")
    }

    #[tokio::test]
    async fn a_panic_inside_a_transaction_fails_that_call_and_the_connection_keeps_serving() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Arc::new(
            SqliteBackend::open(&dir.path().join("d.db").display().to_string())
                .await
                .expect("open"),
        );
        let in_task = Arc::clone(&db);
        let call = tokio::spawn(async move {
            let mut tx = in_task.begin().await.expect("begin");
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2)",
                vec!["k".into(), "v".into()],
            )
            .await
            .expect("write");
            panic!("boom while holding a transaction");
        });
        let failed = call.await.expect_err("that call failed");
        assert!(failed.is_panic());
        // Rolled back, not poisoned: the next calls work and the half-done write is gone.
        assert_eq!(count(&db).await, 0);
        let mut tx = db.begin().await.expect("a new transaction starts");
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec!["k".into(), "v".into()],
        )
        .await
        .expect("write");
        tx.commit().await.expect("commit");
        assert_eq!(count(&db).await, 1);
    }
}
