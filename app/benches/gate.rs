//! `cargo xtask bench gate`: the gate with a 15,000-pass compound roster. Verdict time of the
//! scanned and typed paths (the app's own checker, roster lookups, rules and gate flow; the durable
//! append is measured beside it as the peer), the roster's size in the device ledger, and the sync
//! round that pulls it whole and then as a delta, against a `district-server` process on loopback;
//! and a patrol point's printed label in a camera frame to its confirmed check (`gate/patrol.rs`).
//! Writes `target/bench/gate.json`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "gate/patrol.rs"]
mod patrol;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use checkpoint_app::ports::PassChecker;
use checkpoint_app::services::LedgerChecker;
use checkpoint_app::state::gate::{GateAction, GateFlow, GateStep, Moment};
use checkpoint_app::state::gate_rules::RuleContext;
use checkpoint_tests::server_proc;
use chrono::Utc;
use serde_json::json;
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::rules::{CompoundRules, ExitQuota};
use sync_core::sync::{enroll, SyncConfig, SyncEngine, SETTING_CONFIG};
use sync_core::{Direction, Ledger};

/// The compound and checkpoint `server_proc::enrollment_code` makes.
const COMPOUND: &str = "c-test";
const CHECKPOINT: &str = "cp-gate";
const HOUSEHOLDS: usize = 5_000;
const RESIDENTS_PER_HOUSEHOLD: usize = 2;
const VEHICLES: usize = 5_000;
const ROUNDS: usize = 2_000;
const PHONES: usize = 5;

fn household(h: usize) -> String {
    format!("{}-{}-{}", 1 + h / 200, 1 + h / 100 % 2, 101 + h % 100)
}

/// 10,000 residents in 5,000 households and 5,000 vehicle passes, written straight into the
/// server's database (signing 15,000 passes one by one would measure the import, not the gate).
fn fill_roster(db: &std::path::Path, now_ms: i64) {
    let mut c = rusqlite::Connection::open(db).unwrap();
    let tx = c.transaction().unwrap();
    let mut version = 1i64;
    for h in 0..HOUSEHOLDS {
        for r in 0..RESIDENTS_PER_HOUSEHOLD {
            let n = h * RESIDENTS_PER_HOUSEHOLD + r;
            let id = format!("R{n:06}");
            tx.execute(
                "INSERT INTO residents (id, compound_id, name, id_number, phone, household, plates, created_at_ms)
                 VALUES (?1, 'c-test', '张小明', ?2, '13800000000', ?3, '[]', ?4)",
                rusqlite::params![id, format!("11010519800101{n:04}"), household(h), now_ms],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO passes (pass_id, serial, kind, resident_id, compound_id, household, display_name,
                 plate, payload, issued_at_ms, valid_until_ms, revoked_at_ms, roster_version)
                 VALUES (?1, 1, 'resident', ?1, 'c-test', ?2, '张小明', NULL, 'CP1:', ?3, ?4, NULL, ?5)",
                rusqlite::params![id, household(h), now_ms, now_ms + 86_400_000 * 365, version],
            )
            .unwrap();
            version += 1;
        }
    }
    for v in 0..VEHICLES {
        tx.execute(
            "INSERT INTO passes (pass_id, serial, kind, resident_id, compound_id, household, display_name,
             plate, payload, issued_at_ms, valid_until_ms, revoked_at_ms, roster_version)
             VALUES (?1, 1, 'vehicle', ?2, 'c-test', ?3, '张小明', ?4, 'CP1:', ?5, ?6, NULL, ?7)",
            rusqlite::params![
                format!("V{v:06}-1"),
                format!("R{:06}", v * 2),
                household(v),
                format!("京A{v:05}"),
                now_ms,
                now_ms + 86_400_000 * 365,
                version
            ],
        )
        .unwrap();
        version += 1;
    }
    tx.execute(
        "UPDATE counters SET value = ?1 WHERE name = 'roster'",
        [version],
    )
    .unwrap();
    tx.commit().unwrap();
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    json!({ "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99), "n": ms.len() })
}

/// File bytes of a ledger after VACUUM.
fn ledger_bytes(path: &std::path::Path) -> u64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("VACUUM").unwrap();
    drop(c);
    std::fs::metadata(path).unwrap().len()
}

fn moment(direction: Direction) -> Moment {
    Moment {
        direction,
        at: Instant::now(),
        recorded_at: Utc::now(),
        clock_offset_ms: Some(0),
        gate: "east-1".into(),
        staff: "王师傅".into(),
    }
}

/// What the app gathers for the rules before each verdict (as `flows::rule_context` does).
fn rules_for(l: &Ledger, rules: &CompoundRules, household: &str) -> RuleContext {
    let exits = l
        .household_exits(household, Utc::now() - chrono::Duration::days(2))
        .unwrap();
    RuleContext {
        rules: rules.clone(),
        household_exits: exits,
        ..RuleContext::default()
    }
}

fn place() -> String {
    CHECKPOINT.into()
}

/// Revoke a pass the way the server does (revocation and roster counters, stamped rows), in the
/// server's own database file while it runs.
fn revoke(db: &std::path::Path, pass_id: &str, now_ms: i64) {
    let mut c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let tx = c.transaction().unwrap();
    tx.execute_batch(
        "UPDATE counters SET value = value + 1 WHERE name = 'revocation';
         UPDATE counters SET value = value + 1 WHERE name = 'roster';",
    )
    .unwrap();
    tx.execute(
        "INSERT INTO revocations (version, pass_id, serial, revoked_at_ms)
         SELECT value, ?1, 1, ?2 FROM counters WHERE name = 'revocation'",
        rusqlite::params![pass_id, now_ms],
    )
    .unwrap();
    tx.execute(
        "UPDATE passes SET revoked_at_ms = ?2,
         roster_version = (SELECT value FROM counters WHERE name = 'roster') WHERE pass_id = ?1",
        rusqlite::params![pass_id, now_ms],
    )
    .unwrap();
    tx.commit().unwrap();
}

/// The district's current pass-signing key, from the server's database (to sign test passes).
fn signer(db: &std::path::Path) -> DistrictSigner {
    let c = rusqlite::Connection::open(db).unwrap();
    let district: String = c
        .query_row(
            "SELECT value FROM settings WHERE key = 'district_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let secret: String = c
        .query_row(
            "SELECT secret_key FROM signing_keys ORDER BY created_at_ms DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    DistrictSigner::from_secret_hex(&district, &secret).unwrap()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("district.db");
    let url = format!("sqlite:{}", db.display());
    // The server's own CLI makes the compound, the checkpoint and an enrollment code.
    let code = server_proc::enrollment_code(&url, CHECKPOINT)?;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    fill_roster(&db, now_ms);
    let rules = CompoundRules {
        exit_quota: Some(ExitQuota {
            persons: 1,
            days: 2,
        }),
        ..CompoundRules::default()
    };
    rusqlite::Connection::open(&db)?.execute(
        "INSERT INTO compound_rules (compound_id, rules, updated_at_ms) VALUES (?1, ?2, ?3)",
        rusqlite::params![COMPOUND, serde_json::to_string(&rules)?, now_ms],
    )?;
    let signer = signer(&db);
    let server = server_proc::ServerProc::start(&url, &dir.path().join("server.log"))?;
    let base = server.url();

    // Phones: each enrolls, one round pulls the whole roster, the next only a one-pass delta.
    // Five phones, the median reported; the last one is used below.
    let (mut fulls, mut deltas) = (Vec::new(), Vec::new());
    let mut ledger = None;
    for phone in 0..PHONES {
        let code = if phone == 0 {
            code.clone()
        } else {
            server_proc::another_enrollment_code(&url, CHECKPOINT)?
        };
        let l = Arc::new(Mutex::new(Ledger::open(
            dir.path().join(format!("gate-{phone}.db")),
        )?));
        enroll(&l, &base, &code, "bench phone").await?;
        let config = SyncConfig::from_ledger(&l.lock().unwrap())?;
        let mut engine = SyncEngine::new(Arc::clone(&l), config)?;
        let t = Instant::now();
        engine.step().await?;
        fulls.push(t.elapsed().as_secs_f64() * 1e3);
        let n = l.lock().unwrap().roster_len()?;
        anyhow::ensure!(
            n as usize == HOUSEHOLDS * RESIDENTS_PER_HOUSEHOLD + VEHICLES,
            "roster of {n}"
        );
        let revoked = format!("V{:06}-1", 7 + phone);
        revoke(&db, &revoked, now_ms);
        let t = Instant::now();
        engine.step().await?;
        deltas.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(l
            .lock()
            .unwrap()
            .roster_pass(&revoked)?
            .is_some_and(|e| e.revoked));
        ledger = Some(l);
    }
    let ledger = ledger.context("no phone")?;
    let roster_len = ledger.lock().unwrap().roster_len()?;
    let (full, delta) = (summary(fulls.clone()), summary(deltas.clone()));
    let full_ms = full["p50_ms"].as_f64().unwrap_or(f64::NAN);
    let delta_ms = delta["p50_ms"].as_f64().unwrap_or(f64::NAN);

    // The roster's bytes in a ledger: the same entries into an empty ledger, before and after.
    let entries: Vec<_> = {
        let l = ledger.lock().unwrap();
        (0..HOUSEHOLDS * RESIDENTS_PER_HOUSEHOLD)
            .map(|n| l.roster_pass(&format!("R{n:06}")).unwrap().unwrap())
            .chain((0..VEHICLES).map(|v| l.roster_pass(&format!("V{v:06}-1")).unwrap().unwrap()))
            .collect()
    };
    let empty = dir.path().join("empty.db");
    drop(Ledger::open(&empty)?);
    let before = ledger_bytes(&empty);
    Ledger::open(&empty)?.apply_roster(COMPOUND, true, 1, &entries)?;
    let roster_bytes = ledger_bytes(&empty) - before;

    // Verdicts: the app's checker and gate flow on the pulled ledger (no append), and the append.
    let checker = LedgerChecker::from_ledger(&ledger.lock().unwrap())?;
    let payloads: Vec<(String, String)> = (0..200)
        .map(|n| {
            let body = PassBody {
                kind: PassKind::Resident,
                pass_id: format!("R{n:06}"),
                serial: 1,
                district_id: signer.district_id().to_owned(),
                compound_id: COMPOUND.into(),
                household: household(n / 2),
                display_name: "张小明".into(),
                plate: None,
                valid_from: now - chrono::Duration::days(1),
                valid_until: now + chrono::Duration::days(30),
            };
            (signer.sign(&body).unwrap(), household(n / 2))
        })
        .collect();
    let rules_now: CompoundRules = ledger
        .lock()
        .unwrap()
        .setting::<sync_core::protocol::CheckpointConfig>(SETTING_CONFIG)?
        .map(|c| c.rules)
        .unwrap_or_default();
    let (mut scanned, mut typed, mut append) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (payload, h) = &payloads[round % payloads.len()];
        let mut flow = GateFlow::new(place());
        let t = Instant::now();
        let checked = checker.check(payload, Utc::now());
        let step = {
            let l = ledger.lock().unwrap();
            let inside = l
                .latest_for_subject(&format!("pass:{}", checked.pass_id))?
                .is_some_and(|p| p.body.direction == Direction::In);
            let rules = rules_for(&l, &rules_now, h);
            flow.reduce(GateAction::Scanned {
                checked,
                payload_key: String::new(),
                inside,
                moment: moment(Direction::Out),
                rules,
            })
        };
        scanned.push(t.elapsed().as_secs_f64() * 1e3);
        let GateStep::Record(record) = step else {
            anyhow::bail!("a valid pass must be recorded: {step:?}");
        };
        let t = Instant::now();
        ledger.lock().unwrap().append(record.passage)?;
        append.push(t.elapsed().as_secs_f64() * 1e3);

        let pass_id = format!(
            "R{:06}",
            (round * 7) % (HOUSEHOLDS * RESIDENTS_PER_HOUSEHOLD)
        );
        let mut flow = GateFlow::new(place());
        let t = Instant::now();
        let step = {
            let l = ledger.lock().unwrap();
            let roster = l.roster_pass(&pass_id)?;
            let inside = l
                .latest_for_subject(&format!("pass:{pass_id}"))?
                .is_some_and(|p| p.body.direction == Direction::In);
            let h = roster
                .as_ref()
                .map(|e| e.household.clone())
                .unwrap_or_default();
            let rules = rules_for(&l, &rules_now, &h);
            flow.reduce(GateAction::Typed {
                pass_id,
                roster,
                inside,
                moment: moment(Direction::In),
                rules,
            })
        };
        typed.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(matches!(step, GateStep::Record(_)), "typed: {step:?}");
    }
    drop(server);
    let pass_texts: Vec<String> = payloads.iter().map(|(p, _)| p.clone()).collect();
    let walked = patrol::measure(
        &ledger,
        &checker,
        &signer,
        (COMPOUND, CHECKPOINT),
        &pass_texts,
    )?;
    let p95 = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        percentile(&v, 0.95)
    };
    let (point_p95, pass_p95) = (p95(&walked.point_ms), p95(&walked.pass_ms));

    let scanned = summary(scanned);
    let typed = summary(typed);
    let append = summary(append);
    let p99 = |v: &serde_json::Value| v["p99_ms"].as_f64().unwrap_or(f64::NAN);
    let verdict_p99 = p99(&scanned).max(p99(&typed));
    println!("bench gate: roster of {roster_len} passes");
    println!("| measure | value | goal |");
    println!("|---|---|---|");
    println!(
        "| scanned verdict p50 / p99 | {:.3} / {:.3} ms | p99 < 2 ms |",
        scanned["p50_ms"].as_f64().unwrap_or(f64::NAN),
        p99(&scanned)
    );
    println!(
        "| typed verdict p50 / p99 | {:.3} / {:.3} ms | p99 < 2 ms |",
        typed["p50_ms"].as_f64().unwrap_or(f64::NAN),
        p99(&typed)
    );
    println!(
        "| durable append p50 / p99 (peer) | {:.3} / {:.3} ms | — |",
        append["p50_ms"].as_f64().unwrap_or(f64::NAN),
        p99(&append)
    );
    println!(
        "| patrol label in view → confirmed check p50 / p95 ({} frames, {} unread) | {:.1} / {point_p95:.1} ms | p95 ≤ 300 ms |",
        walked.point_ms.len(),
        walked.unread.0,
        summary(walked.point_ms.clone())["p50_ms"].as_f64().unwrap_or(f64::NAN),
    );
    println!(
        "| peer: printed pass in view → verdict p50 / p95 ({} frames, {} unread) | {:.1} / {pass_p95:.1} ms | ratio {:.2} |",
        walked.pass_ms.len(),
        walked.unread.1,
        summary(walked.pass_ms.clone())["p50_ms"].as_f64().unwrap_or(f64::NAN),
        point_p95 / pass_p95,
    );
    println!("| roster bytes in the ledger | {roster_bytes} | < 2,000,000 |");
    println!("| sync round with the full roster (median of {PHONES} phones) | {full_ms:.0} ms | < 1,000 ms |");
    println!("| sync round with a roster delta (median of {PHONES}) | {delta_ms:.0} ms | — |");
    let out = json!({
        "roster_passes": roster_len,
        "verdict_p99_ms": verdict_p99,
        "verdict_scanned": scanned,
        "verdict_typed": typed,
        "append_peer": append,
        "roster_bytes_15k": roster_bytes,
        "roster_full_pull_ms": full_ms,
        "roster_delta_pull_ms": delta_ms,
        "roster_full_pull_runs_ms": fulls,
        "roster_delta_pull_runs_ms": deltas,
        "patrol_point_to_check": summary(walked.point_ms.clone()),
        "patrol_point_to_check_p95_ms": point_p95,
        "patrol_unread_frames": walked.unread.0,
        "peer_pass_to_verdict": summary(walked.pass_ms.clone()),
        "peer_pass_to_verdict_p95_ms": pass_p95,
        "ratio_point_vs_pass_p95": point_p95 / pass_p95,
        "goals": { "patrol_point_to_check_p95_ms": 300.0, "verdict_p99_ms": 2.0, "roster_bytes_15k": 2_000_000, "roster_full_pull_ms": 1000.0 },
    });
    let dir = std::env::var_os("CHECKPOINT_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target/bench"));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("gate.json");
    std::fs::write(&file, serde_json::to_string_pretty(&out)?)?;
    println!("bench gate: wrote {}", file.display());
    Ok(())
}
