//! Rendering passes: QR codes as SVG (for screens) and PNG, and printable A4 card sheets ("one card").

mod card;
mod qr;

pub use card::{card_sheet_html, Card, SheetOptions, CARDS_PER_PAGE};
pub use qr::{qr_code, qr_luma, qr_png, qr_svg, qr_version, RenderError, MAX_QR_VERSION};
