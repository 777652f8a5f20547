//! Slow and half-open clients cannot exhaust the server: thousands of connections that never finish
//! their headers, and a body that stalls, while `/health` still answers. Loopback only, bounded.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use district_server::app;
use district_server::serve::{serve, ServeLimits};
use server_support::{temp_sqlite, test_state};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HALF_OPEN: usize = 3_000;
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);

async fn start() -> (tempfile::TempDir, SocketAddr) {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ServeLimits {
        header_read_timeout: HEADER_TIMEOUT,
        body_read_timeout: HEADER_TIMEOUT,
        max_connections: 8_192,
    };
    tokio::spawn(serve(
        listener,
        app(state),
        limits,
        None,
        std::future::pending(),
    ));
    (dir, addr)
}

/// One whole request on a new connection; the status line.
async fn get_health(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Read until the server closes or answers; `None` if it did neither within `limit`.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    tokio::time::timeout(limit, s.read_to_end(&mut out))
        .await
        .ok()
        .map(|_| out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_do_not_starve_health_and_are_closed() {
    district_server::serve::raise_open_files_limit();
    let (_dir, addr) = start().await;
    let mut idle = Vec::with_capacity(HALF_OPEN);
    for _ in 0..HALF_OPEN {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // Headers started, never finished.
        s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n")
            .await
            .unwrap();
        idle.push(s);
    }
    let started = Instant::now();
    let status = get_health(addr).await;
    let took = started.elapsed();
    assert!(status.contains("200"), "{status}");
    assert!(
        took < Duration::from_secs(1),
        "/health took {took:?} beside {HALF_OPEN} half-open connections"
    );
    // After the header read timeout the server has closed every one of them.
    tokio::time::sleep(HEADER_TIMEOUT).await;
    let mut closed = 0;
    for s in &mut idle {
        if closed_within(s, Duration::from_secs(5)).await.is_some() {
            closed += 1;
        }
    }
    assert_eq!(closed, HALF_OPEN, "half-open connections left open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_and_closed() {
    let (_dir, addr) = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /api/v1/enroll HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"code\":",
    )
    .await
    .unwrap();
    let answer = closed_within(&mut s, HEADER_TIMEOUT * 4)
        .await
        .expect("the stalled request is ended by the body read timeout");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4"),
        "a stalled body gets a 4xx or a close, not {text}"
    );
    assert!(get_health(addr).await.contains("200"));
}
