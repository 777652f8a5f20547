//! The sync invariant: the server holds exactly the device's journal entries, of every kind — none
//! lost, none twice, the chain continuous — and the device's ledger says every one is acknowledged.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{ensure, Context};
use sync_core::Ledger;

use crate::server_proc::stored_for_device;

/// Check the invariant for one device; returns how many entries the server holds for it.
pub fn check_exactly_once(server_sqlite: &Path, ledger: &Ledger) -> anyhow::Result<usize> {
    let summary = ledger.upload_summary()?;
    ensure!(
        summary.pending == 0,
        "{} entries still pending on the device",
        summary.pending
    );
    ensure!(
        summary.rejected == 0,
        "{} entries rejected",
        summary.rejected
    );
    let device: Vec<_> = ledger.entries_after(0, usize::MAX >> 1)?;
    let server = stored_for_device(server_sqlite, ledger.device_id())?;
    ensure!(
        server.len() == device.len(),
        "server holds {} entries, device has {}",
        server.len(),
        device.len()
    );
    let mut prev = sync_core::domain::GENESIS_HASH.to_owned();
    for (i, (seq, id, prev_hash, hash)) in server.iter().enumerate() {
        ensure!(
            *seq == i as u64 + 1,
            "server seq {seq} at position {i}: gap or duplicate"
        );
        ensure!(
            *prev_hash == prev,
            "chain broken on the server at seq {seq}"
        );
        prev.clone_from(hash);
        let mine = device.get(i).context("device shorter than server")?;
        ensure!(mine.head.id.to_string() == *id, "id differs at seq {seq}");
        ensure!(mine.hash == *hash, "hash differs at seq {seq}");
    }
    let ids: HashSet<&String> = server.iter().map(|(_, id, _, _)| id).collect();
    ensure!(ids.len() == server.len(), "duplicate ids on the server");
    Ok(server.len())
}
