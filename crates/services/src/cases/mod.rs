//! Staff's own work on a case (a referencing file, a label application, an assistance
//! request): following it ("suivre ce
//! dossier", the queue's "mes dossiers") and private notes between staff. Staff only, never
//! shown to the applicant, never in the applicant's history or emails.

use crate::db::cases as queries;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

pub mod messages;

pub use crate::db::cases::{ASSISTANCE, LABEL, REFERENCING};

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// Who follows the case and what staff noted on it.
#[derive(Debug, Default)]
pub struct CaseWork {
    /// The follower's id and name.
    pub follower: Option<(String, String)>,
    pub notes: Vec<queries::NoteRow>,
    /// The thread with the applicant: how many messages, and whether the last is the
    /// applicant's (waiting for an answer).
    pub messages: (i64, Option<bool>),
}

fn existing(state: &Infra, kind: &str, subject_id: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    if queries::exists(&mut conn, kind, subject_id)? {
        Ok(())
    } else {
        Err(AppError::not_found("Ce dossier n'existe pas."))
    }
}

/// The case's follower and notes (staff).
pub fn work(
    state: &Infra,
    staff: &Actor,
    kind: &str,
    subject_id: &str,
) -> Result<CaseWork, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(CaseWork {
        follower: queries::follower(&mut conn, kind, subject_id)?,
        notes: queries::notes(&mut conn, kind, subject_id)?,
        messages: crate::db::case_messages::summary(&mut conn, kind, subject_id)?,
    })
}

/// Makes `staff` the follower (`follow`) or leaves the case to nobody, if the follower is
/// still the one the page showed (`expected`, a user id); else a conflict naming who has it
/// now, so that two staff never both believe they have the file.
pub fn set_follower(
    state: &Infra,
    staff: &Actor,
    kind: &str,
    subject_id: &str,
    expected: Option<&str>,
    follow: bool,
) -> Result<(), AppError> {
    staff.require_staff()?;
    existing(state, kind, subject_id)?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    let new = follow.then_some(staff.id.as_str());
    let changed = crate::db::write_transaction(&mut conn, |conn| {
        queries::set_follower(conn, kind, subject_id, expected, new, now)
    })?;
    if changed {
        return Ok(());
    }
    let current = queries::follower(&mut conn, kind, subject_id)?;
    Err(AppError::Conflict(match current {
        Some((id, _)) if id == staff.id => "Vous suivez déjà ce dossier.".to_owned(),
        Some((_, name)) => format!(
            "Ce dossier vient d'être pris en charge par {name} : rechargez la page avant de le reprendre."
        ),
        None => "Ce dossier n'est plus suivi par personne : rechargez la page.".to_owned(),
    }))
}

/// Adds a private note for staff, checked (not blank, at most `MAX_NOTE_CHARS`).
pub fn annotate(
    state: &Infra,
    staff: &Actor,
    kind: &str,
    subject_id: &str,
    body: &str,
) -> Result<(), AppError> {
    staff.require_staff()?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field(
            "note",
            "Écrivez la note avant de l'enregistrer.",
        ));
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::field(
            "note",
            format!(
                "Une note fait au plus {} caractères.",
                crate::french::number_fr(MAX_NOTE_CHARS as u64)
            ),
        ));
    }
    existing(state, kind, subject_id)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    queries::add_note(&mut conn, &id, kind, subject_id, &staff.id, body, now)?;
    Ok(())
}

/// Who follows each case of a kind, by its id: (follower's id, name). For the staff lists'
/// "Suivi par" column and their "Mes dossiers".
pub fn followers(
    state: &Infra,
    staff: &Actor,
    kind: &str,
) -> Result<std::collections::HashMap<String, (String, String)>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::followers(&mut conn, kind)?
        .into_iter()
        .map(|(subject, id, name)| (subject, (id, name)))
        .collect())
}
