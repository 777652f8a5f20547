//! The schema's version check: a server never runs on a database that a newer server migrated.

use super::DbError;

/// The migrations recorded in `applied` that this build does not know, in their order. Any at
/// all means a newer `district-server` migrated the database: this one must not touch it (its
/// statements would miss columns and constraints it has never heard of).
pub(crate) fn unknown_migrations(applied: &[String], known: &[(&str, &str)]) -> Vec<String> {
    let mut unknown: Vec<String> = applied
        .iter()
        .filter(|name| !known.iter().any(|(k, _)| k == name))
        .cloned()
        .collect();
    unknown.sort();
    unknown
}

/// `Ok` when every applied migration is known, else the refusal naming them.
pub(crate) fn check_known(applied: &[String], known: &[(&str, &str)]) -> Result<(), DbError> {
    let unknown = unknown_migrations(applied, known);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(DbError::NewerSchema { unknown })
    }
}

/// `Ok` when every known migration is applied (a read-only copy the server cannot migrate).
pub(crate) fn check_complete(applied: &[String], known: &[(&str, &str)]) -> Result<(), DbError> {
    let missing: Vec<&str> = known
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !applied.iter().any(|a| a == name))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid(format!(
            "the read-only database lacks migrations this server needs ({}): is it a standby of \
             this district's database, and has the primary been migrated?",
            missing.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, &str)] = &[("0001_init", ""), ("0002_more", "")];

    #[test]
    fn a_database_migrated_by_this_build_or_an_older_one_is_accepted() {
        assert!(check_known(&[], KNOWN).is_ok());
        assert!(check_known(&["0001_init".into()], KNOWN).is_ok());
        assert!(check_known(&["0001_init".into(), "0002_more".into()], KNOWN).is_ok());
    }

    #[test]
    fn a_read_only_copy_must_hold_every_migration() {
        assert!(check_complete(&["0001_init".into(), "0002_more".into()], KNOWN).is_ok());
        let Err(e) = check_complete(&["0001_init".into()], KNOWN) else {
            panic!("a copy without 0002 was accepted");
        };
        assert!(e.to_string().contains("0002_more"), "{e}");
    }

    #[test]
    fn a_migration_this_build_does_not_know_refuses_the_database() {
        let applied = ["0001_init".into(), "0099_later".into(), "0003_next".into()];
        let Err(e) = check_known(&applied, KNOWN) else {
            panic!("a newer schema was accepted");
        };
        let text = e.to_string();
        assert!(text.contains("0003_next, 0099_later"), "{text}");
        assert!(text.contains("newer district-server"), "{text}");
    }
}
