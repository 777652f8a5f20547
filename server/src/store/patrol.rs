//! Patrol points, routes and schedule versions (each change audited in its transaction), the
//! stored facts of patrol checks, and when a checkpoint's phones were last fully synced.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime};
use sync_core::patrol::{CheckFact, FactStep, PatrolRoute, PointOutcome, RoutePoint, Schedule};

use super::changes::{audit_in, entry};
use super::{DbError, Store};

/// A patrol point as the admin pages show and edit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    pub point_id: String,
    pub compound_id: String,
    pub name: String,
    pub description: String,
    pub location: String,
}

/// A route as saved from the admin page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    pub route_id: String,
    pub compound_id: String,
    pub checkpoint_id: String,
    pub name: String,
    pub ordered: bool,
    pub point_ids: Vec<String>,
}

/// Which routes to read.
#[derive(Debug, Clone, Copy)]
pub enum RoutesOf<'a> {
    Compound(&'a str),
    Checkpoint(&'a str),
}

/// A new short id (`pt-…`, `rt-…`): the random tail of a UUIDv7, so it fits a point label.
pub fn new_patrol_id(prefix: &str) -> String {
    let hex = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}-{}", &hex[hex.len() - 10..])
}

fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn parse_hm(s: &str) -> Result<NaiveTime, DbError> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|e| DbError::Invalid(format!("stored schedule time {s:?}: {e}")))
}

impl Store {
    /// The points of `compound`, by name.
    pub async fn patrol_points(&self, compound: &str) -> Result<Vec<PointRow>, DbError> {
        let rows: Vec<(String, String, String, String, String)> = self
            .query_as(
                "SELECT point_id, compound_id, name, description, location FROM patrol_points
                 WHERE compound_id = $1 ORDER BY name, point_id",
                vec![compound.into()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(point_id, compound_id, name, description, location)| PointRow {
                    point_id,
                    compound_id,
                    name,
                    description,
                    location,
                },
            )
            .collect())
    }

    /// Add a point or change one (its id and compound stay), audited.
    pub async fn save_patrol_point(
        &self,
        p: &PointRow,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO patrol_points (point_id, compound_id, name, description, location,
             created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (point_id) DO UPDATE SET name = excluded.name,
             description = excluded.description, location = excluded.location",
            vec![
                p.point_id.as_str().into(),
                p.compound_id.as_str().into(),
                p.name.as_str().into(),
                p.description.as_str().into(),
                p.location.as_str().into(),
                now_ms.into(),
            ],
        )
        .await?;
        let detail = format!(
            "patrol point {} of {}: {}",
            p.point_id, p.compound_id, p.name
        );
        audit_in(&mut tx, entry(actor, now_ms, "patrol_point", detail)).await?;
        tx.commit().await
    }

    /// Add a route or replace one's name, checkpoint, order and points, audited.
    pub async fn save_patrol_route(
        &self,
        r: &RouteRow,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO patrol_routes (route_id, compound_id, checkpoint_id, name, ordered,
             created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (route_id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id,
             name = excluded.name, ordered = excluded.ordered",
            vec![
                r.route_id.as_str().into(),
                r.compound_id.as_str().into(),
                r.checkpoint_id.as_str().into(),
                r.name.as_str().into(),
                i64::from(r.ordered).into(),
                now_ms.into(),
            ],
        )
        .await?;
        tx.execute(
            "DELETE FROM patrol_route_points WHERE route_id = $1",
            vec![r.route_id.as_str().into()],
        )
        .await?;
        for (i, point) in r.point_ids.iter().enumerate() {
            tx.execute(
                "INSERT INTO patrol_route_points (route_id, position, point_id) VALUES ($1, $2, $3)",
                vec![r.route_id.as_str().into(), (i as i64).into(), point.as_str().into()],
            )
            .await?;
        }
        let detail = format!(
            "patrol route {} ({}) at {}: {} points{}",
            r.route_id,
            r.name,
            r.checkpoint_id,
            r.point_ids.len(),
            if r.ordered { ", in order" } else { "" }
        );
        audit_in(&mut tx, entry(actor, now_ms, "patrol_route", detail)).await?;
        tx.commit().await
    }

    /// A new schedule version of `route_id`, in force from `schedule.valid_from` (audited).
    /// `every_minutes` 0 stops the route's rounds from then on.
    pub async fn save_patrol_schedule(
        &self,
        route_id: &str,
        s: &Schedule,
        actor: &str,
    ) -> Result<(), DbError> {
        let now_ms = s.valid_from.timestamp_millis();
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO patrol_schedules (route_id, valid_from_ms, first_start, last_start,
             every_minutes, window_minutes) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (route_id, valid_from_ms) DO UPDATE SET first_start = excluded.first_start,
             last_start = excluded.last_start, every_minutes = excluded.every_minutes,
             window_minutes = excluded.window_minutes",
            vec![
                route_id.into(),
                now_ms.into(),
                hm(s.first_start).into(),
                hm(s.last_start).into(),
                i64::from(s.every_minutes).into(),
                i64::from(s.window_minutes).into(),
            ],
        )
        .await?;
        let detail = format!(
            "patrol schedule of {route_id}: {}–{} every {} min, {} min each",
            hm(s.first_start),
            hm(s.last_start),
            s.every_minutes,
            s.window_minutes
        );
        audit_in(&mut tx, entry(actor, now_ms, "patrol_schedule", detail)).await?;
        tx.commit().await
    }

    /// Routes with their points (in route order, with names) and schedule versions.
    pub async fn patrol_routes(&self, of: RoutesOf<'_>) -> Result<Vec<PatrolRoute>, DbError> {
        let (column, key) = match of {
            RoutesOf::Compound(c) => ("compound_id", c),
            RoutesOf::Checkpoint(c) => ("checkpoint_id", c),
        };
        let heads: Vec<(String, String, String, i64)> = self
            .query_as(
                &format!(
                    "SELECT route_id, name, checkpoint_id, ordered FROM patrol_routes
                     WHERE {column} = $1 ORDER BY name, route_id"
                ),
                vec![key.into()],
            )
            .await?;
        let points: Vec<(String, String, String)> = self
            .query_as(
                &format!(
                    "SELECT rp.route_id, rp.point_id, COALESCE(p.name, rp.point_id)
                     FROM patrol_route_points rp JOIN patrol_routes r ON r.route_id = rp.route_id
                     LEFT JOIN patrol_points p ON p.point_id = rp.point_id
                     WHERE r.{column} = $1 ORDER BY rp.route_id, rp.position"
                ),
                vec![key.into()],
            )
            .await?;
        let schedules: Vec<(String, i64, String, String, i64, i64)> = self
            .query_as(
                &format!(
                    "SELECT s.route_id, s.valid_from_ms, s.first_start, s.last_start,
                     s.every_minutes, s.window_minutes
                     FROM patrol_schedules s JOIN patrol_routes r ON r.route_id = s.route_id
                     WHERE r.{column} = $1 ORDER BY s.route_id, s.valid_from_ms"
                ),
                vec![key.into()],
            )
            .await?;
        let mut routes = Vec::with_capacity(heads.len());
        for (route_id, name, checkpoint_id, ordered) in heads {
            let points = points
                .iter()
                .filter(|(r, ..)| *r == route_id)
                .map(|(_, point_id, name)| RoutePoint {
                    point_id: point_id.clone(),
                    name: name.clone(),
                })
                .collect();
            let schedules = schedules
                .iter()
                .filter(|(r, ..)| *r == route_id)
                .map(stored_schedule)
                .collect::<Result<_, _>>()?;
            routes.push(PatrolRoute {
                route_id,
                name,
                checkpoint_id,
                ordered: ordered != 0,
                points,
                schedules,
            });
        }
        Ok(routes)
    }

    /// The patrol checks of `route_id` with corrected time in `[from_ms, to_ms)`, with the
    /// photos their entries named.
    pub async fn patrol_checks(
        &self,
        route_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<CheckFact>, DbError> {
        type CheckRow = (
            String,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            String,
            i64,
            Option<String>,
        );
        let rows: Vec<CheckRow> = self
            .query_as(
                "SELECT c.entry_id, c.round_id, c.device_id, c.staff, c.window_start_ms,
                 c.point_id, c.outcome, c.note, c.corrected_at_ms, ep.sha256
                 FROM patrol_checks c LEFT JOIN entry_photos ep ON ep.entry_id = c.entry_id
                 WHERE c.route_id = $1 AND c.corrected_at_ms >= $2 AND c.corrected_at_ms < $3
                 ORDER BY c.corrected_at_ms, c.entry_id, ep.sha256",
                vec![route_id.into(), from_ms.into(), to_ms.into()],
            )
            .await?;
        let mut out: Vec<(String, CheckFact)> = Vec::new();
        for (entry_id, round_id, device_id, staff, window, point, outcome, note, at, photo) in rows
        {
            if let Some((last_id, last)) = out.last_mut() {
                if *last_id == entry_id {
                    if let (FactStep::Point { photos, .. }, Some(p)) = (&mut last.step, photo) {
                        photos.push(p);
                    }
                    continue;
                }
            }
            let step = match (point, outcome.as_deref().and_then(PointOutcome::parse)) {
                (Some(point_id), Some(outcome)) => FactStep::Point {
                    point_id,
                    outcome,
                    note,
                    photos: photo.into_iter().collect(),
                },
                _ => FactStep::Finish,
            };
            let fact = CheckFact {
                round_id,
                device_id,
                staff,
                window_start: window.and_then(DateTime::from_timestamp_millis),
                at: DateTime::from_timestamp_millis(at)
                    .ok_or_else(|| DbError::Invalid(format!("check time {at}")))?,
                step,
            };
            out.push((entry_id, fact));
        }
        Ok(out.into_iter().map(|(_, f)| f).collect())
    }

    /// Per checkpoint, the latest time any of its phones had nothing left to upload.
    pub async fn synced_at_by_checkpoint(&self) -> Result<HashMap<String, i64>, DbError> {
        let rows: Vec<(String, Option<i64>)> = self
            .query_as(
                "SELECT checkpoint_id, MAX(synced_at_ms) FROM devices GROUP BY checkpoint_id",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(cp, t)| t.map(|t| (cp, t)))
            .collect())
    }

    /// A device had nothing left to upload at `now_ms`.
    pub async fn mark_device_synced(&self, device_id: &str, now_ms: i64) -> Result<(), DbError> {
        self.exec(
            "UPDATE devices SET synced_at_ms = $1 WHERE device_id = $2",
            vec![now_ms.into(), device_id.into()],
        )
        .await
    }
}

fn stored_schedule(
    (_, valid_from_ms, first, last, every, window): &(String, i64, String, String, i64, i64),
) -> Result<Schedule, DbError> {
    Ok(Schedule {
        first_start: parse_hm(first)?,
        last_start: parse_hm(last)?,
        every_minutes: u32::try_from(*every).unwrap_or(0),
        window_minutes: u32::try_from(*window).unwrap_or(0),
        valid_from: DateTime::from_timestamp_millis(*valid_from_ms)
            .ok_or_else(|| DbError::Invalid(format!("schedule time {valid_from_ms}")))?,
    })
}
