//! Real-browser test of the served app: Debian's headless Chromium with a fake camera playing a Y4M
//! video of a really signed pass. The app must scan it, verify it offline, store exactly one passage
//! (the camera keeps seeing the code: the duplicate window holds), and a revoked pass is denied.
//!
//! Needs `/usr/bin/chromium` (apt `chromium`); says so and fails when it is missing.

#![cfg(feature = "liveview")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap too

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use sync_core::ledger::Revocation;
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::{Ledger, Passage, Subject, Verdict};

const CHROMIUM: &str = "/usr/bin/chromium";
const DISTRICT: &str = "district-e2e";

/// Kills its process when dropped (the test never leaves a browser or server behind).
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn pass(signer: &DistrictSigner, pass_id: &str, name: &str) -> String {
    let now = Utc::now();
    signer
        .sign(&PassBody {
            kind: PassKind::Resident,
            pass_id: pass_id.into(),
            serial: 1,
            district_id: DISTRICT.into(),
            compound_id: "compound-1".into(),
            household: "3-2-401".into(),
            display_name: name.into(),
            plate: None,
            valid_from: now - chrono::Duration::days(1),
            valid_until: now + chrono::Duration::days(30),
        })
        .unwrap()
}

/// A 640×480 4:2:0 Y4M clip of the pass's QR code on white, as a phone camera would see a card.
fn y4m_of(payload: &str, path: &Path) {
    let (w, h) = (640usize, 480usize);
    let qr = sync_core::render::qr_luma(payload, 5).unwrap();
    let (qw, qh) = (qr.width() as usize, qr.height() as usize);
    assert!(qw < w && qh < h, "QR {qw}×{qh} does not fit the frame");
    let mut y = vec![235u8; w * h];
    let (ox, oy) = ((w - qw) / 2, (h - qh) / 2);
    for row in 0..qh {
        for col in 0..qw {
            y[(oy + row) * w + ox + col] = qr.get_pixel(col as u32, row as u32).0[0];
        }
    }
    let chroma = vec![128u8; (w / 2) * (h / 2)];
    let mut f = std::fs::File::create(path).unwrap();
    writeln!(f, "YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg").unwrap();
    for _ in 0..10 {
        f.write_all(b"FRAME\n").unwrap();
        f.write_all(&y).unwrap();
        f.write_all(&chroma).unwrap();
        f.write_all(&chroma).unwrap();
    }
}

/// A device ledger holding the district key set and one revocation, as the sync engine leaves it.
fn device_ledger(path: &Path, signer: &DistrictSigner) {
    let mut l = Ledger::open(path).unwrap();
    l.replace_key_set(&[signer.key_record(None, None)]).unwrap();
    l.apply_revocations(
        1,
        &[Revocation {
            pass_id: "R000666".into(),
            serial: 1,
            version: 1,
        }],
    )
    .unwrap();
    l.set_setting("district_id", DISTRICT).unwrap();
    l.set_setting("clock_offset_ms", &0i64).unwrap();
}

fn serve(ledger: &Path) -> (Reaped, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkpoint-liveview"))
        .env("CHECKPOINT_LISTEN", "127.0.0.1:0")
        .env("CHECKPOINT_LEDGER", ledger)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().replace("/home", "");
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (Reaped(child), url)
}

fn browser(url: &str, video: &Path, profile: &Path) -> Reaped {
    assert!(
        Path::new(CHROMIUM).exists(),
        "Debian's chromium is needed: apt-get install chromium"
    );
    let child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--window-size=390,844",
            "--remote-debugging-port=0",
        ])
        .arg(format!(
            "--use-file-for-fake-video-capture={}",
            video.display()
        ))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Reaped(child)
}

fn passages(path: &Path) -> Vec<Passage> {
    Ledger::open_read_only(path)
        .and_then(|l| l.passages_after(0, 100))
        .unwrap_or_default()
}

fn wait_for_passages(path: &Path, n: usize, limit: Duration) -> Vec<Passage> {
    let start = Instant::now();
    loop {
        let p = passages(path);
        if p.len() >= n || start.elapsed() > limit {
            return p;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn pass_id(p: &Passage) -> &str {
    match &p.body.subject {
        Subject::Resident { pass_id, .. } => pass_id,
        _ => "",
    }
}

fn run_camera(dir: &Path, ledger: &Path, payload: &str, tag: &str) -> Vec<Passage> {
    let video = dir.join(format!("{tag}.y4m"));
    y4m_of(payload, &video);
    let (_server, url) = serve(ledger);
    let before = passages(ledger).len();
    let _chrome = browser(
        &format!("{url}/scan"),
        &video,
        &dir.join(format!("profile-{tag}")),
    );
    let got = wait_for_passages(ledger, before + 1, Duration::from_secs(60));
    assert!(
        got.len() > before,
        "no passage from the camera within 60 s ({tag})"
    );
    // The code stays in front of the camera: no second passage may appear.
    std::thread::sleep(Duration::from_secs(4));
    passages(ledger)[before..].to_vec()
}

#[test]
fn camera_scans_a_signed_pass_and_stores_one_passage_then_denies_a_revoked_one() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("device.db");
    let signer = DistrictSigner::generate(DISTRICT).unwrap();
    device_ledger(&ledger, &signer);

    let admitted = run_camera(
        dir.path(),
        &ledger,
        &pass(&signer, "R000123", "张小明"),
        "valid",
    );
    assert_eq!(
        admitted.len(),
        1,
        "exactly one passage while the pass stays in view: {admitted:?}"
    );
    assert_eq!(pass_id(&admitted[0]), "R000123");
    assert_eq!(admitted[0].body.verdict, Verdict::Admitted);

    let revoked = run_camera(
        dir.path(),
        &ledger,
        &pass(&signer, "R000666", "李华"),
        "revoked",
    );
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(
        revoked[0].body.verdict,
        Verdict::Denied {
            reason: sync_core::DenyReason::Revoked
        }
    );

    let forged = DistrictSigner::generate(DISTRICT).unwrap();
    let denied = run_camera(
        dir.path(),
        &ledger,
        &pass(&forged, "R000777", "王五"),
        "forged",
    );
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert!(!denied[0].body.verdict.is_admitted());
    Ledger::open_read_only(&ledger).unwrap().verify().unwrap();
}
