//! What the per-database benches share: where the JSON goes, the databases to run on (a SQLite file,
//! and a fresh PostgreSQL database when `CHECKPOINT_TEST_PG_URL` names a server), writing the summary.

use std::path::{Path, PathBuf};

/// `$CHECKPOINT_BENCH_DIR` (else `target/bench`), created.
pub fn out_dir() -> PathBuf {
    let out: PathBuf = std::env::var("CHECKPOINT_BENCH_DIR")
        .unwrap_or_else(|_| "target/bench".into())
        .into();
    std::fs::create_dir_all(&out).expect("the bench output folder");
    out
}

/// The databases to measure on: `sqlite` (the file `file` in `dir`) and, when configured, `postgres`.
pub async fn backends(dir: &Path, file: &str) -> Vec<(&'static str, String)> {
    let mut backends = vec![("sqlite", format!("sqlite:{}", dir.join(file).display()))];
    match std::env::var("CHECKPOINT_TEST_PG_URL") {
        Ok(base) => backends.push(("postgres", super::pg::fresh_pg(&base).await)),
        Err(_) => eprintln!("!!!!!!!!!! CHECKPOINT_TEST_PG_URL is not set: PostgreSQL is skipped"),
    }
    backends
}

/// Write the bench's summary to `out/<name>.json` and say where.
pub fn write_summary(out: &Path, name: &str, summary: serde_json::Map<String, serde_json::Value>) {
    let path = out.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&summary).expect("the summary as JSON");
    std::fs::write(&path, text).expect("the bench JSON written");
    println!("\nwrote {}", path.display());
}
