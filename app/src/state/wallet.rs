//! Resident mode: the passes kept on this phone (a family's, a vehicle's), added from a card or a link.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ports::{CheckedPass, PassKindView};

/// The ledger setting key for the wallet.
pub const WALLET_KEY: &str = "resident_passes";

/// The text every pass payload starts with.
pub const PASS_PREFIX: &str = "CP1:";

/// One pass kept on the phone: its payload (shown as QR) and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldPass {
    pub payload: String,
    pub pass_id: String,
    pub display_name: String,
    pub household: String,
    pub plate: Option<String>,
    pub vehicle: bool,
    pub valid_until: Option<DateTime<Utc>>,
    /// The district revoked it (a household link's refresh says so): shown as revoked, no QR.
    #[serde(default)]
    pub revoked: bool,
}

/// Where the household's passes came from: the letter's link, kept to refresh them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdSource {
    pub link: String,
    pub household: String,
    pub refreshed_at: DateTime<Utc>,
    /// The district's offset from UTC (from the signed bundle), for the check-in's day.
    #[serde(default = "china_offset")]
    pub utc_offset_minutes: i32,
}

fn china_offset() -> i32 {
    480
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    pub passes: Vec<HeldPass>,
    pub selected: usize,
    /// The last add attempt failed: both languages.
    #[serde(skip)]
    pub error: Option<(String, String)>,
    /// The household letter's link, when the passes came from one.
    #[serde(default)]
    pub household: Option<HouseholdSource>,
    /// A household link is being fetched.
    #[serde(skip)]
    pub fetching: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WalletAction {
    /// A payload and its offline check.
    Add(String, CheckedPass),
    Select(usize),
    Remove(usize),
    /// A household link is being fetched.
    Fetching,
    /// A household link's passes, verified offline against the signed bundle: they replace the
    /// household's earlier ones (a reissued pass its older serial; a revoked one stays, marked).
    Household {
        source: HouseholdSource,
        passes: Vec<HeldPass>,
    },
    /// Fetching failed: both languages (the passes held stay).
    FetchFailed(String, String),
}

/// Find the pass payload in scanned or pasted text (a bare payload, or a link ending in `#CP1:…`).
pub fn extract_payload(text: &str) -> Option<String> {
    let start = text.find(PASS_PREFIX)?;
    let payload: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (payload.len() > PASS_PREFIX.len()).then_some(payload)
}

impl Wallet {
    pub fn reduce(&mut self, action: WalletAction) {
        self.error = None;
        match action {
            WalletAction::Add(payload, checked) => {
                // Only a genuine pass is kept; an expired one is kept too (the gate decides), a forged
                // one not. A resident's phone guards no compound, so every compound's pass is genuine.
                let genuine = checked.is_valid()
                    || matches!(
                        checked.denied,
                        Some(
                            sync_core::DenyReason::Expired
                                | sync_core::DenyReason::NotYetValid
                                | sync_core::DenyReason::WrongCompound
                        )
                    );
                if !genuine || checked.pass_id.is_empty() {
                    self.error = Some((checked.message_zh, checked.message_en));
                    return;
                }
                let held = HeldPass {
                    payload,
                    pass_id: checked.pass_id,
                    display_name: checked.display_name,
                    household: checked.household,
                    plate: checked.plate,
                    vehicle: checked.kind == PassKindView::Vehicle,
                    valid_until: checked.valid_until,
                    revoked: false,
                };
                // A reissued card replaces the older one of the same pass id.
                match self.passes.iter().position(|p| p.pass_id == held.pass_id) {
                    Some(i) => {
                        self.passes[i] = held;
                        self.selected = i;
                    }
                    None => {
                        self.passes.push(held);
                        self.selected = self.passes.len() - 1;
                    }
                }
            }
            WalletAction::Fetching => self.fetching = true,
            WalletAction::FetchFailed(zh, en) => {
                self.fetching = false;
                self.error = Some((zh, en));
            }
            WalletAction::Household { source, passes } => {
                self.fetching = false;
                let fresh: Vec<&str> = passes.iter().map(|p| p.pass_id.as_str()).collect();
                self.passes.retain(|p| {
                    p.household != source.household && !fresh.contains(&p.pass_id.as_str())
                });
                self.passes.extend(passes);
                self.household = Some(source);
                self.selected = self.selected.min(self.passes.len().saturating_sub(1));
            }
            WalletAction::Select(i) => {
                if i < self.passes.len() {
                    self.selected = i;
                }
            }
            WalletAction::Remove(i) => {
                if i < self.passes.len() {
                    self.passes.remove(i);
                }
                self.selected = self.selected.min(self.passes.len().saturating_sub(1));
            }
        }
    }

    pub fn current(&self) -> Option<&HeldPass> {
        self.passes.get(self.selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::gate::tests::checked;
    use sync_core::DenyReason;

    #[test]
    fn holds_several_passes_and_replaces_reissued() {
        let mut w = Wallet::default();
        w.reduce(WalletAction::Add("CP1:AAA".into(), checked("R1", None)));
        let mut car = checked("V1", None);
        car.kind = PassKindView::Vehicle;
        car.plate = Some("京A12345".into());
        w.reduce(WalletAction::Add("CP1:BBB".into(), car));
        assert_eq!(w.passes.len(), 2);
        assert_eq!(w.selected, 1);
        assert!(w.current().unwrap().vehicle);
        w.reduce(WalletAction::Add("CP1:CCC".into(), checked("R1", None)));
        assert_eq!(w.passes.len(), 2);
        assert_eq!(w.passes[0].payload, "CP1:CCC");
        w.reduce(WalletAction::Select(7));
        assert_eq!(w.selected, 0);
        w.reduce(WalletAction::Remove(0));
        assert_eq!(w.passes.len(), 1);
        assert_eq!(w.current().unwrap().pass_id, "V1");
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(
            serde_json::from_str::<Wallet>(&json).unwrap().passes,
            w.passes
        );
    }

    #[test]
    fn forged_pass_is_refused_with_reason() {
        let mut w = Wallet::default();
        w.reduce(WalletAction::Add(
            "CP1:NOT-A-SIGNED-PASS".into(),
            checked("R1", Some(DenyReason::BadSignature)),
        ));
        assert!(w.passes.is_empty());
        assert!(w.error.is_some());
        w.reduce(WalletAction::Add(
            "CP1:OLD".into(),
            checked("R2", Some(DenyReason::Expired)),
        ));
        assert_eq!(w.passes.len(), 1, "expired passes are still the holder's");
    }

    fn held(id: &str, household: &str, revoked: bool) -> HeldPass {
        HeldPass {
            payload: format!("CP1:{id}"),
            pass_id: id.into(),
            display_name: "张小明".into(),
            household: household.into(),
            plate: None,
            vehicle: false,
            valid_until: None,
            revoked,
        }
    }

    #[test]
    fn a_household_refresh_replaces_its_passes_and_keeps_others() {
        let mut w = Wallet::default();
        w.reduce(WalletAction::Add("CP1:OTHER".into(), checked("R9", None)));
        let source = HouseholdSource {
            link: "https://d/h/x#fp=y".into(),
            household: "5-1-101".into(),
            refreshed_at: Utc::now(),
            utc_offset_minutes: 480,
        };
        w.reduce(WalletAction::Fetching);
        assert!(w.fetching);
        w.reduce(WalletAction::Household {
            source: source.clone(),
            passes: vec![held("R1", "5-1-101", false), held("R2", "5-1-101", false)],
        });
        assert_eq!((w.passes.len(), w.fetching), (3, false));
        // The next refresh: R1 reissued, R2 revoked, a member gone.
        let mut reissued = held("R1", "5-1-101", false);
        reissued.payload = "CP1:R1-serial-2".into();
        w.reduce(WalletAction::Household {
            source,
            passes: vec![reissued, held("R2", "5-1-101", true)],
        });
        let ids: Vec<(&str, bool)> = w
            .passes
            .iter()
            .map(|p| (p.pass_id.as_str(), p.revoked))
            .collect();
        assert_eq!(ids, [("R9", false), ("R1", false), ("R2", true)]);
        assert_eq!(w.passes[1].payload, "CP1:R1-serial-2");
        w.reduce(WalletAction::FetchFailed("离线".into(), "offline".into()));
        assert_eq!(w.passes.len(), 3, "a failed refresh keeps what is held");
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(
            serde_json::from_str::<Wallet>(&json).unwrap().household,
            w.household
        );
    }

    #[test]
    fn payload_from_link_or_text() {
        assert_eq!(
            extract_payload("https://x.example/p#CP1:ABC DEF").as_deref(),
            Some("CP1:ABC")
        );
        assert_eq!(extract_payload("CP1:"), None);
        assert_eq!(extract_payload("hello"), None);
    }
}
