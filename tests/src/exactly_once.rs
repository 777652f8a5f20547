//! The sync invariant: the server holds exactly the device's journal entries, of every kind — none
//! lost, none twice, the chain continuous — and the device's ledger says every one is acknowledged.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{ensure, Context};
use sync_core::Ledger;

use crate::server_proc::stored_for_device;

/// One journal entry as the server stored it: (seq, id, prev_hash, hash).
pub type StoredEntry = (u64, String, String, String);

/// Check the invariant for one device against a server on SQLite; returns how many entries the
/// server holds for it.
pub fn check_exactly_once(server_sqlite: &Path, ledger: &Ledger) -> anyhow::Result<usize> {
    let server = stored_for_device(server_sqlite, ledger.device_id())?;
    check_stored(&server, ledger)
}

/// Check the invariant for one device against what the server stored for it, by seq.
pub fn check_stored(server: &[StoredEntry], ledger: &Ledger) -> anyhow::Result<usize> {
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

/// What a server on PostgreSQL stored for one device, every kind of entry, by seq.
pub async fn stored_in_postgres(
    db: &tokio_postgres::Client,
    device_id: &str,
) -> anyhow::Result<Vec<StoredEntry>> {
    let rows = db
        .query(
            "SELECT seq, id, prev_hash, hash FROM passages WHERE device_id = $1
             UNION ALL SELECT seq, id, prev_hash, hash FROM entries WHERE device_id = $1
             ORDER BY seq",
            &[&device_id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let seq: i64 = r.try_get(0)?;
            Ok((
                u64::try_from(seq)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
            ))
        })
        .collect()
}

/// A plain connection to a test database (loopback, no TLS), driven in the background.
pub async fn connect_postgres(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    Ok(client)
}
