//! The demo district's patrol: four points of 阳光小区 on an ordered route walked from the east
//! gate every hour (30 minutes per round), with the last two rounds that have ended: the earlier
//! one walked (one point with a problem noted), the later one not walked although the phone has
//! synced since (missed). The checks go onto the east gate phone's own chain.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sync_core::patrol::{
    windows_on, PatrolCheckData, PatrolStep, PointOutcome, RoundWindow, Schedule,
};
use sync_core::protocol::WireEntry;
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;

use super::ChainEnd;
use crate::report::local_day;
use crate::store::{new_patrol_id, DbError, PointRow, RouteRow, Store};

const POINTS: [(&str, &str); 4] = [
    ("北门铁栅栏", "北门东侧"),
    ("3号楼垃圾点", "3号楼北"),
    ("地下车库入口", "5号楼西"),
    ("东侧围墙", "东门至北门"),
];

/// Points, the route, its schedule, and two rounds' checks. Returns the checks stored.
pub async fn seed_patrol(
    store: &Store,
    now: DateTime<Utc>,
    utc_offset_minutes: i32,
    chain: ChainEnd,
) -> Result<usize, DbError> {
    let now_ms = now.timestamp_millis();
    let mut point_ids = Vec::new();
    for (name, location) in POINTS {
        let row = PointRow {
            point_id: new_patrol_id("pt"),
            compound_id: "c1".into(),
            name: name.into(),
            description: "确认完好、已上锁 Check it is intact and locked".into(),
            location: location.into(),
        };
        store.save_patrol_point(&row, "demo", now_ms).await?;
        point_ids.push(row.point_id);
    }
    let route = RouteRow {
        route_id: new_patrol_id("rt"),
        compound_id: "c1".into(),
        checkpoint_id: "cp-east".into(),
        name: "围墙一圈 Fence line".into(),
        ordered: true,
        point_ids: point_ids.clone(),
    };
    store.save_patrol_route(&route, "demo", now_ms).await?;
    let mut schedule = Schedule {
        first_start: NaiveTime::MIN,
        last_start: NaiveTime::from_hms_opt(23, 0, 0).unwrap_or(NaiveTime::MIN),
        every_minutes: 60,
        window_minutes: 30,
        valid_from: now - Duration::days(2),
    };
    let today = local_day(now, utc_offset_minutes);
    let mut ended: Vec<RoundWindow> = [today.pred_opt(), Some(today)]
        .into_iter()
        .flatten()
        .flat_map(|d| windows_on(std::slice::from_ref(&schedule), d, utc_offset_minutes))
        .filter(|w| w.end < now)
        .collect();
    ended.sort();
    // The last ended round stays unwalked (missed); the one before it is walked. The schedule
    // starts with the walked one, so the demo has exactly these two rounds due.
    let walked = ended.iter().rev().nth(1).copied();
    if let Some(w) = walked {
        schedule.valid_from = w.start;
    }
    store
        .save_patrol_schedule(&route.route_id, &schedule, "demo")
        .await?;
    let Some(walked) = walked else {
        return Ok(0);
    };
    let device = chain.device_id.clone();
    let entries = walk(&route, walked, chain);
    let n = entries.len();
    store.ingest_entries(&device, entries, 0, now, 28).await?;
    Ok(n)
}

/// Every point of the route in order, four minutes apart from the window's start; the third
/// point has a problem.
fn walk(route: &RouteRow, window: RoundWindow, chain: ChainEnd) -> Vec<WireEntry> {
    let round = Uuid::now_v7();
    let mut prev = chain.prev_hash;
    let mut out = Vec::new();
    for (i, point) in route.point_ids.iter().enumerate() {
        let problem = i == 2;
        let head = EntryHead {
            id: Uuid::now_v7(),
            device_id: chain.device_id.clone(),
            seq: chain.next_seq + i as u64,
            recorded_at: window.start + Duration::minutes(4 * (i as i64 + 1)),
            clock_offset_ms: Some(0),
            staff: "值班员".into(),
            attachments: Vec::new(),
        };
        let body = EntryBody::PatrolCheck(PatrolCheckData {
            checkpoint_id: route.checkpoint_id.clone(),
            route_id: route.route_id.clone(),
            round_id: round,
            window: Some(window),
            step: PatrolStep::Point {
                point_id: point.clone(),
                outcome: if problem {
                    PointOutcome::Problem
                } else {
                    PointOutcome::Normal
                },
                note: if problem {
                    "车库卷帘门未锁，已通知物业 Garage door unlocked; estate office told".into()
                } else {
                    String::new()
                },
            },
        });
        let entry = Entry::seal(head, body, &prev);
        prev.clone_from(&entry.hash);
        out.push(WireEntry::from(&entry));
    }
    out
}
