//! The QR decoders behind one interface, each run inside `catch_unwind` so a decoder panic is a failed read.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

use rxing::common::HybridBinarizer;
use rxing::multi::MultipleBarcodeReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader, Reader};

use super::frame::Gray;

static PANICS: AtomicU64 = AtomicU64::new(0);

/// How many decoder panics this process has caught (and turned into unread frames).
pub fn panics_caught() -> u64 {
    PANICS.load(Ordering::Relaxed)
}

/// Which decoder made a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decoder {
    /// rxing, a port of ZXing (both its C++-port and its Java-port QR readers), trying hard and inverted.
    Rxing,
    /// rxing without "try harder" or inversion: scans fewer rows, several times faster.
    RxingFast,
    /// As `RxingFast`, but with one global threshold instead of local blocks: cheapest of all, and
    /// enough for a well-lit, evenly lit code (a phone screen, a clean card).
    RxingGlobal,
    /// rqrr, a port of quirc.
    Rqrr,
}

impl Decoder {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rxing => "rxing",
            Self::RxingFast => "rxing-fast",
            Self::RxingGlobal => "rxing-global",
            Self::Rqrr => "rqrr",
        }
    }
}

/// The texts a decoder found, or `Err(())` when it panicked.
pub(crate) type Decoded = Result<Vec<String>, ()>;

fn guarded(f: impl FnOnce() -> Vec<String>) -> Decoded {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(texts) => Ok(texts),
        Err(_) => {
            PANICS.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("a QR decoder panicked; the frame counts as unread");
            Err(())
        }
    }
}

fn hints(try_harder: bool, also_inverted: bool) -> DecodeHints {
    DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        AlsoInverted: Some(also_inverted),
        ..DecodeHints::default()
    }
}

/// How rxing turns grey into black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Threshold {
    /// One threshold for the whole image (fast).
    Global,
    /// Local 8×8-block thresholds (handles glare and shadows).
    Local,
}

/// rxing on `img`; with `find_all`, a successful read is followed by a multi-code pass for more codes.
pub(crate) fn rxing(
    img: &Gray,
    threshold: Threshold,
    try_harder: bool,
    also_inverted: bool,
    find_all: bool,
) -> Decoded {
    match threshold {
        Threshold::Local => rxing_with(
            img,
            HybridBinarizer::new,
            try_harder,
            also_inverted,
            find_all,
        ),
        Threshold::Global => rxing_with(
            img,
            rxing::common::GlobalHistogramBinarizer::new,
            try_harder,
            also_inverted,
            find_all,
        ),
    }
}

fn rxing_with<'a, B: rxing::Binarizer>(
    img: &'a Gray,
    binarizer: impl FnOnce(Luma8Source<'a>) -> B,
    try_harder: bool,
    also_inverted: bool,
    find_all: bool,
) -> Decoded {
    guarded(|| {
        let (Ok(w), Ok(h)) = (u32::try_from(img.width), u32::try_from(img.height)) else {
            return Vec::new();
        };
        let Ok(source) = Luma8Source::new_with_slice(&img.px, w, h) else {
            return Vec::new();
        };
        let mut bitmap = BinaryBitmap::new(binarizer(source));
        let hints = hints(try_harder, also_inverted);
        let mut reader = MultiFormatReader::default();
        let Ok(first) = reader.decode_with_hints(&mut bitmap, &hints) else {
            return Vec::new();
        };
        let mut texts = vec![first.getText().to_owned()];
        if find_all {
            let mut multi = rxing::multi::qrcode::QRCodeMultiReader::default();
            if let Ok(more) = multi.decode_multiple_with_hints(&mut bitmap, &hints) {
                for r in more {
                    if !texts.iter().any(|t| t == r.getText()) {
                        texts.push(r.getText().to_owned());
                    }
                }
            }
        }
        texts
    })
}

/// rqrr on `img`: every grid it finds that decodes as UTF-8.
pub(crate) fn rqrr(img: &Gray) -> Decoded {
    guarded(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.width, img.height, |x, y| {
                img.px[y * img.width + x]
            });
        let mut texts: Vec<String> = Vec::new();
        for grid in prepared.detect_grids() {
            if let Ok((_, text)) = grid.decode() {
                if !texts.contains(&text) {
                    texts.push(text);
                }
            }
        }
        texts
    })
}
