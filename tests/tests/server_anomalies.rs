//! The anomaly rules on SQLite and PostgreSQL, each with a case that triggers it and one that does
//! not: fever, out more than 5 times a day, a household over its exit quota, a resident not seen
//! for 3 days, a household with more than 3 visitors, a visitor still inside after midnight; the
//! page and the dashboard panel show them.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use chrono::{DateTime, Duration, Utc};
use district_server::auth::hash_token;
use district_server::passes::{import_residents, ImportRow};
use district_server::report::{day_bounds, local_day};
use district_server::store::AnomalyRules;
use district_server::AppState;
use server_support::{enrollment_code, fresh_pg_database, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use sync_core::rules::ExitQuota;
use sync_core::validate::IdNumber;
use sync_core::{Direction, NewPassage, Passage, PassageBody, Subject, Verdict};
use uuid::Uuid;
use web_support::{login, page, send};

fn resident(pass_id: &str, household: &str) -> Subject {
    Subject::Resident {
        pass_id: pass_id.into(),
        household: household.into(),
        name: Some(format!("居民{pass_id}")),
    }
}

fn visitor(phone: &str, host: &str) -> Subject {
    Subject::Visitor {
        name: format!("访客{phone}"),
        phone: phone.into(),
        id_number: None,
        host_household: host.into(),
        reason: "探亲".into(),
        plate: None,
        visitor_pass_id: None,
    }
}

/// `(minutes from today's start (negative: yesterday), direction, subject, temperature)`.
fn plan(seen: &str) -> Vec<(i64, Direction, Subject, f32)> {
    use Direction::{In, Out};
    let mut p = vec![
        (9 * 60, In, resident(seen, "1-1-101"), 38.2), // fever, and seen today
        (9 * 60 + 5, In, resident("R800002", "2-1-101"), 36.8),
    ];
    for i in 0..6 {
        p.push((10 * 60 + i, Out, resident("R800010", "3-1-101"), 36.5)); // 6 exits: listed
    }
    for i in 0..5 {
        p.push((11 * 60 + i, Out, resident("R800011", "3-1-102"), 36.5)); // 5 exits: not
    }
    for (k, pass) in ["R800020", "R800021", "R800022"].iter().enumerate() {
        p.push((12 * 60 + k as i64, Out, resident(pass, "4-1-101"), 36.5)); // 3 out of 2 allowed
    }
    for (k, pass) in ["R800030", "R800031"].iter().enumerate() {
        p.push((12 * 60 + k as i64, Out, resident(pass, "4-1-102"), 36.5)); // 2: within quota
    }
    for k in 0..4 {
        p.push((
            13 * 60 + k,
            In,
            visitor(&format!("1370000100{k}"), "5-1-101"),
            36.5,
        )); // 4 visitors
    }
    for k in 0..3 {
        p.push((
            13 * 60 + k,
            In,
            visitor(&format!("1370000200{k}"), "5-1-102"),
            36.5,
        )); // 3: not
    }
    p.push((-4 * 60, In, visitor("13700003000", "6-1-101"), 36.5)); // in at 20:00, never out
    p.push((-5 * 60, In, visitor("13700003001", "6-1-102"), 36.5)); // in and out yesterday
    p.push((-3 * 60, Out, visitor("13700003001", "6-1-102"), 36.5));
    p.push((60, In, visitor("13700003002", "6-1-103"), 36.5)); // came after midnight
    p.push((-2 * 60, In, visitor("13700003003", "6-1-104"), 36.5)); // stayed the night, left
    p.push((2 * 60, Out, visitor("13700003003", "6-1-104"), 36.5));
    p.sort_by_key(|x| x.0);
    p
}

async fn run_sql(url: &str, sql: &str) {
    match url.strip_prefix("sqlite:") {
        Some(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute(sql, [])
                .unwrap();
        }
        None => {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
            task.abort();
        }
    }
}

fn person(i: u32) -> ImportRow {
    let first17 = format!("1101051980010{}12{i}", 1 + i);
    let check = IdNumber::check_char(&first17[..17]).unwrap();
    ImportRow {
        name: format!("住户{i}"),
        id_number: format!("{}{check}", &first17[..17]),
        phone: format!("1390000{:04}", i),
        household: format!("9-1-10{i}"),
        plates: vec![],
    }
}

async fn seed(state: &AppState, url: &str, start: DateTime<Utc>) -> (String, String) {
    let store = &state.store;
    let now = Utc::now();
    import_residents(
        store,
        &state.signer,
        "c1",
        &[person(1), person(2)],
        now,
        "test",
    )
    .await
    .unwrap();
    // Both were issued a week ago; one of them came through a gate today.
    run_sql(
        url,
        &format!(
            "UPDATE passes SET issued_at_ms = issued_at_ms - {}",
            7 * 86_400_000
        ),
    )
    .await;
    let passes = store.passes().await.unwrap();
    let (seen, unseen) = (passes[0].pass_id.clone(), passes[1].pass_id.clone());
    import_residents(store, &state.signer, "c1", &[person(3)], now, "test")
        .await
        .unwrap(); // new today
    let mut rules = store.compound_rules("c1").await.unwrap();
    rules.exit_quota = Some(ExitQuota {
        persons: 2,
        days: 1,
    });
    store
        .set_compound_rules("c1", &rules, "test", now.timestamp_millis())
        .await
        .unwrap();
    let code = hash_token(&enrollment_code(state).await);
    store
        .enroll(
            &code,
            "dev-a",
            "东门",
            &hash_token("ta"),
            now.timestamp_millis(),
        )
        .await
        .unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    let mut batch = Vec::new();
    for (seq, (minute, direction, subject, t)) in plan(&seen).into_iter().enumerate() {
        let new = NewPassage {
            checkpoint_id: "cp-east".into(),
            gate: "east-1".into(),
            direction,
            recorded_at: start + Duration::minutes(minute),
            clock_offset_ms: Some(0),
            staff: "值班员".into(),
            subject,
            temperature_c: Some(t),
            verdict: Verdict::Admitted,
        };
        let p = Passage::seal(
            PassageBody::new(Uuid::now_v7(), "dev-a", seq as u64 + 1, new),
            &prev,
        );
        prev.clone_from(&p.hash);
        batch.push(p);
    }
    store.ingest("dev-a", batch, 0, now, 28).await.unwrap();
    (seen, unseen)
}

async fn anomalies_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let offset = state.config.utc_offset_minutes;
    // Yesterday is the anomalies' day, so every planned minute (yesterday evening to today's
    // afternoon) is in the past whatever the time now.
    let day = local_day(Utc::now(), offset) - Duration::days(1);
    let (start, end) = day_bounds(day, offset);
    let (seen, unseen) = seed(&state, url, start).await;
    let rules = AnomalyRules {
        compounds: vec!["c1".into(), "c2".into()],
        day_start_ms: start.timestamp_millis(),
        day_end_ms: end.timestamp_millis(),
        fever_threshold_c: 37.3,
        exits_per_day: 5,
        unseen_days: 3,
        visitors_per_household: 3,
        exit_quotas: vec![("c1".into(), 2, 1)],
        since_ms: (start - Duration::days(28)).timestamp_millis(),
    };
    let mut all = state.store.anomalies(&rules).await.unwrap();
    assert_eq!(
        all.get("c2"),
        Some(&Default::default()),
        "nothing of c1 counted for c2"
    );
    let a = all.remove("c1").unwrap();
    let fever: Vec<_> = a.fever.iter().map(|r| r.pass_id.clone().unwrap()).collect();
    assert_eq!(fever, vec![seen.clone()], "38.2 °C listed, 36.8 °C not");
    let exits: Vec<_> = a
        .frequent_exits
        .iter()
        .map(|s| (s.pass_id.clone().unwrap(), s.count))
        .collect();
    assert_eq!(exits, vec![("R800010".to_owned(), 6)]);
    let quota: Vec<_> = a
        .over_quota
        .iter()
        .map(|h| (h.household.as_str(), h.count))
        .collect();
    assert_eq!(quota, vec![("4-1-101", 3)]);
    let busy: Vec<_> = a
        .busy_households
        .iter()
        .map(|h| (h.household.as_str(), h.count))
        .collect();
    assert_eq!(busy, vec![("5-1-101", 4)]);
    let overnight: Vec<_> = a
        .visitors_overnight
        .iter()
        .map(|r| r.household.clone().unwrap())
        .collect();
    assert_eq!(overnight, vec!["6-1-101".to_owned()]);
    // Unseen is counted up to the day's end: the resident seen that day is not listed, the one
    // imported with them is, the one imported today is not (too new).
    let unseen_ids: Vec<_> = a.unseen.iter().map(|u| u.pass_id.clone()).collect();
    assert_eq!(unseen_ids, vec![unseen]);

    let (cookie, _) = login(&state).await;
    let (_, html, _) = send(&state, page("/admin/anomalies?compound=c1", &cookie)).await;
    assert!(html.contains("id=\"anomalies-c1\""));
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert!(
        dashboard.contains("id=\"anomaly-panel\"") && dashboard.contains("data-compound=\"c1\"")
    );
}

#[tokio::test]
async fn anomaly_rules_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    anomalies_story(&url).await;
}

#[tokio::test]
async fn anomaly_rules_on_postgres() {
    let Some(url) = fresh_pg_database("anomaly_rules_on_postgres").await else {
        return;
    };
    anomalies_story(&url).await;
}
