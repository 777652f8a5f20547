//! Writes a few sample passages into `target/demo/ledger.db` and prints today's counts and the chain check.

use chrono::{Duration, Utc};
use sync_core::{Direction, Ledger, NewPassage, Subject, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/demo");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("ledger.db");
    let mut ledger = Ledger::open(&path)?;
    let now = Utc::now();
    for (i, direction) in [Direction::In, Direction::Out, Direction::In]
        .into_iter()
        .enumerate()
    {
        ledger.append(NewPassage {
            checkpoint_id: "demo-east".into(),
            gate: "east-1".into(),
            direction,
            recorded_at: now + Duration::seconds(i as i64),
            clock_offset_ms: None,
            staff: "demo".into(),
            subject: Subject::Resident {
                pass_id: format!("R{i:04}"),
                household: "1-1-101".into(),
                name: Some("张三".into()),
            },
            temperature_c: Some(36.4),
            verdict: Verdict::Admitted,
        })?;
    }
    let counts = ledger.day_counts(now - Duration::hours(24), now + Duration::hours(1))?;
    println!("ledger {} (device {})", path.display(), ledger.device_id());
    println!(
        "last 24 h: residents in {} / out {}; chain verified over {} passages",
        counts.resident.r#in,
        counts.resident.out,
        ledger.verify()?
    );
    Ok(())
}
