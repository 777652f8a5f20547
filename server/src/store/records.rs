//! Finding people in the passages: a search by pass, plate, household, name or the last four
//! characters of an ID number over a time range (each an indexed column with the time, migration
//! 0023), one subject's timeline, and the contacts of a subject — everyone admitted at the same
//! checkpoint within a window of its admitted passages.

use sync_core::{Direction, SubjectKind};

use super::{DbError, FromRow, Row, Store, Val};

/// What a term is matched against (exactly: no wildcards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    PassId,
    Plate,
    Household,
    Name,
    IdTail,
}

impl SearchField {
    pub const ALL: [SearchField; 5] = [
        Self::PassId,
        Self::Plate,
        Self::Household,
        Self::Name,
        Self::IdTail,
    ];

    /// The column (also the word in URLs).
    pub fn column(self) -> &'static str {
        match self {
            Self::PassId => "pass_id",
            Self::Plate => "plate",
            Self::Household => "household",
            Self::Name => "person_name",
            Self::IdTail => "id_tail",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.column() == word)
    }

    /// Plates, pass ids and ID tails are stored in capitals; a typed one is matched so.
    fn normalise(self, term: &str) -> String {
        match self {
            Self::PassId | Self::Plate | Self::IdTail => term.to_uppercase(),
            Self::Household | Self::Name => term.to_owned(),
        }
    }
}

/// A search: a time range and optional narrowing.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    pub from_ms: i64,
    pub to_ms: i64,
    /// `None`: the whole district.
    pub compound: Option<String>,
    /// A term matched against every [`SearchField`], or against one.
    pub term: Option<(String, Option<SearchField>)>,
    pub kind: Option<SubjectKind>,
    pub direction: Option<Direction>,
    /// `Some(true)`: admitted only; `Some(false)`: denied only.
    pub admitted: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// One passage as the records page shows it (the name masked there when the role says so).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub pk: i64,
    pub corrected_at_ms: i64,
    pub checkpoint_id: String,
    pub direction: Direction,
    pub subject_kind: SubjectKind,
    pub admitted: bool,
    pub deny_reason: Option<String>,
    pub person_name: Option<String>,
    pub pass_id: Option<String>,
    pub household: Option<String>,
    pub plate: Option<String>,
    pub id_tail: Option<String>,
    pub occupants: i64,
}

pub(super) const COLUMNS: &str =
    "pk, corrected_at_ms, checkpoint_id, direction, subject_kind, verdict, \
                       deny_reason, person_name, pass_id, household, plate, id_tail, occupants";

impl FromRow for RecordRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let verdict: String = r.get(5)?;
        Ok(Self {
            pk: r.get(0)?,
            corrected_at_ms: r.get(1)?,
            checkpoint_id: r.get(2)?,
            direction: r.get(3)?,
            subject_kind: r.get(4)?,
            admitted: verdict == "admitted",
            deny_reason: r.get(6)?,
            person_name: r.get(7)?,
            pass_id: r.get(8)?,
            household: r.get(9)?,
            plate: r.get(10)?,
            id_tail: r.get(11)?,
            occupants: r.get(12)?,
        })
    }
}

/// A contact: another subject's passage near one of the traced subject's.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// When the traced subject passed.
    pub traced_at_ms: i64,
    pub other: RecordRow,
}

/// `WHERE` conditions on the alias `p`, with their parameters numbered from `$1`.
fn conditions(q: &RecordQuery, params: &mut Vec<Val>, backend: &str) -> Vec<String> {
    let next = |v: Val, params: &mut Vec<Val>| {
        params.push(v);
        format!("${}", params.len())
    };
    let mut out = vec![
        format!("p.corrected_at_ms >= {}", next(q.from_ms.into(), params)),
        format!("p.corrected_at_ms < {}", next(q.to_ms.into(), params)),
    ];
    if let Some(c) = &q.compound {
        out.push(format!(
            "p.checkpoint_id IN (SELECT id FROM checkpoints WHERE compound_id = {})",
            next(c.as_str().into(), params)
        ));
    }
    if let Some(k) = q.kind {
        out.push(format!(
            "p.subject_kind = {}",
            next(k.as_str().into(), params)
        ));
    }
    if let Some(d) = q.direction {
        out.push(format!("p.direction = {}", next(d.as_str().into(), params)));
    }
    if let Some(a) = q.admitted {
        let word = if a { "admitted" } else { "denied" };
        out.push(format!("p.verdict = {}", next(word.into(), params)));
    }
    let matching = |f: SearchField, term: &str, params: &mut Vec<Val>| {
        let v = next(f.normalise(term).into(), params);
        match f {
            // A pass also matches the vehicle passages it rode through as a scanned companion.
            SearchField::PassId => format!(
                "(p.pass_id = {v} OR {})",
                rode_in(backend, &v, &out[0], &out[1])
            ),
            _ => format!("p.{} = {v}", f.column()),
        }
    };
    let term = match &q.term {
        Some((term, Some(field))) => Some(matching(*field, term, params)),
        Some((term, None)) => {
            let any: Vec<String> = SearchField::ALL
                .iter()
                .map(|f| matching(*f, term, params))
                .collect();
            Some(format!("({})", any.join(" OR ")))
        }
        None => None,
    };
    out.extend(term);
    out
}

/// The passages whose scanned companions include the pass bound as `v`, in the time range of
/// `from` and `to` (the conditions on `p.corrected_at_ms`). PostgreSQL reads the ids first
/// (`= ANY(ARRAY(…))`, an index lookup it can OR with the pass index); SQLite does so for `IN`.
fn rode_in(backend: &str, v: &str, from: &str, to: &str) -> String {
    let (from, to) = (from.replacen("p.", "", 1), to.replacen("p.", "", 1));
    let ids =
        format!("SELECT passage_pk FROM passage_occupants WHERE pass_id = {v} AND {from} AND {to}");
    if backend == "postgres" {
        format!("p.pk = ANY(ARRAY({ids}))")
    } else {
        format!("p.pk IN ({ids})")
    }
}

fn prefixed(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Passages matching `q`, newest first, `q.limit` from `q.offset`.
    pub async fn search_records(&self, q: &RecordQuery) -> Result<Vec<RecordRow>, DbError> {
        let mut params = Vec::new();
        let wheres = conditions(q, &mut params, self.kind()).join(" AND ");
        params.push(q.limit.into());
        params.push(q.offset.into());
        let n = params.len();
        let sql = format!(
            "SELECT {} FROM passages p WHERE {wheres}
             ORDER BY p.corrected_at_ms DESC, p.pk DESC LIMIT ${} OFFSET ${n}",
            prefixed("p"),
            n - 1
        );
        self.query_as(&sql, params).await
    }

    /// The admitted passages of other subjects at the same checkpoint within `window_ms` of each
    /// admitted passage of the traced subject (`q.term` with its field), by the traced time.
    pub async fn contacts(&self, q: &RecordQuery, window_ms: i64) -> Result<Vec<Contact>, DbError> {
        let mut traced = q.clone();
        traced.admitted = Some(true);
        let mut params = Vec::new();
        let wheres = conditions(&traced, &mut params, self.kind()).join(" AND ");
        params.push(window_ms.into());
        params.push(q.limit.into());
        let (w, limit) = (params.len() - 1, params.len());
        let own = match &q.term {
            Some((_, Some(field))) => {
                format!("AND (o.{0} IS NULL OR o.{0} <> p.{0})", field.column())
            }
            _ => String::new(),
        };
        let near = format!(
            "o.checkpoint_id = p.checkpoint_id
              AND o.corrected_at_ms >= p.corrected_at_ms - ${w}
              AND o.corrected_at_ms <= p.corrected_at_ms + ${w}
              AND o.subject_key <> p.subject_key AND o.verdict = 'admitted' {own}"
        );
        // The traced subject's passages first (a few dozen), then each one's neighbours by the
        // (checkpoint, time) index. Left to itself PostgreSQL misjudged the ±window and read the
        // whole table for a hash join; `OFFSET 0` keeps the lateral subquery a per-row lookup.
        // SQLite only joins by nested loops.
        let join = if self.kind() == "postgres" {
            format!("CROSS JOIN LATERAL (SELECT * FROM passages o WHERE {near} OFFSET 0) o")
        } else {
            format!("JOIN passages o ON {near}")
        };
        let sql = format!(
            "WITH traced AS MATERIALIZED (SELECT * FROM passages p WHERE {wheres})
             SELECT {}, p.corrected_at_ms FROM traced p {join}
             ORDER BY p.corrected_at_ms, o.corrected_at_ms, o.pk LIMIT ${limit}",
            prefixed("o")
        );
        let rows = self.rows(&sql, params).await?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    other: RecordRow::from_row(r)?,
                    traced_at_ms: r.get(13)?,
                })
            })
            .collect()
    }
}
