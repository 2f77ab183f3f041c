//! The editorial workflow's rules: the documents editors may change, a version's states, the
//! four-eyes rule, when a fiche must be re-read, and the line diff a reviewer reads.

use chrono::{Months, NaiveDate};
use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::Serialize;

use crate::actor::Refused;

/// Where a version stands. A published version never changes again: a change is a new
/// version, a rollback publishes an older text again as a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Its author is still writing it (only they see and change it).
    Draft,
    /// Submitted: frozen, waiting for a second editor.
    InReview,
    Published,
    /// Sent back by the reviewer, with the reason.
    Rejected,
    /// Its author took it back before a review, or another version was published on top.
    Withdrawn,
}

impl VersionState {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::InReview,
        Self::Published,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Published => "published",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Brouillon",
            Self::InReview => "En relecture",
            Self::Published => "Publiée",
            Self::Rejected => "Refusée",
            Self::Withdrawn => "Retirée",
        }
    }
}

/// What an editor may change, by its path in the library (as in `fixtures/content/`), and the
/// diagnostic's tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Document {
    Contacts,
    Fiche(String),
    Quiz(String),
    Tree,
}

/// The tree's path among the documents.
pub const TREE_PATH: &str = "diagnostic/tree.toml";

impl Document {
    /// The document a path names; `None` for anything else (an unknown or unsafe path).
    pub fn parse(path: &str) -> Option<Self> {
        let name_ok = |name: &str| {
            !name.is_empty()
                && name.len() <= 80
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        };
        if path == "contacts.toml" {
            Some(Self::Contacts)
        } else if path == TREE_PATH {
            Some(Self::Tree)
        } else if let Some(slug) = path
            .strip_prefix("fiches/")
            .and_then(|p| p.strip_suffix(".md"))
        {
            name_ok(slug).then(|| Self::Fiche(slug.to_owned()))
        } else if let Some(theme) = path
            .strip_prefix("quiz/")
            .and_then(|p| p.strip_suffix(".toml"))
        {
            name_ok(theme).then(|| Self::Quiz(theme.to_owned()))
        } else {
            None
        }
    }

    pub fn path(&self) -> String {
        match self {
            Self::Contacts => "contacts.toml".into(),
            Self::Fiche(slug) => format!("fiches/{slug}.md"),
            Self::Quiz(theme) => format!("quiz/{theme}.toml"),
            Self::Tree => TREE_PATH.into(),
        }
    }

    /// Whether it is a part of the library (the tree is published on its own).
    pub fn in_library(&self) -> bool {
        !matches!(self, Self::Tree)
    }
}

/// The four-eyes rule: a version is reviewed by an editor who did not write it.
pub fn may_review(author: Option<&str>, reviewer: &str) -> Result<(), Refused> {
    if author == Some(reviewer) {
        Err(Refused(
            "Vous avez écrit cette version : un autre éditeur doit la relire.",
        ))
    } else {
        Ok(())
    }
}

/// Every fiche is re-read at least this often.
pub const REVIEW_EVERY_MONTHS: u32 = 12;

/// The day by which a fiche last re-read on `reviewed_on` must be re-read again.
pub fn review_due(reviewed_on: NaiveDate) -> NaiveDate {
    reviewed_on
        .checked_add_months(Months::new(REVIEW_EVERY_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a fiche re-read on `reviewed_on` is overdue on `today`.
pub fn overdue(reviewed_on: NaiveDate, today: NaiveDate) -> bool {
    review_due(reviewed_on) < today
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub change: &'static str,
    /// The line's number in the old text (kept and removed lines).
    pub old: Option<usize>,
    /// The line's number in the new text (kept and added lines).
    pub new: Option<usize>,
    pub text: String,
}

/// A run of changed lines with up to three unchanged lines around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub lines: Vec<DiffLine>,
}

/// The changes from `old` to `new`, line by line, grouped as a reviewer reads them; empty when
/// the texts are the same.
pub fn diff(old: &str, new: &str) -> Vec<Hunk> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.grouped_ops(3)
        .iter()
        .map(|group| Hunk {
            lines: group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .map(|change| DiffLine {
                    change: match change.tag() {
                        similar::ChangeTag::Equal => "same",
                        similar::ChangeTag::Insert => "added",
                        similar::ChangeTag::Delete => "removed",
                    },
                    old: change.old_index().map(|i| i + 1),
                    new: change.new_index().map(|i| i + 1),
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_the_library_files_and_the_tree_only() {
        assert_eq!(
            Document::parse("fiches/rancongiciel.md"),
            Some(Document::Fiche("rancongiciel".into()))
        );
        assert_eq!(
            Document::parse("quiz/sauvegardes.toml")
                .map(|d| d.path())
                .as_deref(),
            Some("quiz/sauvegardes.toml")
        );
        assert_eq!(Document::parse("contacts.toml"), Some(Document::Contacts));
        assert_eq!(Document::parse(TREE_PATH), Some(Document::Tree));
        for bad in [
            "fiches/../secret.md",
            "fiches/.md",
            "fiches/A.md",
            "README.md",
            "fiches/x.txt",
            "/etc/passwd",
        ] {
            assert_eq!(Document::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_author_cannot_review_their_own_version() {
        assert!(may_review(Some("u1"), "u1").is_err());
        assert!(may_review(Some("u1"), "u2").is_ok());
        // The shipped content has no author: any editor may review a change to it.
        assert!(may_review(None, "u2").is_ok());
    }

    #[test]
    fn a_fiche_is_overdue_the_day_after_twelve_months() {
        let read = NaiveDate::from_ymd_opt(2025, 12, 5).unwrap();
        assert_eq!(
            review_due(read),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        assert!(!overdue(
            read,
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        ));
        assert!(overdue(read, NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()));
        // 29 February: due on the last day of February.
        let leap = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            review_due(leap),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
    }

    #[test]
    fn the_diff_shows_changed_lines_with_their_numbers_and_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj\nk\n";
        let hunks = diff(old, new);
        let lines: Vec<(&str, Option<usize>, Option<usize>, &str)> = hunks
            .iter()
            .flat_map(|h| &h.lines)
            .map(|l| (l.change, l.old, l.new, l.text.as_str()))
            .collect();
        assert!(
            lines.contains(&("removed", Some(6), None, "f")),
            "{lines:?}"
        );
        assert!(lines.contains(&("added", None, Some(6), "F")), "{lines:?}");
        assert!(lines.contains(&("added", None, Some(11), "k")), "{lines:?}");
        // Lines far from a change are left out.
        assert!(!lines.iter().any(|l| l.3 == "a"), "{lines:?}");
        assert!(diff(old, old).is_empty());
    }
}
