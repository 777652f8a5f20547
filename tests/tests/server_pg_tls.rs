//! TLS between the district server and PostgreSQL: `sslmode` and `sslrootcert` in the database URL,
//! against the test cluster (`cargo xtask test` starts it with TLS on and a self-signed certificate).
//! The certificate is always verified; a wrong root or no root is refused with a clear error.
#![allow(clippy::unwrap_used)]

mod server_support;

use district_server::store::Store;
use server_support::fresh_pg_database;

const PG_CA_ENV: &str = "CHECKPOINT_TEST_PG_CA";

/// 1 when this store's own connection is encrypted, 0 otherwise.
async fn encrypted(store: &Store) -> i64 {
    store
        .count_query("SELECT COUNT(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl")
        .await
        .unwrap()
}

async fn open_error(url: &str) -> String {
    match Store::open(url).await {
        Ok(_) => panic!("{url} opened"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn the_server_reaches_postgres_over_verified_tls_when_the_url_asks() {
    let Some(url) = fresh_pg_database("the_server_reaches_postgres_over_verified_tls").await else {
        return;
    };
    let ca = std::env::var(PG_CA_ENV)
        .unwrap_or_else(|_| panic!("{PG_CA_ENV} is not set: run `cargo xtask test`"));

    let tls = Store::open(&format!("{url}?sslmode=verify-full&sslrootcert={ca}"))
        .await
        .unwrap();
    assert_eq!(encrypted(&tls).await, 1, "verify-full: encrypted");
    let required = Store::open(&format!("{url}?sslmode=require&sslrootcert={ca}"))
        .await
        .unwrap();
    assert_eq!(encrypted(&required).await, 1, "require: encrypted");

    // On loopback without sslmode, and with sslmode=disable: plain text, as before.
    assert_eq!(encrypted(&Store::open(&url).await.unwrap()).await, 0);
    let plain = Store::open(&format!("{url}?sslmode=disable"))
        .await
        .unwrap();
    assert_eq!(encrypted(&plain).await, 0);

    // The self-signed certificate is not among the public roots: refused, not trusted blindly.
    let err = open_error(&format!("{url}?sslmode=require")).await;
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // A root that did not sign it: refused.
    let dir = tempfile::tempdir().unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let other_path = dir.path().join("other.pem");
    std::fs::write(&other_path, other.cert.pem()).unwrap();
    let err = open_error(&format!(
        "{url}?sslmode=verify-full&sslrootcert={}",
        other_path.display()
    ))
    .await;
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // Words libpq does not know are refused before anything is sent.
    let err = open_error(&format!("{url}?sslmode=sometimes")).await;
    assert!(err.contains("sslmode `sometimes`"), "{err}");
}
