//! What editors read: the documents, one document's versions, one version with its diff.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::content::store::fingerprint as digest;
use crate::db::content::{self as queries, VersionLine, VersionRow};
use crate::diagnostic::Memory;
use crate::domain::actor::Actor;
use crate::domain::content::editorial::{self as rules, Document, Hunk, VersionState};
use crate::error::AppError;
use crate::infra::Infra;

use super::steps::problems_of;
use super::{document_of, names, require_editor, summary, text_in_force, title_of};

/// A document in the list.
#[derive(Debug, Serialize)]
pub struct DocumentLine {
    pub path: String,
    pub title: String,
    pub kind: &'static str,
    /// The number of the version in force.
    pub number: Option<i32>,
    pub published_at: Option<NaiveDateTime>,
    pub published: Option<String>,
    /// The fiches' last re-reading and when the next is due.
    pub reviewed_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub review_due_fr: Option<String>,
    pub overdue: bool,
    /// Versions waiting for a review.
    pub in_review: usize,
}

/// A version in a list.
#[derive(Debug, Serialize)]
pub struct VersionSummary {
    pub id: String,
    pub path: String,
    pub number: Option<i32>,
    pub state: VersionState,
    pub state_label: &'static str,
    pub note: String,
    pub author: String,
    pub reviewer: Option<String>,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    /// The same, as French reads them.
    pub updated: String,
    pub published: Option<String>,
    pub mine: bool,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub documents: Vec<DocumentLine>,
    /// Versions in review that the actor may review (not theirs), oldest first.
    pub to_review: Vec<VersionSummary>,
    /// The actor's drafts and versions in review.
    pub mine: Vec<VersionSummary>,
    pub overdue: usize,
}

/// Every document, the overdue fiches first, then what waits for a review.
pub fn overview(state: &Infra, actor: &Actor) -> Result<Overview, AppError> {
    require_editor(actor)?;
    let content = state.content();
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let in_force: HashMap<String, VersionRow> = queries::in_force(&mut conn)?
        .into_iter()
        .map(|row| (row.path.clone(), row))
        .collect();
    let open = queries::open_versions(&mut conn)?;
    let names = names(&mut conn)?;
    let mut paths: Vec<String> = content.files.iter().map(|(p, _)| p.clone()).collect();
    paths.push(rules::TREE_PATH.into());
    let mut documents: Vec<DocumentLine> = paths
        .iter()
        .filter_map(|path| Document::parse(path).map(|d| (path, d)))
        .map(|(path, document)| {
            let (title, kind) = title_of(&document, &content.library);
            let reviewed_on = match &document {
                Document::Fiche(slug) => content.library.fiche(slug).map(|f| f.meta.reviewed_on),
                _ => None,
            };
            let row = in_force.get(path);
            DocumentLine {
                path: path.clone(),
                title,
                kind,
                number: row.and_then(|r| r.number),
                published_at: row.and_then(|r| r.published_at),
                published: row
                    .and_then(|r| r.published_at)
                    .map(crate::french::datetime_fr),
                reviewed_on,
                review_due: reviewed_on.map(rules::review_due),
                review_due_fr: reviewed_on.map(|d| crate::french::day_fr(rules::review_due(d))),
                overdue: reviewed_on.is_some_and(|d| rules::overdue(d, today)),
                in_review: open
                    .iter()
                    .filter(|v| &v.path == path && v.state == VersionState::InReview)
                    .count(),
            }
        })
        .collect();
    documents.sort_by(|a, b| (!a.overdue, a.kind, &a.title).cmp(&(!b.overdue, b.kind, &b.title)));
    let mut to_review = Vec::new();
    let mut mine = Vec::new();
    for line in open {
        let ours = line.author_id.as_deref() == Some(actor.id.as_str());
        if ours {
            mine.push(summary(line, &names, actor));
        } else if line.state == VersionState::InReview {
            to_review.push(summary(line, &names, actor));
        }
    }
    Ok(Overview {
        overdue: documents.iter().filter(|d| d.overdue).count(),
        documents,
        to_review,
        mine,
    })
}

/// One document: its text in force, its versions, the actor's draft.
#[derive(Debug, Serialize)]
pub struct DocumentView {
    pub path: String,
    pub title: String,
    pub kind: &'static str,
    pub is_tree: bool,
    pub is_fiche: bool,
    /// The page victims read, for a fiche in force.
    pub public_href: Option<String>,
    /// The text in force (empty for a document not published yet).
    pub text: String,
    pub history: Vec<VersionSummary>,
    /// The actor's draft, to go on with.
    pub draft: Option<VersionSummary>,
    pub draft_text: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub review_due_fr: Option<String>,
    pub overdue: bool,
}

/// What a new fiche starts from: the front matter to fill and the sections of a fiche réflexe.
pub fn new_fiche(slug: &str, today: NaiveDate) -> String {
    format!(
        r#"+++
slug = "{slug}"
kind = "reflexe"
title = ""
summary = ""
incidents = []
themes = []
audiences = ["particulier"]
contacts = []
talk_to_a_person = false
sources = [
  {{ title = "", url = "https://" }},
]
licence = "Licence Ouverte 2.0"
reviewed_on = "{today}"
+++

## En bref

## Les signes

## Que faire maintenant

## Les preuves à garder

## Ce qu'il ne faut pas faire

## Pour éviter que cela recommence
"#,
    )
}

pub fn document(state: &Infra, actor: &Actor, path: &str) -> Result<DocumentView, AppError> {
    require_editor(actor)?;
    let document = document_of(path)?;
    let content = state.content();
    let mut conn = state.pool.get()?;
    let text = text_in_force(&mut conn, &document)?;
    let versions = queries::history(&mut conn, path)?;
    let known = !text.is_empty() || matches!(document, Document::Fiche(_)) || !versions.is_empty();
    if !known {
        return Err(AppError::not_found("Ce document n'existe pas."));
    }
    let names = names(&mut conn)?;
    let draft = queries::draft_of(&mut conn, path, &actor.id)?;
    let history = versions
        .into_iter()
        // Another editor's draft is theirs until submitted.
        .filter(|v| v.state != VersionState::Draft)
        .map(|v| summary(v, &names, actor))
        .collect();
    let (title, kind) = title_of(&document, &content.library);
    let reviewed_on = match &document {
        Document::Fiche(slug) => content.library.fiche(slug).map(|f| f.meta.reviewed_on),
        _ => None,
    };
    Ok(DocumentView {
        path: path.to_owned(),
        title,
        kind,
        is_tree: document == Document::Tree,
        is_fiche: matches!(document, Document::Fiche(_)),
        public_href: match &document {
            Document::Fiche(slug) if !text.is_empty() => Some(format!("/fiches/{slug}")),
            _ => None,
        },
        draft_text: draft.as_ref().map(|d| d.body.clone()),
        text,
        history,
        draft: draft.map(|d| {
            summary(
                VersionLine {
                    id: d.id,
                    path: d.path,
                    number: d.number,
                    state: d.state,
                    note: d.note,
                    author_id: d.author_id,
                    updated_at: d.updated_at,
                    reviewer_id: d.reviewer_id,
                    published_at: d.published_at,
                },
                &names,
                actor,
            )
        }),
        review_due: reviewed_on.map(rules::review_due),
        review_due_fr: reviewed_on.map(|d| crate::french::day_fr(rules::review_due(d))),
        overdue: reviewed_on.is_some_and(|d| rules::overdue(d, state.clock.today())),
        reviewed_on,
    })
}

/// One version: its text, its changes against the text it was written on, and what the actor
/// may do with it.
#[derive(Debug, Serialize)]
pub struct VersionView {
    pub summary: VersionSummary,
    pub title: String,
    pub body: String,
    pub diff: Vec<Hunk>,
    pub review_comment: Option<String>,
    /// Another version was published since it was written: it must be redone on it.
    pub stale: bool,
    /// What would stop its publication now.
    pub problems: Vec<String>,
    pub can_review: bool,
    pub can_submit: bool,
    pub can_withdraw: bool,
    pub can_republish: bool,
    pub is_tree: bool,
}

pub fn version(
    state: &Infra,
    memory: &Memory,
    actor: &Actor,
    id: &str,
) -> Result<VersionView, AppError> {
    require_editor(actor)?;
    let mut conn = state.pool.get()?;
    let row = queries::find(&mut conn, id)?
        .filter(|v| v.state != VersionState::Draft || v.author_id.as_deref() == Some(&actor.id))
        .ok_or_else(|| AppError::not_found("Cette version n'existe pas."))?;
    let document = document_of(&row.path)?;
    let in_force = text_in_force(&mut conn, &document)?;
    let open = matches!(row.state, VersionState::Draft | VersionState::InReview);
    let stale = open && digest(&in_force) != digest(&row.base_body);
    let problems = if open {
        problems_of(&mut conn, state, memory, &document, &row.body)?
    } else {
        Vec::new()
    };
    let names = names(&mut conn)?;
    let mine = row.author_id.as_deref() == Some(actor.id.as_str());
    let in_force_number = queries::in_force_of(&mut conn, &row.path)?.and_then(|v| v.number);
    let content = state.content();
    Ok(VersionView {
        title: title_of(&document, &content.library).0,
        diff: rules::diff(&row.base_body, &row.body),
        can_review: row.state == VersionState::InReview && !mine,
        can_submit: row.state == VersionState::Draft && mine,
        can_withdraw: open && mine,
        can_republish: row.state == VersionState::Published
            && row.number != in_force_number
            && document != Document::Tree,
        is_tree: document == Document::Tree,
        review_comment: row.review_comment.clone(),
        stale,
        problems,
        body: row.body.clone(),
        summary: summary(
            VersionLine {
                id: row.id,
                path: row.path,
                number: row.number,
                state: row.state,
                note: row.note,
                author_id: row.author_id,
                updated_at: row.updated_at,
                reviewer_id: row.reviewer_id,
                published_at: row.published_at,
            },
            &names,
            actor,
        ),
    })
}

/// A tree version's outcomes as the victims will read them (an editor's preview).
pub enum TreePreview {
    /// Every outcome, to choose one: (id, title, urgency).
    Outcomes(Vec<(String, String, &'static str)>),
    /// One outcome, as its result page shows it.
    Outcome(Box<crate::domain::diagnostic::OutcomeView>),
}

/// The preview of a tree version: its outcomes, or the one named `outcome`. A text that is not
/// a tree says why.
pub fn tree_preview(
    state: &Infra,
    actor: &Actor,
    id: &str,
    outcome: Option<&str>,
) -> Result<TreePreview, AppError> {
    require_editor(actor)?;
    let mut conn = state.pool.get()?;
    let row = queries::find(&mut conn, id)?
        .filter(|v| v.state != VersionState::Draft || v.author_id.as_deref() == Some(&actor.id))
        .filter(|v| v.path == rules::TREE_PATH)
        .ok_or_else(|| AppError::not_found("Cette version de l'arbre n'existe pas."))?;
    let tree = crate::domain::diagnostic::parse(&row.body)
        .map_err(|e| AppError::field("body", format!("Aperçu impossible : {e}")))?;
    let content = state.content();
    let view = |id: &str, o: &crate::domain::diagnostic::Outcome| {
        // The audience the outcome's incident type concerns first, as staff's overview reads it.
        let audience = state
            .taxonomy
            .get(o.incident.as_deref().unwrap_or_default())
            .and_then(|t| t.audiences.first().copied())
            .unwrap_or(crate::domain::audience::Audience::Particulier);
        crate::domain::diagnostic::outcome_view(
            &tree,
            &state.taxonomy,
            &content.library,
            id,
            o,
            audience,
        )
    };
    match outcome {
        Some(wanted) => {
            let o = tree.outcomes.get(wanted).ok_or_else(|| {
                AppError::not_found("Cette issue n'existe pas dans cette version.")
            })?;
            Ok(TreePreview::Outcome(Box::new(view(wanted, o))))
        }
        None => Ok(TreePreview::Outcomes(
            tree.outcomes
                .iter()
                .map(|(id, o)| {
                    let v = view(id, o);
                    (id.clone(), v.title, v.urgency_label)
                })
                .collect(),
        )),
    }
}
