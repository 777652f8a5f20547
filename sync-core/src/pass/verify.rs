//! Offline verification of a scanned payload against the key set, the revocations and the (corrected) clock.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::Signature;

use super::body::{PassBody, PassKind};
use super::codec::parse;
use super::keys::KeySet;
use super::verdict::PassVerdict;
use crate::ledger::Revocation;

/// Revoked serials and the newest known serial, per pass id.
#[derive(Debug, Clone, Default)]
pub struct Revocations {
    by_pass: HashMap<String, PassSerials>,
}

#[derive(Debug, Clone, Default)]
struct PassSerials {
    revoked: BTreeSet<u32>,
    newest: u32,
}

impl Revocations {
    /// From the device's revocation list (each record revokes one serial of a pass).
    pub fn from_records(records: &[Revocation]) -> Self {
        let mut out = Self::default();
        for r in records {
            out.revoke(&r.pass_id, r.serial);
        }
        out
    }

    /// Revoke one serial of a pass.
    pub fn revoke(&mut self, pass_id: &str, serial: u32) {
        self.by_pass
            .entry(pass_id.to_owned())
            .or_default()
            .revoked
            .insert(serial);
    }

    /// Note that `serial` of `pass_id` exists (issued, or seen valid at this gate): older serials are superseded.
    pub fn note_serial(&mut self, pass_id: &str, serial: u32) {
        let entry = self.by_pass.entry(pass_id.to_owned()).or_default();
        entry.newest = entry.newest.max(serial);
    }

    pub fn is_revoked(&self, pass_id: &str, serial: u32) -> bool {
        self.by_pass
            .get(pass_id)
            .is_some_and(|p| p.revoked.contains(&serial))
    }

    /// The newest serial known for this pass id, if any was noted.
    pub fn newest_serial(&self, pass_id: &str) -> Option<u32> {
        self.by_pass
            .get(pass_id)
            .map(|p| p.newest)
            .filter(|&n| n > 0)
    }
}

/// The gate's view of one scanned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub verdict: PassVerdict,
    /// The pass, when its signature verified with a key of the key set (so what it says is genuine).
    pub pass: Option<PassBody>,
    /// The time the validity was checked against: device time plus the server offset.
    pub checked_at: DateTime<Utc>,
    /// False when no server offset was known, so the device clock alone decided validity: show a warning.
    pub clock_checked: bool,
}

/// What a gate checks a pass against: the district's keys and revocations, and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct PassCheck<'a> {
    pub keys: &'a KeySet,
    pub revocations: &'a Revocations,
    pub district_id: &'a str,
    /// The compound this gate guards: a resident, vehicle or visitor pass of another compound is
    /// refused (staff passes are valid at every gate of the district). `None`: any compound of the
    /// district (the server's checks, tests of the signature alone).
    pub compound_id: Option<&'a str>,
}

impl PassCheck<'_> {
    /// Check a scanned payload offline.
    ///
    /// `server_offset_ms` is server time minus device time, as learned at the last sync; `None`
    /// when unknown. Order of checks: well-formed, key known, signature, key period, district,
    /// compound, revoked, superseded, time.
    pub fn verify(
        &self,
        payload: &str,
        device_now: DateTime<Utc>,
        server_offset_ms: Option<i64>,
    ) -> Verification {
        // An absurd offset (beyond chrono's range) is ignored, and the clock counts as unchecked.
        let corrected = server_offset_ms
            .and_then(Duration::try_milliseconds)
            .and_then(|offset| device_now.checked_add_signed(offset));
        let checked_at = corrected.unwrap_or(device_now);
        let (verdict, pass) = check(payload, self, checked_at);
        Verification {
            verdict,
            pass,
            checked_at,
            clock_checked: corrected.is_some(),
        }
    }
}

/// Check a scanned payload offline against the whole district (no compound scope): see
/// [`PassCheck::verify`], which a gate uses.
pub fn verify(
    payload: &str,
    keys: &KeySet,
    revocations: &Revocations,
    district_id: &str,
    device_now: DateTime<Utc>,
    server_offset_ms: Option<i64>,
) -> Verification {
    PassCheck {
        keys,
        revocations,
        district_id,
        compound_id: None,
    }
    .verify(payload, device_now, server_offset_ms)
}

fn check(payload: &str, at: &PassCheck<'_>, now: DateTime<Utc>) -> (PassVerdict, Option<PassBody>) {
    let (keys, revocations, district_id) = (at.keys, at.revocations, at.district_id);
    let Ok(signed) = parse(payload) else {
        return (PassVerdict::Malformed, None);
    };
    let Some(trusted) = keys.get(&signed.key_id) else {
        // Unsigned claims decide only which denial message staff see.
        let verdict = if signed.body.district_id != district_id {
            PassVerdict::WrongDistrict
        } else {
            PassVerdict::UnknownKey
        };
        return (verdict, None);
    };
    let signature = Signature::from_bytes(&signed.signature);
    if trusted
        .key
        .verify_strict(&signed.signed_message, &signature)
        .is_err()
    {
        return (PassVerdict::BadSignature, None);
    }
    let body = signed.body;
    let before_key = trusted.not_before.is_some_and(|t| body.valid_from < t);
    let after_key = trusted.not_after.is_some_and(|t| body.valid_from > t);
    let other_compound = at
        .compound_id
        .is_some_and(|c| body.kind != PassKind::Staff && body.compound_id != c);
    let verdict = if before_key || after_key {
        PassVerdict::UnknownKey
    } else if trusted.district_id != district_id || body.district_id != trusted.district_id {
        PassVerdict::WrongDistrict
    } else if other_compound {
        PassVerdict::WrongCompound
    } else if revocations.is_revoked(&body.pass_id, body.serial) {
        PassVerdict::Revoked
    } else if let Some(newest) = revocations
        .newest_serial(&body.pass_id)
        .filter(|&n| n > body.serial)
    {
        PassVerdict::Superseded {
            newest_serial: newest,
        }
    } else if now < body.valid_from {
        PassVerdict::NotYetValid
    } else if now >= body.valid_until {
        PassVerdict::Expired
    } else {
        PassVerdict::Valid
    };
    (verdict, Some(body))
}
