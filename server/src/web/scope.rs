//! Which checkpoints a page shows: those of one compound, of an account's compounds, or all.

use std::collections::HashSet;

use serde::Deserialize;

use super::session::Admin;
use super::WebError;
use crate::access::Scope;
use crate::state::AppState;
use crate::store::Owned;

/// `?compound=ID`: the one compound a page is asked to show.
#[derive(Debug, Default, Deserialize)]
pub struct CompoundQuery {
    pub compound: Option<String>,
}

/// The checkpoints in a page's view (`None`: every one).
#[derive(Debug, Clone, Default)]
pub struct CheckpointsInView {
    ids: Option<HashSet<String>>,
}

impl CheckpointsInView {
    /// The checkpoints of `compound` (every checkpoint for `None`).
    pub async fn load(state: &AppState, compound: Option<&str>) -> Result<Self, WebError> {
        let Some(compound) = compound else {
            return Ok(Self::default());
        };
        Self::matching(state, |c| c == compound).await
    }

    /// The checkpoints of the compounds an account's scope holds.
    pub async fn scoped(state: &AppState, scope: &Scope) -> Result<Self, WebError> {
        if scope.is_all() {
            return Ok(Self::default());
        }
        Self::matching(state, |c| scope.holds(c)).await
    }

    async fn matching(state: &AppState, keep: impl Fn(&str) -> bool) -> Result<Self, WebError> {
        let ids = state
            .store
            .checkpoints()
            .await?
            .into_iter()
            .filter(|c| keep(&c.compound_id))
            .map(|c| c.id)
            .collect();
        Ok(Self { ids: Some(ids) })
    }

    pub fn holds(&self, checkpoint_id: &str) -> bool {
        self.ids
            .as_ref()
            .is_none_or(|ids| ids.contains(checkpoint_id))
    }
}

/// Refuse a change or a view of `thing` when its compound is outside the account's scope (a
/// thing that does not exist is "not found" for a scoped account; the handler decides for the
/// others).
pub async fn check_owned(
    state: &AppState,
    admin: &Admin,
    thing: Owned<'_>,
) -> Result<(), WebError> {
    if admin.scope.is_all() {
        return Ok(());
    }
    match state.store.compound_of(thing).await? {
        Some(compound) => admin.check_compound(&compound),
        None => Err(WebError::NotFound),
    }
}
