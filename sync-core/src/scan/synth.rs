//! Synthetic 1280×720 camera frames of real QR codes (phone screens and printed cards) for tests and the bench.
//!
//! Deterministic from a seed: rotation, perspective, blur, noise, glare, low contrast, inversion.

use super::frame::Gray;

/// A small deterministic random source (SplitMix64), so frames are the same on every run.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }
}

/// The distortion a frame shows (besides a mild rotation that every frame has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distortion {
    Rotation,
    Perspective,
    Blur,
    Noise,
    Glare,
    LowContrast,
    Inverted,
    Combined,
}

impl Distortion {
    pub const ALL: [Distortion; 8] = [
        Self::Rotation,
        Self::Perspective,
        Self::Blur,
        Self::Noise,
        Self::Glare,
        Self::LowContrast,
        Self::Inverted,
        Self::Combined,
    ];
}

/// Where the code is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    /// A phone screen held up to the camera: bright screen, dark bezel, 3–5 px modules.
    PhoneScreen,
    /// A printed card on a desk: white card, soft shadow, 3–6 px modules.
    PrintedCard,
}

pub const FRAME_W: usize = 1280;
pub const FRAME_H: usize = 720;

/// Solve the 8 unknowns of the homography that maps `from[i]` to `to[i]`.
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Option<[f64; 9]> {
    let mut m = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(from[i].0), f64::from(from[i].1));
        let (u, v) = (f64::from(to[i].0), f64::from(to[i].1));
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (row, r) in m.iter_mut().enumerate() {
            if row != col {
                let f = r[col] / pivot_row[col];
                for (v, p) in r.iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for (i, (hv, r)) in h.iter_mut().zip(&m).enumerate() {
        *hv = r[8] / r[i];
    }
    h[8] = 1.0;
    Some(h)
}

fn sample(img: &Gray, x: f64, y: f64) -> Option<f32> {
    if x < 0.0 || y < 0.0 || x > (img.width - 1) as f64 || y > (img.height - 1) as f64 {
        return None;
    }
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let p = |xx: usize, yy: usize| f32::from(img.px[yy * img.width + xx]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

fn box_blur(img: &mut Gray, radius: usize) {
    let (w, h) = (img.width, img.height);
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(radius), (x + radius).min(w - 1));
            let s: f32 = (a..=b).map(|xx| f32::from(img.px[y * w + xx])).sum();
            tmp[y * w + x] = s / (b - a + 1) as f32;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (y.saturating_sub(radius), (y + radius).min(h - 1));
            let s: f32 = (a..=b).map(|yy| tmp[yy * w + x]).sum();
            img.px[y * w + x] = (s / (b - a + 1) as f32).round() as u8;
        }
    }
}

/// Put `code` (a rendered QR with quiet zone, black on white) into a 1280×720 frame.
pub fn frame(code: &Gray, scene: Scene, distortion: Distortion, seed: u64) -> Gray {
    let mut rng = SplitMix(seed);
    let d = distortion;
    let combined = d == Distortion::Combined;
    // The "object": the code on a screen or card with a margin.
    let margin = code.width / 5;
    let (ow, oh) = (
        code.width + 2 * margin,
        code.height + 2 * margin + code.height / 3,
    );
    let paper: u8 = match scene {
        Scene::PhoneScreen => 245,
        Scene::PrintedCard => 232,
    };
    let mut object = Gray {
        width: ow,
        height: oh,
        px: vec![paper; ow * oh],
    };
    for y in 0..code.height {
        for x in 0..code.width {
            object.px[(y + margin) * ow + x + margin] =
                code.px[y * code.width + x].max(if scene == Scene::PrintedCard { 25 } else { 0 });
        }
    }
    // Text-like bars under the code (a name and household on a card, an app header on a phone).
    for bar in 0..3 {
        let y0 = margin + code.height + margin / 2 + bar * (code.height / 12).max(4);
        let len = ow * (5 - bar) / 8;
        for y in y0..(y0 + (code.height / 24).max(2)).min(oh) {
            for x in margin..(margin + len).min(ow) {
                object.px[y * ow + x] = 60;
            }
        }
    }
    // Size in the frame: modules of 3–5 px (phone) or 3–6 px (card).
    let module_scale = match scene {
        Scene::PhoneScreen => rng.range(0.75, 1.25),
        Scene::PrintedCard => rng.range(0.75, 1.5),
    };
    let (cx, cy) = (
        FRAME_W as f32 / 2.0 + rng.range(-200.0, 200.0),
        FRAME_H as f32 / 2.0 + rng.range(-60.0, 60.0),
    );
    let angle_range = if d == Distortion::Rotation || combined {
        40.0
    } else {
        12.0
    };
    let angle = rng.range(-angle_range, angle_range).to_radians();
    let (hw, hh) = (
        ow as f32 * module_scale / 2.0,
        oh as f32 * module_scale / 2.0,
    );
    let mut corners = [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)].map(|(x, y)| {
        (
            cx + x * angle.cos() - y * angle.sin(),
            cy + x * angle.sin() + y * angle.cos(),
        )
    });
    let tilt = if d == Distortion::Perspective || combined {
        0.18
    } else {
        0.03
    };
    for c in &mut corners {
        c.0 += rng.range(-tilt, tilt) * hw;
        c.1 += rng.range(-tilt, tilt) * hh;
    }
    let src = [
        (0.0, 0.0),
        (ow as f32, 0.0),
        (ow as f32, oh as f32),
        (0.0, oh as f32),
    ];
    let mut out = Gray {
        width: FRAME_W,
        height: FRAME_H,
        px: vec![0; FRAME_W * FRAME_H],
    };
    let Some(h) = homography(corners, src) else {
        return out;
    };
    // Background: a desk gradient, or a dark hand/bezel for a phone.
    let (bg0, bg1) = match scene {
        Scene::PhoneScreen => (30.0, 70.0),
        Scene::PrintedCard => (120.0, 170.0),
    };
    for y in 0..FRAME_H {
        for x in 0..FRAME_W {
            let (xf, yf) = (x as f64 + 0.5, y as f64 + 0.5);
            let den = h[6] * xf + h[7] * yf + h[8];
            let v = if den.abs() > 1e-9 {
                sample(
                    &object,
                    (h[0] * xf + h[1] * yf + h[2]) / den,
                    (h[3] * xf + h[4] * yf + h[5]) / den,
                )
            } else {
                None
            };
            let bg = bg0 + (bg1 - bg0) * (x + y) as f32 / (FRAME_W + FRAME_H) as f32;
            out.px[y * FRAME_W + x] = v.unwrap_or(bg).round().clamp(0.0, 255.0) as u8;
        }
    }
    if d == Distortion::Inverted || (combined && scene == Scene::PhoneScreen) {
        out = out.inverted();
    }
    if d == Distortion::LowContrast || combined {
        let (lo, hi) = (rng.range(70.0, 100.0), rng.range(150.0, 180.0));
        for p in &mut out.px {
            *p = (lo + f32::from(*p) * (hi - lo) / 255.0) as u8;
        }
    }
    if d == Distortion::Glare || combined {
        let (gx, gy, r) = (
            cx + rng.range(-hw, hw) * 0.6,
            cy + rng.range(-hh, hh) * 0.6,
            rng.range(0.3, 0.5) * hw,
        );
        for y in 0..FRAME_H {
            for x in 0..FRAME_W {
                let dd = ((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)).sqrt() / r;
                if dd < 1.0 {
                    let p = &mut out.px[y * FRAME_W + x];
                    *p = (f32::from(*p) + (1.0 - dd) * 150.0).min(255.0) as u8;
                }
            }
        }
    }
    let radius = if d == Distortion::Blur { 2 } else { 1 };
    box_blur(&mut out, radius);
    let sigma = if d == Distortion::Noise || combined {
        22.0
    } else {
        5.0
    };
    for p in &mut out.px {
        // Sum of uniforms: roughly Gaussian.
        let n: f32 = (0..3).map(|_| rng.range(-1.0, 1.0)).sum::<f32>() * sigma / 1.73;
        *p = (f32::from(*p) + n).round().clamp(0.0, 255.0) as u8;
    }
    out
}
