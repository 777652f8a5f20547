//! The ingest bench's peer: a raw binary `COPY` of the same rows into the same table, with as
//! many parallel streams (connections) as the ingest run has devices, and every byte of the
//! binary stream encoded before the clock starts.

use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use district_server::store::Val;
use futures_util::SinkExt;
use sync_core::{Passage, Verdict};
use tokio_postgres::types::{IsNull, ToSql, Type};

const COLUMNS: &str = "id, device_id, seq, checkpoint_id, gate, direction, recorded_at_ms,
     received_at_ms, subject_kind, subject_key, verdict, deny_reason, temperature_c, prev_hash,
     hash, body, corrected_at_ms, offset_known, occupants, pass_id, plate, household, person_name,
     id_tail";

const T: Type = Type::TEXT;
const I: Type = Type::INT8;
const TYPES: [Type; 24] = [
    T,
    T,
    I,
    T,
    T,
    T,
    I,
    I,
    T,
    T,
    T,
    T,
    Type::FLOAT8,
    T,
    T,
    T,
    I,
    I,
    I,
    T,
    T,
    T,
    T,
    T,
];

/// The row the server stores for `p` (the body as the device sent it: the peer does no
/// minimising).
fn values(p: &Passage, received_ms: i64) -> Vec<Val> {
    let b = &p.body;
    let deny = match b.verdict {
        Verdict::Denied { reason } => Val::from(reason.as_str()),
        Verdict::Admitted => Val::Null,
    };
    let recorded = b.recorded_at.timestamp_millis();
    vec![
        b.id.to_string().into(),
        b.device_id.as_str().into(),
        b.seq.into(),
        b.checkpoint_id.as_str().into(),
        b.gate.as_str().into(),
        b.direction.as_str().into(),
        recorded.into(),
        received_ms.into(),
        b.subject.kind().as_str().into(),
        b.subject.key().into(),
        b.verdict.as_str().into(),
        deny,
        b.temperature_c.map(f64::from).into(),
        p.prev_hash.as_str().into(),
        p.hash.as_str().into(),
        serde_json::to_string(p).unwrap_or_default().into(),
        (recorded + b.clock_offset_ms.unwrap_or(0)).into(),
        i64::from(b.clock_offset_ms.is_some()).into(),
        i64::from(b.subject.occupants()).into(),
        b.subject.pass_id().into(),
        b.subject.plate().into(),
        b.subject.household().into(),
        b.subject.name().into(),
        b.subject.id_tail().into(),
    ]
}

/// PostgreSQL's binary `COPY` format: header, each row's fields with their lengths, trailer.
fn encode(passages: &[Passage], received_ms: i64) -> Bytes {
    let mut buf = BytesMut::new();
    buf.put_slice(b"PGCOPY\n\xff\r\n\0");
    buf.put_i32(0);
    buf.put_i32(0);
    for p in passages {
        buf.put_i16(TYPES.len() as i16);
        for (v, ty) in values(p, received_ms).iter().zip(&TYPES) {
            let at = buf.len();
            buf.put_i32(0);
            match v.to_sql(ty, &mut buf).expect("a value for its column") {
                IsNull::Yes => {
                    buf.truncate(at);
                    buf.put_i32(-1);
                }
                IsNull::No => {
                    let n = i32::try_from(buf.len() - at - 4).expect("a field under 2 GB");
                    buf[at..at + 4].copy_from_slice(&n.to_be_bytes());
                }
            }
        }
    }
    buf.put_i16(-1);
    buf.freeze()
}

/// Copy each chain over its own connection at once; records per second.
pub async fn copy(url: &str, chains: &[Vec<Passage>]) -> f64 {
    district_server::store::Store::open(url).await.unwrap();
    let received = chrono::Utc::now().timestamp_millis();
    let streams: Vec<Bytes> = chains.iter().map(|c| encode(c, received)).collect();
    let mut clients = Vec::new();
    for _ in &streams {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        clients.push(client);
    }
    let total: usize = chains.iter().map(Vec::len).sum();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .zip(streams)
        .map(|(client, data)| {
            tokio::spawn(async move {
                let sink = client
                    .copy_in(&format!(
                        "COPY passages ({COLUMNS}) FROM STDIN (FORMAT binary)"
                    ))
                    .await
                    .unwrap();
                futures_util::pin_mut!(sink);
                let mut rest = data;
                while !rest.is_empty() {
                    let chunk = rest.split_to(rest.len().min(1 << 20));
                    sink.send(chunk).await.unwrap();
                }
                sink.finish().await.unwrap()
            })
        })
        .collect();
    let mut rows = 0;
    for t in tasks {
        rows += t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(rows, total as u64);
    total as f64 / secs
}
