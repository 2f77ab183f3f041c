//! Staff's own work on a referencing file, on its review page: following it ("Suivre ce
//! dossier", the queue's "Mes dossiers") and private notes between staff, which the applicant
//! never sees.

use super::*;
use crate::cases::{self, CaseWork, REFERENCING};
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::StaffUser;

/// What the review page shows of the case's follow-up.
#[derive(Serialize)]
pub(super) struct CaseSection {
    follower: Option<String>,
    mine: bool,
    /// The follower the page shows (a take-over names it, so that a race is a conflict).
    expected: String,
    notes: Vec<NoteLine>,
    note_text: String,
    note_error: Option<String>,
}

#[derive(Serialize)]
struct NoteLine {
    author: String,
    at: String,
    at_iso: String,
    body: String,
}

/// The section from what is stored, the viewer, and a note typed in a failed attempt.
pub(super) fn case_section(
    work: CaseWork,
    viewer: &str,
    failed: Option<(String, String)>,
) -> CaseSection {
    let (note_text, note_error) = match failed {
        Some((typed, message)) => (typed, Some(message)),
        None => (String::new(), None),
    };
    CaseSection {
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
                at_iso: iso(n.created_at),
                body: n.body,
            })
            .collect(),
        note_text,
        note_error,
    }
}

/// A change of the profile made since staff last decided on the file.
#[derive(Serialize)]
pub(super) struct ChangeLine {
    when: String,
    when_iso: String,
    by: String,
    /// One line per field: "Téléphone : « … » → « … »".
    lines: Vec<String>,
}

/// The staff steps after which the applicant's edits are news again.
const DECISIONS: [&str; 7] = [
    "start-review",
    "request-changes",
    "approve",
    "reject",
    "suspend",
    "reinstate",
    "remove",
];

/// The profile's changes since the last decision (or since the file began), oldest first.
pub(super) fn changes_since_decision(events: &[crate::audit::EventView]) -> Vec<ChangeLine> {
    let since = events
        .iter()
        .rposition(|e| DECISIONS.contains(&e.action.as_str()))
        .map_or(0, |i| i + 1);
    events[since..]
        .iter()
        .filter(|e| e.action == "profile-edit")
        .map(|e| ChangeLine {
            when: datetime_fr(e.created_at),
            when_iso: iso(e.created_at),
            by: e.actor.clone().unwrap_or_default(),
            lines: e
                .reason
                .as_deref()
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect(),
        })
        .collect()
}

/// What a done follow-up step says on the page (`?info=`).
pub(super) fn said(info: &str) -> Option<&'static str> {
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

#[post("/instruction/dossiers/{id}/suivi")]
pub async fn follow_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<FollowForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
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
    let expected = filled(&Some(form.attendu)).map(str::to_owned);
    let (inner, actor, target) = (data_of(&state), user.actor.clone(), id.clone());
    let result = blocking(move || {
        cases::set_follower(
            &inner,
            &actor,
            REFERENCING,
            &target,
            expected.as_deref(),
            follow,
        )
    })
    .await;
    match result {
        Ok(()) => done(
            &format!("/instruction/dossiers/{id}"),
            if follow { "suivi" } else { "quitte" },
        ),
        Err(AppError::Conflict(message)) => {
            super::review::rerender(&state, &user, id, StatusCode::CONFLICT, Some(message), None)
                .await
        }
        Err(other) => Err(PageError::from(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub note: String,
}

#[post("/instruction/dossiers/{id}/notes")]
pub async fn note_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let (inner, actor, target, body) = (
        data_of(&state),
        user.actor.clone(),
        id.clone(),
        form.note.clone(),
    );
    match blocking(move || cases::annotate(&inner, &actor, REFERENCING, &target, &body)).await {
        Ok(()) => done(&format!("/instruction/dossiers/{id}#notes"), "note"),
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            super::review::rerender(
                &state,
                &user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((form.note, message)),
            )
            .await
        }
        Err(other) => Err(PageError::from(other)),
    }
}
