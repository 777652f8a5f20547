//! Write an example A4 card sheet of signed passes (all four kinds) as HTML: `cargo run -p sync-core --example card_sheet -- OUT.html`.
//! `docs/cards/` keeps one, with its PNG rendered by headless Chromium.

use chrono::{DateTime, Duration, Utc};
use sync_core::i18n::Lang;
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::render::{card_sheet_html, Card, SheetOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "card-sheet.html".into());
    // A fixed example key, so the example sheet is the same on every run. Never use it for real passes.
    let signer = DistrictSigner::from_secret("d01", &[42u8; 32]);
    let from = DateTime::<Utc>::from_timestamp(1_767_196_800, 0).unwrap_or_default();
    let people = [
        (PassKind::Resident, "欧阳小明", "12-3-1202", None, 365),
        (PassKind::Resident, "张伟", "12-3-1202", None, 365),
        (
            PassKind::Vehicle,
            "李秀英",
            "5-1-301",
            Some("京A12345"),
            365,
        ),
        (PassKind::VisitorDay, "王建国", "7-2-602", None, 1),
        (PassKind::Staff, "陈静", "物业", None, 90),
        (PassKind::Resident, "司马相如", "3-4-1801", None, 365),
    ];
    let mut cards = Vec::new();
    for (i, (kind, name, household, plate, days)) in people.into_iter().enumerate() {
        let body = PassBody {
            kind,
            pass_id: format!(
                "{}{:06}",
                ["R", "V", "G", "S"][kind.code() as usize - 1],
                123 + i
            ),
            serial: 1,
            district_id: "d01".into(),
            compound_id: "c07".into(),
            household: household.into(),
            display_name: name.into(),
            plate: plate.map(str::to_owned),
            valid_from: from,
            valid_until: from + Duration::days(days),
        };
        cards.push(Card {
            payload: signer.sign(&body)?,
            body,
        });
    }
    let html = card_sheet_html(
        &cards,
        &SheetOptions {
            title: "阳光花园小区 · 一卡一码通行证".into(),
            utc_offset_minutes: 480,
            lang: Lang::ZhCn,
            compound_names: Vec::new(),
        },
    )?;
    std::fs::write(&out, html)?;
    println!("wrote {out}");
    Ok(())
}
