//! The gate handbook (标准化手册) reader: the sections from the signed config, a search box, the
//! matching titles, one section open. Read offline: the sections are whatever the last sync
//! stored. A reload keeps the open section while it still exists.

use sync_core::handbook::{search, HandbookSection};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandbookAction {
    /// The sections from the signed config (read again after every sync).
    Loaded(Vec<HandbookSection>),
    /// The search box's text.
    Query(String),
    /// Open the section with this id (nothing happens when there is none).
    Open(String),
    /// Back to the list.
    Back,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandbookState {
    pub sections: Vec<HandbookSection>,
    pub query: String,
    /// The id of the section open, if any.
    pub open: Option<String>,
}

impl HandbookState {
    pub fn reduce(&mut self, action: HandbookAction) {
        match action {
            HandbookAction::Loaded(sections) => {
                self.sections = sections;
                // A section the district removed closes; one still there stays open.
                if self.opened().is_none() {
                    self.open = None;
                }
            }
            HandbookAction::Query(q) => self.query = q,
            HandbookAction::Open(id) => {
                if self.sections.iter().any(|s| s.section_id == id) {
                    self.open = Some(id);
                }
            }
            HandbookAction::Back => self.open = None,
        }
    }

    /// The sections matching the search, in handbook order (all of them for an empty search).
    pub fn matching(&self) -> Vec<&HandbookSection> {
        search(&self.sections, &self.query)
    }

    /// The section open, when it exists.
    pub fn opened(&self) -> Option<&HandbookSection> {
        let id = self.open.as_deref()?;
        self.sections.iter().find(|s| s.section_id == id)
    }

    /// Nothing to read yet: no sync has brought a handbook.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}

#[cfg(test)]
#[path = "handbook_tests.rs"]
mod tests;
