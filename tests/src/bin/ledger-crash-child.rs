//! Helper process for the crash tests. `ledger-crash-child PATH`: appends journal entries (passages,
//! and every fourth one a test-only probe entry) forever, printing each id once stored.
//! `ledger-crash-child migrate PATH`: prints `opening`, opens (and so migrates) the ledger, prints
//! `migrated MS` and exits.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use checkpoint_tests::sample_passage;
use sync_core::domain::ProbeNote;
use sync_core::{EntryBody, Ledger, NewEntry};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let first = args
        .next()
        .context("usage: ledger-crash-child [migrate] LEDGER_PATH")?;
    let mut stdout = std::io::stdout().lock();
    if first == "migrate" {
        let path = args.next().context("migrate: LEDGER_PATH")?;
        writeln!(stdout, "opening")?;
        stdout.flush()?;
        let started = Instant::now();
        Ledger::open(&path)?;
        writeln!(stdout, "migrated {}", started.elapsed().as_millis())?;
        return Ok(());
    }
    let mut ledger = Ledger::open(&first)?;
    let start = chrono::Utc::now();
    for i in 0.. {
        let new = if i % 4 == 3 {
            NewEntry {
                recorded_at: chrono::Utc::now(),
                clock_offset_ms: None,
                staff: "巡查员".into(),
                attachments: Vec::new(),
                body: EntryBody::Probe(ProbeNote {
                    note: format!("probe {i}"),
                }),
            }
        } else {
            NewEntry::from(sample_passage(i, start))
        };
        let entry = ledger.append_entry(new)?;
        // Printed only after the append returned: the parent may rely on every printed id being durable.
        writeln!(stdout, "{}", entry.head.id)?;
        stdout.flush()?;
    }
    Ok(())
}
