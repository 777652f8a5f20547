//! The journal's month partitions on PostgreSQL (migration 0029): the months made ahead of time
//! by the retention job, and the expired months dropped whole by the purge. SQLite keeps one
//! table per kind; its backend has no statements for either.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use super::{DbError, Stmt, Store};

/// Months made after the current one, so the month to come exists before its first record.
pub const MONTHS_AHEAD: u32 = 2;

/// The first days of the UTC months from the one holding `oldest` to [`MONTHS_AHEAD`] after the
/// one holding `now`, as `YYYY-MM-01`.
pub fn months_to_make(oldest: DateTime<Utc>, now: DateTime<Utc>) -> Vec<String> {
    let first = |t: DateTime<Utc>| NaiveDate::from_ymd_opt(t.year(), t.month(), 1);
    let (Some(mut month), Some(current)) = (first(oldest), first(now)) else {
        return Vec::new();
    };
    let last = current
        .checked_add_months(Months::new(MONTHS_AHEAD))
        .unwrap_or(current);
    let mut months = Vec::new();
    while month <= last {
        months.push(month.format("%Y-%m-01").to_string());
        match month.checked_add_months(Months::new(1)) {
            Some(next) => month = next,
            None => break,
        }
    }
    months
}

/// PostgreSQL: make the month of both journal tables if missing (true for each made).
pub(crate) fn make_month_stmt(month: &str) -> Stmt {
    Stmt::new(
        "SELECT journal_month_partition('passages', CAST(CAST($1 AS TEXT) AS DATE)),
                journal_month_partition('entries', CAST(CAST($1 AS TEXT) AS DATE))",
        vec![month.into()],
    )
}

/// PostgreSQL: drop the months of both tables that ended by the cutoff (their rows counted per
/// device as purged; the rows dropped per table), then the exactly-once keys of every record
/// before the cutoff (the rest of its rows go by the purge's deletes in the same transaction).
pub(crate) fn drop_month_stmts(cutoff_ms: i64) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "SELECT journal_drop_partitions('passages', $1), journal_drop_partitions('entries', $1)",
            vec![cutoff_ms.into()],
        ),
        Stmt::new(
            "DELETE FROM journal_keys WHERE corrected_at_ms < $1",
            vec![cutoff_ms.into()],
        ),
    ]
}

impl Store {
    /// Make the journal's months from the one holding `oldest` to two after now, where the
    /// backend partitions it; how many partitions were made (0 on SQLite, and once they exist).
    pub async fn make_months(
        &self,
        oldest: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, DbError> {
        let mut made = 0;
        for month in months_to_make(oldest, now) {
            let Some(stmt) = self.backend.month_stmt(&month) else {
                return Ok(0);
            };
            for (passages, entries) in self
                .query_as::<(bool, bool)>(&stmt.sql, stmt.params)
                .await?
            {
                made += u64::from(passages) + u64::from(entries);
            }
        }
        Ok(made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn months_run_from_the_oldest_to_two_after_now() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
        assert_eq!(
            months_to_make(at(2026, 11, 7), at(2026, 12, 5)),
            ["2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"]
        );
        assert_eq!(
            months_to_make(at(2026, 12, 31), at(2026, 12, 31)),
            ["2026-12-01", "2027-01-01", "2027-02-01"]
        );
        assert!(months_to_make(at(2027, 6, 1), at(2026, 12, 1)).is_empty());
    }
}
