//! The wire protocol between a gate device and the district server (`/api/v1`, and `/api/v2/entries`
//! for batches), shared by both sides.
//!
//! All bodies are JSON; batch bodies may be gzip-compressed (`Content-Encoding: gzip`).
//! Device calls carry `Authorization: Bearer <device token>`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Passage;
use crate::ledger::{KeyRecord, Revocation};
use crate::pass::PassKind;
use crate::rules::CompoundRules;
use crate::signed::{Answer, SignedAnswer};
pub use crate::wire_entry::WireEntry;

/// `POST /api/v1/enroll`: exchange a one-time enrollment code for a device token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The device's own id (made by its ledger).
    pub device_id: String,
    /// A label for the device list, e.g. the phone model.
    #[serde(default)]
    pub label: String,
}

/// The answer to a successful enrollment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// Shown once; the server keeps only its hash.
    pub device_token: String,
    pub district_id: String,
    pub checkpoint: CheckpointConfig,
    /// The district root public key (hex); the device pins it, checked against the enrollment
    /// QR's fingerprint, and from then on accepts only answers it signed.
    #[serde(default)]
    pub root_public_key: String,
}

/// `GET /api/v1/config?nonce=N`: the checkpoint config, signed, answering this nonce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigResponse {
    #[serde(flatten)]
    pub config: CheckpointConfig,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub signature: String,
}

/// `GET /api/v1/config`: the device's checkpoint settings and the server's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointConfig {
    pub checkpoint_id: String,
    pub checkpoint_name: String,
    /// The compound this checkpoint guards: passes of other compounds are refused here.
    pub compound_id: String,
    #[serde(default)]
    pub compound_name: String,
    /// Every compound of the district, to name the one a refused pass belongs to.
    #[serde(default)]
    pub compounds: Vec<CompoundName>,
    pub gates: Vec<String>,
    pub fever_threshold_c: f32,
    pub retention_days: u32,
    /// The district's UTC offset in minutes (+480 for China Standard Time), for "today".
    pub utc_offset_minutes: i32,
    pub server_time: DateTime<Utc>,
    /// The scan screen shows the revocation list's age once it is older than this.
    #[serde(default = "default_revocations_warn_hours")]
    pub revocations_warn_hours: u32,
    /// Passes checked against a revocation list older than this are amber, not green.
    #[serde(default = "default_revocations_amber_hours")]
    pub revocations_amber_hours: u32,
    /// The compound's rules, decided at the gate without a network.
    #[serde(default)]
    pub rules: CompoundRules,
    /// The largest photo the server takes; the device compresses its photos under it.
    #[serde(default = "default_photo_max_bytes")]
    pub photo_max_bytes: usize,
    /// The patrol routes this checkpoint's phones walk, with their points and schedules.
    #[serde(default)]
    pub patrol_routes: Vec<crate::patrol::PatrolRoute>,
    /// The gate handbook: the newest version of every section, for reading offline.
    #[serde(default)]
    pub handbook: Vec<crate::handbook::HandbookSection>,
    /// The notices for this checkpoint not yet over or withdrawn: the newest version of each.
    #[serde(default)]
    pub notices: Vec<crate::notice::Notice>,
    /// The staff who may sign on at this checkpoint by name and PIN (their staff pass works
    /// anywhere in the district).
    #[serde(default)]
    pub staff: Vec<crate::duty::StaffMember>,
}

fn default_photo_max_bytes() -> usize {
    crate::photo::DEFAULT_PHOTO_MAX_BYTES
}

/// A compound of the district by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompoundName {
    pub id: String,
    pub name: String,
}

impl CheckpointConfig {
    /// The name of compound `id`, or the id itself when the config does not list it.
    pub fn compound_name_of(&self, id: &str) -> String {
        self.compounds
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    }
}

fn default_revocations_warn_hours() -> u32 {
    24
}

fn default_revocations_amber_hours() -> u32 {
    72
}

/// `POST /api/v2/entries`: a batch of journal entries of any kind, in `seq` order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchRequest {
    pub device_id: String,
    pub entries: Vec<WireEntry>,
    /// How many entries the device still holds pending after this batch (for the device list).
    pub backlog: u64,
}

impl BatchRequest {
    /// A batch of passages only (tests, benches and tools that make passages directly).
    pub fn of_passages(device_id: &str, passages: &[Passage], backlog: u64) -> Self {
        Self {
            device_id: device_id.to_owned(),
            entries: passages.iter().map(WireEntry::from).collect(),
            backlog,
        }
    }
}

/// The server's answer for one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored now.
    Accepted,
    /// Already stored before (same device, seq and id): an acknowledgement too.
    Duplicate,
    /// Refused, and kept by the server in its quarantine with the reason, for an administrator to
    /// accept or discard: the device settles it (shows the reason, does not resend).
    Quarantined { reason: String },
    /// Refused and *not* kept (an older server): the device keeps the record pending and sends it
    /// again in a later round, so nothing is lost.
    Rejected { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub status: RecordStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<RecordResult>,
    pub server_time: DateTime<Utc>,
    /// Hex SHA-256 of the batch JSON this answers (`signed::batch_digest`).
    #[serde(default)]
    pub batch_sha: String,
    /// The district root key's signature: only a signed receipt settles records on the device.
    #[serde(default)]
    pub signature: String,
}

/// The answer to `PUT /api/v1/blobs/{sha256}`: the server holds these bytes now (stored by this
/// request, or already before: the upload is idempotent), signed like a batch receipt, because
/// the device deletes its copy later on the strength of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoReceipt {
    pub sha256: String,
    pub size: u64,
    pub device_id: String,
    #[serde(default)]
    pub signature: String,
}

/// A 413 answer's body: how many records and bytes the server takes in one batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLimits {
    pub max_records: usize,
    pub max_bytes: usize,
}

/// `GET /api/v1/keys`: the whole key set (small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySetResponse {
    pub district_id: String,
    pub keys: Vec<KeyRecord>,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub signature: String,
}

/// `GET /api/v1/household?nonce=N` with `Authorization: Household <token>` (the token from the
/// household letter's link): the household's passes for a resident's own phone, which was never
/// enrolled, with the district's key set to verify them offline. Signed with the root key, whose
/// fingerprint the letter's link carries (`root_public_key` is checked against it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdBundle {
    pub district_id: String,
    /// Hex of the district root public key (pinned by the fingerprint in the link).
    pub root_public_key: String,
    pub compound_id: String,
    pub compound_name: String,
    pub household: String,
    /// The newest serial of each of the household's passes.
    pub passes: Vec<HouseholdPass>,
    /// The district's pass keys, to verify the passes offline.
    pub keys: Vec<KeyRecord>,
    pub server_time: DateTime<Utc>,
    /// The district's offset from UTC, for the day a check-in is for.
    #[serde(default = "china_offset")]
    pub utc_offset_minutes: i32,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub signature: String,
}

/// One pass of a household bundle: the printed card's QR text, and whether it is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdPass {
    pub pass_id: String,
    pub serial: u32,
    pub payload: String,
    pub revoked: bool,
}

/// `GET /api/v1/revocations?since=V`: revocations added after version `V`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationsResponse {
    /// The version this delta starts after (the device's `since`).
    #[serde(default)]
    pub since: u64,
    /// The version the device has after applying `revocations`.
    pub version: u64,
    pub revocations: Vec<Revocation>,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub signature: String,
}

/// `GET /api/v1/roster?since=V&nonce=N`: the device's compound's roster changes after version `V`
/// (`since=0`: the whole roster). Never a full ID number: names masked, ID numbers as their tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterResponse {
    pub compound_id: String,
    /// The version this delta starts after (the device's `since`).
    #[serde(default)]
    pub since: u64,
    /// The version the device has after applying `entries`.
    pub version: u64,
    pub entries: Vec<RosterEntry>,
    /// Residents' admitted exits at every gate of the compound, received after `exits_since`
    /// (only when the compound has an exit quota, and only within its window): the quota counts.
    #[serde(default)]
    pub exits: Vec<RosterExit>,
    /// Where the next pull continues the exits from (the server's receipt time, ms).
    #[serde(default)]
    pub exits_cursor: i64,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub signature: String,
}

/// One admitted resident exit, for the exit quota (no name, no pass id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterExit {
    /// The passage's record id (the same exit seen twice counts once).
    pub id: String,
    pub household: String,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub at: DateTime<Utc>,
}

/// One pass of the compound (its newest serial) as the gate needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub pass_id: String,
    pub kind: PassKind,
    pub serial: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
    pub household: String,
    /// The holder's name, masked (`张**`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub valid_until: DateTime<Utc>,
    /// The last 4 characters of a resident's ID number (what staff type to find them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_tail: Option<String>,
    /// The last district day this resident made the daily health check-in (not whether it was
    /// flagged: that is for the community office, not the gate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_on: Option<chrono::NaiveDate>,
}

/// The 403 answer to a device an administrator switched off, signed by the district root, so that
/// nobody else on the network can lock a gate. The phone then locks its gate screens and deletes
/// the personal data of what it already uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledNotice {
    /// Always [`DisabledNotice::CODE`].
    pub code: String,
    pub message: String,
    pub device_id: String,
    pub disabled_at: DateTime<Utc>,
    #[serde(default)]
    pub signature: String,
}

impl DisabledNotice {
    pub const CODE: &'static str = "device_disabled";
}

/// Any error answer: a stable code for programs and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

macro_rules! signed_answer {
    ($t:ty, $kind:expr) => {
        impl SignedAnswer for $t {
            const KIND: Answer = $kind;
            fn signature(&self) -> &str {
                &self.signature
            }
            fn set_signature(&mut self, signature: String) {
                self.signature = signature;
            }
        }
    };
}

signed_answer!(KeySetResponse, Answer::KeySet);
signed_answer!(RevocationsResponse, Answer::Revocations);
signed_answer!(ConfigResponse, Answer::Config);
signed_answer!(RosterResponse, Answer::Roster);
signed_answer!(DisabledNotice, Answer::Disabled);
signed_answer!(BatchResponse, Answer::Receipt);
signed_answer!(PhotoReceipt, Answer::PhotoReceipt);
signed_answer!(HouseholdBundle, Answer::Household);

/// China Standard Time, the offset a bundle without one is read with.
fn china_offset() -> i32 {
    480
}
