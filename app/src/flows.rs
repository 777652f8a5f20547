//! Event handlers' work: run a gate step against the ledger and show the verdict, register forms,
//! refresh counts. Components call these; the decisions themselves live in `state`.

pub mod duty;
pub mod handbook;
pub mod household;
pub mod incident;
pub mod notices;
pub mod patrol;
pub mod visitor;

pub use visitor::returning_visitor;

use std::time::Instant;

use chrono::Utc;
use dioxus::prelude::*;
use sync_core::protocol::{CheckpointConfig, RosterEntry};
use sync_core::{Direction, Subject};

use crate::ctx::Ctx;
use crate::services::Services;
use crate::state::gate::{store_failed, GateAction, GateStep, Moment};
use crate::state::gate_rules::{CheckinFact, RuleContext};
use crate::state::patrol::is_point_label;
use crate::state::records::day_start;
use crate::state::scan::{ScanAction, TailMatch, TailMatches};
use crate::state::status::StatusAction;
use crate::state::verdict::VerdictAction;

/// The district's time zone (China Standard Time unless the config says otherwise).
pub fn district_offset(services: &Services) -> chrono::FixedOffset {
    offset_of(services.checkpoint_config().as_ref())
}

/// The district's time zone from a config already read.
fn offset_of(config: Option<&CheckpointConfig>) -> chrono::FixedOffset {
    let minutes = config.map_or(480, |c| c.utc_offset_minutes);
    chrono::FixedOffset::east_opt(minutes * 60).unwrap_or_else(|| chrono::Offset::fix(&Utc))
}

/// Run a gate step: append when asked, and show the verdict only after the ledger answered.
pub fn run_step(mut ctx: Ctx, services: &Services, step: GateStep, frame_t: Option<f64>) {
    let step = match step {
        GateStep::Record(record) => {
            match services.with_ledger(|l| l.append(record.passage.clone())) {
                Ok(p) => {
                    services.passage_added();
                    ctx.status.write().reduce(StatusAction::Appended);
                    ctx.gate.write().reduce(GateAction::Stored {
                        record,
                        seq: p.body.seq,
                        at: Instant::now(),
                    })
                }
                Err(e) => {
                    tracing::error!("passage not stored: {e}");
                    ctx.gate.write().reduce(store_failed(&e))
                }
            }
        }
        other => other,
    };
    if let GateStep::Show(view) = step {
        ctx.frame_t.set(frame_t);
        ctx.verdict
            .write()
            .reduce(VerdictAction::Show(view, Instant::now()));
        refresh_counts(ctx, services);
    }
}

/// Now, in the direction the scan screen is set to.
fn moment(ctx: Ctx) -> Moment {
    Moment {
        direction: ctx.scan.peek().direction,
        at: Instant::now(),
        recorded_at: Utc::now(),
        clock_offset_ms: ctx.status.peek().sync.status.clock_offset_ms,
        gate: ctx.prefs.peek().gate.clone(),
        staff: duty::staff_name(ctx),
    }
}

/// The compound's rules and what they need to know now, for a subject of `household` (and the
/// resident pass `pass_id`, whose daily check-in the rules may ask for).
fn rule_context(
    ctx: Ctx,
    services: &Services,
    household: Option<&str>,
    pass_id: Option<&str>,
) -> RuleContext {
    // One read of the config for the rules and the time zone.
    let config = services.checkpoint_config();
    let offset = offset_of(config.as_ref());
    let rules = config.map(|c| c.rules).unwrap_or_default();
    let now = Utc::now();
    let checkin = match pass_id {
        Some(p) if rules.checkin_required => services
            .with_ledger(|l| checkin_fact(l, p, now, offset))
            .ok(),
        _ => None,
    };
    let household_exits = match (rules.exit_quota, household) {
        (Some(q), Some(h)) => {
            let since = now - chrono::Duration::days(i64::from(q.days));
            services
                .ledger()
                .ok()
                .and_then(|l| l.household_exits(h, since).ok())
                .unwrap_or(0)
        }
        _ => 0,
    };
    RuleContext {
        rules,
        local_time: now.with_timezone(&offset).time(),
        household_exits,
        offline: !ctx.status.peek().sync.status.online,
        fever_threshold_c: ctx.visitor.peek().fever_threshold_c,
        checkin,
    }
}

/// What this phone's roster says of `pass_id`'s check-in today, and how old the roster is.
fn checkin_fact(
    ledger: &mut sync_core::Ledger,
    pass_id: &str,
    now: chrono::DateTime<Utc>,
    offset: chrono::FixedOffset,
) -> Result<CheckinFact, sync_core::LedgerError> {
    let today = now.with_timezone(&offset).date_naive();
    let checked_in_today = ledger
        .roster_pass(pass_id)?
        .and_then(|e| e.checked_in_on)
        .is_some_and(|d| d == today);
    let pulled: Option<chrono::DateTime<Utc>> =
        ledger.setting(sync_core::sync::SETTING_TRUST_PULLED_AT)?;
    let roster_stale_hours = match pulled {
        None => Some(i64::MAX),
        Some(t) if t.with_timezone(&offset).date_naive() < today => Some((now - t).num_hours()),
        Some(_) => None,
    };
    Ok(CheckinFact {
        checked_in_today,
        roster_stale_hours,
    })
}

/// Staff typed the temperature the compound requires (`None`: cancelled, nothing recorded).
pub fn temperature(ctx: Ctx, services: &Services, reading: Option<f32>) {
    let mut gate = ctx.gate;
    let step = gate.write().reduce(GateAction::Temperature(reading));
    run_step(ctx, services, step, None);
}

/// Was this subject's last admitted passage at this device an "in"?
fn inside(services: &Services, key: &str) -> bool {
    services
        .ledger()
        .ok()
        .and_then(|l| l.latest_for_subject(key).ok().flatten())
        .is_some_and(|p| p.body.direction == Direction::In)
}

/// A code from the camera or a scanner on the home screen. A patrol point's label is no pass: it
/// offers the patrol round instead of a verdict.
pub fn gate_code(ctx: Ctx, services: &Services, payload: &str, frame_t: Option<f64>) {
    if is_point_label(payload) {
        let read = services.checker().check_point(payload);
        let mut scan = ctx.scan;
        scan.write().reduce(ScanAction::PointRead(read));
        return;
    }
    let checked = services.checker().check(payload, Utc::now());
    let inside =
        !checked.pass_id.is_empty() && inside(services, &format!("pass:{}", checked.pass_id));
    let resident =
        (checked.kind == crate::ports::PassKindView::Resident).then_some(checked.pass_id.as_str());
    let rules = rule_context(ctx, services, Some(&checked.household), resident);
    let mut gate = ctx.gate;
    let step = gate.write().reduce(GateAction::Scanned {
        checked,
        payload_key: payload.to_owned(),
        inside,
        moment: moment(ctx),
        rules,
    });
    run_step(ctx, services, step, frame_t);
}

/// A pass id typed from the card, checked against this compound's roster.
pub fn typed_pass(ctx: Ctx, services: &Services, pass_id: String) {
    let roster = services
        .ledger()
        .ok()
        .and_then(|l| l.roster_pass(&pass_id).ok().flatten());
    let inside = inside(services, &format!("pass:{pass_id}"));
    let household = roster.as_ref().map(|e| e.household.clone());
    let rules = rule_context(ctx, services, household.as_deref(), Some(&pass_id));
    let mut gate = ctx.gate;
    let step = gate.write().reduce(GateAction::Typed {
        pass_id,
        roster,
        inside,
        moment: moment(ctx),
        rules,
    });
    run_step(ctx, services, step, None);
}

/// Staff tapped "host confirmed" or "refuse" on a visitor's verdict.
pub fn host_decision(ctx: Ctx, services: &Services, confirmed: bool) {
    let mut gate = ctx.gate;
    let step = gate.write().reduce(GateAction::HostDecision { confirmed });
    run_step(ctx, services, step, None);
}

/// Is `household` in this compound? Before the first roster pull nothing is known, so nothing is
/// refused here (the server still checks self-registrations).
pub fn household_known(services: &Services, household: &str) -> bool {
    services.ledger().ok().is_none_or(|l| {
        l.roster_len().unwrap_or(0) == 0 || l.roster_has_household(household).unwrap_or(true)
    })
}

/// The roster's residents whose ID number ends in `tail` (at most 20).
pub fn id_tail_matches(services: &Services, tail: &str) -> TailMatches {
    let people = services
        .ledger()
        .ok()
        .and_then(|l| l.roster_id_tail(tail, 20).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|e| TailMatch {
            pass_id: e.pass_id,
            name: e.name,
            household: e.household,
        })
        .collect();
    TailMatches {
        tail: tail.to_owned(),
        people,
    }
}

/// Roster passes registered to `plate` (none when unregistered or unreadable).
pub fn plate_roster(services: &Services, plate: &str) -> Vec<RosterEntry> {
    services
        .ledger()
        .ok()
        .and_then(|l| l.roster_plate(plate).ok())
        .unwrap_or_default()
}

/// A subject registered by a form (vehicle, visitor).
pub fn register(
    ctx: Ctx,
    services: &Services,
    subject: Subject,
    temperature_c: Option<f32>,
    fever: bool,
) {
    let plate_roster = match &subject {
        Subject::Vehicle {
            plate,
            pass_id: None,
            ..
        } => plate_roster(services, plate),
        _ => Vec::new(),
    };
    let household = match &subject {
        Subject::Visitor { host_household, .. } => Some(host_household.clone()),
        _ => None,
    };
    let rules = rule_context(ctx, services, household.as_deref(), None);
    let mut gate = ctx.gate;
    let step = gate.write().reduce(GateAction::Registered {
        subject,
        temperature_c,
        fever,
        plate_roster,
        moment: moment(ctx),
        rules,
    });
    run_step(ctx, services, step, None);
}

/// Re-read today's counts and the sync status.
pub fn refresh_counts(mut ctx: Ctx, services: &Services) {
    let config = services.checkpoint_config();
    let offset = offset_of(config.as_ref());
    let start = day_start(Utc::now(), offset);
    if let Ok(l) = services.ledger() {
        let today = l
            .day_counts(start, start + chrono::Duration::days(1))
            .unwrap_or_default();
        let inside = l.visitors_inside().map(|v| v.len() as u64).unwrap_or(0);
        drop(l);
        ctx.status.write().reduce(StatusAction::Counts {
            today,
            visitors_inside: inside,
            at: Instant::now(),
        });
    }
    // Notices come and change with each sync.
    notices::refresh(ctx, services, config.as_ref());
    duty::refresh(ctx, config.as_ref());
    // The compound's rule may have changed with the last sync.
    let id_required = config.is_some_and(|c| c.rules.visitors_need_id);
    if ctx.visitor.peek().id_required != id_required {
        let mut form = ctx.visitor;
        form.write()
            .reduce(crate::state::visitor::VisitorAction::IdRequired(
                id_required,
            ));
    }
    let snapshot = services.sync_snapshot();
    if ctx.status.peek().sync != snapshot {
        ctx.status.write().reduce(StatusAction::Sync(snapshot));
    }
}

/// Append one journal entry the way every screen does: as the staff on duty, with the clock
/// offset, now; on success the sync engine is nudged and the pending count moves. `record` does
/// the append with those and says, in staff's words, what went wrong.
pub fn append_entry<T>(
    mut ctx: Ctx,
    services: &Services,
    record: impl FnOnce(
        &mut sync_core::Ledger,
        &str,
        Option<i64>,
        chrono::DateTime<Utc>,
    ) -> Result<T, crate::state::recorded::Words>,
) -> Result<T, crate::state::recorded::Words> {
    let staff = duty::staff_name(ctx);
    let offset = ctx.status.peek().sync.status.clock_offset_ms;
    let result = services
        .ledger()
        .map_err(|e| crate::state::recorded::Words::of(&e))
        .and_then(|mut l| record(&mut l, &staff, offset, Utc::now()));
    if result.is_ok() {
        services.passage_added();
        ctx.status.write().reduce(StatusAction::Appended);
    }
    result
}

/// A camera still (a data URL) compressed under the photo cap and stored in the ledger's photo
/// directory before any entry names it: its SHA-256, or why not in staff's words.
pub fn store_still(
    services: &Services,
    taken: Result<String, crate::state::recorded::Words>,
) -> Result<String, crate::state::recorded::Words> {
    use crate::state::recorded::Words;
    let stored = taken.and_then(|url| {
        let max = services
            .ledger()
            .map_err(|e| Words::of(&e))?
            .photo_max_bytes()
            .map_err(|e| Words::of(&e))?;
        let jpeg = crate::services::patrol::compress_still(&url, max)?;
        services
            .ledger()
            .map_err(|e| Words::of(&e))?
            .store_photo(&jpeg)
            .map_err(|e| Words::of(&e))
    });
    if let Err(w) = &stored {
        tracing::warn!("photo not kept: {}", w.en);
    }
    stored
}
