//! The few value types both backends share: a parameter/column value, a row and a statement.

use bytes::BytesMut;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};

/// A parameter or column value. Integers are `BIGINT`, reals `DOUBLE PRECISION`, text `TEXT`,
/// bytes `BLOB` (SQLite) or `BYTEA` (PostgreSQL).
#[derive(Clone, PartialEq)]
pub enum Val {
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Null,
}

impl std::fmt::Debug for Val {
    // Bytes (photos) are shown by length, not dumped into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(v) => f.debug_tuple("Int").field(v).finish(),
            Self::Real(v) => f.debug_tuple("Real").field(v).finish(),
            Self::Text(v) => f.debug_tuple("Text").field(v).finish(),
            Self::Bytes(v) => write!(f, "Bytes({} bytes)", v.len()),
            Self::Null => f.write_str("Null"),
        }
    }
}

impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Self::Bytes(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<u64> for Val {
    fn from(v: u64) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Self::Int(v) => v.to_sql(ty, out),
            Self::Real(v) => v.to_sql(ty, out),
            Self::Text(v) => v.to_sql(ty, out),
            Self::Bytes(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One result row; decode it with `FromRow`, or a column with `Row::get`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row(pub Vec<Val>);

/// A statement with `$1`-style placeholders and its parameters.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub params: Vec<Val>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>, params: Vec<Val>) -> Self {
        Self {
            sql: sql.into(),
            params,
        }
    }
}

/// `$1, $2, …, $n` starting after `offset`, for `IN (…)` lists and multi-row `VALUES`.
pub fn placeholders(offset: usize, n: usize) -> String {
    (offset + 1..=offset + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rewrite `$N` placeholders to SQLite's `?N` (outside quoted strings).
pub fn sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_quote = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            in_quote = !in_quote;
        }
        if c == '$' && !in_quote && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_outside_quotes_only() {
        assert_eq!(
            sqlite_placeholders("SELECT '$1', $1, $12 FROM t"),
            "SELECT '$1', ?1, ?12 FROM t"
        );
        assert_eq!(placeholders(2, 3), "$3, $4, $5");
    }
}
