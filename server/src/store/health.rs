//! Daily health check-ins from residents' own phones: stored once by their id (a repeat upload is
//! "duplicate"), a second one of the same member and day as the next version (the earlier kept), a
//! member's first check-in of a day stamping their pass into the roster delta so gates learn
//! 今日已打卡; the counts per compound and household for a day, and the flagged ones for follow-up.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sync_core::health::{Checkin, CheckinError, CheckinReceipt, CheckinRefusal};
use sync_core::i18n::{Lang, Localized};

use super::passes::touch_roster;
use super::{DbError, FromRow, HouseholdLink, Row, Store};

/// What the upload's sender is and the day and threshold its declarations are checked against.
#[derive(Debug, Clone, Copy)]
pub struct CheckinContext<'a> {
    pub link: &'a HouseholdLink,
    pub phone_id: &'a str,
    pub today: NaiveDate,
    pub fever_threshold_c: f32,
    pub now_ms: i64,
}

/// One household's check-ins on a day: its live resident passes, those who checked in, and those
/// whose latest declaration is flagged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckinCount {
    pub members: i64,
    pub checked_in: i64,
    pub flagged: i64,
}

impl CheckinCount {
    pub fn not_checked_in(&self) -> i64 {
        (self.members - self.checked_in).max(0)
    }

    pub fn add(&mut self, other: &CheckinCount) {
        self.members += other.members;
        self.checked_in += other.checked_in;
        self.flagged += other.flagged;
    }
}

/// A flagged declaration (fever or symptoms) for the community office to follow up.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedCheckin {
    pub compound_id: String,
    pub household: String,
    pub pass_id: String,
    pub name: String,
    pub day: String,
    pub temperature_c: f64,
    pub symptoms: String,
    pub left_city_to: Option<String>,
    pub version: i64,
}

fn refusal(id: &str, e: &CheckinError) -> CheckinRefusal {
    CheckinRefusal {
        id: id.to_owned(),
        zh: e.message(Lang::ZhCn),
        en: e.message(Lang::En),
    }
}

impl Store {
    /// Store an upload's declarations; each one is stored, a duplicate, or refused with its reason.
    pub async fn save_checkins(
        &self,
        ctx: CheckinContext<'_>,
        checkins: &[Checkin],
    ) -> Result<CheckinReceipt, DbError> {
        let members = self
            .household_residents(&ctx.link.compound_id, &ctx.link.household)
            .await?;
        let mut receipt = CheckinReceipt::default();
        for c in checkins {
            let checked = c.check(ctx.today).and_then(|()| {
                members
                    .contains(&c.pass_id)
                    .then_some(())
                    .ok_or_else(|| CheckinError::NotOfHousehold(c.pass_id.clone()))
            });
            if let Err(e) = checked {
                receipt.refused.push(refusal(&c.id, &e));
                continue;
            }
            if self.save_checkin(&ctx, c).await? {
                receipt.stored.push(c.id.clone());
            } else {
                receipt.duplicate.push(c.id.clone());
            }
        }
        Ok(receipt)
    }

    /// The pass ids of a household's resident passes (any serial, revoked or not: a declaration
    /// made before a revocation still belongs to the member).
    async fn household_residents(
        &self,
        compound_id: &str,
        household: &str,
    ) -> Result<Vec<String>, DbError> {
        let rows: Vec<(String,)> = self
            .query_as(
                "SELECT DISTINCT pass_id FROM passes
                 WHERE compound_id = $1 AND household = $2 AND kind = 'resident'",
                vec![compound_id.into(), household.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// False when this declaration's id was stored before.
    async fn save_checkin(&self, ctx: &CheckinContext<'_>, c: &Checkin) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        let day = c.day.to_string();
        let (latest,): (Option<i64>,) = tx
            .query_opt(
                "SELECT MAX(version) FROM health_checkins WHERE pass_id = $1 AND day = $2",
                vec![c.pass_id.as_str().into(), day.as_str().into()],
            )
            .await?
            .unwrap_or((None,));
        let version = latest.unwrap_or(0) + 1;
        let stored = !tx
            .rows(
                "INSERT INTO health_checkins (id, compound_id, household, pass_id, day, version,
                 temperature_c, symptoms, left_city_to, flagged, declared_at_ms, received_at_ms,
                 phone_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (id) DO NOTHING RETURNING id",
                vec![
                    c.id.as_str().into(),
                    ctx.link.compound_id.as_str().into(),
                    ctx.link.household.as_str().into(),
                    c.pass_id.as_str().into(),
                    day.into(),
                    version.into(),
                    f64::from(c.temperature_c).into(),
                    c.symptom_words().into(),
                    c.left_city_to.as_deref().map(str::trim).into(),
                    i64::from(c.flagged(ctx.fever_threshold_c)).into(),
                    c.declared_at.timestamp_millis().into(),
                    ctx.now_ms.into(),
                    ctx.phone_id.into(),
                ],
            )
            .await?
            .is_empty();
        if stored && version == 1 {
            // The gates' rosters carry the member's latest check-in day.
            touch_roster(&mut tx, &c.pass_id).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// A compound's check-ins on `day`, per household (households with live resident passes).
    pub async fn checkins_by_household(
        &self,
        compound_id: &str,
        day: NaiveDate,
        now_ms: i64,
    ) -> Result<BTreeMap<String, CheckinCount>, DbError> {
        let members: Vec<(String, i64)> = self
            .query_as(
                "SELECT household, COUNT(DISTINCT pass_id) FROM passes p
                 WHERE compound_id = $1 AND kind = 'resident' AND revoked_at_ms IS NULL
                   AND valid_until_ms > $2
                   AND serial = (SELECT MAX(serial) FROM passes q WHERE q.pass_id = p.pass_id)
                 GROUP BY household",
                vec![compound_id.into(), now_ms.into()],
            )
            .await?;
        let mut out: BTreeMap<String, CheckinCount> = members
            .into_iter()
            .map(|(h, n)| {
                let count = CheckinCount {
                    members: n,
                    ..CheckinCount::default()
                };
                (h, count)
            })
            .collect();
        // The latest version of each member's declaration decides "flagged".
        let rows: Vec<(String, i64)> = self
            .query_as(
                "SELECT household, flagged FROM health_checkins h
                 WHERE compound_id = $1 AND day = $2
                   AND version = (SELECT MAX(version) FROM health_checkins g
                                  WHERE g.pass_id = h.pass_id AND g.day = h.day)",
                vec![compound_id.into(), day.to_string().into()],
            )
            .await?;
        for (household, flagged) in rows {
            let c = out.entry(household).or_default();
            c.checked_in += 1;
            c.flagged += i64::from(flagged != 0);
        }
        Ok(out)
    }

    /// The pass ids of a household that checked in on `day`.
    pub async fn checked_in_on(
        &self,
        compound_id: &str,
        household: &str,
        day: NaiveDate,
    ) -> Result<Vec<String>, DbError> {
        let rows: Vec<(String,)> = self
            .query_as(
                "SELECT DISTINCT pass_id FROM health_checkins
                 WHERE compound_id = $1 AND household = $2 AND day = $3",
                vec![compound_id.into(), household.into(), day.to_string().into()],
            )
            .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// A compound's check-ins on `day`, all households together.
    pub async fn checkin_count(
        &self,
        compound_id: &str,
        day: NaiveDate,
        now_ms: i64,
    ) -> Result<CheckinCount, DbError> {
        let mut total = CheckinCount::default();
        for c in self
            .checkins_by_household(compound_id, day, now_ms)
            .await?
            .values()
        {
            total.add(c);
        }
        Ok(total)
    }

    /// The flagged declarations (latest versions) of the district from `from` to `to`, newest day
    /// first, with the member's name for the follow-up call.
    pub async fn flagged_checkins(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FlaggedCheckin>, DbError> {
        self.query_as(
            "SELECT h.compound_id, h.household, h.pass_id,
                    COALESCE((SELECT MAX(p.display_name) FROM passes p WHERE p.pass_id = h.pass_id), ''),
                    h.day, h.temperature_c, h.symptoms, h.left_city_to, h.version
             FROM health_checkins h
             WHERE h.day >= $1 AND h.day <= $2 AND h.flagged = 1
               AND h.version = (SELECT MAX(version) FROM health_checkins g
                                WHERE g.pass_id = h.pass_id AND g.day = h.day)
             ORDER BY h.day DESC, h.compound_id, h.household, h.pass_id",
            vec![from.to_string().into(), to.to_string().into()],
        )
        .await
    }
}

impl FromRow for FlaggedCheckin {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            compound_id: r.get(0)?,
            household: r.get(1)?,
            pass_id: r.get(2)?,
            name: r.get(3)?,
            day: r.get(4)?,
            temperature_c: r.get(5)?,
            symptoms: r.get(6)?,
            left_city_to: r.get(7)?,
            version: r.get(8)?,
        })
    }
}
