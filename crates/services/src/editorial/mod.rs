//! The editorial workflow (editors; admins too): a draft, its review by a second editor, its
//! publication. Every published version stays as it was; a change or a rollback is a new
//! version, checked with the whole library (and the diagnostic's tree) before it is published.
//! The diagnostic's tree takes the same path: its publication is the tree's.

use std::collections::HashMap;

use crate::db::DbConnection;
use crate::db::content::{self as queries, VersionLine};
use crate::domain::actor::{Actor, Role};
use crate::domain::content::editorial::Document;
use crate::domain::content::{Kind, Library};
use crate::error::AppError;
use crate::infra::Infra;

mod steps;
mod views;

pub use steps::{Decision, republish, review, save_draft, submit, withdraw};
pub use views::{
    DocumentLine, DocumentView, Overview, TreePreview, VersionSummary, VersionView, document,
    new_fiche, overview, tree_preview, version,
};

/// The largest text accepted (the tree, the largest document, is about 26 kB).
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// Editors write and review; admins may too (a fix cannot wait for the only other editor).
pub fn require_editor(actor: &Actor) -> Result<(), AppError> {
    if matches!(actor.role, Role::Editor | Role::Admin) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Ces pages sont réservées aux éditeurs de contenus.",
        ))
    }
}

/// Who wrote or reviewed, by id (editors and admins).
fn names(conn: &mut DbConnection) -> Result<HashMap<String, String>, AppError> {
    Ok(
        crate::db::accounts::users_with_roles(conn, &["editor", "admin"])?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect(),
    )
}

fn summary(line: VersionLine, names: &HashMap<String, String>, actor: &Actor) -> VersionSummary {
    let name_of = |id: &str| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "un ancien éditeur".into())
    };
    VersionSummary {
        mine: line.author_id.as_deref() == Some(actor.id.as_str()),
        author: line
            .author_id
            .as_deref()
            .map_or_else(|| "livrée avec le service".into(), name_of),
        reviewer: line.reviewer_id.as_deref().map(name_of),
        id: line.id,
        path: line.path,
        number: line.number,
        state_label: line.state.label(),
        state: line.state,
        note: line.note,
        updated: crate::french::datetime_fr(line.updated_at),
        published: line.published_at.map(crate::french::datetime_fr),
        updated_at: line.updated_at,
        published_at: line.published_at,
    }
}

fn document_of(path: &str) -> Result<Document, AppError> {
    Document::parse(path).ok_or_else(|| AppError::not_found("Ce document n'existe pas."))
}

/// A document's title as editors read it.
fn title_of(document: &Document, library: &Library) -> (String, &'static str) {
    match document {
        Document::Contacts => ("Annuaire des contacts".into(), "Contacts"),
        Document::Tree => ("Arbre du diagnostic".into(), "Diagnostic"),
        Document::Fiche(slug) => match library.fiche(slug) {
            Some(f) => (f.meta.title.clone(), f.meta.kind.label()),
            None => (slug.clone(), Kind::Reflexe.label()),
        },
        Document::Quiz(theme) => match library.quizzes.get(theme) {
            Some(q) => (q.title.clone(), "Quiz"),
            None => (theme.clone(), "Quiz"),
        },
    }
}

/// The text in force of a document, read in the caller's transaction.
fn text_in_force(conn: &mut DbConnection, document: &Document) -> Result<String, AppError> {
    Ok(match document {
        Document::Tree => crate::db::diagnostic::current(conn)?
            .map(|v| v.source)
            .unwrap_or_default(),
        _ => queries::in_force_of(conn, &document.path())?
            .map(|v| v.body)
            .unwrap_or_default(),
    })
}

/// The text in force of a document, to download.
pub fn text(state: &Infra, actor: &Actor, path: &str) -> Result<String, AppError> {
    require_editor(actor)?;
    let document = document_of(path)?;
    let mut conn = state.pool.get()?;
    let text = text_in_force(&mut conn, &document)?;
    if text.is_empty() {
        return Err(AppError::not_found(
            "Ce document n'a pas de version en vigueur.",
        ));
    }
    Ok(text)
}
