//! Tests of the patrol state read from the journal: the unfinished round resumed after a restart,
//! and the rounds whose steps still wait to upload.

use chrono::Duration;
use sync_core::domain::EntryHead;
use sync_core::ledger::PatrolStepRecord;
use sync_core::patrol::{PatrolCheckData, PatrolStep, PointOutcome};
use uuid::Uuid;

use super::super::patrol::tests::{check_normal, local, round, routes, state, CST};
use super::super::patrol::{PatrolAction, PatrolState, RESUME_HOURS};

fn record(seq: u64, round: Uuid, at: &str, step: PatrolStep, pending: bool) -> PatrolStepRecord {
    PatrolStepRecord {
        head: EntryHead {
            id: Uuid::now_v7(),
            device_id: "dev-1".into(),
            seq,
            recorded_at: local(at),
            clock_offset_ms: Some(0),
            staff: "王师傅".into(),
            attachments: Vec::new(),
        },
        data: PatrolCheckData {
            checkpoint_id: "cp-east".into(),
            route_id: "A".into(),
            round_id: round,
            window: None,
            step,
        },
        pending,
    }
}

fn point_step(id: &str, outcome: PointOutcome) -> PatrolStep {
    PatrolStep::Point {
        point_id: id.into(),
        outcome,
        note: String::new(),
    }
}

#[test]
fn an_unfinished_round_is_resumed_from_the_journal() {
    let (old, open) = (Uuid::now_v7(), Uuid::now_v7());
    let steps = vec![
        record(
            1,
            old,
            "08:05",
            point_step("P1", PointOutcome::Normal),
            false,
        ),
        record(
            2,
            old,
            "08:20",
            PatrolStep::Finish { missing: vec![] },
            false,
        ),
        record(
            3,
            open,
            "10:05",
            point_step("P1", PointOutcome::Normal),
            true,
        ),
        record(
            4,
            open,
            "10:12",
            point_step("P3", PointOutcome::Problem),
            true,
        ),
    ];
    let mut s = state();
    s.reduce(PatrolAction::Ledger {
        steps: steps.clone(),
        now: local("10:30"),
    });
    let r = round(&s);
    assert_eq!(r.round_id, open);
    assert_eq!(r.route.route_id, "A");
    assert_eq!(r.outcome_of("P3"), Some(PointOutcome::Problem));
    assert_eq!(
        r.missing()
            .iter()
            .map(|p| p.point_id.as_str())
            .collect::<Vec<_>>(),
        vec!["P2"]
    );
    // Only the round with pending steps waits to upload.
    assert_eq!(s.waiting.len(), 1);
    let w = &s.waiting[0];
    assert_eq!(
        (
            w.round_id,
            w.route_name.as_str(),
            w.steps,
            w.pending,
            w.finished,
            w.started_at
        ),
        (open, "围墙一圈", 2, 2, false, local("10:05"))
    );
    // A round in memory is never replaced by a later read.
    check_normal(&mut s, "P2");
    s.reduce(PatrolAction::Ledger {
        steps: steps.clone(),
        now: local("10:31"),
    });
    assert_eq!(round(&s).done_count(), 3);

    // Finished, too old, or of a route this checkpoint no longer walks: nothing resumed.
    let mut s = state();
    s.reduce(PatrolAction::Ledger {
        steps: steps[..2].to_vec(),
        now: local("10:30"),
    });
    assert_eq!(s.round, None);
    assert!(s.waiting.is_empty(), "all uploaded");
    let mut s = state();
    s.reduce(PatrolAction::Ledger {
        steps: steps.clone(),
        now: local("10:12") + Duration::hours(RESUME_HOURS + 1),
    });
    assert_eq!(s.round, None);
    let mut s = PatrolState::new("cp-east".into(), routes()[1..].to_vec(), CST);
    s.reduce(PatrolAction::Ledger {
        steps,
        now: local("10:30"),
    });
    assert_eq!(s.round, None);
    assert_eq!(s.waiting[0].route_name, "A", "an unknown route by its id");
}
