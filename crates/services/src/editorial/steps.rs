//! What editors do: a draft saved, sent for review, taken back, published or sent back by a
//! second editor, an earlier version proposed again; each checked before it is published.

use chrono::NaiveDateTime;

use crate::audit::Step;
use crate::content::store::fingerprint as digest;
use crate::db::content::{self as queries, VersionRow};
use crate::db::{DbConnection, counters};
use crate::diagnostic::Memory;
use crate::diagnostic::trees::{self, PublishError};
use crate::domain::actor::Actor;
use crate::domain::content::editorial::{self as rules, Document, VersionState};
use crate::domain::content::{File, Library};
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;
use crate::mail::emails::editorial::{EditorReviewRequested, EditorVersionDecided};

use super::{MAX_BODY_BYTES, document_of, require_editor, text_in_force};

/// The library's files in force as the caller's transaction reads them (those in memory before
/// any was stored).
fn files_in_force(
    conn: &mut DbConnection,
    state: &Infra,
) -> Result<Vec<(String, String)>, AppError> {
    let files = crate::content::store::in_force_files(&queries::in_force(conn)?);
    Ok(if files.is_empty() {
        state.content().files.clone()
    } else {
        files
    })
}

/// The library `files` make, or the one in memory if they do not read.
fn library_of(state: &Infra, files: &[(String, String)]) -> Library {
    Library::read(files.iter().map(|(path, text)| File { path, text }))
        .unwrap_or_else(|_| state.content().library.clone())
}

/// What stops `body` from being published as `document`, with the library in force in the
/// database (read in the caller's transaction) and the tree in force: every problem, in French.
pub(super) fn problems_of(
    conn: &mut DbConnection,
    state: &Infra,
    memory: &Memory,
    document: &Document,
    body: &str,
) -> Result<Vec<String>, AppError> {
    let mut files = files_in_force(conn, state)?;
    if *document == Document::Tree {
        let library = library_of(state, &files);
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
        ask_for_review(conn, state, actor, &row, &document)
    })
}

/// The other editors (the admins when there is none) are asked to review, by email.
fn ask_for_review(
    conn: &mut DbConnection,
    state: &Infra,
    author: &Actor,
    row: &VersionRow,
    document: &Document,
) -> Result<(), AppError> {
    let mut others = |role: &str| -> Result<Vec<_>, AppError> {
        Ok(crate::db::accounts::users_with_roles(conn, &[role])?
            .into_iter()
            .filter(|u| u.id != author.id)
            .collect())
    };
    let mut reviewers = others("editor")?;
    if reviewers.is_empty() {
        reviewers = others("admin")?;
    }
    let title = super::title_of(document, &state.content().library).0;
    let mut step = Step::new(state.clock.now_naive());
    for reviewer in reviewers {
        step.mail(
            state,
            &reviewer.email,
            &EditorReviewRequested {
                name: reviewer.display_name,
                title: title.clone(),
                path: row.path.clone(),
                author: author.display_name.clone(),
                note: row.note.clone(),
                version_url: version_url(state, &row.id),
            },
        )?;
    }
    step.write(conn)
}

fn version_url(state: &Infra, id: &str) -> String {
    format!("{}/contenus/versions/{id}", state.config.base_url)
}

/// The author hears the reviewer's decision, by email.
fn tell_author(
    conn: &mut DbConnection,
    state: &Infra,
    reviewer: &Actor,
    row: &VersionRow,
    document: &Document,
    number: Option<i32>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let Some(author) = row.author_id.as_deref() else {
        return Ok(());
    };
    let Some(author) = crate::db::accounts::user_by_id(conn, author)?.filter(|u| !u.disabled)
    else {
        return Ok(());
    };
    let mut step = Step::new(state.clock.now_naive());
    step.mail(
        state,
        &author.email,
        &EditorVersionDecided {
            name: author.display_name,
            title: super::title_of(document, &state.content().library).0,
            reviewer: reviewer.display_name.clone(),
            published: number.is_some(),
            number,
            comment: comment.map(str::to_owned),
            version_url: version_url(state, &row.id),
        },
    )?;
    step.write(conn)
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
        tell_author(conn, state, actor, &row, &document, number, comment)?;
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
    let library = library_of(state, &files_in_force(conn, state)?);
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
