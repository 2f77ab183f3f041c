//! Staff's own work on a referencing file, on its review page: following it ("Suivre ce
//! dossier", the queue's "Mes dossiers") and private notes between staff, which the applicant
//! never sees (the shared part is `web::cases`); the profile's changes since the last decision.

use super::*;
use crate::web::cases::{self, CaseKind, FollowForm, NoteForm};
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

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
    match cases::follow(&state, &user, CaseKind::Referencing, &id, form).await? {
        Ok(done) => Ok(done),
        Err(failure) => {
            super::review::rerender(
                &state,
                &user,
                id,
                StatusCode::CONFLICT,
                failure.conflict,
                None,
            )
            .await
        }
    }
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
    match cases::annotate(&state, &user, CaseKind::Referencing, &id, form).await? {
        Ok(done) => Ok(done),
        Err(failure) => {
            super::review::rerender(
                &state,
                &user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                failure.note,
            )
            .await
        }
    }
}
