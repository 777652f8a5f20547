//! Staff accounts with their staff passes: adding one issues its `Staff` pass (the pass id is the
//! account's id); deactivating revokes the pass, so phones refuse it offline after their next
//! revocation pull; reactivating issues a new serial. PINs are 4–6 digits, stored hashed.

use chrono::{DateTime, Duration, Utc};
use sync_core::duty::check_pin_format;
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::secret::hash_secret;

use crate::passes::{issue, reissue, IssueError, RESIDENT_PASS_DAYS};
use crate::store::{StaffChange, StaffRecord, Store};

/// What adding a staff member needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub name: String,
    /// '' for the whole district.
    pub compound_id: String,
    pub pin: Option<String>,
}

/// Hash a PIN after checking its form.
pub fn pin_hash(pin: &str) -> Result<String, IssueError> {
    check_pin_format(pin).map_err(|e| IssueError::Invalid(format!("密码为4–6位数字 {e}")))?;
    hash_secret(pin.trim()).map_err(|e| IssueError::Invalid(e.to_string()))
}

/// The next free staff pass id, `S` and six digits.
async fn next_staff_id(store: &Store) -> Result<String, IssueError> {
    loop {
        let n = store.next_counter("staff_pass").await?;
        let id = format!("S{n:06}");
        if store.last_serial(&id).await? == 0 {
            return Ok(id);
        }
    }
}

/// Add an account and issue its staff pass; returns the id.
pub async fn add_staff(
    store: &Store,
    signer: &DistrictSigner,
    new: &NewStaff,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<String, IssueError> {
    let hash = new.pin.as_deref().map(pin_hash).transpose()?;
    let staff_id = next_staff_id(store).await?;
    let record = StaffRecord {
        staff_id: staff_id.clone(),
        name: new.name.clone(),
        compound_id: new.compound_id.clone(),
        has_pin: hash.is_some(),
        active: true,
    };
    store
        .add_staff(&record, hash.as_deref(), actor, now.timestamp_millis())
        .await?;
    issue_staff_pass(store, signer, &record, now).await?;
    Ok(staff_id)
}

/// Issue serial 1 of a staff member's pass.
pub async fn issue_staff_pass(
    store: &Store,
    signer: &DistrictSigner,
    member: &StaffRecord,
    now: DateTime<Utc>,
) -> Result<(), IssueError> {
    let body = PassBody {
        kind: PassKind::Staff,
        pass_id: member.staff_id.clone(),
        serial: 1,
        district_id: signer.district_id().to_owned(),
        compound_id: member.compound_id.clone(),
        household: String::new(),
        display_name: member.name.clone(),
        plate: None,
        valid_from: now,
        valid_until: now + Duration::days(RESIDENT_PASS_DAYS),
    };
    issue(store, signer, body, None).await.map(|_| ())
}

/// Deactivate (revoking the pass) or reactivate (a new serial of the pass). False: no such
/// account.
pub async fn set_active(
    store: &Store,
    signer: &DistrictSigner,
    staff_id: &str,
    active: bool,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<bool, IssueError> {
    let now_ms = now.timestamp_millis();
    if !store
        .change_staff(staff_id, &StaffChange::Active(active), actor, now_ms)
        .await?
    {
        return Ok(false);
    }
    if active {
        reissue(store, signer, staff_id, now, actor).await?;
    } else {
        let serial = store.last_serial(staff_id).await?;
        store.revoke(staff_id, serial, actor, now_ms).await?;
    }
    Ok(true)
}
