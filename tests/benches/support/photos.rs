//! Photo upload throughput for `cargo xtask bench sync`: 200 KB photos through the real client
//! (`PUT /api/v1/blobs/{sha256}`: hash check, store, signed receipt) against the same bytes PUT
//! to a bare HTTP server on loopback that only reads them (the peer: what HTTP alone costs).

use std::time::{Duration, Instant};

use axum::routing::put;
use sync_core::photo::sha256_hex;
use sync_core::sync::{PhotoOutcome, ServerClient};

/// Photos per timed run, runs per side (the median is reported), and each photo's size.
pub const PHOTOS_PER_RUN: usize = 150;
pub const RUNS: usize = 3;
pub const PHOTO_BYTES: usize = 200 * 1024;

/// Distinct photo-sized bytes that start like a JPEG.
pub fn photo(i: u64) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (i + 1);
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    while bytes.len() < PHOTO_BYTES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(PHOTO_BYTES);
    bytes
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Photos per second through the district server at `base` with `token`: the median of [`RUNS`].
pub async fn through_server(base: &str, token: &str) -> anyhow::Result<f64> {
    let client = ServerClient::new(base, Some(token.to_owned()), Duration::from_secs(30), None)?;
    let mut rates = Vec::new();
    for run in 0..RUNS {
        let photos: Vec<Vec<u8>> = (0..PHOTOS_PER_RUN)
            .map(|i| photo((run * PHOTOS_PER_RUN + i) as u64))
            .collect();
        let started = Instant::now();
        for bytes in photos {
            let name = sha256_hex(&bytes);
            match client.put_photo(&name, bytes).await? {
                PhotoOutcome::Stored(r) => anyhow::ensure!(r.sha256 == name, "wrong receipt"),
                PhotoOutcome::Refused { status, message } => {
                    anyhow::bail!("photo refused: {status} {message}")
                }
            }
        }
        rates.push(PHOTOS_PER_RUN as f64 / started.elapsed().as_secs_f64());
    }
    Ok(median(rates))
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
    let mut rates = Vec::new();
    for run in 0..RUNS {
        let photos: Vec<Vec<u8>> = (0..PHOTOS_PER_RUN)
            .map(|i| photo((run * PHOTOS_PER_RUN + i) as u64))
            .collect();
        let started = Instant::now();
        for bytes in photos {
            let name = sha256_hex(&bytes);
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
        }
        rates.push(PHOTOS_PER_RUN as f64 / started.elapsed().as_secs_f64());
    }
    server.abort();
    Ok(median(rates))
}
