//! What the engine checks before it uses an answer: signed by the pinned district root key, for
//! this request (nonce, revocation cursor, batch digest), and for this district.

use crate::protocol::{
    BatchResponse, ConfigResponse, KeySetResponse, PhotoReceipt, RevocationsResponse,
    RosterResponse,
};
use crate::signed::{batch_digest, RootKey, TrustError};

use super::SyncError;

/// The answers of one pull, each asked with its own nonce.
#[derive(Debug)]
pub struct Pulled {
    pub keys: KeySetResponse,
    pub revocations: RevocationsResponse,
    pub config: ConfigResponse,
    pub roster: RosterResponse,
}

/// The nonces and revocation cursor a pull was asked with.
#[derive(Debug)]
pub struct Asked {
    pub keys_nonce: String,
    pub revocations_nonce: String,
    pub config_nonce: String,
    pub roster_nonce: String,
    pub since: u64,
    /// The roster version asked from (0: the whole roster).
    pub roster_since: u64,
    /// The district this device was enrolled in (empty before enrollment finished).
    pub district_id: String,
}

fn nonce_matches(got: &str, asked: &str) -> Result<(), TrustError> {
    if got == asked {
        Ok(())
    } else {
        Err(TrustError::WrongNonce)
    }
}

/// All of a pull, or nothing: every answer signed, each for its own request.
pub fn check_pull(root: Option<&RootKey>, asked: &Asked, got: &Pulled) -> Result<(), SyncError> {
    let root = root.ok_or(TrustError::NotPinned)?;
    root.verify(&got.keys)?;
    nonce_matches(&got.keys.nonce, &asked.keys_nonce)?;
    root.verify(&got.revocations)?;
    nonce_matches(&got.revocations.nonce, &asked.revocations_nonce)?;
    if got.revocations.since != asked.since || got.revocations.version < asked.since {
        return Err(TrustError::WrongNonce.into());
    }
    root.verify(&got.config)?;
    nonce_matches(&got.config.nonce, &asked.config_nonce)?;
    root.verify(&got.roster)?;
    nonce_matches(&got.roster.nonce, &asked.roster_nonce)?;
    // A delta applies only on top of the version it starts from (never out of order).
    if got.roster.since != asked.roster_since || got.roster.version < asked.roster_since {
        return Err(TrustError::WrongNonce.into());
    }
    if got.roster.compound_id != got.config.config.compound_id {
        return Err(SyncError::BadAnswer(format!(
            "the roster is for compound {:?}, the checkpoint guards {:?}",
            got.roster.compound_id, got.config.config.compound_id
        )));
    }
    if !asked.district_id.is_empty() && got.keys.district_id != asked.district_id {
        return Err(SyncError::BadAnswer(format!(
            "the key set is for district {:?}, this device belongs to {:?}",
            got.keys.district_id, asked.district_id
        )));
    }
    Ok(())
}

/// A photo receipt settles a photo only when it is signed and names these bytes and this device.
pub fn check_photo_receipt(
    root: Option<&RootKey>,
    sent: (&str, u64, &str),
    receipt: &PhotoReceipt,
) -> Result<(), SyncError> {
    let root = root.ok_or(TrustError::NotPinned)?;
    root.verify(receipt)?;
    let (sha256, size, device_id) = sent;
    if receipt.sha256 != sha256 || receipt.size != size || receipt.device_id != device_id {
        return Err(TrustError::WrongNonce.into());
    }
    Ok(())
}

/// A batch receipt settles records only when it is signed and names the batch that was sent.
pub fn check_receipt(
    root: Option<&RootKey>,
    sent_json: &[u8],
    receipt: &BatchResponse,
) -> Result<(), SyncError> {
    let root = root.ok_or(TrustError::NotPinned)?;
    root.verify(receipt)?;
    if receipt.batch_sha != batch_digest(sent_json) {
        return Err(TrustError::WrongNonce.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::CheckpointConfig;
    use crate::signed::RootSigner;

    fn pulled(root: &RootSigner, asked: &Asked, roster_since: u64, compound: &str) -> Pulled {
        let config = CheckpointConfig {
            compound_name: String::new(),
            gates: vec![],
            ..crate::fixtures::sample_config("cp", "c1")
        };
        Pulled {
            keys: root.sign(KeySetResponse {
                district_id: "d".into(),
                keys: vec![],
                nonce: asked.keys_nonce.clone(),
                signature: String::new(),
            }),
            revocations: root.sign(RevocationsResponse {
                since: asked.since,
                version: asked.since,
                revocations: vec![],
                nonce: asked.revocations_nonce.clone(),
                signature: String::new(),
            }),
            config: root.sign(ConfigResponse {
                config,
                nonce: asked.config_nonce.clone(),
                signature: String::new(),
            }),
            roster: root.sign(RosterResponse {
                compound_id: compound.into(),
                since: roster_since,
                version: roster_since.max(9),
                entries: vec![],
                exits: vec![],
                exits_cursor: 0,
                nonce: asked.roster_nonce.clone(),
                signature: String::new(),
            }),
        }
    }

    /// A roster delta applies only on top of the version it was asked from, and only for the
    /// compound the (signed) config names: an out-of-order or foreign delta is refused whole.
    #[test]
    fn a_roster_delta_out_of_order_or_for_another_compound_is_refused() {
        let root = RootSigner::generate().unwrap();
        let key = RootKey::from_public_hex(&root.public_key_hex()).unwrap();
        let asked = Asked {
            keys_nonce: "01".into(),
            revocations_nonce: "02".into(),
            config_nonce: "03".into(),
            roster_nonce: "04".into(),
            since: 0,
            roster_since: 5,
            district_id: "d".into(),
        };
        assert!(check_pull(Some(&key), &asked, &pulled(&root, &asked, 5, "c1")).is_ok());
        let stale = check_pull(Some(&key), &asked, &pulled(&root, &asked, 3, "c1"));
        assert!(
            matches!(stale, Err(SyncError::Untrusted(TrustError::WrongNonce))),
            "{stale:?}"
        );
        let foreign = check_pull(Some(&key), &asked, &pulled(&root, &asked, 5, "c2"));
        assert!(
            matches!(foreign, Err(SyncError::BadAnswer(_))),
            "{foreign:?}"
        );
    }
}
