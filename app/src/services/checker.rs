//! The real pass checker: sync-core's offline `verify` against the key set, revocations and clock
//! offset stored in the ledger by the sync engine.

use std::sync::RwLock;

use chrono::{DateTime, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::ledger::Ledger;
use sync_core::pass::{KeySet, PassCheck, PassKind, PassVerdict, Revocations};
use sync_core::patrol::{PatrolPoint, PointCheck, PointError};
use sync_core::protocol::CheckpointConfig;

use super::AppError;
use crate::ports::{CheckedPass, PassChecker, PassKindView};

/// Ledger settings written by the sync engine (enrollment and pulls).
pub use sync_core::sync::{SETTING_CLOCK_OFFSET, SETTING_DISTRICT, SETTING_TRUST_PULLED_AT};

#[derive(Debug)]
struct Trust {
    keys: KeySet,
    revocations: Revocations,
    district_id: String,
    /// The compound this gate guards, and the names of the district's compounds.
    config: Option<CheckpointConfig>,
    clock_offset_ms: Option<i64>,
    /// Server time of the last signed pull, and after how many hours that makes passes amber.
    pulled_at: Option<DateTime<Utc>>,
    amber_hours: i64,
    /// What was loaded, to skip reloading when nothing changed.
    stamp: Stamp,
}

type Stamp = (usize, u64, Option<i64>, Option<DateTime<Utc>>);

fn stamp(ledger: &Ledger) -> Result<Stamp, AppError> {
    Ok((
        ledger.key_set()?.len(),
        ledger.revocations_version()?,
        ledger.setting::<i64>(SETTING_CLOCK_OFFSET)?,
        ledger.setting::<DateTime<Utc>>(SETTING_TRUST_PULLED_AT)?,
    ))
}

/// Hours since the last signed pull, on the server's clock when the offset is known.
pub fn hours_since_pull(
    pulled_at: Option<DateTime<Utc>>,
    device_now: DateTime<Utc>,
    clock_offset_ms: Option<i64>,
) -> Option<i64> {
    let offset = chrono::Duration::try_milliseconds(clock_offset_ms.unwrap_or(0))?;
    let now = device_now.checked_add_signed(offset)?;
    pulled_at.map(|t| (now - t).num_hours())
}

#[derive(Debug)]
pub struct LedgerChecker {
    trust: RwLock<Trust>,
}

/// The key set from the records that are usable: a damaged stored record is left out and logged,
/// never a reason to stop (passes signed by it then read as "unknown key", and the next pull
/// replaces the whole set).
fn usable_keys(records: &[sync_core::ledger::KeyRecord]) -> KeySet {
    KeySet::from_records(records).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "a stored district key is damaged; leaving it out");
        let good: Vec<_> = records
            .iter()
            .filter(|r| KeySet::from_records(std::slice::from_ref(r)).is_ok())
            .cloned()
            .collect();
        KeySet::from_records(&good).unwrap_or_default()
    })
}

fn load(ledger: &Ledger) -> Result<Trust, AppError> {
    let records = ledger.key_set()?;
    let keys = usable_keys(&records);
    let revocations = Revocations::from_records(&ledger.revocations()?);
    let district_id: String = ledger.setting(SETTING_DISTRICT)?.unwrap_or_default();
    let config = super::checkpoint_config(ledger);
    let amber_hours = config
        .as_ref()
        .map_or(72, |c| i64::from(c.revocations_amber_hours));
    let stamp = stamp(ledger)?;
    Ok(Trust {
        keys,
        revocations,
        district_id,
        config,
        clock_offset_ms: stamp.2,
        pulled_at: stamp.3,
        amber_hours,
        stamp,
    })
}

impl LedgerChecker {
    pub fn from_ledger(ledger: &Ledger) -> Result<Self, AppError> {
        Ok(Self {
            trust: RwLock::new(load(ledger)?),
        })
    }

    /// Re-read keys, revocations, clock offset and pull time when they changed.
    pub fn reload(&self, ledger: &Ledger) -> Result<(), AppError> {
        let stamp = stamp(ledger)?;
        let same = self.trust.read().map(|t| t.stamp == stamp).unwrap_or(false);
        let district_known = self
            .trust
            .read()
            .map(|t| !t.district_id.is_empty())
            .unwrap_or(false);
        if same && district_known {
            return Ok(());
        }
        let fresh = load(ledger)?;
        *self.trust.write().map_err(|_| AppError::Poisoned)? = fresh;
        Ok(())
    }
}

impl PassChecker for LedgerChecker {
    fn check_point(&self, payload: &str) -> Result<PatrolPoint, PointError> {
        let Ok(t) = self.trust.read() else {
            return Err(PointError::UnknownKey);
        };
        PointCheck {
            keys: &t.keys,
            district_id: &t.district_id,
            // Not enrolled yet (no config): no compound is this phone's, so no point is.
            compound_id: t.config.as_ref().map_or("", |c| c.compound_id.as_str()),
        }
        .verify(payload)
    }

    fn check(&self, payload: &str, device_now: DateTime<Utc>) -> CheckedPass {
        let Ok(t) = self.trust.read() else {
            return CheckedPass::unreadable("本机密钥不可用", "Keys unavailable on this device");
        };
        let at = PassCheck {
            keys: &t.keys,
            revocations: &t.revocations,
            district_id: &t.district_id,
            // Not enrolled yet (no config): no compound is this gate's, so none is green.
            compound_id: Some(t.config.as_ref().map_or("", |c| c.compound_id.as_str())),
        };
        let v = at.verify(payload, device_now, t.clock_offset_ms);
        let (mut message_zh, mut message_en) =
            (v.verdict.message(Lang::ZhCn), v.verdict.message(Lang::En));
        if let (PassVerdict::WrongCompound, Some(pass)) = (v.verdict, &v.pass) {
            let name = t.config.as_ref().map_or_else(
                || pass.compound_id.clone(),
                |c| c.compound_name_of(&pass.compound_id),
            );
            message_zh = format!("{message_zh}（{name}）");
            message_en = format!("{message_en} ({name})");
        }
        // Never pulled counts as stale too: the device cannot know of any revocation.
        let revocations_stale_hours =
            match hours_since_pull(t.pulled_at, device_now, t.clock_offset_ms) {
                Some(h) if h < t.amber_hours => None,
                Some(h) => Some(h),
                None => Some(i64::MAX),
            };
        match v.pass {
            Some(body) => CheckedPass {
                denied: v.verdict.deny_reason(),
                message_zh,
                message_en,
                kind: match body.kind {
                    PassKind::Vehicle => PassKindView::Vehicle,
                    PassKind::VisitorDay => PassKindView::Visitor,
                    PassKind::Invited => PassKindView::Invited,
                    PassKind::Staff => PassKindView::Staff,
                    PassKind::Resident => PassKindView::Resident,
                },
                pass_id: body.pass_id,
                household: body.household,
                display_name: body.display_name,
                plate: body.plate,
                valid_until: Some(body.valid_until),
                clock_checked: v.clock_checked,
                revocations_stale_hours,
            },
            None => CheckedPass {
                denied: v.verdict.deny_reason(),
                message_zh,
                message_en,
                ..CheckedPass::unreadable("", "")
            },
        }
    }
}

impl CheckedPass {
    /// A code that told us nothing trustworthy.
    pub fn unreadable(zh: &str, en: &str) -> Self {
        Self {
            denied: Some(sync_core::DenyReason::Malformed),
            message_zh: zh.to_owned(),
            message_en: en.to_owned(),
            kind: PassKindView::Resident,
            pass_id: String::new(),
            household: String::new(),
            display_name: String::new(),
            plate: None,
            valid_until: None,
            clock_checked: false,
            revocations_stale_hours: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use sync_core::ledger::KeyRecord;
    use sync_core::pass::{DistrictSigner, PassBody};

    use super::*;

    /// A damaged key record stored on the phone (an older app, a bad disk) does not stop the app:
    /// it is left out, and passes signed by the good keys still verify.
    #[test]
    fn a_damaged_stored_key_is_left_out_and_the_others_still_verify() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ledger = Ledger::open(dir.path().join("l.db")).expect("ledger");
        let signer = DistrictSigner::generate("d1").expect("signer");
        let now = Utc::now();
        let damaged = KeyRecord {
            key_id: "deadbeef".into(),
            district_id: "d1".into(),
            public_key: "not hex at all".into(),
            not_before: None,
            not_after: None,
        };
        ledger
            .replace_key_set(&[signer.key_record(None, None), damaged])
            .expect("stored as an older app would have");
        enrolled_at(&mut ledger, "c1");
        let checker = LedgerChecker::from_ledger(&ledger).expect("opens anyway");
        let payload = pass(&signer, PassKind::Resident, "c1");
        let checked = checker.check(&payload, now);
        assert_eq!(checked.denied, None, "{}", checked.message_en);
    }

    /// This gate guards compound `compound` of district `d1` (and `c2` is 和平小区).
    fn enrolled_at(ledger: &mut Ledger, compound: &str) {
        ledger
            .set_setting(SETTING_DISTRICT, "d1")
            .expect("district");
        let config = CheckpointConfig {
            compounds: vec![
                sync_core::protocol::CompoundName {
                    id: "c1".into(),
                    name: "阳光小区".into(),
                },
                sync_core::protocol::CompoundName {
                    id: "c2".into(),
                    name: "和平小区".into(),
                },
            ],
            gates: vec!["east".into()],
            ..sync_core::fixtures::sample_config("cp1", compound)
        };
        ledger
            .set_setting(sync_core::sync::SETTING_CONFIG, &config)
            .expect("config");
    }

    fn pass(signer: &DistrictSigner, kind: PassKind, compound: &str) -> String {
        let now = Utc::now();
        signer
            .sign(&PassBody {
                kind,
                pass_id: "R000001".into(),
                serial: 1,
                district_id: "d1".into(),
                compound_id: compound.into(),
                household: "1-1-101".into(),
                display_name: "张三".into(),
                plate: None,
                valid_from: now - Duration::days(1),
                valid_until: now + Duration::days(1),
            })
            .expect("signed")
    }

    #[test]
    fn a_pass_of_another_compound_is_refused_with_its_name_and_staff_pass_everywhere() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ledger = Ledger::open(dir.path().join("l.db")).expect("ledger");
        let signer = DistrictSigner::generate("d1").expect("signer");
        ledger
            .replace_key_set(&[signer.key_record(None, None)])
            .expect("keys");
        enrolled_at(&mut ledger, "c1");
        let checker = LedgerChecker::from_ledger(&ledger).expect("checker");
        let now = Utc::now();
        let other = checker.check(&pass(&signer, PassKind::Resident, "c2"), now);
        assert_eq!(other.denied, Some(sync_core::DenyReason::WrongCompound));
        assert_eq!(other.message_zh, "非本小区通行证（和平小区）");
        assert_eq!(other.message_en, "Pass for another compound (和平小区)");
        for kind in [PassKind::Vehicle, PassKind::VisitorDay] {
            let c = checker.check(&pass(&signer, kind, "c2"), now);
            assert_eq!(
                c.denied,
                Some(sync_core::DenyReason::WrongCompound),
                "{kind:?}"
            );
        }
        let staff = checker.check(&pass(&signer, PassKind::Staff, "c2"), now);
        assert_eq!((staff.denied, staff.kind), (None, PassKindView::Staff));
        let own = checker.check(&pass(&signer, PassKind::Resident, "c1"), now);
        assert_eq!(own.denied, None);
    }

    /// Before enrollment no compound is this gate's: nothing is green.
    #[test]
    fn an_unenrolled_gate_admits_no_compound_pass() {
        let dir = tempfile::tempdir().expect("dir");
        let mut ledger = Ledger::open(dir.path().join("l.db")).expect("ledger");
        let signer = DistrictSigner::generate("d1").expect("signer");
        ledger
            .replace_key_set(&[signer.key_record(None, None)])
            .expect("keys");
        ledger
            .set_setting(SETTING_DISTRICT, "d1")
            .expect("district");
        let checker = LedgerChecker::from_ledger(&ledger).expect("checker");
        let c = checker.check(&pass(&signer, PassKind::Resident, "c1"), Utc::now());
        assert!(c.denied.is_some());
    }
}

#[cfg(test)]
mod staleness {
    use chrono::{Duration, Utc};

    use super::hours_since_pull;

    #[test]
    fn the_age_is_on_the_servers_clock_and_never_panics() {
        let now = Utc::now();
        assert_eq!(
            hours_since_pull(Some(now - Duration::hours(5)), now, None),
            Some(5)
        );
        // The device clock is 2 h slow: the server's clock says 7 h have passed.
        let two_hours = Some(2 * 3_600_000);
        assert_eq!(
            hours_since_pull(Some(now - Duration::hours(5)), now, two_hours),
            Some(7)
        );
        assert_eq!(hours_since_pull(None, now, None), None);
        assert_eq!(hours_since_pull(Some(now), now, Some(i64::MAX)), None);
    }
}
