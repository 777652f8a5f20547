//! Residents and their cards in the admin web: a card sheet for one household or one resident
//! (never an expired pass, each card naming its compound), a resident added from the form, more
//! from an uploaded CSV file, one edited (the passes follow), and one moved out.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;
mod web_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use server_support::{temp_sqlite, test_state};
use web_support::{form, login, page, send};

/// The add-a-resident form for 王芳 of 3-2-401 with one car.
fn wang_form(csrf: &str) -> [(&'static str, &str); 9] {
    [
        ("csrf", csrf),
        ("compound_id", "c1"),
        ("name", "王芳"),
        ("id_number", "11010519491231002X"),
        ("phone", "13812345678"),
        ("building", "3"),
        ("unit", "2"),
        ("room", "401"),
        ("plates", "京A12345"),
    ]
}

/// Card sheets: one household's or one resident's cards for a reprint, never an expired pass,
/// and each card names its compound (阳光小区, not `c1`).
#[tokio::test]
async fn card_sheets_reprint_one_household_or_resident_and_skip_expired_passes() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    district_server::demo::seed(&state.store, &state.signer, Utc::now(), 480)
        .await
        .unwrap();
    let (cookie, _) = login(&state).await;
    let cards = |html: &str| html.matches("<article class=\"card\"").count();
    let passes = state.store.passes().await.unwrap();
    let invited = passes
        .iter()
        .find(|p| p.kind == sync_core::pass::PassKind::Invited)
        .unwrap()
        .pass_id
        .clone();
    let (_, all, _) = send(&state, page("/admin/cards?compound=c1", &cookie)).await;
    assert!(
        all.contains("阳光小区") && !all.contains("· c1<"),
        "the compound's name"
    );
    assert!(all.contains(&invited), "today's invitation is live");

    let db = rusqlite::Connection::open(dir.path().join("district.db")).unwrap();
    db.execute(
        "UPDATE passes SET valid_until_ms = 1 WHERE kind = 'invited'",
        [],
    )
    .unwrap();
    let (_, all, _) = send(&state, page("/admin/cards?compound=c1", &cookie)).await;
    assert!(
        !all.contains(&invited),
        "an expired visitor pass never prints"
    );

    let household = passes
        .iter()
        .find(|p| p.kind == sync_core::pass::PassKind::Resident && p.compound_id == "c1")
        .unwrap();
    let live_of_household = passes
        .iter()
        .filter(|p| {
            p.household == household.household
                && p.compound_id == "c1"
                && p.revoked_at_ms.is_none()
                && p.kind != sync_core::pass::PassKind::Invited
        })
        .count();
    let path = format!("/admin/cards?compound=c1&household={}", household.household);
    let (status, one, _) = send(&state, page(&path, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cards(&one), live_of_household);
    assert!(cards(&one) < cards(&all));
    let resident = household.resident_id.clone().unwrap();
    let path = format!("/admin/cards?compound=c1&resident={resident}");
    let (_, theirs, _) = send(&state, page(&path, &cookie)).await;
    assert!(cards(&theirs) >= 1 && theirs.contains(&household.pass_id));
    let (status, _, _) = send(
        &state,
        page("/admin/cards?compound=c1&household=9-9-999", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing to reprint");
}

/// Residents: one added from the form, more from an uploaded CSV file (with a byte-order mark, as
/// spreadsheets save it; a file that is not UTF-8 is refused), and one moved out — their passes
/// revoked and their row gone, audited.
#[tokio::test]
async fn residents_are_added_uploaded_and_moved_out() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (cookie, csrf) = login(&state).await;
    let one = wang_form(&csrf);
    let (status, _, _) = send(&state, form("/admin/residents/add", Some(&cookie), &one)).await;
    assert_eq!(status, StatusCode::OK);
    let bad = [("id_number", "110105194912310021"), ("csrf", csrf.as_str())];
    let (status, html, _) = send(
        &state,
        form(
            "/admin/residents/add",
            Some(&cookie),
            &[&bad[..], &one[..]].concat(),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a wrong check character: {html:.200}"
    );

    let upload = |file: &[u8]| {
        let boundary = "XyZ";
        let mut body = Vec::new();
        for (name, value) in [("csrf", csrf.as_bytes()), ("compound_id", b"c1".as_slice())] {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(value);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csv_file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend(file);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post("/admin/residents/import")
            .header("cookie", cookie.as_str())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let id = |first17: &str| {
        let check = sync_core::validate::IdNumber::check_char(first17).unwrap();
        format!("{first17}{check}")
    };
    let file = format!(
        "\u{feff}李雷,{},13900001111,5,1,101,\n韩梅梅,{},13900002222,5,1,101,\n",
        id("11010519800101123"),
        id("11010519820202234")
    );
    let (status, html, _) = send(&state, upload(file.as_bytes())).await;
    assert_eq!(status, StatusCode::OK, "{html:.300}");
    assert!(html.contains("Imported 2 residents"), "{html:.300}");
    let (status, _, _) = send(&state, upload(&[0xc4, 0xe3, 0xba, 0xc3, b',', b'\n'])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "GBK bytes are not UTF-8");
    let residents = state.store.residents().await.unwrap();
    assert_eq!(residents.len(), 3);
    assert!(
        residents.iter().any(|r| r.name == "李雷"),
        "the byte-order mark is not part of a name"
    );

    let wang = residents
        .iter()
        .find(|r| r.name == "王芳")
        .unwrap()
        .id
        .clone();
    let live = |id: String| {
        let store = state.store.clone();
        async move {
            store
                .passes()
                .await
                .unwrap()
                .into_iter()
                .filter(|p| {
                    p.resident_id.as_deref() == Some(id.as_str()) && p.revoked_at_ms.is_none()
                })
                .count()
        }
    };
    assert_eq!(
        live(wang.clone()).await,
        2,
        "a resident pass and a vehicle pass"
    );
    let path = format!("/admin/residents/{wang}/move-out");
    let (status, _, _) = send(
        &state,
        form(&path, Some(&cookie), &[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(live(wang.clone()).await, 0, "moving out revokes every pass");
    assert!(state
        .store
        .residents()
        .await
        .unwrap()
        .iter()
        .all(|r| r.id != wang));
    let (status, _, _) = send(
        &state,
        form(&path, Some(&cookie), &[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "moved out already");
    let audit = state.store.audit_log(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "move_out" && e.detail.contains("2 passes revoked")));
}

/// A resident edited in the admin web: the form shows the phone masked and keeps it when left
/// blank; a new room reissues their passes with the new household (the old serials revoked), a
/// removed plate's vehicle pass is revoked and a new plate gets one; a bad phone changes nothing.
async fn edit_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let (cookie, csrf) = login(&state).await;
    let add = wang_form(&csrf);
    let (status, _, _) = send(&state, form("/admin/residents/add", Some(&cookie), &add)).await;
    assert_eq!(status, StatusCode::OK);
    let wang = state
        .store
        .residents()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "王芳")
        .unwrap();
    let path = format!("/admin/residents/{}/edit", wang.id);
    let (status, html, _) = send(&state, page(&path, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("138****5678") && !html.contains("13812345678"),
        "the phone is masked"
    );
    assert!(
        !html.contains("11010519491231002X"),
        "the ID number is not on the form"
    );

    let edit = |phone: &'static str, room: &'static str, plates: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "王芳".to_owned()),
            ("phone", phone.to_owned()),
            ("building", "3".to_owned()),
            ("unit", "2".to_owned()),
            ("room", room.to_owned()),
            ("plates", plates.to_owned()),
        ]
    };
    let fields = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let send_edit = |f: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form(&path, Some(&cookie), &pairs)
    };
    let before = state.store.passes().await.unwrap();
    let (status, _, _) = send(&state, send_edit(fields(&edit("12345", "402", "京B54321")))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a phone of five digits");
    assert_eq!(
        state.store.passes().await.unwrap(),
        before,
        "nothing changed"
    );

    let (status, _, _) = send(&state, send_edit(fields(&edit("", "402", "京B54321")))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = state.store.residents().await.unwrap();
    let now = after.iter().find(|r| r.id == wang.id).unwrap();
    assert_eq!(now.household, "3-2-402");
    assert_eq!(
        now.phone, "13812345678",
        "a blank phone keeps the stored one"
    );
    assert_eq!(now.id_number, wang.id_number);
    let passes = state.store.passes().await.unwrap();
    let live: Vec<_> = passes
        .iter()
        .filter(|p| p.resident_id.as_deref() == Some(wang.id.as_str()) && p.revoked_at_ms.is_none())
        .collect();
    assert_eq!(live.len(), 2, "{live:?}");
    let own = live.iter().find(|p| p.pass_id == wang.id).unwrap();
    assert_eq!(
        (own.serial, own.household.as_str()),
        (2, "3-2-402"),
        "reissued"
    );
    let car = live.iter().find(|p| p.pass_id != wang.id).unwrap();
    assert_eq!(car.plate.as_deref(), Some("京B54321"));
    let old_car = passes
        .iter()
        .find(|p| p.plate.as_deref() == Some("京A12345"))
        .unwrap();
    assert!(
        old_car.revoked_at_ms.is_some(),
        "the removed plate's pass is revoked"
    );
    assert!(passes
        .iter()
        .any(|p| p.pass_id == wang.id && p.serial == 1 && p.revoked_at_ms.is_some()));
    let audit = state.store.audit_log(50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "resident_edit"
        && e.detail.contains("1 passes reissued, 1 revoked, 1 issued")));
    let (status, _, _) = send(&state, page("/admin/residents/R999999/edit", &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_resident_is_edited_and_the_passes_follow_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    edit_story(&url).await;
}

#[tokio::test]
async fn a_resident_is_edited_and_the_passes_follow_on_postgres() {
    let Some(url) = server_support::fresh_pg_database("resident_edit_on_postgres").await else {
        return;
    };
    edit_story(&url).await;
}
