//! The scanner on hostile input: degenerate and random frames, a decoder that panics, and stable reads.

use sync_core::pass::{verify, DistrictSigner, KeySet, PassBody, PassKind, Revocations};
use sync_core::render::qr_luma;
use sync_core::scan::synth::SplitMix;
use sync_core::scan::{
    panics_caught, Attempt, Decoder, FrameError, FrameScan, LumaFrame, Read, ScanConfig, Scanner,
    StableReader, Step, MAX_SIDE,
};

fn corpus() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/qr-corpus/zxing")
}

fn no_reads(w: usize, h: usize, stride: usize, data: &[u8]) {
    let f = LumaFrame::new(w, h, stride, data).expect("frame");
    let scan = Scanner::default().scan(&f);
    assert!(scan.reads.is_empty(), "{w}x{h}: {:?}", scan.reads);
}

#[test]
fn degenerate_frames_read_nothing_and_never_panic() {
    no_reads(1, 1, 1, &[0]);
    no_reads(1, 1, 1, &[255]);
    no_reads(640, 480, 640, &vec![0; 640 * 480]);
    no_reads(640, 480, 640, &vec![255; 640 * 480]);
    no_reads(1280, 720, 1280, &vec![0; 1280 * 720]);
    no_reads(3, 1000, 3, &vec![200; 3000]);
    no_reads(1000, 2, 1000, &[0u8, 255].repeat(1000));
    let mut rng = SplitMix(5);
    for (w, h) in [(320, 240), (1280, 720), (17, 23)] {
        let noise: Vec<u8> = (0..w * h).map(|_| rng.next_u64() as u8).collect();
        no_reads(w, h, w, &noise);
        // Checkerboards and stripes look like finder patterns to a naive detector.
        let board: Vec<u8> = (0..w * h)
            .map(|i| {
                if ((i % w) / 3 + (i / w) / 3) % 2 == 0 {
                    0
                } else {
                    255
                }
            })
            .collect();
        no_reads(w, h, w, &board);
    }
    // Stride larger than width: the padding is never read as image.
    let (w, h, stride) = (300, 200, 333);
    let padded: Vec<u8> = (0..stride * h)
        .map(|i| if i % stride >= w { 0 } else { 255 })
        .collect();
    no_reads(w, h, stride, &padded);
    // The largest accepted frame (8192×2048) scans, and reads nothing.
    no_reads(MAX_SIDE, 2048, MAX_SIDE, &vec![180; MAX_SIDE * 2048]);
}

#[test]
fn malformed_buffers_are_declined_with_a_reason() {
    assert!(matches!(
        LumaFrame::new(0, 10, 0, &[]),
        Err(FrameError::Empty { .. })
    ));
    assert!(matches!(
        LumaFrame::new(10, 10, 9, &[0; 100]),
        Err(FrameError::StrideTooSmall { .. })
    ));
    assert!(matches!(
        LumaFrame::new(10, 10, 12, &[0; 117]),
        Err(FrameError::TooShort { need: 118, .. })
    ));
    assert!(
        LumaFrame::new(10, 10, 12, &[0; 118]).is_ok(),
        "the last row needs no padding"
    );
    assert!(matches!(
        LumaFrame::new(MAX_SIDE + 1, 1, MAX_SIDE + 1, &[]),
        Err(FrameError::TooLarge { .. })
    ));
    assert!(matches!(
        LumaFrame::new(6000, 6000, 6000, &[]),
        Err(FrameError::TooLarge { .. })
    ));
    assert!(matches!(
        LumaFrame::new(usize::MAX, 1, usize::MAX, &[]),
        Err(FrameError::TooLarge { .. })
    ));
}

#[test]
fn the_rqrr_panic_image_is_caught_and_the_default_pipeline_reads_it() {
    let path = corpus().join("qrcode-6/7.png");
    let expected = std::fs::read_to_string(path.with_extension("txt")).expect("expected text");
    let img = image::open(&path).expect("corpus image").to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let frame = LumaFrame::new(w, h, w, img.as_raw()).expect("frame");
    // rqrr alone: its panic (rqrr#54) is caught and counted, and the frame counts as unread.
    let before = panics_caught();
    let rqrr_only = Scanner::new(ScanConfig {
        attempts: vec![Attempt {
            decoder: Decoder::Rqrr,
            step: Step::Original,
        }],
        ..ScanConfig::default()
    });
    let scan = rqrr_only.scan(&frame);
    assert_eq!(scan.panics, 1);
    assert!(scan.reads.is_empty());
    assert!(panics_caught() > before);
    // The default pipeline reads it.
    let scan = Scanner::default().scan(&frame);
    assert_eq!(
        scan.reads.first().map(|r| r.text.as_str()),
        Some(expected.as_str())
    );
}

fn scan_of(texts: &[&str]) -> FrameScan {
    FrameScan {
        reads: texts
            .iter()
            .map(|t| Read {
                text: (*t).to_owned(),
                attempt: Attempt {
                    decoder: Decoder::Rxing,
                    step: Step::Original,
                },
            })
            .collect(),
        attempts_tried: 1,
        panics: 0,
        deferred: 0,
    }
}

#[test]
fn an_unverified_payload_needs_two_reads_and_is_reported_once() {
    let mut stable = StableReader::default();
    let never = |_: &str| false;
    assert!(stable.push(&scan_of(&["HELLO"]), never).is_empty());
    assert!(stable.push(&scan_of(&[]), never).is_empty());
    let out = stable.push(&scan_of(&["HELLO"]), never);
    assert_eq!(out.len(), 1);
    assert!(!out[0].verified);
    // Still in view: no repeated beeps.
    for _ in 0..30 {
        assert!(stable.push(&scan_of(&["HELLO"]), never).is_empty());
    }
    // Out of view for longer than the cooldown, then back: reported again after two reads.
    for _ in 0..20 {
        stable.push(&scan_of(&[]), never);
    }
    assert!(stable.push(&scan_of(&["HELLO"]), never).is_empty());
    assert_eq!(stable.push(&scan_of(&["HELLO"]), never).len(), 1);
    // Two reads far apart do not confirm each other.
    let mut stable = StableReader::default();
    stable.push(&scan_of(&["ONCE"]), never);
    for _ in 0..12 {
        stable.push(&scan_of(&[]), never);
    }
    assert!(stable.push(&scan_of(&["ONCE"]), never).is_empty());
}

#[test]
fn a_verified_pass_is_reported_at_once_and_two_codes_in_one_frame_both_count() {
    let signer = DistrictSigner::from_secret("d01", &[3u8; 32]);
    let keys = KeySet::from_records(&[signer.key_record(None, None)]).expect("keys");
    let when = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let payloads: Vec<String> = ["张三丰", "李清照"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            signer
                .sign(&PassBody {
                    kind: PassKind::Resident,
                    pass_id: format!("R{i}"),
                    serial: 1,
                    district_id: "d01".into(),
                    compound_id: "c01".into(),
                    household: format!("1-1-{}", 101 + i),
                    display_name: (*name).into(),
                    plate: None,
                    valid_from: when,
                    valid_until: when + chrono::Duration::days(1),
                })
                .expect("sign")
        })
        .collect();
    // Two codes side by side in one 1280×720 frame.
    let (fw, fh) = (1280usize, 720usize);
    let mut px = vec![255u8; fw * fh];
    for (k, p) in payloads.iter().enumerate() {
        let code = qr_luma(p, 5).expect("qr");
        let (x0, y0) = (60 + k * 640, 150);
        for y in 0..code.height() as usize {
            for x in 0..code.width() as usize {
                px[(y0 + y) * fw + x0 + x] = code.get_pixel(x as u32, y as u32).0[0];
            }
        }
    }
    let frame = LumaFrame::new(fw, fh, fw, &px).expect("frame");
    // At the gate (default): one whole code per frame, never a mix of the two.
    let single = Scanner::default().scan(&frame);
    assert_eq!(single.reads.len(), 1);
    assert!(payloads.contains(&single.reads[0].text));
    // Companion mode: both.
    let scan = Scanner::new(ScanConfig::companions()).scan(&frame);
    let mut texts: Vec<&str> = scan.reads.iter().map(|r| r.text.as_str()).collect();
    texts.sort_unstable();
    let mut want: Vec<&str> = payloads.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(texts, want, "both codes are found");
    let checks = |t: &str| {
        verify(t, &keys, &Revocations::default(), "d01", when, None)
            .pass
            .is_some()
    };
    let mut stable = StableReader::default();
    let out = stable.push(&scan, checks);
    assert_eq!(out.len(), 2, "each verified pass is reported at once");
    assert!(out.iter().all(|r| r.verified));
    assert!(stable.push(&scan, checks).is_empty());
}

#[test]
fn random_frames_with_random_strides_never_panic_or_read() {
    let mut rng = SplitMix(99);
    let scanner = Scanner::default();
    for _ in 0..12 {
        let w = 1 + (rng.next_u64() % 400) as usize;
        let h = 1 + (rng.next_u64() % 300) as usize;
        let stride = w + (rng.next_u64() % 17) as usize;
        let data: Vec<u8> = (0..stride * h).map(|_| rng.next_u64() as u8).collect();
        let f = LumaFrame::new(w, h, stride, &data).expect("frame");
        assert!(scanner.scan(&f).reads.is_empty());
    }
}
