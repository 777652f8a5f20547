//! The status line and sync screen: pending count, offline banner, last sync, clock warning, "sync now".

use std::time::Instant;

use sync_core::i18n::Lang;
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
                    && !s.status.syncing
                    && s.status.last_success_at != self.sync.status.last_success_at
                {
                    self.sync_requested = false;
                }
                if self.sync_requested
                    && s.status.last_error_en.is_some()
                    && s.status.last_error_en != self.sync.status.last_error_en
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
            StatusAction::Appended => self.sync.status.pending += 1,
            StatusAction::SyncNow => self.sync_requested = true,
        }
    }

    /// The offline banner shows when enrolled and the server is not reachable.
    pub fn offline(&self) -> bool {
        self.sync.enrolled && !self.sync.status.online
    }

    /// What the sync screen says of the server: "online" only when the last contact succeeded
    /// and no error stands beside it.
    pub fn server_line(&self) -> ServerLine {
        let s = &self.sync.status;
        match (self.sync.enrolled, s.online, s.last_error_en.is_some()) {
            (false, _, _) => ServerLine::NotEnrolled,
            (true, false, _) => ServerLine::Offline,
            (true, true, true) => ServerLine::ReachedLastSyncFailed,
            (true, true, false) => ServerLine::Online,
        }
    }
}

/// The sync screen's one line about the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerLine {
    NotEnrolled,
    /// The last contact succeeded.
    Online,
    /// The server answered, but the last round failed (the error is shown below).
    ReachedLastSyncFailed,
    /// The last contact failed: no answer.
    Offline,
}

impl ServerLine {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::NotEnrolled => ("未登记", "Not enrolled"),
            Self::Online => ("在线", "Online"),
            Self::ReachedLastSyncFailed => ("已连接，上次同步失败", "Reached, last sync failed"),
            Self::Offline => ("离线", "Offline"),
        };
        crate::text::tr(lang, zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use sync_core::sync::SyncStatus;

    fn enrolled(status: SyncStatus) -> SyncSnapshot {
        SyncSnapshot {
            enrolled: true,
            status,
            ..Default::default()
        }
    }

    #[test]
    fn offline_banner_pending_and_sync_now() {
        let mut s = StatusState::default();
        assert!(!s.offline(), "not enrolled: no banner");
        assert_eq!(s.server_line(), ServerLine::NotEnrolled);
        s.reduce(StatusAction::Sync(enrolled(SyncStatus::default())));
        assert!(s.offline());
        s.reduce(StatusAction::Appended);
        s.reduce(StatusAction::Appended);
        assert_eq!(s.sync.status.pending, 2);
        s.reduce(StatusAction::SyncNow);
        assert!(s.sync_requested);
        s.reduce(StatusAction::Sync(enrolled(SyncStatus {
            online: true,
            last_success_at: Some(Utc::now()),
            ..Default::default()
        })));
        assert!(!s.sync_requested);
        assert!(!s.offline());
        assert_eq!(s.sync.status.pending, 0);
        let mut late = s.sync.status.clone();
        late.clock_offset_ms = Some(-400_000);
        s.reduce(StatusAction::Sync(enrolled(late)));
        assert!(s.sync.clock_warning());
    }

    #[test]
    fn failed_sync_now_ends_the_request() {
        let mut s = StatusState::default();
        s.reduce(StatusAction::SyncNow);
        s.reduce(StatusAction::Sync(enrolled(SyncStatus {
            last_error_en: Some("server unreachable".into()),
            ..Default::default()
        })));
        assert!(!s.sync_requested);
    }

    #[test]
    fn the_server_line_never_says_online_beside_a_failure() {
        let mut s = StatusState::default();
        s.reduce(StatusAction::Sync(enrolled(SyncStatus {
            online: true,
            last_error_en: Some("the district server had a problem (HTTP 500)".into()),
            last_error_zh: Some("区级服务器出错（HTTP 500），稍后自动重试".into()),
            ..Default::default()
        })));
        assert_eq!(s.server_line(), ServerLine::ReachedLastSyncFailed);
        s.reduce(StatusAction::Sync(enrolled(SyncStatus {
            online: false,
            last_error_en: Some("the district server cannot be reached".into()),
            ..Default::default()
        })));
        assert_eq!(s.server_line(), ServerLine::Offline);
        s.reduce(StatusAction::Sync(enrolled(SyncStatus {
            online: true,
            ..Default::default()
        })));
        assert_eq!(s.server_line(), ServerLine::Online);
        for line in [
            ServerLine::Online,
            ServerLine::Offline,
            ServerLine::ReachedLastSyncFailed,
        ] {
            assert!(!line.text(Lang::ZhCn).is_empty() && !line.text(Lang::En).is_empty());
        }
    }
}
