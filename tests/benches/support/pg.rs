//! A fresh PostgreSQL database on the bench's throwaway server, named for the bench and process.

use anyhow::Context;

/// Drop and create `<prefix>_<pid>` on the server at `base`; its URL (with `base`'s query).
pub async fn fresh_pg_database(base: &str, prefix: &str) -> anyhow::Result<String> {
    let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let name = format!("{prefix}_{}", std::process::id());
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .await?;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let (prefix, _) = base
        .rsplit_once('/')
        .context("PostgreSQL URL without a database")?;
    let query = base
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Ok(format!("{prefix}/{name}{query}"))
}
