//! Staff pages of one assistance request, with manual assignment and closing, and comment
//! moderation; the list of requests is `staff_list.rs`.

use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{blocking, context, failed, first_errors, request_summary, when_fr};
use crate::assistance::staff::{self, AssignInput};
use crate::assistance::survey;
use crate::domain::assistance::AssignmentStatus;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::cases::{self, CaseFailure, CaseKind, FollowForm, NoteForm};
use crate::web::kit::day_fr;
use crate::web::kit::{CsrfForm, InfoQuery};
use crate::web::page;
use crate::web::session::{PageUser, check_form, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(request_page)
        .service(assign)
        .service(close)
        .service(comments_page)
        .service(moderate)
        .service(follow_post)
        .service(note_post);
}

#[get("/instruction/demandes/{id}")]
async fn request_page(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let info = query.info.as_deref().and_then(cases::said);
    let id = path.into_inner();
    let ok = StatusCode::OK;
    show(
        &state,
        &user,
        &id,
        ok,
        &FieldErrors::new(),
        Default::default(),
        info,
    )
    .await
}

/// The request's page: with a refused step's errors, a refused follow-up step (the note
/// typed kept) and what was done.
async fn show(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: &FieldErrors,
    case: CaseFailure,
    info: Option<&'static str>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, rid) = (user.clone(), id.to_owned());
    let loaded = blocking(move || {
        let view = staff::read(&inner, &who, &rid)?;
        // Staff may pick any referenced provider: those covering the place come first.
        // Those who already declined or let the offer lapse are marked, and come last.
        let answered = |id: &str| {
            view.assignments.iter().rev().find(|a| {
                a.provider_id == id
                    && matches!(
                        a.status,
                        AssignmentStatus::Declined | AssignmentStatus::TimedOut
                    )
            })
        };
        let mut choices: Vec<_> = staff::candidates(&inner, &inner.directory, &who, &view)?
            .into_iter()
            .map(|(id, name, city, km)| {
                let before = answered(&id).map(|a| match a.status {
                    AssignmentStatus::Declined => {
                        format!(" – a déjà décliné le {}", day_fr(a.offered_at.date()))
                    }
                    _ => format!(" – n'a pas répondu le {}", day_fr(a.offered_at.date())),
                });
                context::ProviderChoice {
                    declined: before.is_some(),
                    label: format!("{name} – {city} ({km:.0} km){}", before.unwrap_or_default()),
                    id,
                }
            })
            .collect();
        choices.sort_by_key(|c| c.declined);
        let history: Vec<_> = staff::history(&inner, &who, &view.id)?
            .into_iter()
            .map(|e| context::HistoryLine {
                when: when_fr(e.created_at),
                label: crate::assistance::views::staff_event_label(&e.action).into(),
                reason: e.reason,
                actor: e.actor,
            })
            .collect();
        let work = cases::work(&inner, &who, CaseKind::Assistance, &view.id)?;
        Ok((view, choices, history, work))
    })
    .await;
    let (view, choices, history, work) = loaded.map_err(failed)?;
    let case = cases::case_section(CaseKind::Assistance, &view.id, work, &user.actor.id, case);
    Ok(page(
        state,
        status,
        "pages/assistance/staff_request",
        "Demande d'assistance",
        Some(user),
        context::StaffRequest {
            request: request_summary(state, &view),
            choices,
            history,
            errors: first_errors(errors),
            error_summary: crate::web::kit::error_links(
                errors,
                &[("provider_id", "provider_id"), ("message", "message")],
                "assignments",
            ),
            info,
            case,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    pub csrf_token: String,
    pub provider_id: String,
    pub message: String,
}

#[post("/instruction/demandes/{id}/attribuer")]
async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<StaffForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let input = AssignInput {
        provider_id: form.provider_id.clone(),
    };
    let inner = state.clone().into_inner();
    let (who, rid) = (user.clone(), id.clone());
    match blocking(move || staff::assign_by_hand(&inner, &who, &rid, &input)).await {
        Ok(_) => Ok(see_other(&format!("/instruction/demandes/{id}"))),
        Err(AppError::Validation(errors)) => {
            show(
                &state,
                &user,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                CaseFailure::default(),
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[post("/instruction/demandes/{id}/clore")]
async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<StaffForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let message = form.message.clone();
    let inner = state.clone().into_inner();
    let (who, rid) = (user.clone(), id.clone());
    match blocking(move || staff::close_by_staff(&inner, &who, &rid, Some(&message))).await {
        Ok(_) => Ok(see_other(&format!("/instruction/demandes/{id}"))),
        Err(AppError::Validation(errors)) => {
            show(
                &state,
                &user,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                CaseFailure::default(),
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[get("/instruction/avis")]
async fn comments_page(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let user = user.0;
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || survey::pending_comments(&inner, &who)).await {
        Ok(comments) => Ok(page(
            &state,
            StatusCode::OK,
            "pages/assistance/comments",
            "Avis à modérer",
            Some(&user),
            context::Comments {
                comments: comments
                    .iter()
                    .map(|c| context::CommentLine {
                        request_id: c.request_id.clone(),
                        provider_name: c.provider_name.clone(),
                        rating: c.rating,
                        comment: c.comment.clone(),
                    })
                    .collect(),
            },
        )),
        Err(e) => Err(failed(e)),
    }
}

#[post("/instruction/avis/{request}/{decision}")]
async fn moderate(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    let user = user.0;
    let (request_id, decision) = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let publish = decision == "publier";
    if !publish && decision != "rejeter" {
        return Err(failed(AppError::not_found("Action inconnue.")));
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || survey::moderate(&inner, &who, &request_id, publish)).await {
        Ok(()) => Ok(see_other("/instruction/avis")),
        Err(e) => Err(failed(e)),
    }
}

#[post("/instruction/demandes/{id}/suivi")]
async fn follow_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<FollowForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let id = path.into_inner();
    match cases::follow(&state, &user, CaseKind::Assistance, &id, form).await? {
        Ok(done) => Ok(done),
        Err(case) => {
            let (status, none) = (StatusCode::CONFLICT, FieldErrors::new());
            show(&state, &user, &id, status, &none, case, None).await
        }
    }
}

#[post("/instruction/demandes/{id}/notes")]
async fn note_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let id = path.into_inner();
    match cases::annotate(&state, &user, CaseKind::Assistance, &id, form).await? {
        Ok(done) => Ok(done),
        Err(case) => {
            let (status, none) = (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::new());
            show(&state, &user, &id, status, &none, case, None).await
        }
    }
}
