//! The PostgreSQL backend: tokio-postgres with a small deadpool pool, migrations from `migrations/postgres`.

use async_trait::async_trait;
use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime,
};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use super::bulk::BulkInsert;
use super::lead::{Held, Lead};
use super::pg_tls;
use super::tx::{Tx, TxConn};
use super::{Backend, DbError, DbOptions, Row, Stmt, Val};

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        "0002_device_release",
        include_str!("../../migrations/postgres/0002_device_release.sql"),
    ),
    (
        "0003_quarantine",
        include_str!("../../migrations/postgres/0003_quarantine.sql"),
    ),
    (
        "0004_quarantine_hash_verified",
        include_str!("../../migrations/postgres/0004_quarantine_hash_verified.sql"),
    ),
    (
        "0005_visitor_id_tail",
        include_str!("../../migrations/postgres/0005_visitor_id_tail.sql"),
    ),
    (
        "0006_roster",
        include_str!("../../migrations/postgres/0006_roster.sql"),
    ),
    (
        "0007_device_disable",
        include_str!("../../migrations/postgres/0007_device_disable.sql"),
    ),
    (
        "0008_compound_rules",
        include_str!("../../migrations/postgres/0008_compound_rules.sql"),
    ),
    (
        "0009_corrected_time",
        include_str!("../../migrations/postgres/0009_corrected_time.sql"),
    ),
    (
        "0010_entries",
        include_str!("../../migrations/postgres/0010_entries.sql"),
    ),
    (
        "0011_photos",
        include_str!("../../migrations/postgres/0011_photos.sql"),
    ),
    (
        "0012_patrol",
        include_str!("../../migrations/postgres/0012_patrol.sql"),
    ),
    (
        "0013_incidents",
        include_str!("../../migrations/postgres/0013_incidents.sql"),
    ),
    (
        "0014_handbook",
        include_str!("../../migrations/postgres/0014_handbook.sql"),
    ),
    (
        "0015_notices",
        include_str!("../../migrations/postgres/0015_notices.sql"),
    ),
    (
        "0016_duty",
        include_str!("../../migrations/postgres/0016_duty.sql"),
    ),
    (
        "0017_household_links",
        include_str!("../../migrations/postgres/0017_household_links.sql"),
    ),
    (
        "0018_health_invitations",
        include_str!("../../migrations/postgres/0018_health_invitations.sql"),
    ),
    (
        "0019_accounts",
        include_str!("../../migrations/postgres/0019_accounts.sql"),
    ),
    (
        "0020_report_signoffs",
        include_str!("../../migrations/postgres/0020_report_signoffs.sql"),
    ),
    (
        "0021_purged_rows",
        include_str!("../../migrations/postgres/0021_purged_rows.sql"),
    ),
    (
        "0022_vehicle_occupants",
        include_str!("../../migrations/postgres/0022_vehicle_occupants.sql"),
    ),
    (
        "0023_passage_search",
        include_str!("../../migrations/postgres/0023_passage_search.sql"),
    ),
    (
        "0024_presence",
        include_str!("../../migrations/postgres/0024_presence.sql"),
    ),
    (
        "0025_anomaly_counts",
        include_str!("../../migrations/postgres/0025_anomaly_counts.sql"),
    ),
    (
        "0026_passage_occupants",
        include_str!("../../migrations/postgres/0026_passage_occupants.sql"),
    ),
    (
        "0027_passage_hours",
        include_str!("../../migrations/postgres/0027_passage_hours.sql"),
    ),
    (
        "0028_rate_windows",
        include_str!("../../migrations/postgres/0028_rate_windows.sql"),
    ),
    (
        "0029_journal_partitions",
        include_str!("../../migrations/postgres/0029_journal_partitions.sql"),
    ),
];

/// Advisory lock id held while migrating, so several server instances can start at once.
const MIGRATION_LOCK: i64 = 0x00C4_EC9B_0001;

pub struct PgBackend {
    pool: Pool,
    commit_wait: std::time::Duration,
}

/// The pool's error with the causes under it ("error performing TLS handshake" alone says nothing).
fn pool_err(e: impl std::error::Error) -> DbError {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.ends_with(&cause_text) {
            message = format!("{message}: {cause_text}");
        }
        source = cause.source();
    }
    DbError::Pool(message)
}

impl PgBackend {
    /// Connect (a pool of 16) without touching the schema.
    async fn pool(url: &str, options: &DbOptions, name: &str) -> Result<Self, DbError> {
        let tls = pg_tls::split_url(url);
        let mut config: tokio_postgres::Config = tls.url.parse()?;
        let mode = pg_tls::ssl_mode(tls.sslmode.as_deref(), config.get_hosts())?;
        if mode == tokio_postgres::config::SslMode::Disable
            && !config.get_hosts().iter().all(pg_tls::is_local)
        {
            tracing::warn!("the connection to PostgreSQL is not encrypted (sslmode=disable)");
        }
        config.ssl_mode(mode);
        config.application_name(name);
        // A statement that runs away is cancelled by the server itself, so it cannot hold a
        // pooled connection (and the rows it locks) for ever.
        let statement_ms = options.statement_timeout.as_millis();
        let extra = config.get_options().map(str::to_owned).unwrap_or_default();
        // JIT compilation pays off for long analytic scans, not for this server's queries: on the
        // dashboard's grouped counts it spent 200–300 ms compiling for a query that ran in less.
        // Every journal query is over a time range of a table partitioned by month: a plan made
        // for the parameters' values prunes the months outside it, where the generic plan that
        // PostgreSQL switches a cached statement to after five runs read a whole month by its
        // time index (measured in ARCHITECTURE.md, "Decisions").
        config.options(
            format!(
                "{extra} -c statement_timeout={statement_ms} -c jit=off \
                 -c plan_cache_mode=force_custom_plan"
            )
            .trim(),
        );
        let manager = Manager::from_config(
            config,
            pg_tls::connector(tls.root_cert.as_deref())?,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.wait_timeout))
            .build()
            .map_err(pool_err)?;
        let backend = Self {
            pool,
            commit_wait: options.commit_wait,
        };
        Ok(backend)
    }

    /// Connect and migrate the schema: the database this server writes to.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        let backend = Self::pool(url, options, "district-server").await?;
        backend.migrate().await?;
        Ok(backend)
    }

    /// Connect to a read-only copy (a hot standby) whose schema must be exactly this build's:
    /// nothing is migrated there (a standby refuses writes; the primary migrates it).
    pub async fn connect_replica(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        let backend = Self::pool(url, options, "district-server reports").await?;
        let client = backend.pool.get().await.map_err(pool_err)?;
        let rows = match client
            .query("SELECT name FROM schema_migrations", &[])
            .await
        {
            Ok(rows) => rows,
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {
                return Err(DbError::Invalid(
                    "the read-only database has no district schema (no schema_migrations): is \
                     it a standby of this district's database?"
                        .into(),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let applied: Vec<String> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        super::schema::check_known(&applied, MIGRATIONS)?;
        super::schema::check_complete(&applied, MIGRATIONS)?;
        drop(client);
        Ok(backend)
    }

    async fn migrate(&self) -> Result<(), DbError> {
        let mut client = self.pool.get().await.map_err(pool_err)?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let result = async {
            client
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
                )
                .await?;
            let applied: Vec<String> = client
                .query("SELECT name FROM schema_migrations", &[])
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            super::schema::check_known(&applied, MIGRATIONS)?;
            for (name, sql) in MIGRATIONS {
                let tx = client.transaction().await?;
                let done: i64 = tx
                    .query_one(
                        "SELECT COUNT(*) FROM schema_migrations WHERE name = $1",
                        &[name],
                    )
                    .await?
                    .get(0);
                if done == 0 {
                    // A migration rewrites whole tables (a backfill of millions of rows takes
                    // minutes): the pool's per-statement limit is for requests, not for this.
                    tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
                    tx.batch_execute(sql).await.map_err(|e| DbError::Migration {
                        name: (*name).to_owned(),
                        source: Box::new(e.into()),
                    })?;
                    tx.execute(
                        "INSERT INTO schema_migrations (name, applied_at_ms) VALUES ($1, $2)",
                        &[name, &chrono::Utc::now().timestamp_millis()],
                    )
                    .await?;
                    tracing::info!(migration = name, "postgres migration applied");
                }
                tx.commit().await?;
            }
            Ok::<(), DbError>(())
        }
        .await;
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await?;
        result
    }
}

fn column(row: &tokio_postgres::Row, i: usize, ty: &Type) -> Result<Val, DbError> {
    let val = match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Val::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Val::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|v| Val::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|v| Val::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Val::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|v| Val::Real(v.into())),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(i)?.map(Val::Text)
        }
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Val::Bytes),
        ref other => {
            return Err(DbError::Column {
                index: i,
                problem: format!("unsupported column type {other} (cast it in SQL)"),
            })
        }
    };
    Ok(val.unwrap_or(Val::Null))
}

async fn run<C: GenericClient + Sync>(client: &C, stmt: &Stmt) -> Result<Vec<Row>, DbError> {
    let prepared = client.prepare_cached(&stmt.sql).await?;
    let params: Vec<&(dyn ToSql + Sync)> = stmt
        .params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .collect();
    if prepared.columns().is_empty() {
        client.execute(&prepared, &params).await?;
        return Ok(Vec::new());
    }
    let rows = client.query(&prepared, &params).await?;
    let types: Vec<Type> = prepared
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    rows.iter()
        .map(|r| {
            types
                .iter()
                .enumerate()
                .map(|(i, ty)| column(r, i, ty))
                .collect::<Result<Vec<_>, _>>()
                .map(Row)
        })
        .collect()
}

async fn execute<C: GenericClient + Sync>(client: &C, stmt: &Stmt) -> Result<u64, DbError> {
    let prepared = client.prepare_cached(&stmt.sql).await?;
    let params: Vec<&(dyn ToSql + Sync)> = stmt
        .params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .collect();
    Ok(client.execute(&prepared, &params).await?)
}

#[async_trait]
impl Backend for PgBackend {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn month_stmt(&self, month: &str) -> Option<Stmt> {
        Some(super::partitions::make_month_stmt(month))
    }

    fn drop_month_stmts(&self, cutoff_ms: i64) -> Vec<Stmt> {
        super::partitions::drop_month_stmts(cutoff_ms)
    }

    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        run(&client, &stmt).await
    }

    async fn begin(&self) -> Result<Tx, DbError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        let mut pending = PendingClient(Some(client));
        pending.client()?.batch_execute("BEGIN").await?;
        Ok(Tx::new(Box::new(PgTx {
            client: pending,
            commit_wait: self.commit_wait,
        })))
    }

    async fn try_lead(&self, key: i64) -> Result<Option<Lead>, DbError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await?
            .try_get(0)?;
        Ok(got.then(|| {
            Lead::holding(Box::new(PgLead {
                client: Some(client),
                key,
            }))
        }))
    }
}

/// A job's advisory lock, held on its own pooled connection.
struct PgLead {
    client: Option<Object>,
    key: i64,
}

#[async_trait]
impl Held for PgLead {
    async fn release(mut self: Box<Self>) {
        let Some(client) = self.client.take() else {
            return;
        };
        let unlocked = client
            .execute("SELECT pg_advisory_unlock($1)", &[&self.key])
            .await;
        if let Err(e) = unlocked {
            tracing::warn!(error = %e, "postgres: a job's lock was not released; its connection is closed");
            drop(Object::take(client));
        }
    }
}

impl Drop for PgLead {
    fn drop(&mut self) {
        // Never back to the pool with the lock held: closing the session releases it.
        if let Some(client) = self.client.take() {
            drop(Object::take(client));
        }
    }
}

/// A pooled client inside a transaction. If it is dropped before the transaction ended (a task
/// cancelled half way through a rollback, a runtime shutting down), the connection is detached
/// from the pool and closed: a connection in a transaction never goes back to the pool.
struct PendingClient(Option<Object>);

impl PendingClient {
    fn client(&mut self) -> Result<&mut Object, DbError> {
        self.0
            .as_mut()
            .ok_or_else(|| DbError::Invalid("the transaction has ended".into()))
    }

    /// The transaction ended: the connection may go back to the pool.
    fn release(&mut self) {
        drop(self.0.take());
    }
}

impl Drop for PendingClient {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            tracing::warn!("postgres: a connection left inside a transaction is closed");
            drop(Object::take(client));
        }
    }
}

/// `bulk` through a binary `COPY` into its staging table, then one `INSERT … SELECT` into the
/// table; the rows that insert returned.
async fn copy_staged(client: &Object, bulk: &BulkInsert) -> Result<Vec<Row>, DbError> {
    let (stage, create) = bulk.staging();
    client.batch_execute(&create).await?;
    let sink = client
        .copy_in(&format!(
            "COPY {stage} ({}) FROM STDIN (FORMAT binary)",
            bulk.column_list()
        ))
        .await?;
    let types: Vec<Type> = bulk.columns.iter().map(|(_, t)| t.pg()).collect();
    let writer = BinaryCopyInWriter::new(sink, &types);
    let mut writer = std::pin::pin!(writer);
    for row in &bulk.rows {
        let values: Vec<&(dyn ToSql + Sync)> =
            row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        writer.as_mut().write(&values).await?;
    }
    writer.finish().await?;
    run(client, &Stmt::new(bulk.insert_staged(&stage), Vec::new())).await
}

/// An open PostgreSQL transaction on one pooled connection.
struct PgTx {
    client: PendingClient,
    /// How long the commit may wait (for the synchronous standby).
    commit_wait: std::time::Duration,
}

#[async_trait]
impl TxConn for PgTx {
    async fn query(&mut self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        let client = self.client.client()?;
        run(&*client, &stmt).await
    }

    async fn execute(&mut self, stmt: Stmt) -> Result<u64, DbError> {
        let client = self.client.client()?;
        execute(&*client, &stmt).await
    }

    async fn commit_bulk(
        mut self: Box<Self>,
        bulk: BulkInsert,
        stmts: Vec<Stmt>,
    ) -> Result<(Vec<Row>, Vec<Vec<Row>>), DbError> {
        let inserted = if bulk.rows.is_empty() {
            Vec::new()
        } else {
            copy_staged(&*self.client.client()?, &bulk).await?
        };
        let rest = self.commit_after(stmts).await?;
        Ok((inserted, rest))
    }

    async fn commit(mut self: Box<Self>) -> Result<(), DbError> {
        let wait = self.commit_wait;
        let client = self.client.client()?;
        let outcome = tokio::time::timeout(wait, client.batch_execute("COMMIT")).await;
        match outcome {
            Ok(done) => {
                done?;
                self.client.release();
                Ok(())
            }
            Err(_) => {
                // The outcome is unknown (committed here, perhaps not yet on the standby): close
                // the connection rather than queue anything behind the commit, and answer that
                // the client should send again (a resend of a stored record is a duplicate).
                if let Some(client) = self.client.0.take() {
                    drop(Object::take(client));
                }
                tracing::warn!(?wait, "postgres: a commit was not confirmed in time");
                Err(DbError::Unavailable(format!(
                    "the commit was not confirmed within {} s (is the standby behind?)",
                    wait.as_secs()
                )))
            }
        }
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(client) = self.client.0.take() else {
            return;
        };
        let mut pending = PendingClient(Some(client));
        // Roll back before the connection goes back to the pool; without a runtime (or when the
        // rollback fails) `PendingClient` closes the connection instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let rolled_back = match pending.client() {
                    Ok(client) => client.batch_execute("ROLLBACK").await,
                    Err(_) => return,
                };
                match rolled_back {
                    Ok(()) => pending.release(),
                    Err(e) => tracing::error!(error = %e, "postgres: rollback failed"),
                }
            });
        }
    }
}
