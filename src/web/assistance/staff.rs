//! Staff pages of assistance requests: every request with filters (the escalation queue first),
//! one request with manual assignment and closing, and comment moderation.

use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use crate::web::kit::Tab;

use super::{blocking, context, failed, first_errors, request_summary, when_fr};
use crate::assistance::staff::{self, AssignInput};
use crate::assistance::survey;
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::error::{AppError, FieldErrors};
use crate::french::elapsed_fr;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::cases::{self, CaseFailure, CaseKind, FollowForm, NoteForm};
use crate::web::kit::day_fr;
use crate::web::kit::{CsrfForm, InfoQuery};
use crate::web::page;
use crate::web::session::{PageUser, check_form, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(request_page)
        .service(assign)
        .service(close)
        .service(comments_page)
        .service(moderate)
        .service(follow_post)
        .service(note_post);
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub etat: Option<String>,
    /// `moi`: only the requests the viewer follows.
    pub suivi: Option<String>,
}

#[get("/instruction/demandes")]
async fn list_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let user = user.0;
    let filter = query.etat.as_deref().and_then(RequestStatus::parse);
    let mine = cases::mine_only(query.suivi.as_deref());
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (mut list, followers) = blocking(move || {
        let list = staff::list(&inner, &who, filter)?;
        Ok((list, cases::followers(&inner, &who, CaseKind::Assistance)?))
    })
    .await
    .map_err(failed)?;
    let viewer = user.actor.id.clone();
    let mine_count = followers.values().filter(|(id, _)| *id == viewer).count();
    if mine {
        list.results
            .retain(|v| followers.get(&v.id).is_some_and(|(id, _)| *id == viewer));
    }
    let now = state.clock.now_naive();
    let tabs = RequestStatus::ALL
        .iter()
        .map(|s| Tab {
            href: format!("/instruction/demandes?etat={}", s.as_str()),
            label: s.label().to_owned(),
            count: list.counts.get(s.as_str()).copied().unwrap_or(0),
            current: Some(*s) == filter,
            urgent: *s == RequestStatus::Escalated,
        })
        .collect();
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/assistance/staff_list",
        "Demandes d'assistance",
        Some(&user),
        context::StaffList {
            tabs,
            all_current: filter.is_none() && !mine,
            mine,
            mine_count,
            rows: list
                .results
                .iter()
                .map(|v| (v, current_offer(v)))
                .map(|(v, offer)| context::StaffLine {
                    href: format!("/instruction/demandes/{}", v.id),
                    incident_label: v.incident_label.clone(),
                    urgent: v.urgent,
                    received: when_fr(v.created_at),
                    waiting: (!v.status.is_closed()).then(|| elapsed_fr(now - v.created_at)),
                    victim: v
                        .contact
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    provider: offer.map(|a| a.provider_name.clone()),
                    deadline: offer
                        .filter(|a| a.status == AssignmentStatus::Pending)
                        .map(|a| when_fr(a.expires_at)),
                    unreachable: list.victim_unreachable.contains(&v.id),
                    place: v
                        .postcode
                        .clone()
                        .or(v.departement.clone())
                        .unwrap_or_default(),
                    status: v.status.as_str(),
                    status_label: v.status_label.clone(),
                    escalated: v.status == RequestStatus::Escalated,
                    failed: v.failed_assignments,
                    updated: when_fr(v.updated_at),
                    follower: followers.get(&v.id).map(|(_, name)| name.clone()),
                })
                .collect(),
        },
    ))
}

/// The offer a request stands on now: pending or accepted.
fn current_offer(
    view: &crate::assistance::views::RequestView,
) -> Option<&crate::assistance::views::AssignmentView> {
    view.assignments.iter().rev().find(|a| {
        matches!(
            a.status,
            AssignmentStatus::Pending | AssignmentStatus::Accepted
        )
    })
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
