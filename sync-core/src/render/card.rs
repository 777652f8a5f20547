//! Printable A4 sheets of pass cards (credit-card size, ten per page) as print-ready HTML with inline SVG.

use chrono::{FixedOffset, Offset, Utc};

use super::qr::{qr_svg, RenderError};
use crate::i18n::Lang;
use crate::pass::PassBody;

/// Cards on one A4 page: two columns of five.
pub const CARDS_PER_PAGE: usize = 10;

/// One card: the signed payload and the body it carries (what is printed beside the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub payload: String,
    pub body: PassBody,
}

/// How a sheet is printed.
#[derive(Debug, Clone)]
pub struct SheetOptions {
    /// The title at the top of each page, e.g. the compound's name.
    pub title: String,
    /// The district's UTC offset in minutes (+480 for China Standard Time), for printed dates.
    pub utc_offset_minutes: i32,
    pub lang: Lang,
    /// `(compound id, name)`: each card shows its compound's name (the id when not listed).
    pub compound_names: Vec<(String, String)>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: #111;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif; }
.page { width: 190mm; height: 277mm; margin: 0 auto; break-after: page; }
.page:last-child { break-after: auto; }
.page h1 { font-size: 11pt; font-weight: normal; margin: 0 0 2mm 0; height: 5mm; }
.cards { display: grid; grid-template-columns: 85.6mm 85.6mm; grid-auto-rows: 54mm;
  column-gap: 8mm; row-gap: 0.9mm; }
.card { border: 0.3mm dashed #777; border-radius: 3mm; padding: 2.5mm; display: flex; gap: 2.5mm;
  break-inside: avoid; overflow: hidden; }
.qr { flex: 0 0 49mm; height: 49mm; }
.qr svg { width: 100%; height: 100%; display: block; }
.info { display: flex; flex-direction: column; min-width: 0; }
.kind { font-size: 8pt; color: #fff; padding: 0.6mm 1.5mm; border-radius: 1mm; align-self: flex-start; }
.kind-resident { background: #1d6f42; } .kind-vehicle { background: #1f4e9c; }
.kind-visitor_day { background: #b35c00; } .kind-staff { background: #7a1f7a; }
.name { font-size: 17pt; font-weight: bold; margin-top: 2mm; line-height: 1.15; word-break: break-all; }
.line { font-size: 10pt; margin-top: 1.2mm; word-break: break-all; }
.plate { font-size: 13pt; font-weight: bold; letter-spacing: 0.3mm; }
.small { font-size: 7pt; color: #444; margin-top: auto; line-height: 1.35; }
"#;

/// The HTML of a sheet: pages of [`CARDS_PER_PAGE`] cards. Fails only when a payload does not fit a QR code.
pub fn card_sheet_html(cards: &[Card], options: &SheetOptions) -> Result<String, RenderError> {
    let zone = FixedOffset::east_opt(options.utc_offset_minutes.saturating_mul(60))
        .unwrap_or_else(|| Utc.fix());
    let (household_label, valid_label, until_word) = match options.lang {
        Lang::ZhCn => ("房号", "有效期", "至"),
        Lang::En => ("Household", "Valid", "to"),
    };
    let mut html = String::with_capacity(4096 + cards.len() * 6000);
    html.push_str("<!doctype html>\n<html lang=\"");
    html.push_str(options.lang.code());
    html.push_str("\"><head><meta charset=\"utf-8\"><title>");
    html.push_str(&escape(&options.title));
    html.push_str("</title><style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body>\n");
    for (page_idx, page) in cards.chunks(CARDS_PER_PAGE).enumerate() {
        html.push_str("<section class=\"page\"><h1>");
        html.push_str(&escape(&options.title));
        html.push_str(&format!(" · {}</h1><div class=\"cards\">\n", page_idx + 1));
        for card in page {
            let b = &card.body;
            let from = b.valid_from.with_timezone(&zone).format("%Y-%m-%d %H:%M");
            let until = b.valid_until.with_timezone(&zone).format("%Y-%m-%d %H:%M");
            html.push_str(&format!(
                "<article class=\"card\"><div class=\"qr\">{svg}</div><div class=\"info\">\
                 <span class=\"kind kind-{kind_id}\">{kind}</span>\
                 <div class=\"name\">{name}</div>",
                svg = qr_svg(&card.payload)?,
                kind_id = b.kind.as_str(),
                kind = escape(b.kind.label(options.lang)),
                name = escape(&b.display_name),
            ));
            if let Some(plate) = &b.plate {
                html.push_str(&format!(
                    "<div class=\"line plate\">{}</div>",
                    escape(plate)
                ));
            }
            html.push_str(&format!(
                "<div class=\"line\">{household_label} {household}</div>\
                 <div class=\"small\">{valid_label}<br>{from}<br>{until_word} {until}<br>\
                 {pass_id} #{serial} · {compound}</div></div></article>\n",
                household = escape(&b.household),
                pass_id = escape(&b.pass_id),
                serial = b.serial,
                compound = escape(
                    options
                        .compound_names
                        .iter()
                        .find(|(id, _)| *id == b.compound_id)
                        .map_or(b.compound_id.as_str(), |(_, name)| name.as_str())
                ),
            ));
        }
        html.push_str("</div></section>\n");
    }
    html.push_str("</body></html>\n");
    Ok(html)
}
