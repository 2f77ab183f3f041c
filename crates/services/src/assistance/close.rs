//! The provider who took a request closes it, resolved or not, with an intervention report; the
//! victim then gets a satisfaction survey link.

use super::staff::{self, Viewer};
pub use super::views::ReportInput;
use super::{assign, notify};
use crate::audit::{Event, Step};
use crate::auth::tokens;
use crate::db::assistance::{self as queries, ReportRow, SurveyRow};
use crate::db::{providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::assistance::RequestStatus;
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;

fn check(
    state: &Infra,
    resolved: Option<bool>,
    report: Option<&ReportInput>,
) -> Result<(bool, ReportInput), AppError> {
    let mut errors = FieldErrors::new();
    let mut push = |f: &str, m: &str| {
        errors.insert(f.to_owned(), vec![m.to_owned()]);
    };
    if resolved.is_none() {
        push("resolved", "Indiquez si le problème est résolu.");
    }
    let report = report.cloned().unwrap_or_default();
    if state
        .taxonomy
        .get(report.confirmed_incident_type.trim())
        .is_none()
    {
        push(
            "report.confirmed_incident_type",
            "Choisissez le type d'incident constaté.",
        );
    }
    let vector = report.attack_vector.trim().chars().count();
    if !(2..=200).contains(&vector) {
        push(
            "report.attack_vector",
            "Indiquez le mode opératoire (2 à 200 caractères).",
        );
    }
    let actions = report.actions_taken.trim().chars().count();
    if !(10..=5000).contains(&actions) {
        push(
            "report.actions_taken",
            "Décrivez ce qui a été fait (10 à 5 000 caractères).",
        );
    }
    if !(1..=10_000).contains(&report.minutes_spent) {
        push(
            "report.minutes_spent",
            "Indiquez le temps passé, en minutes (1 à 10 000).",
        );
    }
    if errors.is_empty() {
        Ok((resolved.unwrap_or(false), report))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Closes an accepted request with its report; sends the survey to the victim.
pub fn close(
    state: &Infra,
    user: &Actor,
    id: &str,
    resolved: Option<bool>,
    report: Option<&ReportInput>,
) -> Result<super::views::RequestView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let step = &mut Step::new(now);
        let mut row = queries::request(conn, id)?
            .ok_or_else(|| AppError::not_found("Demande introuvable."))?;
        // 404 unless it was offered to one of the caller's organisations.
        staff::view(conn, state, &row, &Viewer::Provider(user))?;
        let provider_id = row.provider_id.clone().unwrap_or_default();
        if row.status != RequestStatus::Accepted || !user.is_member_of(&provider_id) {
            return Err(AppError::Conflict(
                "Seul le professionnel qui a pris en charge la demande peut la clore.".into(),
            ));
        }
        let (resolved, report) = check(state, resolved, report)?;
        crate::observatory::facts::confirm_incident(
            conn,
            &row.id,
            report.confirmed_incident_type.trim(),
        )?;
        queries::insert_report(
            conn,
            &ReportRow {
                request_id: row.id.clone(),
                provider_id: provider_id.clone(),
                resolved,
                confirmed_incident_type: report.confirmed_incident_type.trim().to_owned(),
                attack_vector: report.attack_vector.trim().to_owned(),
                actions_taken: report.actions_taken.trim().to_owned(),
                minutes_spent: report.minutes_spent,
                created_at: now,
            },
        )?;
        queries::release_place(conn, &provider_id)?;
        let from = row.status;
        row.status = if resolved {
            RequestStatus::Resolved
        } else {
            RequestStatus::NotResolved
        };
        row.closed_at = Some(now);
        assign::write(conn, &mut row, now)?;
        step.record(Event::request(&row.id, "close", Some(from), row.status).by(Some(&user.id)));
        let token =
            tokens::random_token().map_err(|e| AppError::Internal(format!("random: {e}")))?;
        queries::insert_survey(
            conn,
            &SurveyRow {
                request_id: row.id.clone(),
                provider_id: provider_id.clone(),
                token_hash: tokens::digest(&token),
                rating: None,
                comment: None,
                comment_status: None,
                sent_at: now,
                answered_at: None,
            },
        )?;
        if let Some((provider, _)) = providers::find(conn, &provider_id)? {
            notify::survey(step, state, &row, &provider, &token)?;
        }
        step.write(conn)?;
        staff::view(conn, state, &row, &Viewer::Provider(user))
    })
}
