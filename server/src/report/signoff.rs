//! A compound's daily report reported once (最多报一次): the snapshot a manager signs (the counted
//! report and the few figures no record holds, typed in the same form), its content hash, and the
//! amendment — the headline numbers that later uploads changed since, shown beside the frozen ones.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sync_core::i18n::Lang;

use super::DailyReport;

/// The figures a compound manager types when signing: `(form field, Chinese, English)`.
pub const MANUAL_FIELDS: [(&str, &str, &str); 3] = [
    (
        "home_observation",
        "居家观察人数",
        "People under home observation",
    ),
    ("masks_in_stock", "口罩库存（只）", "Masks in stock"),
    (
        "disinfectant_litres",
        "消毒液库存（升）",
        "Disinfectant in stock (litres)",
    ),
];

/// The largest figure accepted (a typo guard, not a business rule).
const MAX_FIGURE: u32 = 10_000_000;

/// The typed figures, in [`MANUAL_FIELDS`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualFigures {
    pub home_observation: u32,
    pub masks_in_stock: u32,
    pub disinfectant_litres: u32,
}

/// A figure that is not a whole number in range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh}须为 0–10000000 的整数 {en} must be a whole number 0–10000000: {text:?}")]
pub struct FigureError {
    pub zh: &'static str,
    pub en: &'static str,
    pub text: String,
}

impl ManualFigures {
    /// Read the figures from a form's fields (an empty field is 0).
    pub fn from_form(field: impl Fn(&str) -> String) -> Result<Self, FigureError> {
        let mut values = [0u32; 3];
        for (value, (name, zh, en)) in values.iter_mut().zip(MANUAL_FIELDS) {
            let text = field(name).trim().to_owned();
            if text.is_empty() {
                continue;
            }
            *value = text
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_FIGURE)
                .ok_or(FigureError { zh, en, text })?;
        }
        let [home_observation, masks_in_stock, disinfectant_litres] = values;
        Ok(Self {
            home_observation,
            masks_in_stock,
            disinfectant_litres,
        })
    }

    pub fn values(&self) -> [u32; 3] {
        [
            self.home_observation,
            self.masks_in_stock,
            self.disinfectant_litres,
        ]
    }

    pub fn add(&mut self, other: &ManualFigures) {
        self.home_observation += other.home_observation;
        self.masks_in_stock += other.masks_in_stock;
        self.disinfectant_litres += other.disinfectant_litres;
    }
}

/// What is signed: the report as counted at that moment and the typed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub report: DailyReport,
    pub manual: ManualFigures,
}

impl Snapshot {
    /// The stored text: JSON in the structs' field order, so the same snapshot always hashes
    /// the same.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// SHA-256 hex of a stored snapshot's text.
pub fn content_hash(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// One headline number that changed after the sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub zh: String,
    pub en: String,
    pub frozen: u64,
    pub now: u64,
}

/// The report's headline numbers: `(Chinese, English, value)`.
fn headline(r: &DailyReport) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for t in &r.totals {
        let (zh, en) = (t.kind.label(Lang::ZhCn), t.kind.label(Lang::En));
        out.push((format!("{zh}进入"), format!("{en} in"), t.admitted_in));
        out.push((format!("{zh}外出"), format!("{en} out"), t.admitted_out));
        out.push((format!("{zh}拒绝"), format!("{en} denied"), t.denied));
    }
    let fixed = [
        (
            "车内人员进入",
            "Vehicle occupants in",
            r.vehicle_occupants_in,
        ),
        (
            "车内人员外出",
            "Vehicle occupants out",
            r.vehicle_occupants_out,
        ),
        ("发热", "Fever cases", r.fever_cases),
        (
            "零点仍在内访客",
            "Visitors inside at midnight",
            r.visitors_inside_at_midnight,
        ),
        ("计入记录", "Records counted", r.records_counted),
        ("巡查应巡", "Patrol rounds due", r.patrol.due),
        (
            "上报事件",
            "Incidents",
            r.incidents.iter().map(|(_, n)| n).sum(),
        ),
        (
            "已打卡",
            "Checked in",
            u64::try_from(r.health.checked_in).unwrap_or(0),
        ),
        (
            "打卡异常",
            "Check-ins flagged",
            u64::try_from(r.health.flagged).unwrap_or(0),
        ),
    ];
    out.extend(
        fixed
            .into_iter()
            .map(|(zh, en, n)| (zh.to_owned(), en.to_owned(), n)),
    );
    out
}

/// The headline numbers that differ between the frozen report and the one counted now.
pub fn amendment(frozen: &DailyReport, now: &DailyReport) -> Vec<Change> {
    let now = headline(now);
    headline(frozen)
        .into_iter()
        .filter_map(|(zh, en, was)| {
            let is = now
                .iter()
                .find(|(z, _, _)| *z == zh)
                .map_or(0, |(_, _, n)| *n);
            (is != was).then_some(Change {
                zh,
                en,
                frozen: was,
                now: is,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> String {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(String::new(), |(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn figures_are_whole_numbers_and_empty_is_zero() {
        let f =
            ManualFigures::from_form(form(&[("home_observation", " 3 "), ("masks_in_stock", "")]));
        assert_eq!(f.map(|f| f.values()), Ok([3, 0, 0]));
        for bad in ["three", "-1", "1.5", "99999999"] {
            let pairs: &'static [(&str, &str)] = Box::leak(Box::new([("masks_in_stock", bad)]));
            let e = ManualFigures::from_form(form(pairs));
            assert_eq!(e.map_err(|e| e.en), Err("Masks in stock"), "{bad}");
        }
    }

    #[test]
    fn the_same_snapshot_hashes_the_same() {
        let a = content_hash("{\"x\":1}");
        assert_eq!(a, content_hash("{\"x\":1}"));
        assert_ne!(a, content_hash("{\"x\":2}"));
        assert_eq!(a.len(), 64);
    }
}
