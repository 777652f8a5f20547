//! `cargo xtask bench attack`: the hostile-input campaign of `server_attack.rs`, longer, on SQLite and
//! PostgreSQL: cases tried per second (median of rounds) and total cases, with zero server failures.
//! Writes `target/bench/attack.json`.
#![allow(clippy::unwrap_used)]

#[path = "../tests/attack_support/mod.rs"]
mod attack_support;
#[path = "../tests/server_support/mod.rs"]
mod server_support;

use serde_json::json;

const ROUNDS: usize = 3;

fn per_round() -> u32 {
    std::env::var("CHECKPOINT_ATTACK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `ROUNDS` campaigns, each on a fresh database from `fresh_url`.
fn rounds(
    rt: &tokio::runtime::Runtime,
    db: &str,
    mut fresh_url: impl FnMut() -> String,
) -> serde_json::Value {
    let mut rates = Vec::new();
    let (mut cases, mut requests, mut rejected) = (0, 0, 0);
    for round in 1..=ROUNDS {
        let url = fresh_url();
        let (stats, elapsed) = attack_support::campaign(rt, &url, per_round())
            .unwrap_or_else(|e| panic!("{db} round {round}: server failure: {e}"));
        let rate = stats.cases as f64 / elapsed.as_secs_f64();
        eprintln!(
            "bench attack: {db} round {round}: {} cases in {:.1} s ({rate:.0}/s), {} requests, \
             {} hostile records rejected, 0 failures",
            stats.cases,
            elapsed.as_secs_f64(),
            stats.requests,
            stats.hostile_rejected
        );
        rates.push(rate);
        cases += stats.cases;
        requests += stats.requests;
        rejected += stats.hostile_rejected;
    }
    json!({
        "cases_total": cases,
        "requests_total": requests,
        "hostile_records_rejected": rejected,
        "cases_per_s_median": median(rates.clone()),
        "cases_per_s_rounds": rates,
        "server_failures": 0,
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let sqlite = rounds(&rt, "sqlite", || {
        n += 1;
        format!(
            "sqlite:{}",
            dir.path().join(format!("attack-{n}.db")).display()
        )
    });
    let postgres = match std::env::var(server_support::PG_URL_ENV) {
        Ok(_) => rounds(&rt, "postgres", || {
            rt.block_on(server_support::fresh_pg_database("bench attack"))
                .unwrap()
        }),
        Err(_) => json!("skipped: no PostgreSQL URL"),
    };
    let out = json!({
        "cases_per_round": per_round(),
        "rounds": ROUNDS,
        "sqlite": sqlite,
        "postgres": postgres,
    });
    let dir = std::env::var("CHECKPOINT_BENCH_DIR").unwrap_or_else(|_| "target/bench".into());
    std::fs::create_dir_all(&dir).unwrap();
    let path = std::path::Path::new(&dir).join("attack.json");
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    eprintln!("bench attack: wrote {}", path.display());
}
