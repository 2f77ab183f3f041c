//! The editorial workflow (editors; admins too): a draft, its review by a second editor, its
//! publication. Every published version stays as it was; a change or a rollback is a new
//! version, checked with the whole library (and the diagnostic's tree) before it is published.
//! The diagnostic's tree takes the same path: its publication is the tree's.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::content::store::fingerprint as digest;
use crate::db::content::{self as queries, VersionLine, VersionRow};
use crate::db::{DbConnection, counters};
use crate::diagnostic::Memory;
use crate::diagnostic::trees::{self, PublishError};
use crate::domain::actor::{Actor, Role};
use crate::domain::content::editorial::{self as rules, Document, Hunk, VersionState};
use crate::domain::content::{File, Kind, Library};
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;

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

pub fn document(state: &Infra, actor: &Actor, path: &str) -> Result<DocumentView, AppError> {
    require_editor(actor)?;
    let document = document_of(path)?;
    let content = state.content();
    let mut conn = state.pool.get()?;
    let text = text_in_force(&mut conn, &document)?;
    let known = !text.is_empty()
        || matches!(document, Document::Fiche(_))
        || !queries::history(&mut conn, path)?.is_empty();
    if !known {
        return Err(AppError::not_found("Ce document n'existe pas."));
    }
    let names = names(&mut conn)?;
    let draft = queries::draft_of(&mut conn, path, &actor.id)?;
    let history = queries::history(&mut conn, path)?
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

/// What stops `body` from being published as `document`, with the library in force in the
/// database (read in the caller's transaction) and the tree in force: every problem, in French.
fn problems_of(
    conn: &mut DbConnection,
    state: &Infra,
    memory: &Memory,
    document: &Document,
    body: &str,
) -> Result<Vec<String>, AppError> {
    let mut files = crate::content::store::in_force_files(&queries::in_force(conn)?);
    if files.is_empty() {
        files = state.content().files.clone();
    }
    if *document == Document::Tree {
        let library = match Library::read(files.iter().map(|(path, text)| File { path, text })) {
            Ok(library) => library,
            Err(_) => state.content().library.clone(),
        };
        return Ok(
            match trees::check_text(body, &state.taxonomy, Some(&library)) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.iter().map(ToString::to_string).collect(),
            },
        );
    }
    let path = document.path();
    match files.iter_mut().find(|(p, _)| *p == path) {
        Some((_, text)) => *text = body.to_owned(),
        None => files.push((path, body.to_owned())),
    }
    let library = match crate::content::read_checked(&files, &state.taxonomy) {
        Ok(library) => library,
        Err(errors) => {
            return Ok(errors
                .iter()
                .map(|e| format!("{} : {}", e.at, e.reason))
                .collect());
        }
    };
    // The tree's outcomes name fiches and contacts: the tree in force must still pass.
    let tree = memory.trees.refresh(conn, &state.taxonomy)?;
    Ok(
        match crate::domain::diagnostic::check(&tree.tree, &state.taxonomy, Some(&library)) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| format!("arbre du diagnostic : {e}"))
                .collect(),
        },
    )
}

fn refused(problems: Vec<String>) -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("body".into(), problems);
    AppError::Validation(fields)
}

fn check_body(body: &str) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(AppError::field("body", "Le texte est vide."));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::field(
            "body",
            format!("Le texte dépasse {} Ko.", MAX_BODY_BYTES / 1024),
        ));
    }
    Ok(())
}

/// Saves the actor's draft of `path` (created on the text in force, or rewritten): nothing
/// written is lost, even a text that does not pass the checks yet. Returns the draft's id.
pub fn save_draft(
    state: &Infra,
    actor: &Actor,
    path: &str,
    body: &str,
    note: &str,
) -> Result<String, AppError> {
    require_editor(actor)?;
    let document = document_of(path)?;
    check_body(body)?;
    let body = body.replace("\r\n", "\n");
    let note = note.trim();
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        if let Some(draft) = queries::draft_of(conn, path, &actor.id)? {
            queries::update_draft(conn, &draft.id, &body, &digest(&body), note, now)?;
            return Ok(draft.id);
        }
        let base = text_in_force(conn, &document)?;
        let id = uuid::Uuid::now_v7().to_string();
        queries::insert(
            conn,
            &new_version(
                &id,
                path,
                VersionState::Draft,
                &body,
                base,
                note,
                actor,
                now,
            ),
        )?;
        Ok(id)
    })
}

#[allow(clippy::too_many_arguments)]
fn new_version(
    id: &str,
    path: &str,
    state: VersionState,
    body: &str,
    base: String,
    note: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> VersionRow {
    VersionRow {
        id: id.to_owned(),
        path: path.to_owned(),
        number: None,
        state,
        body: body.to_owned(),
        sha256: digest(body),
        base_body: base,
        note: note.to_owned(),
        author_id: Some(actor.id.clone()),
        created_at: now,
        updated_at: now,
        submitted_at: (state == VersionState::InReview).then_some(now),
        reviewer_id: None,
        reviewed_at: None,
        review_comment: None,
        published_at: None,
    }
}

/// The author sends their draft for review: it is frozen, and must pass the checks now.
pub fn submit(state: &Infra, memory: &Memory, actor: &Actor, id: &str) -> Result<(), AppError> {
    require_editor(actor)?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let row = queries::find(conn, id)?
            .filter(|v| v.author_id.as_deref() == Some(&actor.id))
            .ok_or_else(|| AppError::not_found("Cette version n'existe pas."))?;
        if row.state != VersionState::Draft {
            return Err(AppError::Conflict(format!(
                "Cette version n'est plus un brouillon (état : {}).",
                row.state.label().to_lowercase()
            )));
        }
        let document = document_of(&row.path)?;
        if row.note.is_empty() {
            return Err(AppError::field(
                "note",
                "Dites en une phrase ce qui change et pourquoi : la relectrice ou le relecteur le lira d'abord.",
            ));
        }
        if digest(&text_in_force(conn, &document)?) != digest(&row.base_body) {
            return Err(stale());
        }
        if digest(&row.base_body) == row.sha256 {
            return Err(AppError::field(
                "body",
                "Le texte est identique à la version en vigueur : rien à relire.",
            ));
        }
        let problems = problems_of(conn, state, memory, &document, &row.body)?;
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        if !queries::change_state(conn, id, VersionState::Draft, VersionState::InReview, now)? {
            return Err(AppError::Conflict(
                "Cette version a déjà été envoyée.".into(),
            ));
        }
        Ok(())
    })
}

fn stale() -> AppError {
    AppError::Conflict(
        "Une autre version a été publiée depuis que celle-ci a été écrite : reprenez vos changements sur la version en vigueur.".into(),
    )
}

/// The author takes back their draft or their version in review.
pub fn withdraw(state: &Infra, actor: &Actor, id: &str) -> Result<(), AppError> {
    require_editor(actor)?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    let row = queries::find(&mut conn, id)?
        .filter(|v| v.author_id.as_deref() == Some(&actor.id))
        .ok_or_else(|| AppError::not_found("Cette version n'existe pas."))?;
    let taken = [VersionState::Draft, VersionState::InReview]
        .into_iter()
        .filter(|from| *from == row.state)
        .map(|from| queries::change_state(&mut conn, id, from, VersionState::Withdrawn, now))
        .next()
        .transpose()?;
    if taken != Some(true) {
        return Err(AppError::Conflict(format!(
            "Cette version ne peut plus être retirée (état : {}).",
            row.state.label().to_lowercase()
        )));
    }
    Ok(())
}

/// A second editor's decision on a version in review.
pub enum Decision<'a> {
    Publish { comment: &'a str },
    Reject { reason: &'a str },
}

/// The reviewer publishes the version (checked again, with what is in force now) or sends it
/// back with a reason. Never its author.
pub fn review(
    state: &Infra,
    memory: &Memory,
    actor: &Actor,
    id: &str,
    decision: Decision<'_>,
) -> Result<VersionState, AppError> {
    require_editor(actor)?;
    if let Decision::Reject { reason } = decision
        && reason.trim().is_empty()
    {
        return Err(AppError::field(
            "comment",
            "Dites à l'auteur ce qui doit changer avant publication.",
        ));
    }
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    let (document, decided) = crate::db::write_transaction(&mut conn, |conn| {
        // One publication at a time: each is checked with the library the last one left.
        crate::db::throttle::lock(conn, "content publication")?;
        let row = queries::find(conn, id)?
            .filter(|v| v.state != VersionState::Draft)
            .ok_or_else(|| AppError::not_found("Cette version n'existe pas."))?;
        if row.state != VersionState::InReview {
            return Err(AppError::Conflict(format!(
                "Cette version n'est plus en relecture (état : {}).",
                row.state.label().to_lowercase()
            )));
        }
        rules::may_review(row.author_id.as_deref(), &actor.id)?;
        let document = document_of(&row.path)?;
        let (number, comment) = match decision {
            Decision::Reject { reason } => (None, reason.trim()),
            Decision::Publish { comment } => {
                if digest(&text_in_force(conn, &document)?) != digest(&row.base_body) {
                    return Err(stale());
                }
                let problems = problems_of(conn, state, memory, &document, &row.body)?;
                if !problems.is_empty() {
                    return Err(refused(problems));
                }
                if document == Document::Tree {
                    publish_tree(conn, state, &row)?;
                } else {
                    counters::bump(conn, counters::CONTENT)?;
                }
                (
                    Some(queries::last_number(conn, &row.path)? + 1),
                    comment.trim(),
                )
            }
        };
        let comment = Some(comment).filter(|c| !c.is_empty());
        if !queries::decide(conn, id, &actor.id, comment, number, now)? {
            return Err(AppError::Conflict(
                "Cette version vient d'être relue par quelqu'un d'autre.".into(),
            ));
        }
        Ok((
            document,
            if number.is_some() {
                VersionState::Published
            } else {
                VersionState::Rejected
            },
        ))
    })?;
    if decided == VersionState::Published {
        if document == Document::Tree {
            memory.trees.refresh(&mut conn, &state.taxonomy)?;
        } else {
            state.content_store.refresh(&mut conn, &state.taxonomy)?;
        }
        tracing::info!(version = id, path = %document.path(), "content version published");
    }
    Ok(decided)
}

/// Publishes the tree of a version in review (in the caller's transaction).
fn publish_tree(conn: &mut DbConnection, state: &Infra, row: &VersionRow) -> Result<(), AppError> {
    let files = crate::content::store::in_force_files(&queries::in_force(conn)?);
    let library = Library::read(files.iter().map(|(path, text)| File { path, text }))
        .unwrap_or_else(|_| state.content().library.clone());
    match trees::publish(
        conn,
        &state.taxonomy,
        &library,
        &row.body,
        row.author_id.as_deref(),
        state.clock.now_naive(),
    ) {
        Ok((_, true)) => Ok(()),
        Ok((tree, false)) => Err(AppError::field(
            "body",
            format!(
                "La version {} est déjà publiée avec ce texte : changez `version`.",
                tree.version
            ),
        )),
        Err(PublishError::Invalid(errors)) => {
            Err(refused(errors.iter().map(ToString::to_string).collect()))
        }
        Err(e @ PublishError::VersionTaken(_)) => Err(AppError::field("body", e.to_string())),
        Err(PublishError::Database(e)) => Err(e.into()),
    }
}

/// A rollback: an earlier published version's text, proposed again for review as a new
/// version (four eyes still). Returns the new version's id.
pub fn republish(state: &Infra, actor: &Actor, id: &str) -> Result<String, AppError> {
    require_editor(actor)?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let row = queries::find(conn, id)?
            .filter(|v| v.state == VersionState::Published)
            .ok_or_else(|| AppError::not_found("Cette version publiée n'existe pas."))?;
        let document = document_of(&row.path)?;
        if document == Document::Tree {
            return Err(AppError::BadRequest(
                "Un arbre se republie sous un nouveau numéro de version : repartez de son texte dans un brouillon.".into(),
            ));
        }
        let base = text_in_force(conn, &document)?;
        if digest(&base) == row.sha256 {
            return Err(AppError::Conflict(
                "Cette version est déjà celle en vigueur.".into(),
            ));
        }
        let new_id = uuid::Uuid::now_v7().to_string();
        let note = format!(
            "Retour à la version {}.",
            row.number.map(|n| n.to_string()).unwrap_or_default()
        );
        queries::insert(
            conn,
            &new_version(
                &new_id,
                &row.path,
                VersionState::InReview,
                &row.body,
                base,
                &note,
                actor,
                now,
            ),
        )?;
        Ok(new_id)
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
