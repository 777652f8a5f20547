//! The HTTP client for the district server's `/api/v1` (reqwest with rustls, gzip request bodies).

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::transport::{check_scheme, pinned_tls};
use super::SyncError;
use crate::protocol::{
    BatchLimits, BatchResponse, ConfigResponse, DisabledNotice, EnrollRequest, EnrollResponse,
    ErrorBody, KeySetResponse, PhotoReceipt, RevocationsResponse, RosterResponse,
};

/// Largest answer body the device reads (keys, revocations, config, batch results); a longer
/// one is an error, so a hostile or broken server cannot fill the phone's memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The answer to a batch upload.
#[derive(Debug, Clone, PartialEq)]
pub enum PostOutcome {
    Posted(BatchResponse),
    /// HTTP 413: the batch was too large; the server says what it takes.
    TooLarge(BatchLimits),
}

/// The answer to a photo upload.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoOutcome {
    Stored(PhotoReceipt),
    /// The server will not take it (400 bad hash, 413 over its cap, 415 not a JPEG), with its
    /// words: settled, shown, not sent again.
    Refused {
        status: u16,
        message: String,
    },
}

/// One district server, as seen from a device.
#[derive(Debug, Clone)]
pub struct ServerClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl ServerClient {
    /// A client for `base_url`: HTTPS (trusting only the certificate with fingerprint `tls_pin`
    /// when given, else the usual web roots), or plain HTTP only to loopback.
    pub fn new(
        base_url: &str,
        token: Option<String>,
        timeout: Duration,
        tls_pin: Option<&str>,
    ) -> Result<Self, SyncError> {
        check_scheme(base_url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)));
        if let Some(pin) = tls_pin {
            builder = builder.use_preconfigured_tls(pinned_tls(pin)?);
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            token,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authed(&self, req: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, SyncError> {
        let token = self.token.as_deref().ok_or(SyncError::NotEnrolled)?;
        Ok(req.bearer_auth(token))
    }

    /// `GET /api/v1/household`: a household's signed passes, for a phone that was never enrolled
    /// (`token` from the household letter's link; no device token needed).
    pub async fn household(
        &self,
        token: &str,
        phone_id: &str,
        nonce: &str,
    ) -> Result<crate::protocol::HouseholdBundle, SyncError> {
        let req = self
            .http
            .get(self.url(&format!("/api/v1/household?nonce={nonce}")));
        json_answer(as_household(req, token, phone_id).send().await?).await
    }

    /// `POST /api/v1/household/checkins`: queued health check-ins, with the household's token.
    pub async fn household_checkins(
        &self,
        token: &str,
        phone_id: &str,
        upload: &crate::health::CheckinUpload,
    ) -> Result<crate::health::CheckinReceipt, SyncError> {
        let req = self.http.post(self.url("/api/v1/household/checkins"));
        json_answer(
            as_household(req, token, phone_id)
                .json(upload)
                .send()
                .await?,
        )
        .await
    }

    /// `POST /api/v1/household/invitations`: invite a visitor; the answer holds the visitor's link.
    pub async fn invite(
        &self,
        token: &str,
        phone_id: &str,
        request: &crate::invitation::InvitationRequest,
    ) -> Result<crate::invitation::Invitation, SyncError> {
        let req = self.http.post(self.url("/api/v1/household/invitations"));
        json_answer(
            as_household(req, token, phone_id)
                .json(request)
                .send()
                .await?,
        )
        .await
    }

    /// `GET /api/v1/household/invitations`: the household's invitations and their arrivals.
    pub async fn invitations(
        &self,
        token: &str,
        phone_id: &str,
    ) -> Result<crate::invitation::InvitationList, SyncError> {
        let req = self.http.get(self.url("/api/v1/household/invitations"));
        json_answer(as_household(req, token, phone_id).send().await?).await
    }

    /// `GET /health`: is the server there at all.
    pub async fn health(&self) -> Result<(), SyncError> {
        let resp = self.http.get(self.url("/health")).send().await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(SyncError::Server {
                status: resp.status().as_u16(),
            })
        }
    }

    pub async fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse, SyncError> {
        let resp = self
            .http
            .post(self.url("/api/v1/enroll"))
            .json(req)
            .send()
            .await?;
        json_answer(resp).await
    }

    /// Post an already serialised `BatchRequest` (JSON), gzip-compressed. Also returns the bytes sent.
    pub async fn post_batch(&self, json: &[u8]) -> Result<(PostOutcome, usize), SyncError> {
        let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
        gz.write_all(json)
            .and_then(|_| gz.flush())
            .map_err(|e| SyncError::BadAnswer(format!("gzip: {e}")))?;
        let body = gz
            .finish()
            .map_err(|e| SyncError::BadAnswer(format!("gzip: {e}")))?;
        let sent = body.len();
        let req = self
            .http
            .post(self.url("/api/v2/entries"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(body);
        let resp = self.authed(req)?.send().await?;
        if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let bytes = read_limited(resp, MAX_ANSWER_BYTES).await?;
            let limits: BatchLimits = serde_json::from_slice(&bytes)
                .map_err(|e| SyncError::BadAnswer(format!("413 without limits: {e}")))?;
            return Ok((PostOutcome::TooLarge(limits), sent));
        }
        json_answer(resp)
            .await
            .map(|r| (PostOutcome::Posted(r), sent))
    }

    /// `PUT /api/v1/blobs/{sha256}` with the photo's bytes.
    pub async fn put_photo(&self, sha256: &str, bytes: Vec<u8>) -> Result<PhotoOutcome, SyncError> {
        let req = self
            .http
            .put(self.url(&format!("/api/v1/blobs/{sha256}")))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(bytes);
        let resp = self.authed(req)?.send().await?;
        let status = resp.status();
        if matches!(
            status,
            StatusCode::BAD_REQUEST
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
        ) {
            let body = read_limited(resp, MAX_ANSWER_BYTES)
                .await
                .unwrap_or_default();
            let message = serde_json::from_slice::<ErrorBody>(&body)
                .map(|b| b.message)
                .unwrap_or_else(|_| status.canonical_reason().unwrap_or("").to_owned());
            return Ok(PhotoOutcome::Refused {
                status: status.as_u16(),
                message,
            });
        }
        json_answer(resp).await.map(PhotoOutcome::Stored)
    }

    pub async fn key_set(&self, nonce: &str) -> Result<KeySetResponse, SyncError> {
        let url = self.url(&format!("/api/v1/keys?nonce={nonce}"));
        let resp = self.authed(self.http.get(url))?.send().await?;
        json_answer(resp).await
    }

    pub async fn revocations(
        &self,
        since: u64,
        nonce: &str,
    ) -> Result<RevocationsResponse, SyncError> {
        let url = self.url(&format!("/api/v1/revocations?since={since}&nonce={nonce}"));
        let resp = self.authed(self.http.get(url))?.send().await?;
        json_answer(resp).await
    }

    pub async fn roster(
        &self,
        since: u64,
        exits_since: i64,
        nonce: &str,
    ) -> Result<RosterResponse, SyncError> {
        let url = self.url(&format!(
            "/api/v1/roster?since={since}&exits_since={exits_since}&nonce={nonce}"
        ));
        let resp = self.authed(self.http.get(url))?.send().await?;
        json_answer(resp).await
    }

    pub async fn config(&self, nonce: &str) -> Result<ConfigResponse, SyncError> {
        let url = self.url(&format!("/api/v1/config?nonce={nonce}"));
        let resp = self.authed(self.http.get(url))?.send().await?;
        json_answer(resp).await
    }
}

/// A household request: the letter's token and the phone's id (no device token).
fn as_household(
    req: reqwest::RequestBuilder,
    token: &str,
    phone_id: &str,
) -> reqwest::RequestBuilder {
    req.header(header::AUTHORIZATION, format!("Household {token}"))
        .header("x-phone-id", phone_id)
}

/// Turn a response into `T`, or into the matching error.
async fn json_answer<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, SyncError> {
    let status = resp.status();
    if status.is_success() {
        let bytes = read_limited(resp, MAX_ANSWER_BYTES).await?;
        return serde_json::from_slice(&bytes).map_err(|e| SyncError::BadAnswer(e.to_string()));
    }
    if status == StatusCode::FORBIDDEN {
        let body = read_limited(resp, MAX_ANSWER_BYTES)
            .await
            .unwrap_or_default();
        return Err(match serde_json::from_slice::<DisabledNotice>(&body) {
            Ok(n) if n.code == DisabledNotice::CODE => SyncError::Disabled(Box::new(n)),
            _ => SyncError::Unauthorized,
        });
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(SyncError::Unauthorized);
    }
    if status.is_server_error() {
        return Err(SyncError::Server {
            status: status.as_u16(),
        });
    }
    let body = read_limited(resp, MAX_ANSWER_BYTES)
        .await
        .unwrap_or_default();
    let message = match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(body) => body.message,
        Err(_) => status.canonical_reason().unwrap_or("").to_owned(),
    };
    Err(SyncError::Refused {
        status: status.as_u16(),
        message,
    })
}

/// The body of `resp`, refusing to read more than `max` bytes.
async fn read_limited(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, SyncError> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(SyncError::BadAnswer(format!(
            "the server's answer is larger than {max} bytes"
        )));
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if out.len() + chunk.len() > max {
            return Err(SyncError::BadAnswer(format!(
                "the server's answer is larger than {max} bytes"
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
