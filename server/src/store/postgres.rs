//! The PostgreSQL backend: tokio-postgres with a small deadpool pool, migrations from `migrations/postgres`.

use std::panic::AssertUnwindSafe;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::types::{ToSql, Type};

use super::pg_tls;
use super::{catch_panic, Backend, DbError, DbOptions, Row, Stmt, Then, TxOut, Val};

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
];

/// Advisory lock id held while migrating, so several server instances can start at once.
const MIGRATION_LOCK: i64 = 0x00C4_EC9B_0001;

pub struct PgBackend {
    pool: Pool,
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
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        let tls = pg_tls::split_url(url);
        let mut config: tokio_postgres::Config = tls.url.parse()?;
        let mode = pg_tls::ssl_mode(tls.sslmode.as_deref(), config.get_hosts())?;
        if mode == tokio_postgres::config::SslMode::Disable
            && !config.get_hosts().iter().all(pg_tls::is_local)
        {
            tracing::warn!("the connection to PostgreSQL is not encrypted (sslmode=disable)");
        }
        config.ssl_mode(mode);
        // A statement that runs away is cancelled by the server itself, so it cannot hold a
        // pooled connection (and the rows it locks) for ever.
        let statement_ms = options.statement_timeout.as_millis();
        let extra = config.get_options().map(str::to_owned).unwrap_or_default();
        config.options(format!("{extra} -c statement_timeout={statement_ms}").trim());
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
        let backend = Self { pool };
        backend.migrate().await?;
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

#[async_trait]
impl Backend for PgBackend {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        let client = self.pool.get().await.map_err(pool_err)?;
        run(&client, &stmt).await
    }

    async fn transact(&self, first: Vec<Stmt>, then: Then) -> Result<TxOut, DbError> {
        let mut client = self.pool.get().await.map_err(pool_err)?;
        let tx = client.transaction().await?;
        let mut first_rows = Vec::with_capacity(first.len());
        for s in &first {
            first_rows.push(run(&tx, s).await?);
        }
        let more = catch_panic(AssertUnwindSafe(|| then(&first_rows)))?;
        let mut then_rows = Vec::with_capacity(more.len());
        for s in &more {
            then_rows.push(run(&tx, s).await?);
        }
        tx.commit().await?;
        Ok(TxOut {
            first: first_rows,
            then: then_rows,
        })
    }
}
