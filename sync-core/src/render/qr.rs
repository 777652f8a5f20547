//! A pass payload as a QR code (level M, version ≤ 8): SVG markup, PNG bytes, or a grayscale image.

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{render::svg, EcLevel, QrCode, Version};
use thiserror::Error;

/// The largest QR version a pass may need (see `pass::MAX_PAYLOAD_CHARS`).
pub const MAX_QR_VERSION: i16 = 8;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("the text does not fit a QR code: {0}")]
    Qr(String),
    #[error("the text needs QR version {version}; passes must fit version {MAX_QR_VERSION}")]
    TooLarge { version: i16 },
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The QR code of a payload at error-correction level M, refused if it needs more than version 8.
pub fn qr_code(payload: &str) -> Result<QrCode, RenderError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Qr(e.to_string()))?;
    match code.version() {
        Version::Normal(v) if v <= MAX_QR_VERSION => Ok(code),
        Version::Normal(v) | Version::Micro(v) => Err(RenderError::TooLarge { version: v }),
    }
}

/// The QR version (1–8) a payload needs at level M.
pub fn qr_version(payload: &str) -> Result<i16, RenderError> {
    match qr_code(payload)?.version() {
        Version::Normal(v) | Version::Micro(v) => Ok(v),
    }
}

/// SVG markup (no XML declaration, so it can be inlined in HTML), scaling to its container.
pub fn qr_svg(payload: &str) -> Result<String, RenderError> {
    let code = qr_code(payload)?;
    let markup = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build();
    // Drop the XML declaration and let CSS size the picture.
    let start = markup.find("<svg").unwrap_or(0);
    Ok(markup[start..].replacen("<svg ", "<svg preserveAspectRatio=\"xMidYMid meet\" ", 1))
}

/// A grayscale image with `module_px` pixels per module and the 4-module quiet zone.
pub fn qr_luma(payload: &str, module_px: u32) -> Result<GrayImage, RenderError> {
    let code = qr_code(payload)?;
    let px = module_px.max(1);
    Ok(code
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(px, px)
        .build())
}

/// PNG bytes with `module_px` pixels per module.
pub fn qr_png(payload: &str, module_px: u32) -> Result<Vec<u8>, RenderError> {
    let img = qr_luma(payload, module_px)?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(out.into_inner())
}
