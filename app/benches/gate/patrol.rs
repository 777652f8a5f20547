//! The patrol part of `cargo xtask bench gate`: a printed point label in a 1280×720 camera frame
//! to a confirmed check — scan, offline verification (`check_point`), the patrol screen's state
//! (scanned, then the "normal" tap), the durable journal append, the state's confirmation. The
//! peer, in the same run and on the same kind of frames: a printed pass to its verdict (scan and
//! the gate's checker), which the gate must also show well under 300 ms.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use checkpoint_app::ports::PassChecker;
use checkpoint_app::services::patrol::record_step;
use checkpoint_app::services::LedgerChecker;
use checkpoint_app::state::patrol::{PatrolAction, PatrolState};
use chrono::Utc;
use sync_core::pass::DistrictSigner;
use sync_core::patrol::{sign_point, PatrolPoint, PatrolRoute, RoutePoint};
use sync_core::render::qr_luma;
use sync_core::scan::synth::{frame, Distortion, Scene};
use sync_core::scan::{Gray, LumaFrame, Scanner};
use sync_core::Ledger;
use uuid::Uuid;

/// Labels walked, one check each.
const POINTS: usize = 120;

/// A printed code in a camera frame (distortion varies with `i`).
fn camera_frame(payload: &str, i: usize) -> anyhow::Result<Gray> {
    let code = qr_luma(payload, 4)?;
    let code = Gray {
        width: code.width() as usize,
        height: code.height() as usize,
        px: code.into_raw(),
    };
    let d = Distortion::ALL[i % Distortion::ALL.len()];
    Ok(frame(&code, Scene::PrintedCard, d, 31 * i as u64 + 7))
}

/// The first text the scanner reads that starts with `prefix`, if any.
fn read(scanner: &Scanner, img: &Gray, prefix: &str) -> anyhow::Result<Option<String>> {
    let luma = LumaFrame::new(img.width, img.height, img.width, &img.px)?;
    Ok(scanner
        .scan(&luma)
        .reads
        .into_iter()
        .map(|r| r.text)
        .find(|t| t.starts_with(prefix)))
}

/// Times in ms: point label → confirmed check, and printed pass → verdict (the peer); plus how
/// many frames of each were not read (left out of the times, as staff would hold the code again).
pub struct Measured {
    pub point_ms: Vec<f64>,
    pub pass_ms: Vec<f64>,
    pub unread: (usize, usize),
}

pub fn measure(
    ledger: &Arc<Mutex<Ledger>>,
    checker: &LedgerChecker,
    signer: &DistrictSigner,
    place: (&str, &str),
    passes: &[String],
) -> anyhow::Result<Measured> {
    let (compound, checkpoint) = place;
    let points: Vec<PatrolPoint> = (0..POINTS)
        .map(|i| PatrolPoint {
            point_id: format!("pt-{i:04}"),
            district_id: signer.district_id().to_owned(),
            compound_id: compound.to_owned(),
            name: format!("巡查点{i}"),
        })
        .collect();
    let route = PatrolRoute {
        route_id: "rt-bench".into(),
        name: "围墙".into(),
        checkpoint_id: checkpoint.to_owned(),
        ordered: false,
        points: points
            .iter()
            .map(|p| RoutePoint {
                point_id: p.point_id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        schedules: Vec::new(),
    };
    let mut state = PatrolState::new(checkpoint.to_owned(), vec![route], 480);
    let _ = state.reduce(PatrolAction::Start {
        route_id: "rt-bench".into(),
        round_id: Uuid::now_v7(),
        now: Utc::now(),
    });
    let scanner = Scanner::default();
    let mut out = Measured {
        point_ms: Vec::new(),
        pass_ms: Vec::new(),
        unread: (0, 0),
    };
    for (i, point) in points.iter().enumerate() {
        let img = camera_frame(&sign_point(signer, point)?, i)?;
        let t = Instant::now();
        let Some(text) = read(&scanner, &img, "CPP:")? else {
            out.unread.0 += 1;
            continue;
        };
        let _ = state.reduce(PatrolAction::Scanned(checker.check_point(&text)));
        let step = state
            .reduce(PatrolAction::Normal)
            .ok_or_else(|| anyhow::anyhow!("point {i}: no step after 'normal' ({state:?})"))?;
        let mut guard = ledger.lock().map_err(|_| anyhow::anyhow!("ledger lock"))?;
        let result = record_step(&mut guard, &step, "值班员", Some(0), Utc::now());
        drop(guard);
        let _ = state.reduce(PatrolAction::Appended {
            step: Box::new(step),
            result,
        });
        out.point_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let round = state
            .round
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no round"))?;
        anyhow::ensure!(
            round.done_count() == out.point_ms.len(),
            "point {i} not confirmed: {:?}",
            state.notice
        );
    }
    for (i, payload) in passes.iter().enumerate().take(POINTS) {
        let img = camera_frame(payload, i)?;
        let t = Instant::now();
        let Some(text) = read(&scanner, &img, "CP1:")? else {
            out.unread.1 += 1;
            continue;
        };
        let checked = checker.check(&text, Utc::now());
        std::hint::black_box(checked);
        out.pass_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(out)
}
