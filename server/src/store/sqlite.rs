//! The embedded SQLite backend: one connection on a blocking thread, WAL, migrations from `migrations/sqlite`.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, Transaction, TransactionBehavior};

use super::value::sqlite_placeholders;
use super::{catch_panic, Backend, DbError, Row, Stmt, Then, TxOut, Val};

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
];

pub struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
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

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic below is caught, so the lock is not poisoned by it; recover anyway, since the
            // connection itself is still sound once any open transaction is rolled back.
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
            let result = catch_panic(AssertUnwindSafe(|| f(&mut guard)));
            if !guard.is_autocommit() {
                tracing::error!(
                    "sqlite: a transaction was left open by a failed request; rolling back"
                );
                if let Err(e) = guard.execute_batch("ROLLBACK") {
                    tracing::error!(error = %e, "sqlite: rollback failed");
                }
            }
            result
        })
        .await
        .map_err(|e| DbError::Join(e.to_string()))?
    }
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
    )?;
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
        Val::Null => SqlValue::Null,
    }
}

fn from_sql(v: ValueRef<'_>) -> Val {
    match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(f) => Val::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
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

fn run_all(tx: &Transaction<'_>, stmts: &[Stmt]) -> Result<Vec<Vec<Row>>, DbError> {
    stmts.iter().map(|s| run(tx, s)).collect()
}

#[async_trait]
impl Backend for SqliteBackend {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        self.with_conn(move |conn| run(conn, &stmt)).await
    }

    async fn transact(&self, first: Vec<Stmt>, then: Then) -> Result<TxOut, DbError> {
        self.with_conn(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let first_rows = run_all(&tx, &first)?;
            let more = then(&first_rows)?;
            let then_rows = run_all(&tx, &more)?;
            tx.commit()?;
            Ok(TxOut {
                first: first_rows,
                then: then_rows,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_inside_a_transaction_fails_that_call_and_the_connection_keeps_serving() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = SqliteBackend::open(&dir.path().join("d.db").display().to_string())
            .await
            .expect("open");
        let write = Stmt::new(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec!["k".into(), "v".into()],
        );
        let result = db
            .transact(vec![write], Box::new(|_| panic!("boom in a closure")))
            .await;
        assert!(matches!(result, Err(DbError::Panic(ref m)) if m.contains("boom")));
        // Rolled back, not poisoned: the next calls work and the half-done write is gone.
        let rows = db
            .query(Stmt::new(
                "SELECT COUNT(*) FROM settings WHERE key = $1",
                vec!["k".into()],
            ))
            .await
            .expect("the connection still serves");
        assert_eq!(rows[0].int(0).expect("count"), 0);
        let out = db
            .transact(vec![], Box::new(|_| Ok(vec![])))
            .await
            .expect("a new transaction starts");
        assert!(out.then.is_empty());
    }
}
