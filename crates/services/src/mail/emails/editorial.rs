//! The editors' emails: a version waits for a second editor's review; its author hears the
//! decision.

use serde::Serialize;

/// To the other editors: a version was sent for review.
#[derive(Serialize)]
pub struct EditorReviewRequested {
    pub name: String,
    pub title: String,
    pub path: String,
    pub author: String,
    /// What changes and why, in the author's words.
    pub note: String,
    pub version_url: String,
}

/// To the author: the version was published, or sent back with the reviewer's reason.
#[derive(Serialize)]
pub struct EditorVersionDecided {
    pub name: String,
    pub title: String,
    pub reviewer: String,
    pub published: bool,
    /// The version's number once published.
    pub number: Option<i32>,
    pub comment: Option<String>,
    pub version_url: String,
}

templates! {
    EditorReviewRequested => "editor_review_requested",
    EditorVersionDecided => "editor_version_decided",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    const VERSION: &str =
        "https://cyberdir.example/contenus/versions/0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b";

    #[test]
    fn editor_review_requested() {
        assert_snapshot!(rendered(&EditorReviewRequested {
            name: "Bruno Lefèvre".into(),
            title: "Hameçonnage (phishing)".into(),
            path: "fiches/hameconnage.md".into(),
            author: "Alice Martin".into(),
            note: "Dire de fermer la page tout de suite.".into(),
            version_url: VERSION.into(),
        }));
    }

    #[test]
    fn editor_version_decided() {
        assert_snapshot!(rendered(&EditorVersionDecided {
            name: "Alice Martin".into(),
            title: "Hameçonnage (phishing)".into(),
            reviewer: "Bruno Lefèvre".into(),
            published: true,
            number: Some(4),
            comment: None,
            version_url: VERSION.into(),
        }));
    }

    #[test]
    fn editor_version_decided_sent_back() {
        assert_snapshot!(rendered(&EditorVersionDecided {
            name: "Alice Martin".into(),
            title: "Hameçonnage (phishing)".into(),
            reviewer: "Bruno Lefèvre".into(),
            published: false,
            number: None,
            comment: Some("Gardez « sans rien saisir » en tête de l'étape.".into()),
            version_url: VERSION.into(),
        }));
    }
}
