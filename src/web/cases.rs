//! Staff's own work on a case, on its staff page, the same way for a referencing file, a label
//! application and an assistance request: following it ("Suivre ce dossier") and private notes
//! between staff, which the applicant or the victim never sees (`services::cases`). Each
//! feature's handler checks the form, calls [`follow`] or [`annotate`], and shows its page
//! again with the [`CaseFailure`] when the step was refused (nothing typed is lost).

use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

use crate::cases::{self, CaseWork};
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{blocking, datetime_fr, done, first_message};
use crate::web::page_error::PageError;

/// Which kind of case, and where its staff page is.
#[derive(Debug, Clone, Copy)]
pub enum CaseKind {
    Referencing,
    Label,
    Assistance,
}

impl CaseKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Referencing => cases::REFERENCING,
            Self::Label => cases::LABEL,
            Self::Assistance => cases::ASSISTANCE,
        }
    }

    /// The case's staff page, where its forms post under.
    pub fn page(self, id: &str) -> String {
        match self {
            Self::Referencing => format!("/instruction/dossiers/{id}"),
            Self::Label => format!("/instruction/label/{id}"),
            Self::Assistance => format!("/instruction/demandes/{id}"),
        }
    }
}

/// What a page shows of the case's follow-up.
#[derive(Serialize, Debug)]
pub struct CaseSection {
    /// Where the forms post: the case's page.
    base: String,
    follower: Option<String>,
    mine: bool,
    /// The follower the page shows (a take-over names it, so that a race is a conflict).
    expected: String,
    notes: Vec<NoteLine>,
    note_text: String,
    note_error: Option<String>,
    /// Someone else took the case first.
    conflict: Option<String>,
    /// Who never reads the notes, in French ("de l'organisation").
    hidden_from: &'static str,
    /// The message thread with the applicant (the organisation, or the victim).
    thread: ThreadLink,
}

#[derive(Serialize, Debug)]
struct ThreadLink {
    href: String,
    /// Whom the thread is with ("le prestataire", "la victime").
    with: &'static str,
    /// "3 messages", "Aucun message".
    count: String,
    /// The applicant wrote last: an answer is awaited.
    awaited: bool,
}

#[derive(Serialize, Debug)]
struct NoteLine {
    author: String,
    at: String,
    at_iso: String,
    body: String,
}

/// Why a follow-up step was refused: someone took the case first, or the note typed (kept)
/// and what is wrong with it.
#[derive(Debug, Default)]
pub struct CaseFailure {
    pub conflict: Option<String>,
    pub note: Option<(String, String)>,
}

/// The section from what is stored, the viewer, and a refused step.
pub fn case_section(
    kind: CaseKind,
    id: &str,
    work: CaseWork,
    viewer: &str,
    failure: CaseFailure,
) -> CaseSection {
    let (note_text, note_error) = match failure.note {
        Some((typed, message)) => (typed, Some(message)),
        None => (String::new(), None),
    };
    let (count, last_from_staff) = work.messages;
    let thread = ThreadLink {
        href: format!("{}/messagerie", kind.page(id)),
        with: match kind {
            CaseKind::Assistance => "la victime",
            _ => "le prestataire",
        },
        count: messages_count(usize::try_from(count).unwrap_or_default()),
        awaited: last_from_staff == Some(false),
    };
    CaseSection {
        thread,
        base: kind.page(id),
        mine: work.follower.as_ref().is_some_and(|(id, _)| id == viewer),
        expected: work
            .follower
            .as_ref()
            .map(|(id, _)| id.clone())
            .unwrap_or_default(),
        follower: work.follower.map(|(_, name)| name),
        notes: work
            .notes
            .into_iter()
            .map(|n| NoteLine {
                author: n.author_name,
                at: datetime_fr(n.created_at),
                at_iso: crate::french::iso(n.created_at),
                body: n.body,
            })
            .collect(),
        note_text,
        note_error,
        conflict: failure.conflict,
        hidden_from: match kind {
            CaseKind::Referencing => "de l'organisation",
            CaseKind::Label => "du prestataire",
            CaseKind::Assistance => "de la victime ni des prestataires",
        },
    }
}

/// "Aucun message", "1 message", "3 messages".
pub fn messages_count(n: usize) -> String {
    match n {
        0 => "Aucun message".to_owned(),
        n => crate::french::plural(n, "message", "messages"),
    }
}

/// Who follows each case of a kind (staff lists).
pub fn followers(
    state: &AppState,
    user: &CurrentUser,
    kind: CaseKind,
) -> Result<std::collections::HashMap<String, (String, String)>, AppError> {
    cases::followers(state, &user.actor, kind.stored())
}

/// Whether a list's `suivi` parameter asks for the viewer's own cases ("Mes dossiers").
pub fn mine_only(suivi: Option<&str>) -> bool {
    suivi == Some("moi")
}

/// The case's work as a page reads it (staff).
pub fn work(
    state: &AppState,
    user: &CurrentUser,
    kind: CaseKind,
    id: &str,
) -> Result<CaseWork, AppError> {
    cases::work(state, &user.actor, kind.stored(), id)
}

/// What a done follow-up step says on the page (`?info=`).
pub fn said(info: &str) -> Option<&'static str> {
    match info {
        "suivi" => Some("Vous suivez ce dossier : il apparaît dans « Mes dossiers »."),
        "quitte" => Some("Vous ne suivez plus ce dossier."),
        "note" => Some("Note enregistrée. Seules les équipes du groupement la voient."),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    pub csrf_token: String,
    /// `suivre` or `quitter`.
    #[serde(default)]
    pub choix: String,
    /// The follower's id as the page showed it (empty: nobody).
    #[serde(default)]
    pub attendu: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub note: String,
}

/// Follows the case or leaves it (the form checked for CSRF by the caller): the page again
/// with what it says, or the failure to show it with (409: someone took it first).
pub async fn follow(
    state: &actix_web::web::Data<AppState>,
    user: &CurrentUser,
    kind: CaseKind,
    id: &str,
    form: FollowForm,
) -> Result<Result<HttpResponse, CaseFailure>, PageError> {
    let follow = match form.choix.as_str() {
        "suivre" => true,
        "quitter" => false,
        _ => {
            return Err(PageError::from(AppError::field(
                "choix",
                "Choix inconnu : suivez le dossier ou cessez de le suivre.",
            )));
        }
    };
    let expected = Some(form.attendu.trim().to_owned()).filter(|s| !s.is_empty());
    let (inner, actor, target) = (
        state.clone().into_inner(),
        user.actor.clone(),
        id.to_owned(),
    );
    let result = blocking(move || {
        cases::set_follower(
            &inner,
            &actor,
            kind.stored(),
            &target,
            expected.as_deref(),
            follow,
        )
    })
    .await;
    match result {
        Ok(()) => Ok(Ok(done(
            &kind.page(id),
            if follow { "suivi" } else { "quitte" },
        )?)),
        Err(AppError::Conflict(message)) => Ok(Err(CaseFailure {
            conflict: Some(message),
            note: None,
        })),
        Err(other) => Err(PageError::from(other)),
    }
}

/// Adds a private note (the form checked for CSRF by the caller): the page again at the
/// notes, or the failure to show it with (422, the note typed kept).
pub async fn annotate(
    state: &actix_web::web::Data<AppState>,
    user: &CurrentUser,
    kind: CaseKind,
    id: &str,
    form: NoteForm,
) -> Result<Result<HttpResponse, CaseFailure>, PageError> {
    let (inner, actor, target, body) = (
        state.clone().into_inner(),
        user.actor.clone(),
        id.to_owned(),
        form.note.clone(),
    );
    match blocking(move || cases::annotate(&inner, &actor, kind.stored(), &target, &body)).await {
        Ok(()) => Ok(Ok(done(&format!("{}#notes", kind.page(id)), "note")?)),
        Err(AppError::Validation(errors)) => Ok(Err(CaseFailure {
            conflict: None,
            note: Some((form.note, first_message(&errors))),
        })),
        Err(other) => Err(PageError::from(other)),
    }
}
