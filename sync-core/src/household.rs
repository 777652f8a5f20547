//! A household's passes on a resident's own phone (issue 14, part 1): the household letter's link
//! (`https://<server>/h/<token>#fp=<root key fingerprint>`) and the signed bundle it opens
//! (`protocol::HouseholdBundle`). A phone that was never enrolled trusts the root key whose
//! fingerprint the printed link carries, checks the bundle's signature and nonce with it, and then
//! verifies every pass offline against the key set inside the bundle: nothing is taken on the
//! server's word alone.

use chrono::{DateTime, Utc};

use crate::i18n::{Lang, Localized};
use crate::pass::{verify, KeySet, PassBody, PassVerdict, Revocations};
use crate::protocol::HouseholdBundle;
use crate::signed::{RootKey, TrustError};

/// The parts of a household letter's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdLink {
    /// `https://host[:port]` (plain `http` only to loopback, as everywhere).
    pub server: String,
    /// 32 hex characters.
    pub token: String,
    /// Hex SHA-256 of the district root public key.
    pub root_fingerprint: String,
}

/// Why a link or a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HouseholdError {
    #[error("this is not a household letter's link")]
    NotALink,
    #[error("{0}")]
    Trust(#[from] TrustError),
    #[error("the district's key set in the answer is broken: {0}")]
    BadKeys(String),
}

impl Localized for HouseholdError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Trust(t), _) => t.message(lang),
            (_, Lang::En) => self.to_string(),
            (Self::NotALink, Lang::ZhCn) => "这不是住户信上的链接".into(),
            (Self::BadKeys(_), Lang::ZhCn) => "应答中的街道密钥无效".into(),
        }
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl HouseholdLink {
    /// Read a link as printed (or as a QR code carries it).
    pub fn parse(text: &str) -> Result<Self, HouseholdError> {
        let text = text.trim();
        let (url, fragment) = text.split_once('#').ok_or(HouseholdError::NotALink)?;
        let fp = fragment
            .strip_prefix("fp=")
            .ok_or(HouseholdError::NotALink)?;
        let (server, token) = url.rsplit_once("/h/").ok_or(HouseholdError::NotALink)?;
        let scheme_ok = server.starts_with("https://") || server.starts_with("http://");
        if !scheme_ok || !is_hex(token, 32) || !is_hex(fp, 64) {
            return Err(HouseholdError::NotALink);
        }
        Ok(Self {
            server: server.to_owned(),
            token: token.to_ascii_lowercase(),
            root_fingerprint: fp.to_ascii_lowercase(),
        })
    }
}

/// A pass of the bundle as the phone holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPass {
    pub pass_id: String,
    pub serial: u32,
    /// The QR text to show.
    pub payload: String,
    /// What offline verification said (`Revoked` when the bundle marks it so).
    pub verdict: PassVerdict,
    /// The pass, when its signature verified.
    pub body: Option<PassBody>,
}

impl HeldPass {
    /// Shown as a valid pass only when it verified and is not revoked.
    pub fn is_showable(&self) -> bool {
        self.verdict == PassVerdict::Valid
    }
}

/// Check a bundle fetched with `link` and `nonce`, and verify its passes at `now`.
pub fn open_bundle(
    link: &HouseholdLink,
    bundle: &HouseholdBundle,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<Vec<HeldPass>, HouseholdError> {
    let root = RootKey::pin(&bundle.root_public_key, Some(&link.root_fingerprint))?;
    root.verify(bundle)?;
    if bundle.nonce != nonce {
        return Err(TrustError::WrongNonce.into());
    }
    let keys =
        KeySet::from_records(&bundle.keys).map_err(|e| HouseholdError::BadKeys(e.to_string()))?;
    let offset_ms = Some((bundle.server_time - now).num_milliseconds());
    Ok(bundle
        .passes
        .iter()
        .map(|p| {
            let checked = verify(
                &p.payload,
                &keys,
                &Revocations::default(),
                &bundle.district_id,
                now,
                offset_ms,
            );
            let verdict = match checked.verdict {
                PassVerdict::Valid if p.revoked => PassVerdict::Revoked,
                v => v,
            };
            HeldPass {
                pass_id: p.pass_id.clone(),
                serial: p.serial,
                payload: p.payload.clone(),
                verdict,
                body: checked.pass,
            }
        })
        .collect())
}

/// Why fetching a household's passes failed.
#[cfg(feature = "client")]
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Sync(#[from] crate::sync::SyncError),
    #[error("{0}")]
    Household(#[from] HouseholdError),
}

/// A verified bundle's passes and the district facts the phone keeps with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub passes: Vec<HeldPass>,
    pub household: String,
    pub compound_name: String,
    /// The district's offset from UTC, for the day a check-in is for.
    pub utc_offset_minutes: i32,
}

/// Fetch the bundle a letter's link opens (as phone `phone_id`) and verify it and its passes.
#[cfg(feature = "client")]
pub async fn fetch(
    link: &HouseholdLink,
    phone_id: &str,
    timeout: std::time::Duration,
) -> Result<Fetched, FetchError> {
    let nonce = crate::signed::nonce()
        .map_err(|e| crate::sync::SyncError::Offline(format!("no randomness: {e}")))?;
    let client = crate::sync::ServerClient::new(&link.server, None, timeout, None)?;
    let bundle = client.household(&link.token, phone_id, &nonce).await?;
    let passes = open_bundle(link, &bundle, &nonce, Utc::now())?;
    Ok(Fetched {
        passes,
        household: bundle.household,
        compound_name: bundle.compound_name,
        utc_offset_minutes: bundle.utc_offset_minutes,
    })
}

/// A client for the household's own requests (check-ins, invitations) to the link's server.
#[cfg(feature = "client")]
pub fn client_for(
    link: &HouseholdLink,
    timeout: std::time::Duration,
) -> Result<crate::sync::ServerClient, crate::sync::SyncError> {
    crate::sync::ServerClient::new(&link.server, None, timeout, None)
}

#[cfg(test)]
#[path = "household_tests.rs"]
mod tests;
