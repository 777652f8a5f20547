//! The status line and sync screen: pending count, offline banner, last sync, clock warning, "sync now".

use std::time::Instant;

use sync_core::ledger::DayCounts;

use crate::ports::SyncSnapshot;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusState {
    pub sync: SyncSnapshot,
    pub today: DayCounts,
    pub visitors_inside: u64,
    /// "Sync now" was tapped and has not finished.
    pub sync_requested: bool,
    pub last_refresh: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusAction {
    Sync(SyncSnapshot),
    Counts {
        today: DayCounts,
        visitors_inside: u64,
        at: Instant,
    },
    /// A passage was appended: one more pending, before the engine reports.
    Appended,
    SyncNow,
}

impl StatusState {
    pub fn reduce(&mut self, action: StatusAction) {
        match action {
            StatusAction::Sync(s) => {
                if self.sync_requested
                    && !s.syncing
                    && s.last_success_at != self.sync.last_success_at
                {
                    self.sync_requested = false;
                }
                if self.sync_requested
                    && s.last_error_en.is_some()
                    && s.last_error_en != self.sync.last_error_en
                {
                    self.sync_requested = false;
                }
                self.sync = s;
            }
            StatusAction::Counts {
                today,
                visitors_inside,
                at,
            } => {
                self.today = today;
                self.visitors_inside = visitors_inside;
                self.last_refresh = Some(at);
            }
            StatusAction::Appended => self.sync.pending += 1,
            StatusAction::SyncNow => self.sync_requested = true,
        }
    }

    /// The offline banner shows when enrolled and the server is not reachable.
    pub fn offline(&self) -> bool {
        self.sync.enrolled && !self.sync.online
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn offline_banner_pending_and_sync_now() {
        let mut s = StatusState::default();
        assert!(!s.offline(), "not enrolled: no banner");
        s.reduce(StatusAction::Sync(SyncSnapshot {
            enrolled: true,
            online: false,
            ..Default::default()
        }));
        assert!(s.offline());
        s.reduce(StatusAction::Appended);
        s.reduce(StatusAction::Appended);
        assert_eq!(s.sync.pending, 2);
        s.reduce(StatusAction::SyncNow);
        assert!(s.sync_requested);
        s.reduce(StatusAction::Sync(SyncSnapshot {
            enrolled: true,
            online: true,
            last_success_at: Some(Utc::now()),
            ..Default::default()
        }));
        assert!(!s.sync_requested);
        assert!(!s.offline());
        assert_eq!(s.sync.pending, 0);
        s.reduce(StatusAction::Sync(SyncSnapshot {
            clock_offset_ms: Some(-400_000),
            ..s.sync.clone()
        }));
        assert!(s.sync.clock_warning());
    }

    #[test]
    fn failed_sync_now_ends_the_request() {
        let mut s = StatusState::default();
        s.reduce(StatusAction::SyncNow);
        s.reduce(StatusAction::Sync(SyncSnapshot {
            enrolled: true,
            last_error_en: Some("server unreachable".into()),
            ..Default::default()
        }));
        assert!(!s.sync_requested);
    }
}
