//! What one attack case is, how proptest generates it, and how a hostile record is built from it.

use proptest::prelude::*;
use sync_core::{Passage, PassageBody, Subject};
use uuid::Uuid;

use super::{at_seconds, body_at, Target, DEVICE};

/// One case: honest records, hostile ones mixed in, how the batch travels, and hostile URL values.
#[derive(Debug, Clone)]
pub struct Case {
    pub valid: usize,
    pub hostile: Vec<Hostile>,
    pub wire: Wire,
    pub report_day: String,
    pub since: String,
}

#[derive(Debug, Clone)]
pub struct Hostile {
    /// Where in the batch the record goes.
    pub at: usize,
    pub mutation: Mutation,
}

#[derive(Debug, Clone)]
pub enum Mutation {
    ClockOffset(i64),
    RecordedAt(i64),
    Seq(SeqAt),
    Text(Field, String),
    Temperature(f32),
    Occupants(u32),
    OccupantList(usize),
    PrevHash(String),
    BadHash(usize),
    OtherDevice,
    ReuseStoredId(usize),
    /// A plausible record past the honest ones: may well be accepted (a gap).
    Plausible,
}

#[derive(Debug, Clone, Copy)]
pub enum SeqAt {
    Zero,
    U64Max,
    I64Max,
    PastI64,
    BeyondWindow,
    Old(u64),
    Ahead(u64),
}

#[derive(Debug, Clone, Copy)]
pub enum Field {
    CheckpointId,
    Gate,
    Staff,
    Name,
    Household,
    PassId,
    Plate,
    Phone,
    Reason,
    IdNumber,
    VisitorPassId,
    OccupantId,
}

/// How the batch reaches the server.
#[derive(Debug, Clone)]
pub enum Wire {
    Plain,
    Gzip,
    UnknownFields,
    /// Every passage's subject gets a kind nobody knows: each record is refused (and kept).
    WrongKind,
    /// Every entry claims a kind from a newer app: each record is refused (and kept).
    UnknownEntryKind,
    SeqAsString,
    Truncated(usize),
    Garbage(Vec<u8>),
    DeepNesting,
    HugeNumber,
    NotAnObject,
    GzipBomb,
    BadGzip,
    BadEncoding,
}

impl Wire {
    /// The batch must be taken (200) under this wire form.
    pub fn must_be_taken(&self) -> bool {
        matches!(
            self,
            Self::Plain
                | Self::Gzip
                | Self::UnknownFields
                | Self::WrongKind
                | Self::UnknownEntryKind
        )
    }

    /// Every record of the batch is spoilt on the way: none may be stored, each must be kept.
    pub fn spoils_every_record(&self) -> bool {
        matches!(self, Self::WrongKind | Self::UnknownEntryKind)
    }

    /// `(Content-Encoding, body)` for the batch JSON.
    pub fn encode(
        &self,
        json: String,
        gzip: fn(&[u8]) -> Vec<u8>,
        bomb: fn() -> &'static [u8],
    ) -> (Option<&'static str>, Vec<u8>) {
        match self {
            Self::Plain => (None, json.into_bytes()),
            Self::Gzip => (Some("gzip"), gzip(json.as_bytes())),
            Self::UnknownFields => (
                None,
                json.replacen('{', r#"{"surprise":{"a":[1,2,{"b":null}]},"#, 3)
                    .into_bytes(),
            ),
            Self::WrongKind => (
                None,
                json.replace(
                    r#""subject":{"kind":"#,
                    r#""subject":{"kind":"alien","was":"#,
                )
                .into_bytes(),
            ),
            Self::UnknownEntryKind => (
                None,
                json.replace(r#""kind":"passage""#, r#""kind":"alien_round""#)
                    .into_bytes(),
            ),
            Self::SeqAsString => (None, json.replace(r#""seq":"#, r#""seq":"1"#).into_bytes()),
            Self::Truncated(at) => {
                let mut bytes = json.into_bytes();
                bytes.truncate(at % bytes.len().max(1));
                (None, bytes)
            }
            Self::Garbage(bytes) => (None, bytes.clone()),
            Self::DeepNesting => {
                let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
                (
                    None,
                    json.replacen('{', &format!(r#"{{"deep":{deep},"#), 1)
                        .into_bytes(),
                )
            }
            Self::HugeNumber => (
                None,
                json.replace(r#""backlog":0"#, r#""backlog":1e400"#)
                    .into_bytes(),
            ),
            Self::NotAnObject => (None, format!("[{json}]").into_bytes()),
            Self::GzipBomb => (Some("gzip"), bomb().to_vec()),
            Self::BadGzip => (Some("gzip"), json.into_bytes()),
            Self::BadEncoding => (Some("br"), json.into_bytes()),
        }
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\0".to_owned()),
        Just("张\u{202E}三".to_owned()),
        Just("a\u{200B}b".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("x".repeat(129)),
        Just("张".repeat(10_000)),
        Just("'; DROP TABLE passages; --".to_owned()),
        Just("%_\\".to_owned()),
        Just("cp-west".to_owned()),
        ".{0,40}",
        "\\PC{0,8}",
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::CheckpointId),
        Just(Field::Gate),
        Just(Field::Staff),
        Just(Field::Name),
        Just(Field::Household),
        Just(Field::PassId),
        Just(Field::Plate),
        Just(Field::Phone),
        Just(Field::Reason),
        Just(Field::IdNumber),
        Just(Field::VisitorPassId),
        Just(Field::OccupantId),
    ]
}

fn extreme_i64() -> impl Strategy<Value = i64> {
    const YEAR_MS: i64 = 365 * 86_400_000;
    prop_oneof![
        Just(i64::MIN),
        Just(i64::MAX),
        Just(i64::MIN + 1),
        Just(YEAR_MS + 1),
        Just(-YEAR_MS - 1),
        Just(YEAR_MS),
        Just(0),
        any::<i64>(),
    ]
}

fn seq_at() -> impl Strategy<Value = SeqAt> {
    prop_oneof![
        Just(SeqAt::Zero),
        Just(SeqAt::U64Max),
        Just(SeqAt::I64Max),
        Just(SeqAt::PastI64),
        Just(SeqAt::BeyondWindow),
        any::<u64>().prop_map(SeqAt::Old),
        (1u64..1_000).prop_map(SeqAt::Ahead),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        extreme_i64().prop_map(Mutation::ClockOffset),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>()]
            .prop_map(Mutation::RecordedAt),
        seq_at().prop_map(Mutation::Seq),
        (field(), text()).prop_map(|(f, t)| Mutation::Text(f, t)),
        prop_oneof![
            Just(f32::NAN),
            Just(f32::INFINITY),
            Just(f32::MAX),
            Just(-0.0f32),
            any::<f32>()
        ]
        .prop_map(Mutation::Temperature),
        prop_oneof![Just(u32::MAX), Just(100u32), any::<u32>()].prop_map(Mutation::Occupants),
        prop_oneof![Just(100usize), Just(5_000usize), 0usize..200].prop_map(Mutation::OccupantList),
        prop_oneof![
            Just(String::new()),
            Just("\0".repeat(64)),
            Just("A".repeat(64)),
            Just("0".repeat(1_000)),
            "[0-9a-f]{63,65}",
        ]
        .prop_map(Mutation::PrevHash),
        any::<usize>().prop_map(Mutation::BadHash),
        Just(Mutation::OtherDevice),
        any::<usize>().prop_map(Mutation::ReuseStoredId),
        Just(Mutation::Plausible),
    ]
}

fn wire() -> impl Strategy<Value = Wire> {
    prop_oneof![
        6 => Just(Wire::Plain),
        2 => Just(Wire::Gzip),
        2 => Just(Wire::UnknownFields),
        1 => Just(Wire::WrongKind),
        1 => Just(Wire::UnknownEntryKind),
        1 => Just(Wire::SeqAsString),
        1 => any::<usize>().prop_map(Wire::Truncated),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Wire::Garbage),
        1 => Just(Wire::DeepNesting),
        1 => Just(Wire::HugeNumber),
        1 => Just(Wire::NotAnObject),
        1 => Just(Wire::GzipBomb),
        1 => Just(Wire::BadGzip),
        1 => Just(Wire::BadEncoding),
    ]
}

fn report_day() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+262143-12-31".to_owned()),
        Just("262142-01-01".to_owned()),
        Just("-262143-01-01".to_owned()),
        Just("9999-12-31".to_owned()),
        Just("0000-01-01".to_owned()),
        Just("2999-12-31".to_owned()),
        Just(String::new()),
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}",
        ".{0,12}",
    ]
}

fn since() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(u64::MAX.to_string()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        Just(i64::MAX.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        ".{0,8}",
    ]
}

/// The generator of attack cases.
pub fn case_strategy() -> impl Strategy<Value = Case> {
    (
        0usize..4,
        proptest::collection::vec(
            (any::<usize>(), mutation()).prop_map(|(at, mutation)| Hostile { at, mutation }),
            0..4,
        ),
        wire(),
        report_day(),
        since(),
    )
        .prop_map(|(valid, hostile, wire, report_day, since)| Case {
            valid,
            hostile,
            wire,
            report_day,
            since,
        })
}

/// Percent-encode everything but unreserved characters.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn set_text(body: &mut PassageBody, field: Field, value: String) {
    let visitor = || Subject::Visitor {
        name: "李四".into(),
        phone: "13800000000".into(),
        id_number: None,
        host_household: "3-2-401".into(),
        reason: "探亲".into(),
        plate: None,
        visitor_pass_id: None,
    };
    let vehicle = || Subject::Vehicle {
        plate: "京A12345".into(),
        pass_id: None,
        occupant_pass_ids: vec![],
        occupants: 1,
    };
    let resident = || Subject::Resident {
        pass_id: "R000001".into(),
        household: "1-1-101".into(),
        name: None,
    };
    match field {
        Field::CheckpointId => body.checkpoint_id = value,
        Field::Gate => body.gate = value,
        Field::Staff => body.staff = value,
        Field::Name | Field::Phone | Field::Reason | Field::IdNumber | Field::VisitorPassId => {
            let mut s = visitor();
            if let Subject::Visitor {
                name,
                phone,
                reason,
                id_number,
                visitor_pass_id,
                ..
            } = &mut s
            {
                match field {
                    Field::Name => *name = value,
                    Field::Phone => *phone = value,
                    Field::Reason => *reason = value,
                    Field::IdNumber => *id_number = Some(value),
                    _ => *visitor_pass_id = Some(value),
                }
            }
            body.subject = s;
        }
        Field::Household | Field::PassId => {
            let mut s = resident();
            if let Subject::Resident {
                household, pass_id, ..
            } = &mut s
            {
                match field {
                    Field::Household => *household = value,
                    _ => *pass_id = value,
                }
            }
            body.subject = s;
        }
        Field::Plate | Field::OccupantId => {
            let mut s = vehicle();
            if let Subject::Vehicle {
                plate,
                occupant_pass_ids,
                ..
            } = &mut s
            {
                match field {
                    Field::Plate => *plate = value,
                    _ => occupant_pass_ids.push(value),
                }
            }
            body.subject = s;
        }
    }
}

impl Mutation {
    /// The hostile record, placed past the `valid` honest records unless the mutation is its seq.
    pub(super) fn record(&self, t: &Target, valid: u64) -> Passage {
        let (head, head_hash) = t.head();
        let past = head + valid + 1;
        let mut body = body_at(past);
        let mut prev = head_hash.to_owned();
        match self {
            Self::ClockOffset(ms) => body.clock_offset_ms = Some(*ms),
            Self::RecordedAt(secs) => body.recorded_at = at_seconds(*secs),
            Self::Seq(at) => {
                body.seq = match *at {
                    SeqAt::Zero => 0,
                    SeqAt::U64Max => u64::MAX,
                    SeqAt::I64Max => i64::MAX as u64,
                    SeqAt::PastI64 => i64::MAX as u64 + 1,
                    SeqAt::BeyondWindow => head + 1_000_001,
                    SeqAt::Old(n) if head > 0 => 1 + n % head,
                    SeqAt::Old(_) => 0,
                    SeqAt::Ahead(k) => past + k,
                }
            }
            Self::Text(field, value) => set_text(&mut body, *field, value.clone()),
            Self::Temperature(t) => body.temperature_c = Some(*t),
            Self::Occupants(n) => {
                body.subject = Subject::Vehicle {
                    plate: "京A12345".into(),
                    pass_id: None,
                    occupant_pass_ids: vec![],
                    occupants: *n,
                }
            }
            Self::OccupantList(n) => {
                body.subject = Subject::Vehicle {
                    plate: "京A12345".into(),
                    pass_id: None,
                    occupant_pass_ids: (0..*n).map(|i| format!("R{i:06}")).collect(),
                    occupants: 1,
                }
            }
            Self::PrevHash(h) => prev.clone_from(h),
            Self::OtherDevice => body.device_id = format!("{DEVICE}-other"),
            Self::ReuseStoredId(pick) => {
                body.id = t.a_stored_id(*pick).unwrap_or_else(Uuid::now_v7);
            }
            Self::BadHash(_) | Self::Plausible => {}
        }
        let mut p = Passage::seal(body, &prev);
        if let Self::BadHash(at) = self {
            let i = at % p.hash.len();
            let flipped = if p.hash.as_bytes()[i] == b'0' {
                "1"
            } else {
                "0"
            };
            p.hash.replace_range(i..=i, flipped);
        }
        p
    }
}
