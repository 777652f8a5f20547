//! The storage "story": enrollment, ingest, duplicate resend, gap detection and report totals,
//! on a temp SQLite file and on a real PostgreSQL server.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use district_server::auth::hash_token;
use district_server::config::Config;
use district_server::report::{day_bounds, local_day, DailyReport};
use district_server::store::{EnrollOutcome, Store};
use server_support::{chain, fresh_pg_database, genesis_chain, seeded_store, temp_sqlite};
use sync_core::protocol::RecordStatus;
use sync_core::{DenyReason, Direction, Passage, PassageBody, Verdict};
use uuid::Uuid;

fn statuses(results: &[sync_core::protocol::RecordResult]) -> Vec<&'static str> {
    results
        .iter()
        .map(|r| match r.status {
            RecordStatus::Accepted => "accepted",
            RecordStatus::Duplicate => "duplicate",
            RecordStatus::Quarantined { .. } => "rejected",
            RecordStatus::Rejected { .. } => "refused-not-kept",
        })
        .collect()
}

async fn story(store: Store) {
    let config = Config::default();
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let yesterday = local_day(now, config.utc_offset_minutes)
        .pred_opt()
        .unwrap();
    let (day_start, _) = day_bounds(yesterday, config.utc_offset_minutes);
    let start = day_start + Duration::hours(8);

    // Enrollment: a one-time code becomes a device token; the code cannot be used twice.
    store
        .create_enroll_code(
            &hash_token("CODE0001"),
            "cp-east",
            "admin",
            now_ms,
            now_ms + 3_600_000,
        )
        .await
        .unwrap();
    let cp = store
        .enroll(
            &hash_token("CODE0001"),
            "dev-A",
            "Pixel 4a",
            &hash_token("token-a"),
            now_ms,
        )
        .await
        .unwrap()
        .checkpoint()
        .expect("a fresh code enrolls");
    assert_eq!(cp.id, "cp-east");
    assert!(store
        .enroll(
            &hash_token("CODE0001"),
            "dev-B",
            "x",
            &hash_token("token-b"),
            now_ms
        )
        .await
        .unwrap()
        .checkpoint()
        .is_none());
    store
        .create_enroll_code(
            &hash_token("OLDCODE1"),
            "cp-east",
            "admin",
            now_ms - 10,
            now_ms - 1,
        )
        .await
        .unwrap();
    assert!(store
        .enroll(
            &hash_token("OLDCODE1"),
            "dev-B",
            "x",
            &hash_token("token-b"),
            now_ms
        )
        .await
        .unwrap()
        .checkpoint()
        .is_none());
    assert!(store
        .enroll(
            &hash_token("NOSUCH00"),
            "dev-B",
            "x",
            &hash_token("token-b"),
            now_ms
        )
        .await
        .unwrap()
        .checkpoint()
        .is_none());
    store
        .create_enroll_code(
            &hash_token("CODE0002"),
            "cp-east",
            "admin",
            now_ms,
            now_ms + 3_600_000,
        )
        .await
        .unwrap();
    store
        .enroll(
            &hash_token("CODE0002"),
            "dev-C",
            "silent",
            &hash_token("token-c"),
            now_ms,
        )
        .await
        .unwrap()
        .checkpoint()
        .expect("second device");
    let dev = store
        .device_by_token(&hash_token("token-a"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dev.device_id, "dev-A");
    assert!(store
        .device_by_token(&hash_token("token-b"))
        .await
        .unwrap()
        .is_none());

    // A known device id cannot be taken over by a new code until an administrator releases it.
    store
        .create_enroll_code(
            &hash_token("CODE0003"),
            "cp-east",
            "admin",
            now_ms,
            now_ms + 3_600_000,
        )
        .await
        .unwrap();
    let again = |token: &'static str| {
        let store = store.clone();
        async move {
            store
                .enroll(
                    &hash_token("CODE0003"),
                    "dev-A",
                    "thief",
                    &hash_token(token),
                    now_ms,
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(again("token-x").await, EnrollOutcome::DeviceTaken);
    assert!(store
        .device_by_token(&hash_token("token-x"))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .release_device("dev-A", "admin", now_ms)
        .await
        .unwrap());
    assert!(!store
        .release_device("dev-A", "admin", now_ms)
        .await
        .unwrap());
    assert!(!store
        .release_device("dev-none", "admin", now_ms)
        .await
        .unwrap());
    // The refused attempt left the code unused: the released device enrolls with it.
    assert!(matches!(
        again("token-a2").await,
        EnrollOutcome::Enrolled(_)
    ));
    assert!(store
        .device_by_token(&hash_token("token-a"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(again("token-a3").await, EnrollOutcome::BadCode);
    let audit = store.audit_log(10).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "release_device"));

    // Ingest 60, then resend: nothing changes.
    let all = genesis_chain("dev-A", 80, start);
    let r = store
        .ingest("dev-A", all[..60].to_vec(), 20, now, 28)
        .await
        .unwrap();
    assert_eq!(statuses(&r), vec!["accepted"; 60]);
    let r = store
        .ingest("dev-A", all[..60].to_vec(), 20, now, 28)
        .await
        .unwrap();
    assert_eq!(statuses(&r), vec!["duplicate"; 60]);
    assert_eq!(store.passage_count(Some("dev-A")).await.unwrap(), 60);

    // 61..=65 go missing: the gap is recorded and shows as missing until they arrive late.
    let r = store
        .ingest("dev-A", all[65..].to_vec(), 0, now, 28)
        .await
        .unwrap();
    assert_eq!(statuses(&r), vec!["accepted"; 15]);
    let events = store.chain_events("dev-A").await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].0.as_str(), events[0].1, events[0].2),
        ("gap", 61, 66)
    );
    let info = store.devices().await.unwrap();
    let a = info.iter().find(|d| d.device_id == "dev-A").unwrap();
    assert_eq!((a.last_seq, a.missing, a.n_gaps, a.backlog), (80, 5, 1, 0));
    let r = store
        .ingest("dev-A", all[60..65].to_vec(), 0, now, 28)
        .await
        .unwrap();
    assert_eq!(statuses(&r), vec!["accepted"; 5]);
    let a = store
        .devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.device_id == "dev-A")
        .unwrap();
    assert_eq!(a.missing, 0);

    // A mixed batch: valid records are kept, the tampered, future and foreign ones are refused.
    let mut more = chain(
        "dev-A",
        81,
        84,
        start + Duration::seconds(81),
        &all[79].hash,
    );
    more[1].body.gate = "tampered".into();
    let mut fever_body = more[3].body.clone();
    fever_body.temperature_c = Some(38.4);
    fever_body.verdict = Verdict::Denied {
        reason: DenyReason::Fever,
    };
    fever_body.direction = Direction::In;
    more[3] = Passage::seal(fever_body, &more[2].hash);
    let future = Passage::seal(
        PassageBody {
            id: Uuid::now_v7(),
            seq: 85,
            recorded_at: now + Duration::days(1),
            ..more[2].body.clone()
        },
        &more[3].hash,
    );
    let foreign = genesis_chain("dev-X", 1, start).remove(0);
    let batch = [more.clone(), vec![future, foreign]].concat();
    let r = store.ingest("dev-A", batch, 0, now, 28).await.unwrap();
    assert_eq!(
        statuses(&r),
        vec!["accepted", "rejected", "accepted", "accepted", "rejected", "rejected"]
    );
    let RecordStatus::Quarantined { reason } = &r[4].status else {
        unreachable!()
    };
    assert!(reason.contains("future"), "{reason}");
    assert_eq!(store.passage_count(Some("dev-A")).await.unwrap(), 83);
    assert_eq!(store.passage_count(None).await.unwrap(), 83);
    let events = store.chain_events("dev-A").await.unwrap();
    assert_eq!(
        (events[1].0.as_str(), events[1].1, events[1].2),
        ("gap", 82, 83)
    );

    // Report totals, checked against counts made here from the accepted records.
    let kept: Vec<&Passage> = all.iter().chain([&more[0], &more[2], &more[3]]).collect();
    let mut expected: HashMap<(&str, &str), u64> = HashMap::new();
    let mut last_visitor_dir: HashMap<String, Direction> = HashMap::new();
    let mut occupants = (0u64, 0u64);
    for p in &kept {
        if p.body.verdict.is_admitted() {
            let n = u64::from(p.body.subject.occupants());
            match p.body.direction {
                Direction::In => occupants.0 += n,
                Direction::Out => occupants.1 += n,
            }
        }
        let kind = p.body.subject.kind().as_str();
        let key = if p.body.verdict.is_admitted() {
            p.body.direction.as_str()
        } else {
            "denied"
        };
        *expected.entry((kind, key)).or_default() += 1;
        if kind == "visitor" && p.body.verdict.is_admitted() {
            last_visitor_dir.insert(p.body.subject.key(), p.body.direction);
        }
    }
    let report = DailyReport::compute(&store, &config, yesterday, None)
        .await
        .unwrap();
    assert_eq!(report.records_counted, 83);
    for t in &report.totals {
        let get = |k: &str| expected.get(&(t.kind.as_str(), k)).copied().unwrap_or(0);
        assert_eq!(
            (t.admitted_in, t.admitted_out, t.denied),
            (get("in"), get("out"), get("denied")),
            "{}",
            t.kind.as_str()
        );
    }
    assert_eq!(
        report.total_in() + report.total_out() + report.denied_entries,
        83
    );
    assert_eq!(report.fever_cases, 1);
    assert!(occupants.0 > 0 && occupants.1 > 0);
    assert_eq!(
        (report.vehicle_occupants_in, report.vehicle_occupants_out),
        occupants,
        "vehicle occupants counted"
    );
    let inside = last_visitor_dir
        .values()
        .filter(|d| **d == Direction::In)
        .count() as u64;
    assert!(inside > 0);
    assert_eq!(report.visitors_inside_at_midnight, inside);
    // Both devices were enrolled today: neither was due to report yesterday; today neither has.
    assert!(report.silent_devices.is_empty());
    let today = DailyReport::compute(&store, &config, yesterday.succ_opt().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        today.silent_devices,
        vec!["dev-A".to_string(), "dev-C".to_string()]
    );
    let other = DailyReport::compute(&store, &config, yesterday, Some("no-such-compound"))
        .await
        .unwrap();
    assert_eq!(other.records_counted, 0);
}

#[tokio::test]
async fn story_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(seeded_store(&url).await).await;
}

#[tokio::test]
async fn story_on_postgres() {
    let Some(url) = fresh_pg_database("story_on_postgres").await else {
        return;
    };
    story(seeded_store(&url).await).await;
}
