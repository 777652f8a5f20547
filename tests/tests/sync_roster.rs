//! The roster, the rules and other gates' exits reach a phone with its sync round: a resident who
//! went out at one gate counts against the household's quota at another. Loopback only.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use district_server::passes::{import_residents, ImportRow};
use server_support::{enrollment_code, serve_loopback, temp_sqlite, test_state};
use sync_core::protocol::CheckpointConfig;
use sync_core::rules::{CompoundRules, ExitQuota};
use sync_core::sync::{enroll, SyncConfig, SyncEngine, SETTING_CONFIG};
use sync_core::{Direction, Ledger, NewPassage, Subject, Verdict};

async fn phone(dir: &std::path::Path, name: &str, base: &str, code: &str) -> Arc<Mutex<Ledger>> {
    let ledger = Arc::new(Mutex::new(Ledger::open(dir.join(name)).unwrap()));
    enroll(&ledger, base, code, name).await.unwrap();
    ledger
}

async fn sync(ledger: &Arc<Mutex<Ledger>>) {
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    SyncEngine::new(Arc::clone(ledger), config)
        .unwrap()
        .step()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_exit_at_one_gate_counts_against_the_quota_at_another() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let row = ImportRow {
        name: "张三".into(),
        id_number: "11010519491231002X".into(),
        phone: "13812345678".into(),
        household: "3-2-401".into(),
        plates: vec!["京A12345".into()],
    };
    import_residents(
        &state.store,
        &state.signer,
        "c1",
        &[row],
        Utc::now(),
        "test",
    )
    .await
    .unwrap();
    let rules = CompoundRules {
        exit_quota: Some(ExitQuota {
            persons: 1,
            days: 2,
        }),
        ..CompoundRules::default()
    };
    let now_ms = Utc::now().timestamp_millis();
    state
        .store
        .set_compound_rules("c1", &rules, "officer", now_ms)
        .await
        .unwrap();
    let (base, server) = serve_loopback(&state).await;
    let a = phone(dir.path(), "a.db", &base, &enrollment_code(&state).await).await;
    let b = phone(dir.path(), "b.db", &base, &enrollment_code(&state).await).await;
    sync(&b).await;
    {
        let l = b.lock().unwrap();
        assert_eq!(
            l.roster_len().unwrap(),
            2,
            "the resident's and the car's pass"
        );
        assert_eq!(l.roster_plate("京A12345").unwrap().len(), 1);
        let config: CheckpointConfig = l.setting(SETTING_CONFIG).unwrap().unwrap();
        assert_eq!(config.rules, rules, "the rules travel in the signed config");
        assert_eq!(
            l.household_exits("3-2-401", Utc::now() - Duration::days(2))
                .unwrap(),
            0
        );
    }
    // Gate A lets the resident out, and syncs.
    let pass_id = state.store.passes().await.unwrap()[0].pass_id.clone();
    a.lock()
        .unwrap()
        .append(NewPassage {
            checkpoint_id: "cp-east".into(),
            gate: "east-1".into(),
            direction: Direction::Out,
            recorded_at: Utc::now(),
            clock_offset_ms: Some(0),
            staff: "王师傅".into(),
            subject: Subject::Resident {
                pass_id,
                household: "3-2-401".into(),
                name: None,
            },
            temperature_c: None,
            verdict: Verdict::Admitted,
        })
        .unwrap();
    sync(&a).await;
    // Gate B learns of it with its next round.
    sync(&b).await;
    let since = Utc::now() - Duration::days(2);
    assert_eq!(
        b.lock().unwrap().household_exits("3-2-401", since).unwrap(),
        1
    );
    // And again: still one.
    sync(&b).await;
    assert_eq!(
        b.lock().unwrap().household_exits("3-2-401", since).unwrap(),
        1
    );
    server.abort();
}
