//! A transaction handle: `Store::begin`, then straight-line statements, then `commit`. A `Tx`
//! dropped without `commit` (an error returned early, a panic, a cancelled request) is rolled back.

use async_trait::async_trait;

use super::bulk::BulkInsert;
use super::from_row::FromRow;
use super::{DbError, Row, Stmt, Val};

/// What a backend's open transaction can do; `Tx` is the typed face of it.
#[async_trait]
pub trait TxConn: Send {
    /// Run one statement; rows for `SELECT`/`RETURNING`, else none.
    async fn query(&mut self, stmt: Stmt) -> Result<Vec<Row>, DbError>;

    /// Run one statement; the number of rows it changed (or returned).
    async fn execute(&mut self, stmt: Stmt) -> Result<u64, DbError>;

    /// Run several statements in order; the rows of each. A backend may run them in one go
    /// (SQLite: one trip to its blocking thread instead of one per statement).
    async fn query_all(&mut self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            out.push(self.query(stmt).await?);
        }
        Ok(out)
    }

    /// Make the transaction's writes durable and visible.
    async fn commit(self: Box<Self>) -> Result<(), DbError>;

    /// Run statements, then commit; the rows of each (SQLite: in one trip).
    async fn commit_after(mut self: Box<Self>, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let rows = self.query_all(stmts).await?;
        self.commit().await?;
        Ok(rows)
    }

    /// Insert `bulk`, run `stmts`, commit: the rows `bulk` returned, and the rows of each
    /// statement. Here as multi-row inserts in the same trip; PostgreSQL copies instead.
    async fn commit_bulk(
        self: Box<Self>,
        bulk: BulkInsert,
        stmts: Vec<Stmt>,
    ) -> Result<(Vec<Row>, Vec<Vec<Row>>), DbError> {
        let mut all = bulk.statements();
        let inserts = all.len();
        all.extend(stmts);
        let mut rows = self.commit_after(all).await?;
        let rest = rows.split_off(inserts.min(rows.len()));
        Ok((rows.into_iter().flatten().collect(), rest))
    }
}

/// An open transaction on one connection. Nothing else runs on that connection until it ends.
pub struct Tx {
    conn: Box<dyn TxConn>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").finish_non_exhaustive()
    }
}

impl Tx {
    pub(crate) fn new(conn: Box<dyn TxConn>) -> Self {
        Self { conn }
    }

    /// Run a statement; how many rows it changed.
    pub async fn execute(&mut self, sql: &str, params: Vec<Val>) -> Result<u64, DbError> {
        self.conn.execute(Stmt::new(sql, params)).await
    }

    /// Run a statement and return its rows untyped.
    pub async fn rows(&mut self, sql: &str, params: Vec<Val>) -> Result<Vec<Row>, DbError> {
        self.conn.query(Stmt::new(sql, params)).await
    }

    /// Run statements in order, in one go where the backend can; the rows of each.
    pub async fn rows_all(&mut self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        if stmts.is_empty() {
            return Ok(Vec::new());
        }
        self.conn.query_all(stmts).await
    }

    /// Run a statement and decode every row it returns.
    pub async fn query_as<T: FromRow>(
        &mut self,
        sql: &str,
        params: Vec<Val>,
    ) -> Result<Vec<T>, DbError> {
        T::from_rows(&self.rows(sql, params).await?)
    }

    /// The first row decoded, if any.
    pub async fn query_opt<T: FromRow>(
        &mut self,
        sql: &str,
        params: Vec<Val>,
    ) -> Result<Option<T>, DbError> {
        T::from_first(&self.rows(sql, params).await?)
    }

    /// The first row decoded; an error when there is none.
    pub async fn query_one<T: FromRow>(
        &mut self,
        sql: &str,
        params: Vec<Val>,
    ) -> Result<T, DbError> {
        self.query_opt(sql, params)
            .await?
            .ok_or_else(|| DbError::Invalid("the query returned no row".into()))
    }

    /// Run statements in order, then commit; the rows of each.
    pub async fn commit_after(self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        self.conn.commit_after(stmts).await
    }

    /// Insert many rows into one table (PostgreSQL: binary `COPY` through a staging table), run
    /// `stmts`, commit: the rows the insert returned, and the rows of each statement.
    pub async fn commit_bulk(
        self,
        bulk: BulkInsert,
        stmts: Vec<Stmt>,
    ) -> Result<(Vec<Row>, Vec<Vec<Row>>), DbError> {
        self.conn.commit_bulk(bulk, stmts).await
    }

    /// Commit. Until this returns `Ok`, none of the transaction's writes are visible.
    pub async fn commit(self) -> Result<(), DbError> {
        self.conn.commit().await
    }

    /// The next version of a versioned row (`table` keyed by `key_column` and `version`): 1 for a
    /// new key. Table and column are the caller's constants, never input.
    pub async fn next_version(
        &mut self,
        table: &'static str,
        key_column: &'static str,
        key: &str,
    ) -> Result<i64, DbError> {
        let sql = format!("SELECT MAX(version) FROM {table} WHERE {key_column} = $1");
        let (latest,): (Option<i64>,) = self
            .query_opt(&sql, vec![key.into()])
            .await?
            .unwrap_or((None,));
        Ok(latest.unwrap_or(0) + 1)
    }
}
