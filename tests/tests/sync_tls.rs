//! HTTPS between phone and server: the district server serves TLS itself from a certificate and key
//! in its config, the enrollment QR carries the (self-signed) certificate's fingerprint, and the phone
//! enrolls and syncs only to that certificate. Plain HTTP to another machine is refused outright.
//! Loopback only.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use district_server::app;
use district_server::serve::{serve, ServeLimits};
use server_support::{enrollment_code, temp_sqlite, test_state};
use sync_core::fixtures::sample_passage;
use sync_core::sync::{enroll_pinned, Pins, SyncConfig, SyncEngine, SyncError};
use sync_core::Ledger;

/// A self-signed certificate for 127.0.0.1 and localhost, as PEM files in `dir`.
fn self_signed(dir: &std::path::Path) -> (String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert.display().to_string(), key.display().to_string())
}

#[tokio::test]
async fn the_phone_enrolls_and_syncs_over_https_to_the_pinned_certificate_only() {
    let (dir, url) = temp_sqlite();
    let (cert, key) = self_signed(dir.path());
    let state = test_state(&url, |c| {
        c.tls_cert = Some(cert.clone());
        c.tls_key = Some(key.clone());
    })
    .await;
    let tls_pin = state
        .tls_pin
        .clone()
        .expect("the server knows its certificate's fingerprint");
    let tls = district_server::tls::server_config(cert.as_ref(), key.as_ref()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ServeLimits {
        header_read_timeout: std::time::Duration::from_secs(5),
        body_read_timeout: std::time::Duration::from_secs(5),
        max_connections: 64,
    };
    tokio::spawn(serve(
        listener,
        app(state.clone()),
        limits,
        Some(tls),
        std::future::pending(),
    ));
    let base = format!("https://{addr}");
    let pins = |tls: Option<String>| Pins {
        root: Some(state.root.fingerprint()),
        tls,
    };

    // Not trusted without the pin (self-signed), nor with another certificate's pin.
    for (what, pin) in [("no pin", None), ("another pin", Some("ab".repeat(32)))] {
        let ledger = Arc::new(Mutex::new(
            Ledger::open(dir.path().join(format!("{what}.db"))).unwrap(),
        ));
        let code = enrollment_code(&state).await;
        let refused = enroll_pinned(&ledger, &base, &code, "phone", &pins(pin)).await;
        assert!(
            matches!(refused, Err(SyncError::Offline(_))),
            "{what}: {refused:?}"
        );
        assert!(
            SyncConfig::from_ledger(&ledger.lock().unwrap()).is_err(),
            "{what}: nothing stored"
        );
    }

    // With the QR's pin: enrolled, and every later round goes to the same certificate.
    let ledger = Arc::new(Mutex::new(
        Ledger::open(dir.path().join("gate.db")).unwrap(),
    ));
    let code = enrollment_code(&state).await;
    enroll_pinned(&ledger, &base, &code, "phone", &pins(Some(tls_pin)))
        .await
        .unwrap();
    {
        let mut l = ledger.lock().unwrap();
        for i in 0..20 {
            l.append(sample_passage(i, Utc::now())).unwrap();
        }
    }
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    assert!(
        config.tls_pin.is_some(),
        "the pin is stored with the enrollment"
    );
    let mut engine = SyncEngine::new(Arc::clone(&ledger), config).unwrap();
    let report = engine.step().await.unwrap();
    assert_eq!(report.acknowledged, 20);
    assert_eq!(state.store.passage_count(None).await.unwrap(), 20);
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::open(dir.path().join("l.db")).unwrap()));
    let started = std::time::Instant::now();
    let refused = enroll_pinned(
        &ledger,
        "http://10.255.255.1:8080",
        "CODE",
        "phone",
        &Pins::default(),
    )
    .await;
    assert!(
        matches!(refused, Err(SyncError::Insecure(_))),
        "{refused:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "no connection was tried"
    );
    let config = SyncConfig::new("http://192.168.1.20:8080", "token");
    let engine = SyncEngine::new(
        Arc::new(Mutex::new(Ledger::open(dir.path().join("m.db")).unwrap())),
        config,
    );
    assert!(matches!(engine, Err(SyncError::Insecure(_))));
}
