//! Editing a resident (issue 17, part 5): a new name, phone, household or plates, checked like an
//! imported line. The passes follow in the same transaction: a pass whose printed name or
//! household changed is reissued (next serial, the old one revoked), a vehicle pass of a plate
//! that is gone is revoked, a new plate gets its pass. The ID number and the compound stay (a
//! mistyped ID number is a move-out and a new resident).

use chrono::{DateTime, Duration, Utc};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};

use crate::passes::{issue_in, ImportRow, IssueError, RESIDENT_PASS_DAYS};
use crate::store::{IssuedPass, Resident, Store, Tx};

/// What an edit did to the passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EditOutcome {
    /// Passes reissued with the new details.
    pub reissued: usize,
    /// Vehicle passes revoked (their plate is gone).
    pub revoked: usize,
    /// Vehicle passes issued for new plates.
    pub issued: usize,
}

/// Change resident `resident_id` to `row` (validated, with the stored ID number), audited as
/// `actor`. `None` when there is no such resident.
pub async fn edit_resident(
    store: &Store,
    signer: &DistrictSigner,
    resident_id: &str,
    row: &ImportRow,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Option<EditOutcome>, IssueError> {
    let mut tx = store.begin().await?;
    let Some(old) = tx.resident(resident_id).await? else {
        return Ok(None);
    };
    let new = Resident {
        name: row.name.clone(),
        phone: row.phone.clone(),
        household: row.household.clone(),
        plates: row.plates.clone(),
        ..old
    };
    tx.update_resident(&new).await?;
    let outcome = follow_passes(&mut tx, signer, &new, now).await?;
    let detail = format!(
        "edited resident {resident_id}: {} passes reissued, {} revoked, {} issued",
        outcome.reissued, outcome.revoked, outcome.issued
    );
    tx.audit(actor, "resident_edit", &detail, now.timestamp_millis())
        .await?;
    tx.commit().await?;
    Ok(Some(outcome))
}

/// Bring the resident's live passes in line with their details.
async fn follow_passes(
    tx: &mut Tx,
    signer: &DistrictSigner,
    r: &Resident,
    now: DateTime<Utc>,
) -> Result<EditOutcome, IssueError> {
    let mut outcome = EditOutcome::default();
    let live = tx.live_passes_of(&r.id).await?;
    for pass in &live {
        let plate_gone = pass.kind == PassKind::Vehicle
            && !pass.plate.as_ref().is_some_and(|p| r.plates.contains(p));
        if plate_gone {
            tx.revoke_pass(&pass.pass_id, pass.serial, now.timestamp_millis())
                .await?;
            outcome.revoked += 1;
        } else if pass.display_name != r.name || pass.household != r.household {
            let body = next_serial(pass, signer, r, now);
            issue_in(tx, signer, body, Some(&r.id)).await?;
            outcome.reissued += 1;
        }
    }
    for plate in &r.plates {
        let covered = live
            .iter()
            .any(|p| p.kind == PassKind::Vehicle && p.plate.as_ref() == Some(plate));
        if covered {
            continue;
        }
        let pass_id = free_vehicle_pass_id(tx, &r.id).await?;
        let body = PassBody {
            kind: PassKind::Vehicle,
            pass_id,
            serial: 1,
            district_id: signer.district_id().to_owned(),
            compound_id: r.compound_id.clone(),
            household: r.household.clone(),
            display_name: r.name.clone(),
            plate: Some(plate.clone()),
            valid_from: now,
            valid_until: now + Duration::days(RESIDENT_PASS_DAYS),
        };
        issue_in(tx, signer, body, Some(&r.id)).await?;
        outcome.issued += 1;
    }
    Ok(outcome)
}

/// The next serial of `pass` with the resident's current name and household.
fn next_serial(
    pass: &IssuedPass,
    signer: &DistrictSigner,
    r: &Resident,
    now: DateTime<Utc>,
) -> PassBody {
    PassBody {
        kind: pass.kind,
        pass_id: pass.pass_id.clone(),
        serial: pass.serial + 1,
        district_id: signer.district_id().to_owned(),
        compound_id: pass.compound_id.clone(),
        household: r.household.clone(),
        display_name: r.name.clone(),
        plate: pass.plate.clone(),
        valid_from: now,
        valid_until: now + Duration::days(RESIDENT_PASS_DAYS),
    }
}

/// The first vehicle pass id of the resident never issued (`V<number>-<k>`, as the import names them).
async fn free_vehicle_pass_id(tx: &mut Tx, resident_id: &str) -> Result<String, IssueError> {
    let number = resident_id.trim_start_matches('R');
    for k in 1..=1000 {
        let pass_id = format!("V{number}-{k}");
        if tx.last_serial(&pass_id).await? == 0 {
            return Ok(pass_id);
        }
    }
    Err(IssueError::Invalid(format!(
        "no free vehicle pass id for {resident_id}"
    )))
}
