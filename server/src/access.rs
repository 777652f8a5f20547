//! Who may do what: the three roles, an account's compound scope, and the access level each
//! route declares (`web::routes` builds the router from those declarations, so a route without
//! one cannot exist).

use std::collections::BTreeSet;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The district's administrator: every compound, every change, accounts.
    District,
    /// A compound manager: residents, passes, checkpoints, devices, staff, notices and the
    /// report's sign-off of their own compounds only.
    Manager,
    /// Reads dashboards, reports and records; changes nothing; exports personal data only when
    /// the account was granted that.
    Observer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::District, Role::Manager, Role::Observer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Manager => "manager",
            Self::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name on screen, Chinese then English.
    pub fn label(self) -> &'static str {
        match self {
            Self::District => "街道管理员 District administrator",
            Self::Manager => "小区管理员 Compound manager",
            Self::Observer => "观察员 Observer",
        }
    }

    /// May an account of this role use a route of level `access`?
    pub fn allows(self, access: Access, personal_exports: bool) -> bool {
        match access {
            Access::Public | Access::Account | Access::Read => true,
            Access::Export => self != Self::Observer || personal_exports,
            Access::Manage => self != Self::Observer,
            Access::District => self == Self::District,
        }
    }
}

/// What a route needs. Device and household API routes are `Public` here: their handlers check
/// the device's or the household's token themselves, and a session cookie gives them nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// No account: the login form, self-registration, the household's and the visitor's pages,
    /// the device and household API.
    Public,
    /// Any logged-in account, even one that must first change its password (logout, the
    /// password form).
    Account,
    /// Any active account: pages, reports and records (compound managers see their own).
    Read,
    /// Personal data leaving the screen (printed cards, CSV files with names): administrators,
    /// managers for their compounds, observers only when granted.
    Export,
    /// A change inside the account's compounds: administrators and managers.
    Manage,
    /// A district-wide change: compounds, the handbook, accounts, district-wide staff and notices.
    District,
}

/// The compounds an account may see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(BTreeSet<String>),
}

impl Scope {
    /// The scope of an account of `role` that was given `compounds` (managers only; the others
    /// see the whole district).
    pub fn of(role: Role, compounds: impl IntoIterator<Item = String>) -> Self {
        match role {
            Role::Manager => Self::Only(compounds.into_iter().collect()),
            Role::District | Role::Observer => Self::All,
        }
    }

    /// Does the scope hold this compound? An empty id means "the whole district", which only
    /// a district-wide scope holds.
    pub fn holds(&self, compound_id: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(set) => set.contains(compound_id),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }

    /// Keep the items whose compound the scope holds.
    pub fn filter<T>(&self, items: Vec<T>, compound_of: impl Fn(&T) -> &str) -> Vec<T> {
        match self {
            Self::All => items,
            Self::Only(_) => items
                .into_iter()
                .filter(|t| self.holds(compound_of(t)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observers_read_and_export_only_when_granted() {
        assert!(Role::Observer.allows(Access::Read, false));
        assert!(!Role::Observer.allows(Access::Export, false));
        assert!(Role::Observer.allows(Access::Export, true));
        assert!(!Role::Observer.allows(Access::Manage, true));
        assert!(!Role::Observer.allows(Access::District, true));
    }

    #[test]
    fn managers_change_their_compounds_but_not_the_district() {
        assert!(Role::Manager.allows(Access::Manage, false));
        assert!(Role::Manager.allows(Access::Export, false));
        assert!(!Role::Manager.allows(Access::District, false));
        assert!(Role::District.allows(Access::District, false));
        let scope = Scope::of(Role::Manager, ["c1".to_owned()]);
        assert!(scope.holds("c1") && !scope.holds("c2") && !scope.holds(""));
        assert_eq!(scope.filter(vec!["c1", "c2"], |c| c), vec!["c1"]);
        assert!(Scope::of(Role::Observer, ["c1".to_owned()]).holds("c2"));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
