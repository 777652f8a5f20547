//! The retry pipeline: an ordered list of (image step, decoder) attempts, stopping at the first that reads.

use std::fmt;

use super::decoders::{self, Decoder, Threshold};
use super::frame::{Gray, LumaFrame};

/// How the frame is prepared for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Original,
    /// Twice the size; only for small frames (the largest single gain on old phone photos).
    Upscale2x,
    /// Contrast stretched (dim screens, washed-out prints).
    Stretched,
    /// The centre half of the frame at twice the size (a small code held up in the middle).
    Centre2x,
    /// Half size; only for large frames.
    Downscale,
    /// Light-on-dark turned around (rxing already tries this itself).
    Inverted,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Upscale2x => "upscale2x",
            Self::Stretched => "stretched",
            Self::Centre2x => "centre2x",
            Self::Downscale => "downscale",
            Self::Inverted => "inverted",
        }
    }
}

/// One try: a step and a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attempt {
    pub step: Step,
    pub decoder: Decoder,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.decoder.as_str(), self.step.as_str())
    }
}

const fn attempt(decoder: Decoder, step: Step) -> Attempt {
    Attempt { step, decoder }
}

/// The default order, chosen by `cargo xtask bench scan` (see `target/bench/scan.json`).
/// Measured: on camera-sized frames the global-threshold pass reads most codes in about half the time of
/// the local-threshold one, so it goes first there (`global_min_side`); the fast rxing pass reads most
/// small photos in the least time; trying harder, upscaling small
/// images and the centre crop add reads; rqrr adds a few that rxing misses. Downscaling 720p frames
/// read nothing (modules get too small), so it is not in the default list.
pub const DEFAULT_ATTEMPTS: [Attempt; 9] = [
    attempt(Decoder::RxingGlobal, Step::Original),
    attempt(Decoder::RxingFast, Step::Original),
    attempt(Decoder::Rxing, Step::Original),
    attempt(Decoder::Rxing, Step::Upscale2x),
    attempt(Decoder::Rxing, Step::Centre2x),
    attempt(Decoder::Rqrr, Step::Original),
    attempt(Decoder::Rxing, Step::Stretched),
    attempt(Decoder::Rqrr, Step::Upscale2x),
    attempt(Decoder::Rqrr, Step::Inverted),
];

/// What the scanner tries, in order.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub attempts: Vec<Attempt>,
    /// Upscale only frames whose longer side is at most this.
    pub upscale_max_side: usize,
    /// Downscale only frames whose shorter side is at least this.
    pub downscale_min_side: usize,
    /// Try the global-threshold reader only on frames whose longer side is at least this: on camera
    /// frames it is the cheapest read, on small photos the local-threshold reader is both faster and surer.
    /// The fast local-threshold pass runs only below this size: on camera frames, after the global
    /// pass, it added no read that the full pass does not make (`CHECKPOINT_SCAN_ORDER=1` in
    /// `cargo xtask bench scan` orders the attempts by yield per millisecond).
    pub global_min_side: usize,
    /// After a read, look for more codes in the same image (two codes in one frame). Off by default:
    /// at the gate one code is shown at a time and the extra pass doubles the time of a read.
    pub find_all: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            attempts: DEFAULT_ATTEMPTS.to_vec(),
            upscale_max_side: 800,
            downscale_min_side: 1000,
            global_min_side: 600,
            find_all: false,
        }
    }
}

impl ScanConfig {
    /// For scanning a group (a resident and companions, 同行人员): every code in view is read.
    pub fn companions() -> Self {
        Self {
            find_all: true,
            ..Self::default()
        }
    }
}

/// One decoded text and the attempt that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub text: String,
    pub attempt: Attempt,
}

/// The result of scanning one frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameScan {
    /// Distinct texts found by the first attempt that found any (several when several codes are in view).
    pub reads: Vec<Read>,
    pub attempts_tried: u32,
    /// Decoder panics caught in this frame.
    pub panics: u32,
    /// Attempts left for the next frames by a [`super::BudgetedScanner`] (0: all were tried).
    pub deferred: u32,
}

/// Runs the attempts of a [`ScanConfig`] on frames.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    config: ScanConfig,
}

/// A frame and the images made from it so far (each step made once per frame).
pub(super) struct Prepared {
    original: Gray,
    cache: Vec<(Step, Gray)>,
}

impl Prepared {
    pub(super) fn new(frame: &LumaFrame<'_>) -> Self {
        Self {
            original: frame.to_gray(),
            cache: Vec::new(),
        }
    }

    fn long_side(&self) -> usize {
        self.original.width.max(self.original.height)
    }

    fn get(&mut self, step: Step, config: &ScanConfig) -> Option<&Gray> {
        let (w, h) = (self.original.width, self.original.height);
        let applies = match step {
            Step::Original | Step::Stretched | Step::Inverted => true,
            Step::Upscale2x => w.max(h) <= config.upscale_max_side,
            Step::Centre2x => w.min(h) >= 200,
            Step::Downscale => w.min(h) >= config.downscale_min_side,
        };
        if !applies {
            return None;
        }
        if step == Step::Original {
            return Some(&self.original);
        }
        let idx = match self.cache.iter().position(|(s, _)| *s == step) {
            Some(i) => i,
            None => {
                let img = match step {
                    Step::Upscale2x => self.original.upscale2(),
                    Step::Stretched => self.original.stretched(),
                    Step::Centre2x => self.original.centre().upscale2(),
                    Step::Downscale => self.original.downscale(1, 2),
                    Step::Inverted | Step::Original => self.original.inverted(),
                };
                self.cache.push((step, img));
                self.cache.len() - 1
            }
        };
        self.cache.get(idx).map(|(_, g)| g)
    }
}

impl Scanner {
    pub fn new(config: ScanConfig) -> Self {
        Self { config }
    }

    pub fn config(&self) -> &ScanConfig {
        &self.config
    }

    /// Scan one frame. Never panics: a decoder panic counts in `panics` and that attempt reads nothing.
    pub fn scan(&self, frame: &LumaFrame<'_>) -> FrameScan {
        let mut prepared = Prepared::new(frame);
        let mut out = FrameScan::default();
        for &attempt in &self.config.attempts {
            if let Tried::Read(texts) = self.run(&mut prepared, attempt, &mut out) {
                out.reads = reads(texts, attempt);
                return out;
            }
        }
        out
    }

    /// Run one attempt on a prepared frame, counting it (and a caught panic) in `out`.
    pub(super) fn run(
        &self,
        prepared: &mut Prepared,
        attempt: Attempt,
        out: &mut FrameScan,
    ) -> Tried {
        let camera_sized = prepared.long_side() >= self.config.global_min_side;
        match attempt.decoder {
            Decoder::RxingGlobal if !camera_sized => return Tried::Skipped,
            Decoder::RxingFast if camera_sized => return Tried::Skipped,
            _ => {}
        }
        let Some(img) = prepared.get(attempt.step, &self.config) else {
            return Tried::Skipped;
        };
        out.attempts_tried += 1;
        let find_all = self.config.find_all;
        let decoded = match attempt.decoder {
            Decoder::Rxing => decoders::rxing(img, Threshold::Local, true, true, find_all),
            Decoder::RxingFast => decoders::rxing(img, Threshold::Local, false, false, find_all),
            Decoder::RxingGlobal => decoders::rxing(img, Threshold::Global, false, false, find_all),
            Decoder::Rqrr => decoders::rqrr(img),
        };
        match decoded {
            Ok(texts) if !texts.is_empty() => Tried::Read(texts),
            Ok(_) => Tried::Nothing,
            Err(()) => {
                out.panics += 1;
                Tried::Nothing
            }
        }
    }
}

/// What one attempt did.
pub(super) enum Tried {
    /// It does not apply to this frame (its size) and took no time.
    Skipped,
    Nothing,
    Read(Vec<String>),
}

pub(super) fn reads(texts: Vec<String>, attempt: Attempt) -> Vec<Read> {
    texts
        .into_iter()
        .map(|text| Read { text, attempt })
        .collect()
}
