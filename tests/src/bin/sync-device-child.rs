//! Helper process for the device-crash test: syncs an enrolled ledger to the server until nothing is
//! pending, printing each round; the parent SIGKILLs it at random moments.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use sync_core::sync::{SyncConfig, SyncEngine};
use sync_core::Ledger;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: sync-device-child LEDGER_PATH")?;
    let ledger = Ledger::open(&path)?;
    let mut config = SyncConfig::from_ledger(&ledger)?;
    config.max_batch_records = 50;
    config.request_timeout = Duration::from_secs(5);
    let mut engine = SyncEngine::new(Arc::new(Mutex::new(ledger)), config)?;
    for round in 0..1000 {
        let result = engine.step().await;
        println!(
            "round {round}: {result:?} pending {}",
            engine.status().pending
        );
        if result.is_ok() && engine.status().pending == 0 {
            println!("done");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("gave up after 1000 rounds")
}
