//! The visitor form's lookups in the journal: a returning visitor by phone number.

use chrono::Utc;
use sync_core::Subject;

use crate::services::Services;
use crate::state::visitor::Returning;

/// The last admitted visit of the visitor with this (valid, normalised) phone number, when it
/// was recent enough to offer filling the form in. A journal that cannot be read offers nothing.
pub fn returning_visitor(services: &Services, phone: &str) -> Option<Returning> {
    let probe = Subject::Visitor {
        name: String::new(),
        phone: phone.to_owned(),
        id_number: None,
        host_household: String::new(),
        reason: String::new(),
        plate: None,
        visitor_pass_id: None,
    };
    let ledger = services.ledger().ok()?;
    let last = ledger
        .latest_for_subject(&probe.key())
        .map_err(|e| tracing::warn!("returning visitor not looked up: {e}"))
        .ok()??;
    Returning::from_last_visit(&last.body.subject, last.body.recorded_at, Utc::now())
}
