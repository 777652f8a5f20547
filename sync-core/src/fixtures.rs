//! Deterministic sample passages covering every subject kind, and a sample checkpoint config, for
//! tests and benches (feature `fixtures`).

use crate::{DenyReason, Direction, NewPassage, Subject, Verdict};
use chrono::{DateTime, Duration, Utc};

/// The `i`-th sample passage, recorded `i` seconds after `start`.
pub fn sample_passage(i: u64, start: DateTime<Utc>) -> NewPassage {
    let subject = match i % 3 {
        0 => Subject::Resident {
            pass_id: format!("R{:06}", i % 500),
            household: format!("{}-{}-{}", 1 + i % 9, 1 + i % 4, 101 + i % 20),
            name: Some("张小明".into()),
        },
        1 => Subject::Vehicle {
            plate: format!("京A{:05}", i % 100_000),
            pass_id: None,
            occupant_pass_ids: vec![],
            occupants: 1 + (i % 3) as u32,
        },
        _ => Subject::Visitor {
            name: "李四".into(),
            phone: format!("138{:08}", i % 100_000_000),
            id_number: Some("11010519491231002X".into()),
            host_household: "3-2-401".into(),
            reason: "探亲".into(),
            plate: None,
            visitor_pass_id: None,
        },
    };
    NewPassage {
        checkpoint_id: "cp-east".into(),
        gate: "east-1".into(),
        direction: if i.is_multiple_of(2) {
            Direction::In
        } else {
            Direction::Out
        },
        recorded_at: start + Duration::seconds(i as i64),
        clock_offset_ms: Some(-1200),
        staff: "王师傅".into(),
        subject,
        temperature_c: Some(36.5),
        verdict: if i.is_multiple_of(17) {
            Verdict::Denied {
                reason: DenyReason::Expired,
            }
        } else {
            Verdict::Admitted
        },
    }
}

/// A checkpoint config as a district sends it: checkpoint `checkpoint_id` (东门, gate `east-1`) of
/// compound `compound_id` (阳光小区), China Standard Time, default thresholds, no routes.
pub fn sample_config(checkpoint_id: &str, compound_id: &str) -> crate::protocol::CheckpointConfig {
    crate::protocol::CheckpointConfig {
        checkpoint_id: checkpoint_id.into(),
        checkpoint_name: "东门".into(),
        compound_id: compound_id.into(),
        compound_name: "阳光小区".into(),
        compounds: Vec::new(),
        gates: vec!["east-1".into()],
        fever_threshold_c: 37.3,
        retention_days: 28,
        utc_offset_minutes: 480,
        server_time: Utc::now(),
        revocations_warn_hours: 24,
        revocations_amber_hours: 72,
        rules: Default::default(),
        photo_max_bytes: crate::photo::DEFAULT_PHOTO_MAX_BYTES,
        patrol_routes: Vec::new(),
        handbook: Vec::new(),
        notices: Vec::new(),
        staff: Vec::new(),
    }
}
