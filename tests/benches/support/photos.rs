//! Photo upload throughput for `cargo xtask bench sync`: 200 KB photos through the real client
//! (`PUT /api/v1/blobs/{sha256}`: hash check, store, signed receipt) against the same bytes PUT
//! to a bare HTTP server on loopback that only reads them (the peer: what HTTP alone costs).

use std::future::Future;
use std::time::{Duration, Instant};

use axum::routing::put;
use checkpoint_tests::photos::fake_photo;
use sync_core::photo::sha256_hex;
use sync_core::sync::{PhotoOutcome, ServerClient};

/// Photos per timed run, runs per side (the median is reported), and each photo's size.
pub const PHOTOS_PER_RUN: usize = 150;
pub const RUNS: usize = 3;
pub const PHOTO_BYTES: usize = 200 * 1024;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Photos per second of `put` (one photo per call): the median of [`RUNS`] runs of
/// [`PHOTOS_PER_RUN`] distinct photos.
async fn median_rate<F, Fut>(mut put: F) -> anyhow::Result<f64>
where
    F: FnMut(String, Vec<u8>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut rates = Vec::new();
    for run in 0..RUNS {
        let photos: Vec<Vec<u8>> = (0..PHOTOS_PER_RUN)
            .map(|i| fake_photo((run * PHOTOS_PER_RUN + i) as u64, PHOTO_BYTES))
            .collect();
        let started = Instant::now();
        for bytes in photos {
            put(sha256_hex(&bytes), bytes).await?;
        }
        rates.push(PHOTOS_PER_RUN as f64 / started.elapsed().as_secs_f64());
    }
    Ok(median(rates))
}

/// Photos per second through the district server at `base` with `token`.
pub async fn through_server(base: &str, token: &str) -> anyhow::Result<f64> {
    let client = ServerClient::new(base, Some(token.to_owned()), Duration::from_secs(30), None)?;
    median_rate(|name, bytes| {
        let client = client.clone();
        async move {
            match client.put_photo(&name, bytes).await? {
                PhotoOutcome::Stored(r) => anyhow::ensure!(r.sha256 == name, "wrong receipt"),
                PhotoOutcome::Refused { status, message } => {
                    anyhow::bail!("photo refused: {status} {message}")
                }
            }
            Ok(())
        }
    })
    .await
}

/// Photos per second PUT to a bare loopback HTTP server that reads and drops them.
pub async fn through_bare_http() -> anyhow::Result<f64> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .route(
            "/put/{name}",
            put(|body: axum::body::Bytes| async move { body.len().to_string() }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let rate = median_rate(|name, bytes| {
        let http = http.clone();
        async move {
            let resp = http
                .put(format!("http://{addr}/put/{name}"))
                .body(bytes)
                .send()
                .await?;
            anyhow::ensure!(
                resp.status().is_success(),
                "peer answered {}",
                resp.status()
            );
            resp.bytes().await?;
            Ok(())
        }
    })
    .await;
    server.abort();
    rate
}
