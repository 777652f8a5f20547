//! Typed decoding of result rows: `FromVal` for one column value, `FromRow` for a whole row
//! (tuples and the store's row structs). An unexpected value is a `DbError::Column`, never a
//! panic or a silent default.

use sync_core::pass::PassKind;
use sync_core::{DenyReason, Direction, SubjectKind, Verdict};

use super::{DbError, Row, Val};

/// A Rust value one column decodes to. The error text says what was wrong with the value.
pub trait FromVal: Sized {
    fn from_val(val: &Val) -> Result<Self, String>;
}

/// A Rust value one result row decodes to.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, DbError>;

    /// Every row decoded.
    fn from_rows(rows: &[Row]) -> Result<Vec<Self>, DbError> {
        rows.iter().map(Self::from_row).collect()
    }

    /// The first row decoded, if any.
    fn from_first(rows: &[Row]) -> Result<Option<Self>, DbError> {
        rows.first().map(Self::from_row).transpose()
    }
}

impl Row {
    /// Column `index` decoded as `T`.
    pub fn get<T: FromVal>(&self, index: usize) -> Result<T, DbError> {
        let val = self.0.get(index).ok_or_else(|| DbError::Column {
            index,
            problem: "missing".into(),
        })?;
        T::from_val(val).map_err(|problem| DbError::Column { index, problem })
    }

    /// The verdict stored in two columns, the outcome word at `index` and the deny reason after it.
    pub fn verdict(&self, index: usize) -> Result<Verdict, DbError> {
        let outcome: String = self.get(index)?;
        let reason: Option<DenyReason> = self.get(index + 1)?;
        match (outcome.as_str(), reason) {
            ("admitted", _) => Ok(Verdict::Admitted),
            ("denied", Some(reason)) => Ok(Verdict::Denied { reason }),
            ("denied", None) => Err(DbError::Column {
                index: index + 1,
                problem: "a denied passage without a deny reason".into(),
            }),
            (other, _) => Err(DbError::Column {
                index,
                problem: format!("unknown verdict {other:?}"),
            }),
        }
    }
}

fn found(what: &str, val: &Val) -> String {
    format!("expected {what}, found {val:?}")
}

impl FromVal for i64 {
    fn from_val(val: &Val) -> Result<Self, String> {
        match val {
            Val::Int(v) => Ok(*v),
            other => Err(found("an integer", other)),
        }
    }
}

impl FromVal for u64 {
    fn from_val(val: &Val) -> Result<Self, String> {
        let v = i64::from_val(val)?;
        u64::try_from(v).map_err(|_| format!("expected a non-negative integer, found {v}"))
    }
}

impl FromVal for u32 {
    fn from_val(val: &Val) -> Result<Self, String> {
        let v = i64::from_val(val)?;
        u32::try_from(v).map_err(|_| format!("expected an integer in 0..2^32, found {v}"))
    }
}

impl FromVal for f64 {
    fn from_val(val: &Val) -> Result<Self, String> {
        match val {
            Val::Real(v) => Ok(*v),
            Val::Int(v) => Ok(*v as f64),
            other => Err(found("a number", other)),
        }
    }
}

impl FromVal for bool {
    fn from_val(val: &Val) -> Result<Self, String> {
        match i64::from_val(val)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("expected 0 or 1, found {v}")),
        }
    }
}

impl FromVal for String {
    fn from_val(val: &Val) -> Result<Self, String> {
        match val {
            Val::Text(v) => Ok(v.clone()),
            other => Err(found("text", other)),
        }
    }
}

impl FromVal for Vec<u8> {
    fn from_val(val: &Val) -> Result<Self, String> {
        match val {
            Val::Bytes(v) => Ok(v.clone()),
            other => Err(found("bytes", other)),
        }
    }
}

impl<T: FromVal> FromVal for Option<T> {
    fn from_val(val: &Val) -> Result<Self, String> {
        match val {
            Val::Null => Ok(None),
            other => T::from_val(other).map(Some),
        }
    }
}

/// A stored word decoded by `parse`; an unknown word is an error naming it.
fn word<T>(val: &Val, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, String> {
    let text = String::from_val(val)?;
    parse(&text).ok_or_else(|| format!("unknown {what} {text:?}"))
}

impl FromVal for Direction {
    fn from_val(val: &Val) -> Result<Self, String> {
        word(val, "direction", Direction::parse)
    }
}

impl FromVal for SubjectKind {
    fn from_val(val: &Val) -> Result<Self, String> {
        word(val, "subject kind", SubjectKind::parse)
    }
}

impl FromVal for DenyReason {
    fn from_val(val: &Val) -> Result<Self, String> {
        word(val, "deny reason", DenyReason::parse)
    }
}

impl FromVal for PassKind {
    fn from_val(val: &Val) -> Result<Self, String> {
        word(val, "pass kind", |s| {
            PassKind::ALL.into_iter().find(|k| k.as_str() == s)
        })
    }
}

/// A JSON list of texts stored in one column (a checkpoint's gates, a resident's plates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonList(pub Vec<String>);

impl FromVal for JsonList {
    fn from_val(val: &Val) -> Result<Self, String> {
        let text = String::from_val(val)?;
        serde_json::from_str(&text)
            .map(JsonList)
            .map_err(|e| format!("expected a JSON list of texts: {e}"))
    }
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromVal),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row) -> Result<Self, DbError> {
                Ok(($(row.get::<$t>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);

#[cfg(test)]
mod tests {
    use super::*;

    fn row(vals: Vec<Val>) -> Row {
        Row(vals)
    }

    #[test]
    fn plain_values_decode_and_nulls_become_none() {
        let r = row(vec![
            Val::Int(7),
            Val::Null,
            Val::Text("x".into()),
            Val::Int(1),
            Val::Real(36.5),
        ]);
        let t: (i64, Option<String>, String, bool, f64) = FromRow::from_row(&r).expect("decodes");
        assert_eq!(t, (7, None, "x".to_owned(), true, 36.5));
        assert_eq!(r.get::<u32>(0).expect("u32"), 7);
        assert_eq!(r.get::<u64>(0).expect("u64"), 7);
        assert_eq!(r.get::<Option<i64>>(1).expect("null"), None);
        assert_eq!(r.get::<f64>(0).expect("int as real"), 7.0);
    }

    #[test]
    fn wrong_types_and_ranges_are_column_errors() {
        let r = row(vec![Val::Int(-1), Val::Text("a".into()), Val::Int(2)]);
        assert!(matches!(
            r.get::<u64>(0),
            Err(DbError::Column { index: 0, .. })
        ));
        assert!(matches!(
            r.get::<u32>(0),
            Err(DbError::Column { index: 0, .. })
        ));
        assert!(matches!(
            r.get::<i64>(1),
            Err(DbError::Column { index: 1, .. })
        ));
        assert!(matches!(
            r.get::<bool>(2),
            Err(DbError::Column { index: 2, .. })
        ));
        assert!(matches!(
            r.get::<String>(3),
            Err(DbError::Column { index: 3, .. })
        ));
        assert!(<(i64, i64)>::from_row(&r).is_err());
    }

    #[test]
    fn stored_words_decode_to_sync_core_enums() {
        let r = row(vec![
            Val::Text("out".into()),
            Val::Text("visitor".into()),
            Val::Text("revoked".into()),
            Val::Text("visitor_day".into()),
        ]);
        let t: (Direction, SubjectKind, DenyReason, PassKind) =
            FromRow::from_row(&r).expect("decodes");
        assert_eq!(
            t,
            (
                Direction::Out,
                SubjectKind::Visitor,
                DenyReason::Revoked,
                PassKind::VisitorDay
            )
        );
    }

    #[test]
    fn an_unknown_stored_word_is_a_clear_error() {
        let r = row(vec![
            Val::Text("sideways".into()),
            Val::Text("alien".into()),
        ]);
        let err = r.get::<Direction>(0).expect_err("unknown direction");
        assert!(
            err.to_string().contains("unknown direction \"sideways\""),
            "{err}"
        );
        let err = r.get::<SubjectKind>(1).expect_err("unknown kind");
        assert!(err.to_string().contains("alien"), "{err}");
        assert!(r.get::<DenyReason>(1).is_err());
        assert!(r.get::<PassKind>(1).is_err());
    }

    #[test]
    fn the_verdict_pair_decodes_with_its_reason() {
        let admitted = row(vec![Val::Text("admitted".into()), Val::Null]);
        assert_eq!(admitted.verdict(0).expect("admitted"), Verdict::Admitted);
        let denied = row(vec![Val::Text("denied".into()), Val::Text("fever".into())]);
        assert_eq!(
            denied.verdict(0).expect("denied"),
            Verdict::Denied {
                reason: DenyReason::Fever
            }
        );
        let no_reason = row(vec![Val::Text("denied".into()), Val::Null]);
        assert!(matches!(
            no_reason.verdict(0),
            Err(DbError::Column { index: 1, .. })
        ));
        let unknown = row(vec![Val::Text("maybe".into()), Val::Null]);
        let err = unknown.verdict(0).expect_err("unknown outcome");
        assert!(err.to_string().contains("maybe"), "{err}");
        let bad_reason = row(vec![Val::Text("denied".into()), Val::Text("moon".into())]);
        assert!(bad_reason.verdict(0).is_err());
    }
}
