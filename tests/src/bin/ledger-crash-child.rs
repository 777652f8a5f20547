//! Helper process for the crash test: appends passages to a ledger forever, printing each id once stored.

use std::io::Write;

use anyhow::Context;
use checkpoint_tests::sample_passage;
use sync_core::Ledger;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: ledger-crash-child LEDGER_PATH")?;
    let mut ledger = Ledger::open(&path)?;
    let start = chrono::Utc::now();
    let mut stdout = std::io::stdout().lock();
    for i in 0.. {
        let passage = ledger.append(sample_passage(i, start))?;
        // Printed only after `append` returned: the parent may rely on every printed id being durable.
        writeln!(stdout, "{}", passage.body.id)?;
        stdout.flush()?;
    }
    Ok(())
}
