//! The records screen: today's passages newest first, filters and search, rows with PII masked.

use chrono::{DateTime, FixedOffset, Utc};
use sync_core::i18n::Lang;
use sync_core::ledger::{RecordFilter, UploadState};
use sync_core::{Direction, Passage, Subject, SubjectKind, Verdict};

use crate::text::{mask_id_number, mask_name, mask_phone, tr};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordsState {
    pub kind: Option<SubjectKind>,
    pub direction: Option<Direction>,
    pub search: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsAction {
    Kind(Option<SubjectKind>),
    Direction(Option<Direction>),
    Search(String),
    ClearFilters,
}

impl RecordsState {
    pub fn reduce(&mut self, action: RecordsAction) {
        match action {
            RecordsAction::Kind(k) => self.kind = k,
            RecordsAction::Direction(d) => self.direction = d,
            RecordsAction::Search(s) => self.search = s,
            RecordsAction::ClearFilters => *self = Self::default(),
        }
    }

    /// The ledger filter for the day `[day_start, day_start + 24 h)`.
    pub fn filter(&self, day_start: DateTime<Utc>) -> RecordFilter {
        RecordFilter {
            from: Some(day_start),
            until: Some(day_start + chrono::Duration::days(1)),
            kind: self.kind,
            direction: self.direction,
            text: Some(self.search.trim().to_owned()).filter(|t| !t.is_empty()),
            limit: 200,
        }
    }
}

/// One line of the list, ready to show (nothing unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub seq: u64,
    pub time: String,
    pub kind: SubjectKind,
    pub direction: Direction,
    pub admitted: bool,
    pub title: String,
    pub detail: String,
    pub upload: UploadState,
}

/// Build a row; `offset` is the district's time zone for the clock time shown.
pub fn row(p: &Passage, upload: UploadState, offset: FixedOffset, lang: Lang) -> RecordRow {
    let b = &p.body;
    let (title, mut detail) = match &b.subject {
        Subject::Resident {
            pass_id,
            household,
            name,
        } => (
            name.clone().unwrap_or_else(|| pass_id.clone()),
            household.clone(),
        ),
        Subject::Vehicle {
            plate, occupants, ..
        } => (
            plate.clone(),
            format!("{} {occupants}", tr(lang, "车内人数", "aboard")),
        ),
        Subject::Visitor {
            name,
            phone,
            id_number,
            host_household,
            ..
        } => {
            let mut d = mask_phone(phone);
            if let Some(id) = id_number {
                d = format!("{d} · {}", mask_id_number(id));
            }
            (mask_name(name), format!("{d} → {host_household}"))
        }
        Subject::Staff { pass_id, name } => (
            name.clone().unwrap_or_else(|| pass_id.clone()),
            tr(lang, "工作人员", "staff").to_owned(),
        ),
    };
    if let Verdict::Denied { reason } = b.verdict {
        detail = format!("{detail} · {}", super::gate::deny_reason_text(reason, lang));
    }
    RecordRow {
        seq: b.seq,
        time: b
            .recorded_at
            .with_timezone(&offset)
            .format("%H:%M:%S")
            .to_string(),
        kind: b.subject.kind(),
        direction: b.direction,
        admitted: b.verdict.is_admitted(),
        title,
        detail,
        upload,
    }
}

/// The start of "today" in the district's time zone, as UTC.
pub fn day_start(now: DateTime<Utc>, offset: FixedOffset) -> DateTime<Utc> {
    let local = now.with_timezone(&offset).date_naive();
    local
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(offset).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sync_core::Ledger;

    fn cst() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn filters_search_and_masking_against_a_real_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        for i in 0..9 {
            ledger
                .append(sync_core::fixtures::sample_passage(i, start))
                .unwrap();
        }
        let day = day_start(start, cst());
        assert_eq!(day, Utc.with_ymd_and_hms(2026, 11, 29, 16, 0, 0).unwrap());

        let mut s = RecordsState::default();
        let all = ledger.records(&s.filter(day)).unwrap();
        assert_eq!(all.len(), 9);
        assert!(all[0].body.seq > all[8].body.seq, "newest first");

        s.reduce(RecordsAction::Kind(Some(SubjectKind::Visitor)));
        let visitors = ledger.records(&s.filter(day)).unwrap();
        assert_eq!(visitors.len(), 3);
        let r = row(&visitors[0], UploadState::Pending, cst(), Lang::En);
        assert_eq!(r.title, "李*");
        assert!(r.detail.contains("138****"), "{}", r.detail);
        assert!(r.detail.contains("110***********002X"), "{}", r.detail);
        assert!(!r.detail.contains("11010519491231002X"));

        s.reduce(RecordsAction::ClearFilters);
        s.reduce(RecordsAction::Search("002x".into()));
        assert_eq!(
            ledger.records(&s.filter(day)).unwrap().len(),
            3,
            "ID tail search"
        );
        s.reduce(RecordsAction::Search("京A00001".into()));
        assert_eq!(
            ledger.records(&s.filter(day)).unwrap().len(),
            1,
            "plate search"
        );
        s.reduce(RecordsAction::Search(String::new()));
        s.reduce(RecordsAction::Direction(Some(Direction::Out)));
        assert_eq!(ledger.records(&s.filter(day)).unwrap().len(), 4);
        // Another day shows nothing of today's.
        let tomorrow = day + chrono::Duration::days(1);
        assert!(ledger.records(&s.filter(tomorrow)).unwrap().is_empty());
    }

    #[test]
    fn row_shows_local_time_and_denial_reason() {
        let start = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
        let p = ledger
            .append(sync_core::fixtures::sample_passage(0, start))
            .unwrap();
        let r = row(
            &p,
            UploadState::Rejected {
                reason: "bad".into(),
            },
            cst(),
            Lang::ZhCn,
        );
        assert_eq!(r.time, "09:00:00");
        assert!(
            r.detail.ends_with("已过期"),
            "sample 0 is denied (expired): {}",
            r.detail
        );
        assert!(!r.admitted);
    }
}
