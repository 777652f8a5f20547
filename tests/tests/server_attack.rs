//! Hostile input never takes the server down: a regression test for each finding, then a bounded
//! property-based campaign (`attack_support`) on SQLite and PostgreSQL. `cargo xtask bench attack`
//! runs the same campaign longer.
#![allow(clippy::unwrap_used)]

mod attack_support;
mod server_support;

use attack_support::{campaign, target, Case, Field, Hostile, Mutation, SeqAt, Wire};
use server_support::{fresh_pg_database, temp_sqlite};

/// Cases per database in `cargo xtask test`; `CHECKPOINT_ATTACK_CASES` overrides.
const CI_CASES: u32 = 1_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn one(mutation: Mutation) -> Case {
    Case {
        valid: 2,
        hostile: vec![Hostile { at: 0, mutation }],
        wire: Wire::Plain,
        report_day: String::new(),
        since: "0".into(),
    }
}

/// Each finding of the hostile-input review as a case of its own, run in order on one server.
fn findings() -> Vec<(&'static str, Case)> {
    let mut report = one(Mutation::Plausible);
    report.report_day = "+262143-12-31".into();
    vec![
        (
            "clock offset i64::MIN",
            one(Mutation::ClockOffset(i64::MIN)),
        ),
        (
            "clock offset i64::MAX",
            one(Mutation::ClockOffset(i64::MAX)),
        ),
        (
            "recorded_at at the calendar's end",
            one(Mutation::RecordedAt(i64::MAX)),
        ),
        ("seq i64::MAX", one(Mutation::Seq(SeqAt::I64Max))),
        (
            "seq beyond the window",
            one(Mutation::Seq(SeqAt::BeyondWindow)),
        ),
        (
            "NUL in an occupant id",
            one(Mutation::Text(Field::OccupantId, "a\0b".into())),
        ),
        (
            "NUL in a visitor pass id",
            one(Mutation::Text(Field::VisitorPassId, "\0".into())),
        ),
        (
            "bidi override in a name",
            one(Mutation::Text(Field::Name, "张\u{202E}三".into())),
        ),
        ("5,000 occupants listed", one(Mutation::OccupantList(5_000))),
        (
            "prev_hash of 1,000 characters",
            one(Mutation::PrevHash("0".repeat(1_000))),
        ),
        (
            "a record for another compound's checkpoint",
            one(Mutation::Text(Field::CheckpointId, "cp-west".into())),
        ),
        (
            "a gate that is not the checkpoint's",
            one(Mutation::Text(Field::Gate, "west-1".into())),
        ),
        ("a report day in year 262143", report),
    ]
}

fn regressions(url: &str) {
    let rt = runtime();
    rt.block_on(async {
        let mut t = target(url).await;
        for (name, case) in findings() {
            let before = t.stats.hostile_rejected;
            t.run(&case).await.unwrap_or_else(|e| panic!("{name}: {e}"));
            if !matches!(case.hostile[0].mutation, Mutation::Plausible) {
                assert_eq!(t.stats.hostile_rejected, before + 1, "{name}: not rejected");
            }
        }
    });
}

fn cases() -> u32 {
    std::env::var("CHECKPOINT_ATTACK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_CASES)
}

fn bounded_campaign(url: &str, db: &str) {
    let rt = runtime();
    let (stats, elapsed) = campaign(&rt, url, cases()).unwrap_or_else(|e| panic!("{db}: {e}"));
    eprintln!(
        "attack campaign on {db}: {} cases, {} requests, {} hostile records ({} rejected), \
         {} valid records stored, {} requests refused, in {:.1} s",
        stats.cases,
        stats.requests,
        stats.hostile_records,
        stats.hostile_rejected,
        stats.valid_stored,
        stats.refused_requests,
        elapsed.as_secs_f64()
    );
    assert!(stats.hostile_rejected > 0 && stats.valid_stored > 0 && stats.refused_requests > 0);
}

#[test]
fn each_finding_is_refused_and_the_server_keeps_serving_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    regressions(&url);
}

#[test]
fn each_finding_is_refused_and_the_server_keeps_serving_on_postgres() {
    let Some(url) = runtime().block_on(fresh_pg_database("attack regressions")) else {
        return;
    };
    regressions(&url);
}

#[test]
fn generated_attacks_never_take_the_server_down_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    bounded_campaign(&url, "sqlite");
}

#[test]
fn generated_attacks_never_take_the_server_down_on_postgres() {
    let Some(url) = runtime().block_on(fresh_pg_database("attack campaign")) else {
        return;
    };
    bounded_campaign(&url, "postgres");
}

#[test]
fn a_runaway_postgres_statement_is_cancelled_by_the_statement_timeout() {
    let rt = runtime();
    let Some(url) = rt.block_on(fresh_pg_database("statement timeout")) else {
        return;
    };
    rt.block_on(async {
        let options = district_server::store::DbOptions {
            wait_timeout: std::time::Duration::from_secs(5),
            statement_timeout: std::time::Duration::from_millis(500),
            ..Default::default()
        };
        let store = district_server::store::Store::open_with(&url, &options)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let result = store
            .count_query("SELECT COUNT(*) FROM (SELECT pg_sleep(30)) s")
            .await;
        let err = result.expect_err("a 30 s statement must be cancelled");
        assert!(
            err.to_string().contains("statement timeout") && err.to_string().contains("57014"),
            "cancelled for the wrong reason: {err}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(store.count_query("SELECT 1").await.unwrap(), 1);
    });
}
