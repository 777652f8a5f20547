//! The compound roster on the server: a full pull holds every pass of the compound (newest serial)
//! and the district's staff passes, never another compound's, never a whole ID number or name; after
//! a change only the changed pass travels. SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod server_support;

use chrono::Utc;
use district_server::passes::{import_residents, ImportRow};
use district_server::AppState;
use server_support::{fresh_pg_database, temp_sqlite, test_state};
use sync_core::pass::PassKind;

fn row(name: &str, id: &str, household: &str, plates: &[&str]) -> ImportRow {
    ImportRow {
        name: name.into(),
        id_number: id.into(),
        phone: "13812345678".into(),
        household: household.into(),
        plates: plates.iter().map(|p| (*p).to_owned()).collect(),
    }
}

async fn roster_story(state: AppState) {
    let store = &state.store;
    store.upsert_compound("c2", "和平小区").await.unwrap();
    let now = Utc::now();
    let ours = [
        row("张三", "11010519491231002X", "3-2-401", &["京A12345"]),
        row("李四", "440524198001010013", "3-2-402", &[]),
    ];
    import_residents(store, &state.signer, "c1", &ours, now, "test")
        .await
        .unwrap();
    let theirs = [row("王五", "110105194912311234", "1-1-101", &[])];
    import_residents(store, &state.signer, "c2", &theirs, now, "test")
        .await
        .unwrap();

    let (v1, full) = store.roster_since("c1", 0).await.unwrap();
    assert_eq!(
        full.len(),
        3,
        "two resident passes and one vehicle pass: {full:?}"
    );
    let json = serde_json::to_string(&full).unwrap();
    for secret in [
        "11010519491231002X",
        "440524198001010013",
        "张三",
        "李四",
        "王五",
    ] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    let zhang = full
        .iter()
        .find(|e| e.kind == PassKind::Resident && e.household == "3-2-401")
        .unwrap();
    assert_eq!(
        (zhang.name.as_str(), zhang.id_tail.as_deref()),
        ("张*", Some("002X"))
    );
    let car = full.iter().find(|e| e.kind == PassKind::Vehicle).unwrap();
    assert_eq!(
        (car.plate.as_deref(), car.id_tail.as_deref()),
        (Some("京A12345"), None)
    );
    assert!(full.iter().all(|e| !e.revoked && e.valid_until > now));

    // Nothing changed: an empty delta at the same version.
    let (same, none) = store.roster_since("c1", v1).await.unwrap();
    assert_eq!((same, none.len()), (v1, 0));
    // A revocation brings exactly that pass, marked revoked.
    let car_serial = 1;
    assert!(store
        .revoke(&car.pass_id, car_serial, "officer", now.timestamp_millis())
        .await
        .unwrap());
    let (v2, delta) = store.roster_since("c1", v1).await.unwrap();
    assert!(v2 > v1);
    assert_eq!(delta.len(), 1);
    assert_eq!(
        (delta[0].pass_id.as_str(), delta[0].revoked),
        (car.pass_id.as_str(), true)
    );
    // A change in another compound moves no entry of this one.
    let more = [row("赵六", "110105194912310021", "1-1-102", &[])];
    import_residents(store, &state.signer, "c2", &more, now, "test")
        .await
        .ok();
    let (_, delta) = store.roster_since("c1", v2).await.unwrap();
    assert!(delta.is_empty(), "{delta:?}");
    let (_, theirs) = store.roster_since("c2", 0).await.unwrap();
    assert!(theirs.iter().all(|e| e.household.starts_with("1-1-")));

    // Other gates' exits for the quota: admitted resident exits at this compound's checkpoints,
    // continued from a cursor.
    let code = server_support::enrollment_code(&state).await;
    let token = district_server::auth::hash_token("t-roster");
    let code_hash = district_server::auth::hash_token(&code);
    store
        .enroll(&code_hash, "dev-R", "r", &token, now.timestamp_millis())
        .await
        .unwrap();
    let batch = server_support::genesis_chain("dev-R", 12, now - chrono::Duration::minutes(30));
    store
        .ingest("dev-R", batch.clone(), 0, now, 28)
        .await
        .unwrap();
    let expected: Vec<String> = batch
        .iter()
        .filter(|p| {
            matches!(p.body.subject, sync_core::Subject::Resident { .. })
                && p.body.direction == sync_core::Direction::Out
                && p.body.verdict.is_admitted()
        })
        .map(|p| p.body.id.to_string())
        .collect();
    assert!(!expected.is_empty());
    let from = (now - chrono::Duration::days(2)).timestamp_millis();
    let (cursor, exits) = store.compound_exits("c1", 0, from).await.unwrap();
    let got: Vec<String> = exits.iter().map(|e| e.id.clone()).collect();
    assert_eq!(got.len(), expected.len());
    assert!(expected.iter().all(|id| got.contains(id)));
    assert!(cursor > 0);
    let (again, none) = store.compound_exits("c1", cursor, from).await.unwrap();
    assert_eq!((again, none.len()), (cursor, 0));
    assert!(store
        .compound_exits("c2", 0, from)
        .await
        .unwrap()
        .1
        .is_empty());
}

#[tokio::test]
async fn roster_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    roster_story(test_state(&url, |_| {}).await).await;
}

#[tokio::test]
async fn roster_on_postgres() {
    let Some(url) = fresh_pg_database("roster_on_postgres").await else {
        return;
    };
    roster_story(test_state(&url, |_| {}).await).await;
}
