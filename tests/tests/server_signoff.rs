//! The daily report reported once (最多报一次), on SQLite and PostgreSQL: a compound manager signs a
//! day off with the typed figures; the report is frozen with its hash; passages of that day
//! uploaded later appear as a dated amendment beside the frozen figures, which do not change; a
//! second sign-off, a future day and figures typed as text are refused and change nothing; the
//! district's report adds the signed snapshot and marks the compound not signed.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use district_server::report::{content_hash, day_bounds, local_day, Snapshot};
use district_server::AppState;
use server_support::{chain, enrollment_code, fresh_pg_database, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use web_support::{form, login, page, send};

const DEVICE: &str = "dev-report";

async fn upload(state: &AppState, from: u64, to: u64, prev: &str) -> String {
    let offset = state.config.utc_offset_minutes;
    let yesterday = local_day(Utc::now(), offset) - Duration::days(1);
    let start = day_bounds(yesterday, offset).0 + Duration::hours(10);
    let batch = chain(DEVICE, from, to, start, prev);
    let last = batch.last().unwrap().hash.clone();
    state
        .store
        .ingest(DEVICE, batch, 0, Utc::now(), 28)
        .await
        .unwrap();
    last
}

fn sign(csrf: &str, day: &str, masks: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf),
        ("compound", "c1"),
        ("day", day),
        ("home_observation", "2"),
        ("masks_in_stock", masks),
        ("disinfectant_litres", ""),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn post(state: &AppState, cookie: &str, fields: &[(String, String)]) -> StatusCode {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    send(state, form("/admin/report/signoff", Some(cookie), &pairs))
        .await
        .0
}

async fn signoff_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    state.store.upsert_compound("c2", "和平小区").await.unwrap();
    let code = district_server::auth::hash_token(&enrollment_code(&state).await);
    let token = district_server::auth::hash_token("t-report");
    let now_ms = Utc::now().timestamp_millis();
    state
        .store
        .enroll(&code, DEVICE, "东门", &token, now_ms)
        .await
        .unwrap();
    let prev = upload(&state, 1, 5, GENESIS_HASH).await;
    let (cookie, csrf) = login(&state).await;
    let offset = state.config.utc_offset_minutes;
    let day = (local_day(Utc::now(), offset) - Duration::days(1)).to_string();
    let tomorrow = (local_day(Utc::now(), offset) + Duration::days(1)).to_string();
    let path = format!("/admin/report?day={day}&compound=c1");
    let (_, html, _) = send(&state, page(&path, &cookie)).await;
    assert!(html.contains("id=\"not-signed\"") && html.contains("id=\"signoff-form\""));

    assert_eq!(
        post(&state, &cookie, &sign(&csrf, &day, "five hundred")).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&state, &cookie, &sign(&csrf, &tomorrow, "500")).await,
        StatusCode::BAD_REQUEST
    );
    assert!(
        state.store.signoff("c1", &day).await.unwrap().is_none(),
        "refusals stored nothing"
    );
    assert_eq!(
        post(&state, &cookie, &sign(&csrf, &day, "500")).await,
        StatusCode::SEE_OTHER
    );
    let signed = state.store.signoff("c1", &day).await.unwrap().unwrap();
    assert_eq!(signed.content_hash, content_hash(&signed.snapshot));
    let snapshot: Snapshot = serde_json::from_str(&signed.snapshot).unwrap();
    assert_eq!(
        (
            snapshot.report.records_counted,
            snapshot.manual.masks_in_stock
        ),
        (5, 500)
    );
    assert_eq!(
        post(&state, &cookie, &sign(&csrf, &day, "600")).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        state.store.signoff("c1", &day).await.unwrap().unwrap(),
        signed,
        "signed once"
    );

    upload(&state, 6, 8, &prev).await;
    let (_, html, _) = send(&state, page(&path, &cookie)).await;
    assert!(html.contains("id=\"signed-off\"") && !html.contains("id=\"signoff-form\""));
    let amendment = html.split("id=\"amendment\"").nth(1).expect("an amendment");
    assert!(
        amendment.contains("Records counted</td><td>5</td><td>8</td>"),
        "{amendment}"
    );
    let frozen = html
        .split("统计记录数 Records counted</th><td>")
        .nth(1)
        .unwrap();
    assert!(
        frozen.starts_with("5<"),
        "the frozen figure stays: {frozen:.40}"
    );

    let (_, district, _) = send(&state, page(&format!("/admin/report?day={day}"), &cookie)).await;
    let table = district
        .split("id=\"signoffs\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        table.contains("class=\"signed\"") && table.contains("class=\"unsigned\""),
        "{table}"
    );
    assert!(table.contains("有更正 amended"));
    let (status, csv, _) = send(
        &state,
        page(&format!("/admin/report.csv?day={day}&compound=c1"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("manual,masks_in_stock,500"), "{csv}");
    assert!(csv.contains(&format!(
        "signed_off,c1,officer {} sha256:{}",
        signed.signed_at_ms, signed.content_hash
    )));
    let audit = state.store.audit_log(50).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "report_signoff")
            .count(),
        1
    );

    // The dashboard counts the compounds that signed off today.
    let signed_today = |html: &str| {
        html.split("id=\"signed-today\">")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .map(str::to_owned)
    };
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert_eq!(signed_today(&dashboard).as_deref(), Some("0 / 2"));
    let today = local_day(Utc::now(), offset).to_string();
    assert_eq!(
        post(&state, &cookie, &sign(&csrf, &today, "10")).await,
        StatusCode::SEE_OTHER
    );
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert_eq!(signed_today(&dashboard).as_deref(), Some("1 / 2"));
}

#[tokio::test]
async fn a_day_is_signed_off_once_and_amended_in_view_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    signoff_story(&url).await;
}

#[tokio::test]
async fn a_day_is_signed_off_once_and_amended_in_view_on_postgres() {
    let Some(url) =
        fresh_pg_database("a_day_is_signed_off_once_and_amended_in_view_on_postgres").await
    else {
        return;
    };
    signoff_story(&url).await;
}
