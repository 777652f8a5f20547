//! Photos attached to journal entries: named by the SHA-256 of their bytes, JPEG only, and capped
//! in size (300 KB by default) after compression on the device.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::DynamicImage;
use sha2::{Digest, Sha256};

/// The default size cap for one photo after compression, in bytes.
pub const DEFAULT_PHOTO_MAX_BYTES: usize = 300 * 1024;

/// The longest side a photo is scaled down to before compression (a patrol point or an incident
/// needs to be recognisable, not printable).
const LONGEST_SIDE: u32 = 1600;

/// JPEG qualities tried in turn until the photo fits the cap.
const QUALITIES: [u8; 4] = [80, 65, 50, 35];

/// Why a photo cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the picture cannot be read: {0}")]
    Unreadable(String),
    #[error("the photo is {size} bytes, over the cap of {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("the photo is not a JPEG")]
    NotJpeg,
}

impl crate::i18n::Localized for PhotoError {
    fn message(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.to_string(),
            crate::i18n::Lang::ZhCn => match self {
                Self::Unreadable(_) => "无法读取照片，请重拍",
                Self::TooLarge { .. } => "照片过大，无法压缩到上限以内",
                Self::NotJpeg => "照片格式不对",
            }
            .into(),
        }
    }
}

/// The lowercase hex SHA-256 of `bytes`: a photo's name everywhere (device, wire, server).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` is a photo name: 64 lowercase hex characters.
pub fn is_blob_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `bytes` start like a JPEG file (SOI marker).
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// Check a finished photo: a JPEG within `max` bytes.
pub fn check_photo(bytes: &[u8], max: usize) -> Result<(), PhotoError> {
    if !is_jpeg(bytes) {
        return Err(PhotoError::NotJpeg);
    }
    if bytes.len() > max {
        return Err(PhotoError::TooLarge {
            size: bytes.len(),
            max,
        });
    }
    Ok(())
}

/// Turn a camera picture (JPEG or PNG) into a JPEG of at most `max` bytes: scaled so its longest
/// side is at most 1600 px, then encoded at falling qualities, then halved in size, until it fits.
pub fn compress_photo(picture: &[u8], max: usize) -> Result<Vec<u8>, PhotoError> {
    let decoded = std::panic::catch_unwind(|| image::load_from_memory(picture))
        .map_err(|_| PhotoError::Unreadable("the decoder failed".into()))?
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let mut img = fit(decoded, LONGEST_SIDE);
    let mut smallest = usize::MAX;
    // Each halving quarters the pixels; eight of them reach a few pixels, which always fit.
    for _ in 0..8 {
        for quality in QUALITIES {
            let jpeg = encode(&img, quality)?;
            if jpeg.len() <= max {
                return Ok(jpeg);
            }
            smallest = smallest.min(jpeg.len());
        }
        let longest = img.width().max(img.height()) / 2;
        img = fit(img, longest.max(1));
    }
    Err(PhotoError::TooLarge {
        size: smallest,
        max,
    })
}

fn fit(img: DynamicImage, longest: u32) -> DynamicImage {
    if img.width().max(img.height()) <= longest {
        return img;
    }
    img.resize(longest, longest, FilterType::Triangle)
}

fn encode(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Cursor::new(Vec::new());
    let rgb = img.to_rgb8();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage};

    /// A noisy picture (compresses badly, like a real photo) as PNG.
    fn noisy_png(w: u32, h: u32) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        let img = RgbImage::from_fn(w, h, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [a, b, c, _] = state.to_le_bytes();
            Rgb([a, b, c])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Png)
            .expect("png");
        out.into_inner()
    }

    #[test]
    fn a_large_noisy_picture_is_compressed_under_the_cap() {
        let png = noisy_png(2400, 1800);
        assert!(png.len() > DEFAULT_PHOTO_MAX_BYTES);
        let jpeg = compress_photo(&png, DEFAULT_PHOTO_MAX_BYTES).expect("compress");
        assert!(
            check_photo(&jpeg, DEFAULT_PHOTO_MAX_BYTES).is_ok(),
            "{}",
            jpeg.len()
        );
        let back = image::load_from_memory(&jpeg).expect("decodes");
        assert!(back.width() <= LONGEST_SIDE && back.height() <= LONGEST_SIDE);
    }

    #[test]
    fn a_smaller_cap_is_honoured_and_garbage_is_refused() {
        let jpeg = compress_photo(&noisy_png(800, 600), 20_000).expect("compress");
        assert!(jpeg.len() <= 20_000);
        assert!(matches!(
            compress_photo(b"not a picture", 20_000),
            Err(PhotoError::Unreadable(_))
        ));
        assert_eq!(check_photo(b"\x89PNG....", 10), Err(PhotoError::NotJpeg));
    }

    #[test]
    fn names_are_lowercase_hex_sha256() {
        let name = sha256_hex(b"abc");
        assert!(is_blob_id(&name));
        assert!(!is_blob_id(&name.to_uppercase()));
        assert!(!is_blob_id("../../etc/passwd"));
        assert_eq!(
            name,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
