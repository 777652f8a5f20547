//! Corrected time: a device whose clock is two hours fast reports its offset, and its records just
//! after (device) midnight land on the previous day in the daily report; a record without an
//! offset counts by device time and flags the device (in the store and on the devices page).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;
mod web_support;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use district_server::auth::hash_token;
use district_server::report::{day_bounds, local_day, DailyReport};
use district_server::AppState;
use server_support::{enrollment_code, fresh_pg_database, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::{Passage, PassageBody, Verdict};
use uuid::Uuid;
use web_support::{login, page, send};

const FAST_BY_MS: i64 = 2 * 3_600_000;

/// Seq 1..=3 of `device`, recorded at `device_times` with the given offsets, admitted.
fn records(device: &str, at: &[(DateTime<Utc>, Option<i64>)]) -> Vec<Passage> {
    let mut prev = GENESIS_HASH.to_owned();
    at.iter()
        .zip(1_u64..)
        .map(|((t, offset), seq)| {
            let mut new = sample_passage(seq, *t);
            new.recorded_at = *t;
            new.clock_offset_ms = *offset;
            new.verdict = Verdict::Admitted;
            let p = Passage::seal(PassageBody::new(Uuid::now_v7(), device, seq, new), &prev);
            prev.clone_from(&p.hash);
            p
        })
        .collect()
}

async fn report(state: &AppState, day: NaiveDate) -> DailyReport {
    DailyReport::compute(&state.store, &state.config, day, None)
        .await
        .unwrap()
}

async fn story(state: AppState) {
    let offset_minutes = state.config.utc_offset_minutes;
    let day = local_day(Utc::now(), offset_minutes) - Duration::days(2);
    let eve = day.pred_opt().unwrap();
    let (midnight, _) = day_bounds(day, offset_minutes);
    let now = Utc::now();
    let code = enrollment_code(&state).await;
    let outcome = state
        .store
        .enroll(
            &hash_token(&code),
            "dev-fast",
            "fast clock",
            &hash_token("tok-fast"),
            now.timestamp_millis(),
        )
        .await
        .unwrap();
    assert!(outcome.checkpoint().is_some());
    // Device time 00:20 and 00:50 of `day`, really 22:20 and 22:50 of the evening before; then one
    // at 00:40 with no offset known (counted by device time).
    let batch = records(
        "dev-fast",
        &[
            (midnight + Duration::minutes(20), Some(-FAST_BY_MS)),
            (midnight + Duration::minutes(50), Some(-FAST_BY_MS)),
            (midnight + Duration::minutes(40), None),
        ],
    );
    let results = state
        .store
        .ingest("dev-fast", batch, 0, now, state.config.retention_days)
        .await
        .unwrap();
    assert!(results
        .iter()
        .all(|r| r.status == sync_core::protocol::RecordStatus::Accepted));

    let evening = report(&state, eve).await;
    assert_eq!(
        evening.records_counted, 2,
        "the fast clock's records: {evening:?}"
    );
    let morning = report(&state, day).await;
    assert_eq!(
        morning.records_counted, 1,
        "the unknown offset's record: {morning:?}"
    );

    let (from, to) = day_bounds(eve, offset_minutes);
    let facts = state
        .store
        .passage_facts(from.timestamp_millis(), to.timestamp_millis(), "")
        .await
        .unwrap();
    assert_eq!(facts.len(), 2);
    assert!(facts.iter().all(|f| f.offset_known));
    let first = (midnight + Duration::minutes(20)).timestamp_millis() - FAST_BY_MS;
    assert_eq!(facts[0].corrected_at_ms, first);
    let (from, to) = day_bounds(day, offset_minutes);
    let facts = state
        .store
        .passage_facts(from.timestamp_millis(), to.timestamp_millis(), "")
        .await
        .unwrap();
    assert_eq!(facts.len(), 1);
    assert!(!facts[0].offset_known);

    let devices = state.store.devices().await.unwrap();
    let fast = devices.iter().find(|d| d.device_id == "dev-fast").unwrap();
    assert_eq!(fast.unknown_offset, 1, "the device is flagged");
    let (cookie, _) = login(&state).await;
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(
        html.contains("id=\"clock-unknown-dev-fast\"") && html.contains("clock offset unknown: 1"),
        "{html}"
    );
}

#[tokio::test]
async fn a_fast_device_clock_is_counted_on_the_right_day_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(test_state(&url, |_| {}).await).await;
}

#[tokio::test]
async fn a_fast_device_clock_is_counted_on_the_right_day_on_postgres() {
    let Some(url) =
        fresh_pg_database("a_fast_device_clock_is_counted_on_the_right_day_on_postgres").await
    else {
        return;
    };
    story(test_state(&url, |_| {}).await).await;
}
