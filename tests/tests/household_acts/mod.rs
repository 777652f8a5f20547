//! Issue 14 parts 2 and 3 on the server, run on SQLite and PostgreSQL by `server_households.rs`:
//! health check-ins uploaded with a household token (stored once, a second one the same day a new
//! version, a future day, another household's member, a revoked link refused), counted in the
//! daily report, the health page and its follow-up list, carried to the gate in the roster, purged;
//! visitor invitations (another household's, a bad day, the eleventh of a day refused), the
//! invited pass signed as `Invited` for the host household, the visitor's page, and an arrival at
//! the gate, through a real phone's sync, shown to the host.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, NaiveDate, Utc};
use district_server::AppState;
use sync_core::health::{Checkin, CheckinUpload, Symptom};
use sync_core::invitation::{InvitationList, InvitationRequest, MAX_PER_DAY};
use sync_core::pass::{verify, KeySet, PassKind, PassVerdict, Revocations};
use sync_core::sync::{ServerClient, SyncConfig, SyncEngine};
use sync_core::{Direction, NewPassage, Subject, Verdict};

use crate::server_support::{enrolled_phone, serve_loopback};
use crate::web_support::{form, login, page, send};

/// A seeded district, and a household of `c1` with its resident pass ids and a letter's token.
pub struct Household {
    pub state: AppState,
    pub household: String,
    pub members: Vec<String>,
    pub token: String,
    pub cookie: String,
    pub csrf: String,
}

pub async fn household(url: &str) -> Household {
    let state = crate::server_support::test_state(url, |_| {}).await;
    district_server::demo::seed(&state.store, &state.signer, Utc::now(), 480)
        .await
        .unwrap();
    let (cookie, csrf) = login(&state).await;
    let passes = state.store.passes().await.unwrap();
    // Not the demo's own household: the seed gives it a check-in and an invitation of today.
    let demo = state
        .store
        .household_link(&district_server::auth::hash_token(
            district_server::demo::DEMO_HOUSEHOLD_TOKEN,
        ))
        .await
        .unwrap()
        .unwrap()
        .household;
    let first = passes
        .iter()
        .find(|p| p.compound_id == "c1" && p.kind == PassKind::Resident && p.household != demo)
        .unwrap();
    let household = first.household.clone();
    let mut members: Vec<String> = passes
        .iter()
        .filter(|p| p.compound_id == "c1" && p.household == household)
        .filter(|p| p.kind == PassKind::Resident)
        .map(|p| p.pass_id.clone())
        .collect();
    members.dedup();
    let req = form(
        "/admin/households/letter",
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("compound_id", "c1"),
            ("household", &household),
        ],
    );
    let (status, html, _) = send(&state, req).await;
    assert_eq!(status, StatusCode::OK);
    let (token, _) = crate::link_of(&html);
    Household {
        state,
        household,
        members,
        token,
        cookie,
        csrf,
    }
}

fn today() -> NaiveDate {
    sync_core::health::district_day(Utc::now(), 480)
}

fn checkin(pass_id: &str, day: NaiveDate, celsius: f32, symptoms: Vec<Symptom>) -> Checkin {
    Checkin {
        id: uuid::Uuid::now_v7().to_string(),
        pass_id: pass_id.into(),
        day,
        temperature_c: celsius,
        symptoms,
        left_city_to: None,
        declared_at: Utc::now(),
    }
}

fn json_request(method: &str, path: &str, token: &str, body: String) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Household {token}"))
        .header("x-phone-id", "phone-a")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap()
}

async fn sync_phone(ledger: &std::sync::Arc<std::sync::Mutex<sync_core::Ledger>>) {
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    SyncEngine::new(ledger.clone(), config)
        .unwrap()
        .step()
        .await
        .unwrap();
}

pub async fn checkins_story(url: &str) {
    let h = household(url).await;
    let (state, store) = (&h.state, &h.state.store);
    let r1 = h.members[0].clone();
    let (base, server) = serve_loopback(state).await;
    let client = ServerClient::new(&base, None, std::time::Duration::from_secs(10), None).unwrap();
    let other = store
        .passes()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.kind == PassKind::Resident && p.household != h.household)
        .unwrap();
    // The demo seed's own check-ins of today: every count below is on top of them.
    let seeded = store
        .checkin_count("c1", today(), Utc::now().timestamp_millis())
        .await
        .unwrap();
    let seeded_rows = store
        .count_query("SELECT COUNT(*) FROM health_checkins")
        .await
        .unwrap();
    let first = checkin(&r1, today(), 36.5, vec![]);
    let upload = CheckinUpload {
        checkins: vec![
            first.clone(),
            checkin(&r1, today() + Duration::days(1), 36.5, vec![]),
            checkin(&other.pass_id, today(), 36.5, vec![]),
        ],
    };
    let receipt = client
        .household_checkins(&h.token, "phone-a", &upload)
        .await
        .unwrap();
    assert_eq!(receipt.stored, vec![first.id.clone()]);
    assert_eq!(receipt.refused.len(), 2, "{receipt:?}");
    assert!(receipt.refused[0].zh.contains("将来"), "{receipt:?}");
    assert!(receipt.refused[1]
        .en
        .contains("not a resident pass of this household"));
    // The same upload again (a phone that lost the answer): stored once.
    let again = client
        .household_checkins(
            &h.token,
            "phone-a",
            &CheckinUpload {
                checkins: vec![first.clone()],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (again.stored.len(), again.duplicate),
        (0, vec![first.id.clone()])
    );
    // A second check-in the same day: the next version, the first one kept; now flagged.
    let second = checkin(&r1, today(), 38.2, vec![Symptom::Cough]);
    let receipt = client
        .household_checkins(
            &h.token,
            "phone-b",
            &CheckinUpload {
                checkins: vec![second.clone()],
            },
        )
        .await
        .unwrap();
    assert_eq!(receipt.stored, vec![second.id.clone()]);
    assert_eq!(
        store
            .count_query(&format!(
                "SELECT COUNT(*) FROM health_checkins WHERE pass_id = '{r1}'"
            ))
            .await
            .unwrap(),
        2
    );
    let now_ms = Utc::now().timestamp_millis();
    let count = store.checkin_count("c1", today(), now_ms).await.unwrap();
    assert_eq!(
        (count.checked_in, count.flagged),
        (seeded.checked_in + 1, seeded.flagged + 1),
        "{count:?}"
    );
    assert!(count.members >= h.members.len() as i64);
    let flagged: Vec<_> = store
        .flagged_checkins(today(), today())
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.pass_id == r1)
        .collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(
        (flagged[0].pass_id.as_str(), flagged[0].version),
        (r1.as_str(), 2)
    );

    // The gate's roster carries the member's check-in day; another member has none.
    let dir = tempfile::tempdir().unwrap();
    let ledger = enrolled_phone(state, dir.path(), &base).await;
    sync_phone(&ledger).await;
    {
        let l = ledger.lock().unwrap();
        let entry = l.roster_pass(&r1).unwrap().unwrap();
        assert_eq!(entry.checked_in_on, Some(today()));
        if let Some(r2) = h.members.get(1) {
            assert_eq!(l.roster_pass(r2).unwrap().unwrap().checked_in_on, None);
        }
    }

    // The report, its CSV, the health page and the dashboard.
    let day = today().to_string();
    let (status, html, _) = send(
        state,
        page(&format!("/admin/report?day={day}&compound=c1"), &h.cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find(r#"id="health-counts""#).unwrap();
    let (checked_in, flagged) = (seeded.checked_in + 1, seeded.flagged + 1);
    assert!(
        html[at..].contains(&format!("checked in {checked_in} ·")),
        "{}",
        &html[at..at + 200]
    );
    assert!(html[at..].contains(&format!("flagged {flagged}")));
    let (_, csv, _) = send(
        state,
        page(
            &format!("/admin/report.csv?day={day}&compound=c1"),
            &h.cookie,
        ),
    )
    .await;
    assert!(
        csv.contains(&format!("health_checkins,checked_in,{checked_in}")),
        "{csv}"
    );
    assert!(csv.contains(&format!("health_checkins,flagged,{flagged}")));
    let (status, html, _) = send(state, page("/admin/health?compound=c1", &h.cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!(r#"class="health-flag" data-pass="{r1}""#)),
        "{html}"
    );
    assert!(html.contains("咳嗽 Cough"));
    assert!(html.contains(&format!(r#"data-household="{}""#, h.household)) || h.members.len() == 1);
    let (_, html, _) = send(state, page("/admin", &h.cookie)).await;
    assert!(html.contains(r#"id="flagged-checkins""#));

    // The mobile web page: who checked in today, and its own check-in form (a bad temperature
    // refused with the reason, a good one stored and shown).
    let (status, html, _) = send(state, page(&format!("/h/{}", h.token), "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("今日已打卡 Checked in today"), "{html}");
    let web = |temperature: &str| {
        form(
            &format!("/h/{}/checkin", h.token),
            None,
            &[
                ("pass_id", r1.as_str()),
                ("temperature", temperature),
                ("symptom", "cough"),
                ("symptom", "fatigue"),
            ],
        )
    };
    let (status, body, _) = send(state, web("49")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("体温"), "{body}");
    assert_eq!(send(state, web("37.9")).await.0, StatusCode::SEE_OTHER);
    let sql = "SELECT COUNT(*) FROM health_checkins
               WHERE phone_id = 'web' AND symptoms = 'cough,fatigue' AND version = 3";
    assert_eq!(
        store.count_query(sql).await.unwrap(),
        1,
        "the third version of the day"
    );

    // A revoked link uploads nothing.
    let req = form(
        "/admin/households/revoke",
        Some(&h.cookie),
        &[
            ("csrf", &h.csrf),
            ("compound_id", "c1"),
            ("household", &h.household),
        ],
    );
    assert_eq!(send(state, req).await.0, StatusCode::SEE_OTHER);
    let late = checkin(&r1, today(), 36.6, vec![]);
    let body = serde_json::to_string(&CheckinUpload {
        checkins: vec![late],
    })
    .unwrap();
    let (status, body, _) = send(
        state,
        json_request("POST", "/api/v1/household/checkins", &h.token, body),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    server.abort();

    // Retention: the declarations go with the period.
    let later = Utc::now() + Duration::days(1);
    let purged = store
        .purge_before(later.timestamp_millis(), later.timestamp_millis())
        .await
        .unwrap();
    assert_eq!(purged.checkins, u64::try_from(seeded_rows).unwrap() + 3);
}

fn invitation(household: &str, n: usize) -> InvitationRequest {
    InvitationRequest {
        household: household.into(),
        name: format!("访客{n}"),
        phone: "13800138000".into(),
        day: today(),
        plate: None,
        reason: "探亲".into(),
    }
}

pub async fn invitations_story(url: &str) {
    let h = household(url).await;
    let (state, store) = (&h.state, &h.state.store);
    let (base, server) = serve_loopback(state).await;
    let client = ServerClient::new(&base, None, std::time::Duration::from_secs(10), None).unwrap();
    let post = |req: &InvitationRequest| {
        let body = serde_json::to_string(req).unwrap();
        send(
            state,
            json_request("POST", "/api/v1/household/invitations", &h.token, body),
        )
    };
    // Another household's name on the request, a day too far: refused, nothing made.
    let (status, body, _) = post(&invitation("99-9-999", 0)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("此链接属于其他住户"));
    let mut far = invitation(&h.household, 0);
    far.day = today() + Duration::days(8);
    let (status, body, _) = post(&far).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let mut first = invitation(&h.household, 1);
    first.plate = Some("京b54321".into());
    let made = client.invite(&h.token, "phone-a", &first).await.unwrap();
    assert!(made.pass_id.starts_with('Y'), "{made:?}");
    assert_eq!(
        (made.name.as_str(), made.plate.as_deref()),
        ("访**", Some("京B54321"))
    );
    let link = made.link.clone().unwrap();
    let token = link.rsplit('/').next().unwrap();
    let (status, html, _) = send(state, page(&format!("/v/{token}"), "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("访客1") && html.contains(&h.household));
    let (status, _, _) = send(state, page(&format!("/v/{}", "0".repeat(32)), "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The pass is signed as an invited visitor's for the host household, valid today.
    let issued = store
        .passes()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.pass_id == made.pass_id)
        .unwrap();
    let district = state.signer.district_id().to_owned();
    let keys = KeySet::from_records(&store.key_set(&district).await.unwrap()).unwrap();
    let v = verify(
        &issued.payload,
        &keys,
        &Revocations::default(),
        &district,
        Utc::now(),
        Some(0),
    );
    assert_eq!(v.verdict, PassVerdict::Valid, "{v:?}");
    let pass = v.pass.unwrap();
    assert_eq!(
        (pass.kind, pass.household.as_str()),
        (PassKind::Invited, h.household.as_str())
    );

    // Ten a day: the eleventh is refused with the limit.
    for n in 2..=MAX_PER_DAY as usize {
        let (status, body, _) = post(&invitation(&h.household, n)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body, _) = post(&invitation(&h.household, 11)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("每户每天最多邀请 10 位访客"), "{body}");

    // The visitor arrives at the east gate (a real phone's journal and sync); the host sees it.
    let dir = tempfile::tempdir().unwrap();
    let ledger = enrolled_phone(state, dir.path(), &base).await;
    ledger
        .lock()
        .unwrap()
        .append(NewPassage {
            checkpoint_id: "cp-east".into(),
            gate: "east-1".into(),
            direction: Direction::In,
            recorded_at: Utc::now(),
            clock_offset_ms: Some(0),
            staff: "王师傅".into(),
            subject: Subject::Visitor {
                name: pass.display_name.clone(),
                phone: String::new(),
                id_number: None,
                host_household: h.household.clone(),
                reason: String::new(),
                plate: pass.plate.clone(),
                visitor_pass_id: Some(made.pass_id.clone()),
            },
            temperature_c: None,
            verdict: Verdict::Admitted,
        })
        .unwrap();
    sync_phone(&ledger).await;
    let list: InvitationList = client.invitations(&h.token, "phone-a").await.unwrap();
    assert_eq!(list.made_today, MAX_PER_DAY);
    assert_eq!(list.invitations.len(), MAX_PER_DAY as usize);
    let seen = list
        .invitations
        .iter()
        .find(|i| i.pass_id == made.pass_id)
        .unwrap();
    assert_eq!(seen.arrivals.len(), 1);
    assert_eq!(seen.arrivals[0].direction, Direction::In);
    assert!(
        seen.link.is_none(),
        "the visitor's link is given once, when made"
    );
    server.abort();
}
