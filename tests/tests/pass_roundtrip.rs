//! Sign → encode → render (PNG, SVG, a camera-like frame) → decode from the image → verify, for every pass kind.

use chrono::{DateTime, Duration, Utc};
use sync_core::pass::{
    verify, DistrictSigner, KeySet, PassBody, PassKind, PassVerdict, Revocations,
};
use sync_core::render::{card_sheet_html, qr_luma, qr_png, qr_svg, qr_version, Card, SheetOptions};
use sync_core::scan::synth::{frame, Distortion, Scene};
use sync_core::scan::{Gray, LumaFrame, Scanner};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn body(kind: PassKind, i: u32) -> PassBody {
    PassBody {
        kind,
        pass_id: format!("P{:06}", 4000 + i),
        serial: 1 + i,
        district_id: "d01".into(),
        compound_id: "c03".into(),
        household: "12-3-1202".into(),
        display_name: "司马相如".into(),
        plate: (kind == PassKind::Vehicle).then(|| "沪B9C8D7".to_owned()),
        valid_from: at(1_767_225_600),
        valid_until: at(1_767_225_600) + Duration::days(1),
    }
}

fn setup() -> (DistrictSigner, KeySet) {
    let signer = DistrictSigner::generate("d01").expect("key");
    let keys = KeySet::from_records(&[signer.key_record(None, None)]).expect("keys");
    (signer, keys)
}

fn verified(payload: &str, keys: &KeySet) -> PassVerdict {
    let now = at(1_767_225_600) + Duration::hours(8);
    verify(
        payload,
        keys,
        &Revocations::default(),
        "d01",
        now,
        Some(-2500),
    )
    .verdict
}

#[test]
fn every_kind_round_trips_through_a_png_image() {
    let (signer, keys) = setup();
    for (i, kind) in PassKind::ALL.into_iter().enumerate() {
        let b = body(kind, i as u32);
        let payload = signer.sign(&b).expect("sign");
        let version = qr_version(&payload).expect("qr");
        assert!(version <= 8, "{kind:?}: version {version}");
        let png = qr_png(&payload, 3).expect("png");
        let img = image::load_from_memory(&png)
            .expect("decode png")
            .to_luma8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let frame = LumaFrame::new(w, h, w, img.as_raw()).expect("frame");
        let scan = Scanner::default().scan(&frame);
        assert_eq!(scan.reads.len(), 1, "{kind:?}");
        assert_eq!(scan.reads[0].text, payload);
        let v = verify(
            &scan.reads[0].text,
            &keys,
            &Revocations::default(),
            "d01",
            at(1_767_229_200),
            None,
        );
        assert_eq!(v.verdict, PassVerdict::Valid, "{kind:?}");
        assert_eq!(v.pass, Some(b));
    }
}

#[test]
fn every_kind_round_trips_through_a_phone_screen_frame_with_a_padded_stride() {
    let (signer, keys) = setup();
    for (i, kind) in PassKind::ALL.into_iter().enumerate() {
        let payload = signer.sign(&body(kind, i as u32)).expect("sign");
        let code = qr_luma(&payload, 4).expect("luma");
        let code = Gray {
            width: code.width() as usize,
            height: code.height() as usize,
            px: code.into_raw(),
        };
        let scene = if i % 2 == 0 {
            Scene::PhoneScreen
        } else {
            Scene::PrintedCard
        };
        let img = frame(&code, scene, Distortion::Rotation, 11 + i as u64);
        // A camera row stride wider than the image (padding bytes set to a confusing grey).
        let stride = img.width + 64;
        let mut buf = vec![128u8; stride * img.height];
        for y in 0..img.height {
            buf[y * stride..y * stride + img.width]
                .copy_from_slice(&img.px[y * img.width..(y + 1) * img.width]);
        }
        let f = LumaFrame::new(img.width, img.height, stride, &buf).expect("frame");
        let scan = Scanner::default().scan(&f);
        let read = scan.reads.first().expect("read");
        assert_eq!(read.text, payload, "{kind:?} via {}", read.attempt);
        assert_eq!(verified(&read.text, &keys), PassVerdict::Valid);
    }
}

#[test]
fn svg_and_card_sheet_carry_the_code_and_escape_text() {
    let (signer, _) = setup();
    let mut b = body(PassKind::Resident, 1);
    b.display_name = "<b>&小明".into();
    let payload = signer.sign(&b).expect("sign");
    let svg = qr_svg(&payload).expect("svg");
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    let cards: Vec<Card> = (0..12)
        .map(|_| Card {
            payload: payload.clone(),
            body: b.clone(),
        })
        .collect();
    let html = card_sheet_html(
        &cards,
        &SheetOptions {
            title: "阳光小区".into(),
            utc_offset_minutes: 480,
            lang: sync_core::i18n::Lang::ZhCn,
            compound_names: vec![("c1".into(), "阳光小区".into())],
        },
    )
    .expect("sheet");
    assert_eq!(html.matches("<article class=\"card\">").count(), 12);
    assert_eq!(html.matches("<section class=\"page\">").count(), 2);
    assert!(html.contains("&lt;b&gt;&amp;小明") && !html.contains("<b>&小明"));
    assert!(
        html.contains("2026-01-01 08:00"),
        "dates in the district's time zone"
    );
}

#[test]
fn a_patrol_point_label_round_trips_through_a_printed_label_frame() {
    use sync_core::patrol::{sign_point, PatrolPoint, PointCheck};
    let (signer, keys) = setup();
    let point = PatrolPoint {
        point_id: "P0012".into(),
        district_id: signer.district_id().to_owned(),
        compound_id: "c07".into(),
        name: "3号楼后门 back door, bldg 3".into(),
    };
    let label = sign_point(&signer, &point).expect("sign");
    let code = qr_luma(&label, 4).expect("luma");
    let code = Gray {
        width: code.width() as usize,
        height: code.height() as usize,
        px: code.into_raw(),
    };
    let img = frame(&code, Scene::PrintedCard, Distortion::Rotation, 41);
    let f = LumaFrame::new(img.width, img.height, img.width, &img.px).expect("frame");
    let read = Scanner::default()
        .scan(&f)
        .reads
        .into_iter()
        .next()
        .expect("read");
    assert_eq!(read.text, label);
    let check = PointCheck {
        keys: &keys,
        district_id: signer.district_id(),
        compound_id: "c07",
    };
    assert_eq!(check.verify(&read.text), Ok(point));
}
