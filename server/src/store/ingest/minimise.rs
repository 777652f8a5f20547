//! Least data at rest: what the server keeps of a record is less than what the device sent.
//!
//! A visitor's ID number is checked on the phone (check character, birth date, region) and travels
//! whole inside the hash-chained record, but no feature on the server needs more than its last four
//! characters (the part that is shown unmasked anyway and that staff search by). The server checks
//! the record's hash on the body as sent, then stores the body with the ID number cut to its tail.
//! The stored `hash` column still links the chain; the stored body no longer re-hashes to it, which
//! is why a kept (quarantined) record remembers whether its hash was checked before it was cut.

use sync_core::{Passage, Subject};

/// How many trailing characters of a visitor's ID number the server keeps.
pub const ID_TAIL_CHARS: usize = 4;

/// The last `ID_TAIL_CHARS` characters of `id`.
pub fn id_tail(id: &str) -> String {
    let n = id.chars().count();
    id.chars().skip(n.saturating_sub(ID_TAIL_CHARS)).collect()
}

/// The record as the server stores it: a visitor's ID number cut to its last four characters.
pub fn minimised(p: &Passage) -> Passage {
    let mut kept = p.clone();
    if let Subject::Visitor {
        id_number: Some(id),
        ..
    } = &mut kept.body.subject
    {
        *id = id_tail(id);
    }
    kept
}

/// The stored JSON of a record (see [`minimised`]).
pub fn stored_json(p: &Passage) -> String {
    serde_json::to_string(&minimised(p)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_core::fixtures::sample_passage;
    use sync_core::PassageBody;

    fn sealed(i: u64) -> Passage {
        let body = PassageBody::new(
            uuid::Uuid::now_v7(),
            "dev-1",
            1,
            sample_passage(i, chrono::Utc::now()),
        );
        Passage::seal(body, &"0".repeat(64))
    }

    #[test]
    fn only_the_tail_of_a_visitor_id_number_is_kept() {
        let p = sealed(2);
        let json = stored_json(&p);
        assert!(!json.contains("11010519491231002X"), "{json}");
        let kept: Passage = serde_json::from_str(&json).unwrap();
        match kept.body.subject {
            Subject::Visitor { id_number, .. } => assert_eq!(id_number.as_deref(), Some("002X")),
            other => panic!("not a visitor: {other:?}"),
        }
        assert_eq!(kept.hash, p.hash, "the chain link is kept");
    }

    #[test]
    fn other_records_are_stored_as_sent() {
        let p = sealed(0);
        assert_eq!(minimised(&p), p);
        assert_eq!(id_tail("12"), "12");
        assert_eq!(id_tail("一二三四五"), "二三四五");
    }
}
