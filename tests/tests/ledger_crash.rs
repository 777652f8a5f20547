//! Crash test: a real child process appends journal entries of mixed kinds and is SIGKILLed at
//! random moments; nothing it reported as stored may be missing afterwards, and the file and chain
//! must be intact.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sync_core::Ledger;

const KILLS: usize = 24;

/// A tiny xorshift generator, seeded from the clock, so kill moments differ between runs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_never_loses_a_reported_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let mut reported: Vec<String> = Vec::new();

    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ledger-crash-child"))
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        // Wait until the child wrote at least one passage, then a random extra time.
        let kill_after = Duration::from_millis(20 + rng.next() % 150);
        let started = Instant::now();
        while started.elapsed() < kill_after {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("child exited early in round {round}: {status}");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        reported.extend(lines);
    }
    assert!(
        reported.len() >= KILLS,
        "the child stored too little to test anything: {}",
        reported.len()
    );

    let ledger = Ledger::open(&path).unwrap();
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
    let verified = ledger.verify().unwrap();
    let entries = ledger.entries_after(0, usize::MAX >> 1).unwrap();
    let probes = entries
        .iter()
        .filter(|e| e.kind() == sync_core::EntryKind::Probe)
        .count();
    assert!(
        probes > 0 && probes < entries.len(),
        "mixed kinds: {probes} probes"
    );
    let stored: HashSet<String> = entries.iter().map(|e| e.head.id.to_string()).collect();
    for id in &reported {
        assert!(stored.contains(id), "reported entry {id} is missing");
    }
    // verify() also checked that seq runs 1..=last_seq with no gap.
    assert_eq!(verified, ledger.last_seq().unwrap());
    assert_eq!(stored.len() as u64, verified);
    eprintln!(
        "{KILLS} kills, {} entries reported, {} stored ({probes} probes)",
        reported.len(),
        stored.len()
    );
}
