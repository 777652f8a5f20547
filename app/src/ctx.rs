//! Shared UI state as typed context: one signal per state struct, and the hooks that fetch them.

use dioxus::prelude::*;
use sync_core::i18n::Lang;

use crate::services::Services;
use crate::state::{
    checkin::CheckinState, duty::DutyState, enroll::EnrollState, gate::GateFlow,
    handbook::HandbookState, incident::IncidentState, invite::InviteState, notices::NoticesState,
    pad::NumberPad, patrol::PatrolState, records::RecordsState, scan::ScanState, settings::Prefs,
    status::StatusState, vehicle::VehicleState, verdict::VerdictState, visitor::VisitorForm,
    wallet::Wallet,
};

#[derive(Clone, Copy)]
pub struct Ctx {
    pub prefs: Signal<Prefs>,
    pub scan: Signal<ScanState>,
    pub gate: Signal<GateFlow>,
    pub verdict: Signal<VerdictState>,
    pub status: Signal<StatusState>,
    pub vehicle: Signal<VehicleState>,
    pub visitor: Signal<VisitorForm>,
    pub records: Signal<RecordsState>,
    pub enroll: Signal<EnrollState>,
    pub wallet: Signal<Wallet>,
    /// The temperature pad's typed digits.
    pub pad: Signal<NumberPad>,
    pub patrol: Signal<PatrolState>,
    /// The incident report being filled in, and today's incidents.
    pub incident: Signal<IncidentState>,
    /// The gate handbook as the last sync stored it, the search and the open section.
    pub handbook: Signal<HandbookState>,
    /// Who is on duty, the roster and the PIN sign-on.
    pub duty: Signal<DutyState>,
    /// The notices from the signed config and this phone's receipts.
    pub notices: Signal<NoticesState>,
    /// Resident mode: the daily health check-in form and the queue on this phone.
    pub checkin: Signal<CheckinState>,
    /// Resident mode: visitor invitations.
    pub invite: Signal<InviteState>,
    /// The frame-capture time (JS ms) of the code behind the verdict on screen, for latency figures.
    pub frame_t: Signal<Option<f64>>,
}

/// Create every signal from what the ledger holds, and provide them (call once, in the root).
pub fn provide(services: &Services) -> Ctx {
    let id_required = services
        .checkpoint_config()
        .is_some_and(|c| c.rules.visitors_need_id);
    let (prefs, wallet, checkins, checkpoint_id, fever) = match services.ledger() {
        Ok(l) => {
            let config = crate::services::checkpoint_config(&l);
            (
                crate::services::load_prefs(&l),
                crate::services::load_wallet(&l),
                crate::services::household::load_checkins(&l),
                config
                    .as_ref()
                    .map(|c| c.checkpoint_id.clone())
                    .unwrap_or_default(),
                config
                    .map(|c| c.fever_threshold_c)
                    .unwrap_or(sync_core::validate::DEFAULT_FEVER_THRESHOLD_C),
            )
        }
        Err(_) => Default::default(),
    };
    let duty = crate::flows::duty::restored(services);
    let direction = prefs.direction;
    let sync = services.sync_snapshot();
    let ctx = Ctx {
        prefs: Signal::new(prefs),
        scan: Signal::new(ScanState::new(direction)),
        gate: Signal::new(GateFlow::new(checkpoint_id)),
        verdict: Signal::new(VerdictState::default()),
        status: Signal::new(StatusState {
            sync,
            ..Default::default()
        }),
        vehicle: Signal::new(VehicleState::new()),
        visitor: Signal::new({
            let mut form = VisitorForm::new(fever);
            form.reduce(crate::state::visitor::VisitorAction::IdRequired(
                id_required,
            ));
            form
        }),
        records: Signal::new(RecordsState::default()),
        enroll: Signal::new(EnrollState::default()),
        wallet: Signal::new(wallet),
        pad: Signal::new(NumberPad::default()),
        patrol: Signal::new(PatrolState::default()),
        incident: Signal::new(IncidentState::default()),
        handbook: Signal::new(HandbookState::default()),
        notices: Signal::new(NoticesState::default()),
        duty: Signal::new(duty),
        checkin: Signal::new(checkins),
        invite: Signal::new(InviteState::default()),
        frame_t: Signal::new(None),
    };
    provide_context(ctx);
    provide_context(services.clone());
    crate::flows::refresh_counts(ctx, services);
    ctx
}

pub fn use_ctx() -> Ctx {
    use_context::<Ctx>()
}

pub fn use_services() -> Services {
    use_context::<Services>()
}

/// The UI language now.
pub fn use_lang() -> Lang {
    use_ctx().prefs.read().lang
}
