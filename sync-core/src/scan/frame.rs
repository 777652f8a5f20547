//! Camera frames: a checked view of a luma buffer with a stride, and the image steps the retries use.

use thiserror::Error;

/// Frames larger than this on either side are declined (no phone camera delivers them).
pub const MAX_SIDE: usize = 8192;
/// Frames with more pixels than this are declined.
pub const MAX_PIXELS: usize = 24_000_000;

/// Why a buffer is not a usable frame.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("the frame is empty ({width}×{height})")]
    Empty { width: usize, height: usize },
    #[error("the stride {stride} is smaller than the width {width}")]
    StrideTooSmall { width: usize, stride: usize },
    #[error(
        "the buffer holds {have} bytes; a {width}×{height} frame with stride {stride} needs {need}"
    )]
    TooShort {
        width: usize,
        height: usize,
        stride: usize,
        need: usize,
        have: usize,
    },
    #[error("the frame is {width}×{height}; at most {MAX_SIDE} per side and {MAX_PIXELS} pixels are scanned")]
    TooLarge { width: usize, height: usize },
}

/// A borrowed 8-bit luma frame (0 = black), rows `stride` bytes apart.
#[derive(Debug, Clone, Copy)]
pub struct LumaFrame<'a> {
    width: usize,
    height: usize,
    stride: usize,
    data: &'a [u8],
}

impl<'a> LumaFrame<'a> {
    pub fn new(
        width: usize,
        height: usize,
        stride: usize,
        data: &'a [u8],
    ) -> Result<Self, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty { width, height });
        }
        if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS {
            return Err(FrameError::TooLarge { width, height });
        }
        if stride < width {
            return Err(FrameError::StrideTooSmall { width, stride });
        }
        // The last row needs only `width` bytes.
        let need = stride
            .checked_mul(height - 1)
            .and_then(|n| n.checked_add(width))
            .ok_or(FrameError::TooLarge { width, height })?;
        if data.len() < need {
            return Err(FrameError::TooShort {
                width,
                height,
                stride,
                need,
                have: data.len(),
            });
        }
        Ok(Self {
            width,
            height,
            stride,
            data,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels as a tightly packed image (a copy only when the stride differs from the width).
    pub fn to_gray(&self) -> Gray {
        let mut px = Vec::with_capacity(self.width * self.height);
        for row in self.data.chunks(self.stride).take(self.height) {
            px.extend_from_slice(&row[..self.width]);
        }
        Gray {
            width: self.width,
            height: self.height,
            px,
        }
    }
}

/// A tightly packed grayscale image that the retries transform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

impl Gray {
    /// Twice the size, bilinear (keeps module edges soft so finder patterns stay regular).
    pub fn upscale2(&self) -> Gray {
        let (w, h) = (self.width, self.height);
        let (nw, nh) = (w * 2, h * 2);
        let mut px = vec![0u8; nw * nh];
        for y in 0..nh {
            let sy = (y as f32 - 0.5) / 2.0;
            let y0 = (sy.floor().max(0.0) as usize).min(h - 1);
            let y1 = (y0 + 1).min(h - 1);
            let fy = (sy - y0 as f32).clamp(0.0, 1.0);
            for x in 0..nw {
                let sx = (x as f32 - 0.5) / 2.0;
                let x0 = (sx.floor().max(0.0) as usize).min(w - 1);
                let x1 = (x0 + 1).min(w - 1);
                let fx = (sx - x0 as f32).clamp(0.0, 1.0);
                let p = |xx: usize, yy: usize| f32::from(self.px[yy * w + xx]);
                let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                px[y * nw + x] = (top * (1.0 - fy) + bottom * fy).round() as u8;
            }
        }
        Gray {
            width: nw,
            height: nh,
            px,
        }
    }

    /// Scaled by `num/den` (< 1) with box averaging.
    pub fn downscale(&self, num: usize, den: usize) -> Gray {
        let nw = (self.width * num / den).max(1);
        let nh = (self.height * num / den).max(1);
        let mut px = vec![0u8; nw * nh];
        for y in 0..nh {
            let (sy0, sy1) = (
                y * self.height / nh,
                ((y + 1) * self.height / nh).max(y * self.height / nh + 1),
            );
            for x in 0..nw {
                let (sx0, sx1) = (
                    x * self.width / nw,
                    ((x + 1) * self.width / nw).max(x * self.width / nw + 1),
                );
                let mut sum = 0u32;
                let mut n = 0u32;
                for yy in sy0..sy1.min(self.height) {
                    for xx in sx0..sx1.min(self.width) {
                        sum += u32::from(self.px[yy * self.width + xx]);
                        n += 1;
                    }
                }
                px[y * nw + x] = (sum / n.max(1)) as u8;
            }
        }
        Gray {
            width: nw,
            height: nh,
            px,
        }
    }

    pub fn inverted(&self) -> Gray {
        Gray {
            width: self.width,
            height: self.height,
            px: self.px.iter().map(|p| 255 - p).collect(),
        }
    }

    /// The centre region (half of each side), where a held-up code usually is.
    pub fn centre(&self) -> Gray {
        let (w, h) = (self.width / 2, self.height / 2);
        let (x0, y0) = (self.width / 4, self.height / 4);
        let mut px = Vec::with_capacity(w * h);
        for y in y0..y0 + h {
            px.extend_from_slice(&self.px[y * self.width + x0..y * self.width + x0 + w]);
        }
        Gray {
            width: w,
            height: h,
            px,
        }
    }

    /// Contrast stretched so the 2nd and 98th percentiles become black and white (dim or washed-out codes).
    pub fn stretched(&self) -> Gray {
        let mut hist = [0usize; 256];
        for &p in &self.px {
            hist[usize::from(p)] += 1;
        }
        let n = self.px.len();
        let pick = |target: usize| {
            let mut acc = 0;
            for (v, &c) in hist.iter().enumerate() {
                acc += c;
                if acc > target {
                    return v;
                }
            }
            255
        };
        let lo = pick(n / 50) as f32;
        let hi = (pick(n - n / 50 - 1) as f32).max(lo + 1.0);
        let scale = 255.0 / (hi - lo);
        Gray {
            width: self.width,
            height: self.height,
            px: self
                .px
                .iter()
                .map(|&p| ((f32::from(p) - lo) * scale).clamp(0.0, 255.0) as u8)
                .collect(),
        }
    }
}
