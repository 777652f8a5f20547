//! Incident screen events: read the checkpoint and today's incidents into the incident state,
//! append a report and tell the state what the ledger answered, keep a camera still as one of its
//! photos. The decisions live in `state::incident`.

use chrono::Utc;
use dioxus::prelude::*;

use crate::ctx::Ctx;
use crate::services::incident::{read_incidents, record_report, upload_states};
use crate::services::Services;
use crate::state::incident::IncidentAction;
use crate::state::recorded::Words;
use crate::state::records::day_start;

/// Re-read the checkpoint, the incidents recorded since the last read (today's) and the upload
/// state of those not settled yet.
pub fn refresh(ctx: Ctx, services: &Services) {
    let mut incident = ctx.incident;
    let config = services.checkpoint_config();
    let checkpoint_id = config
        .as_ref()
        .map(|c| c.checkpoint_id.clone())
        .unwrap_or_default();
    if incident.peek().checkpoint_id != checkpoint_id {
        incident
            .write()
            .reduce(IncidentAction::Checkpoint(checkpoint_id));
    }
    let since = day_start(Utc::now(), super::district_offset(services));
    let (read_to, unsettled) = {
        let s = incident.peek();
        (s.read_to, s.unsettled())
    };
    let Ok(ledger) = services.ledger().map_err(|e| tracing::warn!("{e}")) else {
        return;
    };
    let uploads = upload_states(&ledger, &unsettled);
    let read = read_incidents(&ledger, read_to, since);
    drop(ledger);
    match uploads {
        Ok(u) if !u.is_empty() => {
            incident.write().reduce(IncidentAction::Uploads(u));
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("incident upload states unreadable: {e}"),
    }
    match read {
        Ok((records, read_to)) => {
            incident.write().reduce(IncidentAction::Ledger {
                records,
                read_to,
                since,
            });
        }
        Err(e) => tracing::warn!("incidents unreadable: {e}"),
    }
}

/// Apply an action; when it makes a report, append it and report the ledger's answer.
pub fn act(mut ctx: Ctx, services: &Services, action: IncidentAction) {
    let report = ctx.incident.write().reduce(action);
    let Some(report) = report else {
        return;
    };
    let result = super::append_entry(ctx, services, |l, staff, offset, now| {
        record_report(l, &report, staff, offset, now)
    });
    ctx.incident.write().reduce(IncidentAction::Appended {
        report: Box::new(report),
        result,
    });
}

/// The still the camera took for the report (a data URL), compressed and stored before any entry
/// names it.
pub fn still(ctx: Ctx, services: &Services, taken: Result<String, Words>) {
    let stored = super::store_still(services, taken);
    act(ctx, services, IncidentAction::Photo(stored));
}
