//! Stable reads across frames: a payload is reported only when it verifies, or was read in two frames.

use std::collections::HashMap;

use super::pipeline::FrameScan;

/// A payload the gate may act on, and why it is trusted as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StableRead {
    pub text: String,
    /// True when the caller's check (the pass signature) accepted it; false when it was read twice.
    pub verified: bool,
}

/// Turns per-frame reads into stable reads, once per payload while it stays in view.
///
/// Two codes in one frame are tracked independently, and each is reported once it is stable; a code
/// that stays in view is not reported again until it has been out of view for `cooldown_frames`.
#[derive(Debug, Clone)]
pub struct StableReader {
    frame: u64,
    /// Frames within which a second identical read confirms an unverified payload.
    pub confirm_window: u64,
    pub cooldown_frames: u64,
    /// Per payload: the frame it was last read in, whether it was reported, and how often it was read.
    seen: HashMap<String, Seen>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    last_frame: u64,
    reads: u32,
    reported: bool,
}

impl Default for StableReader {
    fn default() -> Self {
        Self {
            frame: 0,
            confirm_window: 10,
            cooldown_frames: 15,
            seen: HashMap::new(),
        }
    }
}

impl StableReader {
    /// Feed one frame's scan; `verifies` says whether a payload's signature checks out.
    pub fn push(&mut self, scan: &FrameScan, verifies: impl Fn(&str) -> bool) -> Vec<StableRead> {
        self.frame += 1;
        let frame = self.frame;
        let (window, cooldown) = (self.confirm_window, self.cooldown_frames);
        self.seen
            .retain(|_, s| frame - s.last_frame <= window.max(cooldown));
        let mut out = Vec::new();
        for read in &scan.reads {
            let entry = self.seen.entry(read.text.clone()).or_insert(Seen {
                last_frame: frame,
                reads: 0,
                reported: false,
            });
            if entry.reads > 0 && frame == entry.last_frame {
                continue; // the same code twice in one frame is one read
            }
            let gap = frame - entry.last_frame;
            entry.reads = if gap <= window { entry.reads + 1 } else { 1 };
            entry.last_frame = frame;
            if entry.reported {
                continue;
            }
            let verified = verifies(&read.text);
            if verified || entry.reads >= 2 {
                entry.reported = true;
                out.push(StableRead {
                    text: read.text.clone(),
                    verified,
                });
            }
        }
        out
    }

    /// Forget everything (e.g. when the staff member switches gate or direction).
    pub fn reset(&mut self) {
        self.seen.clear();
    }
}
