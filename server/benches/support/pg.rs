//! A fresh PostgreSQL database for one bench run, on the server `CHECKPOINT_TEST_PG_URL` names.

use uuid::Uuid;

/// Connect to `base`, the bench server's URL.
async fn server(base: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .expect("connect to the bench PostgreSQL server");
    tokio::spawn(conn);
    client
}

/// The URL of database `name` on `base`'s server.
fn url_of(base: &str, name: &str) -> String {
    let prefix = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{prefix}/{name}")
}

/// Create a database with a new name on `base` (a URL ending in a database name) and return its URL.
pub async fn fresh_pg(base: &str) -> String {
    let name = format!("bench_{}", Uuid::now_v7().simple());
    server(base)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a bench database");
    url_of(base, &name)
}

/// The database `name` on `base`'s server, created when it does not exist yet.
#[allow(dead_code)] // used by the records bench only
pub async fn named_pg(base: &str, name: &str) -> String {
    let client = server(base).await;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("look up the bench database")
        .is_some();
    if !exists {
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the bench database");
    }
    url_of(base, name)
}
