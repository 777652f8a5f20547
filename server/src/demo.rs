//! The seeded demo district: one compound, two checkpoints, 50 residents with passes, two devices with today's traffic,
//! a patrol route with one round walked and one missed (`patrol.rs`), two incidents (`incidents.rs`),
//! a starter gate handbook (`handbook.rs`), a district-wide notice (`notices.rs`), and two staff
//! accounts with one signed on at the north gate (`duty.rs`), and the back office's team: a manager
//! for each compound and an observer (`accounts.rs`).

mod accounts;
mod duty;
mod handbook;
mod households;
mod incidents;
mod notices;
mod patrol;

/// Where a demo phone's chain stands: the next seq and the last hash.
pub struct ChainEnd {
    pub device_id: String,
    pub next_seq: u64,
    pub prev_hash: String,
}

use chrono::{DateTime, Duration, Utc};
use sync_core::domain::GENESIS_HASH;
use sync_core::pass::DistrictSigner;
use sync_core::validate::IdNumber;
use sync_core::{DenyReason, Direction, NewPassage, Passage, PassageBody, Subject, Verdict};
use uuid::Uuid;

pub use accounts::{DEMO_TEAM, DEMO_TEAM_PASSWORD};
pub use households::DEMO_HOUSEHOLD_TOKEN;

use crate::auth::hash_token;
use crate::passes::{import_residents, ImportRow, IssueError};
use crate::report::{day_bounds, local_day};
use crate::store::{Checkpoint, Store};

const SURNAMES: [&str; 10] = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "军"];

/// Fifty residents with valid (made-up) ID numbers and phones; every fifth has a car.
pub fn demo_residents() -> Vec<ImportRow> {
    (0..50u32)
        .map(|i| {
            let first17 = format!(
                "110105198{}0{}1{}03{}",
                i % 10,
                1 + i % 9,
                i % 3,
                10 + i % 90
            );
            let first17 = &first17[..17];
            let check = IdNumber::check_char(first17).unwrap_or('0');
            ImportRow {
                name: format!(
                    "{}{}",
                    SURNAMES[(i % 10) as usize],
                    GIVEN[(i / 5 % 10) as usize]
                ),
                id_number: format!("{first17}{check}"),
                phone: format!("139{:08}", 10_000_000 + i * 7919),
                household: format!("{}-{}-{}", 1 + i / 10, 1 + i % 2, 101 + i % 10),
                plates: if i % 5 == 0 {
                    vec![format!("京A{:05}", 10_000 + i)]
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// Ten residents of the second demo compound (和平小区), so a pass of another compound can be tried
/// at the first one's gates.
pub fn demo_residents_peace() -> Vec<ImportRow> {
    (0..10u32)
        .map(|i| {
            let first17 = format!("44052419850{}1{}0{}", 1 + i % 9, i % 3, 10 + i);
            let first17 = &first17[..17];
            let check = IdNumber::check_char(first17).unwrap_or('0');
            ImportRow {
                name: format!(
                    "{}{}",
                    SURNAMES[((i + 3) % 10) as usize],
                    GIVEN[(i % 10) as usize]
                ),
                id_number: format!("{first17}{check}"),
                phone: format!("137{:08}", 30_000_000 + i * 7919),
                household: format!("8-{}-{}", 1 + i % 2, 201 + i),
                plates: Vec::new(),
            }
        })
        .collect()
}

/// Two staff passes of the district (valid at every gate).
fn demo_subject(i: u64, residents: &[(String, String, String)]) -> Subject {
    match i % 5 {
        0..=2 => {
            let (pass_id, household, name) = &residents[(i as usize * 7) % residents.len()];
            Subject::Resident {
                pass_id: pass_id.clone(),
                household: household.clone(),
                name: Some(name.clone()),
            }
        }
        3 => Subject::Vehicle {
            plate: format!("京A{:05}", 10_000 + (i % 10) * 5),
            pass_id: None,
            occupant_pass_ids: vec![],
            occupants: 1,
        },
        _ => Subject::Visitor {
            name: "访客".into(),
            // One visit is passages n and n + 5 (see `demo_direction`): the same phone in and out.
            phone: format!("137{:08}", 20_000_000 + i / 10),
            id_number: None,
            host_household: "2-1-201".into(),
            reason: "探亲".into(),
            plate: None,
            visitor_pass_id: None,
        },
    }
}

/// Passage `i` of demo phone `k`: visitors (every fifth) come in at `i % 10 == 4` and leave five
/// passages later with the same phone; everyone else alternates in and out.
fn demo_direction(i: u64, k: usize) -> Direction {
    let entering = if i % 5 == 4 {
        i % 10 == 4
    } else {
        (i + k as u64) & 1 == 0
    };
    if entering {
        Direction::In
    } else {
        Direction::Out
    }
}

/// Seed the demo district; returns the number of passages stored. Safe to run twice.
pub async fn seed(
    store: &Store,
    signer: &DistrictSigner,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
) -> Result<usize, IssueError> {
    let now_ms = now.timestamp_millis();
    store.upsert_compound("c1", "阳光小区").await?;
    let checkpoints = [
        ("cp-east", "东门 East gate", "east-1"),
        ("cp-north", "北门 North gate", "north-1"),
    ];
    for (id, name, gate) in checkpoints {
        let cp = Checkpoint {
            id: id.into(),
            compound_id: "c1".into(),
            name: name.into(),
            gates: vec![gate.into()],
        };
        store.upsert_checkpoint(&cp, now_ms).await?;
    }
    import_residents(store, signer, "c1", &demo_residents(), now, "demo").await?;
    store.upsert_compound("c2", "和平小区").await?;
    let west = Checkpoint {
        id: "cp-west".into(),
        compound_id: "c2".into(),
        name: "和平小区西门 West gate".into(),
        gates: vec!["west-1".into()],
    };
    store.upsert_checkpoint(&west, now_ms).await?;
    import_residents(store, signer, "c2", &demo_residents_peace(), now, "demo").await?;
    duty::seed_staff(store, signer, now).await?;
    handbook::seed_handbook(store, now_ms).await?;
    notices::seed_notices(store, now_ms).await?;
    households::seed_households(store, signer, now, utc_offset_minutes).await?;
    accounts::seed_accounts(store, now_ms).await?;
    if store.passage_count(None).await? > 0 {
        return Ok(0);
    }
    let residents: Vec<(String, String, String)> = store
        .residents()
        .await?
        .into_iter()
        .map(|r| (r.id, r.household, r.name))
        .collect();
    let (day_start, _) = day_bounds(local_day(now, utc_offset_minutes), utc_offset_minutes);
    let span = (now - day_start).num_seconds().max(60);
    let mut stored = 0;
    let mut chains = Vec::new();
    for (k, (cp, _, gate)) in checkpoints.iter().enumerate() {
        let device_id = format!("demo-phone-{}", k + 1);
        let code = format!("DEMO{k}");
        store
            .create_enroll_code(&hash_token(&code), cp, "demo", now_ms, now_ms + 60_000)
            .await?;
        store
            .enroll(
                &hash_token(&code),
                &device_id,
                "demo phone",
                &hash_token(&format!("demo-token-{k}")),
                now_ms,
            )
            .await?;
        let mut prev = GENESIS_HASH.to_owned();
        let mut batch = Vec::new();
        for i in 0..120u64 {
            let at = day_start + Duration::seconds(span * (i as i64) / 120);
            let fever = i == 37 && k == 0;
            let new = NewPassage {
                checkpoint_id: (*cp).into(),
                gate: (*gate).into(),
                direction: demo_direction(i, k),
                recorded_at: at,
                clock_offset_ms: Some(0),
                staff: "值班员".into(),
                subject: demo_subject(i + 1000 * k as u64, &residents),
                temperature_c: Some(if fever { 38.3 } else { 36.4 }),
                verdict: if fever {
                    Verdict::Denied {
                        reason: DenyReason::Fever,
                    }
                } else if i % 41 == 0 {
                    Verdict::Denied {
                        reason: DenyReason::Expired,
                    }
                } else {
                    Verdict::Admitted
                },
            };
            let p = Passage::seal(
                PassageBody::new(Uuid::now_v7(), &device_id, i + 1, new),
                &prev,
            );
            prev.clone_from(&p.hash);
            batch.push(p);
        }
        stored += batch.len();
        chains.push(ChainEnd {
            device_id: device_id.clone(),
            next_seq: batch.len() as u64 + 1,
            prev_hash: prev.clone(),
        });
        store.ingest(&device_id, batch, 0, now, 28).await?;
    }
    let mut chains = chains.into_iter();
    if let Some(east) = chains.next() {
        patrol::seed_patrol(store, now, utc_offset_minutes, east).await?;
    }
    if let Some(north) = chains.next() {
        let north = incidents::seed_incidents(store, now, north).await?;
        duty::seed_duty(store, now, north).await?;
    }
    store
        .audit("demo", "seed", "seeded the demo district", now_ms)
        .await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_residents_pass_the_validators() {
        for r in demo_residents().into_iter().chain(demo_residents_peace()) {
            assert!(
                sync_core::validate::validate_id_number(&r.id_number).is_ok(),
                "{}",
                r.id_number
            );
            assert!(
                sync_core::validate::validate_phone(&r.phone).is_ok(),
                "{}",
                r.phone
            );
            for p in &r.plates {
                assert!(sync_core::validate::validate_plate(p).is_ok(), "{p}");
            }
        }
    }
}
