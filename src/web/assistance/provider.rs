//! The provider's pages: requests offered and held, the closing form with the report, capacity
//! and absences; and the landing page of the signed accept/decline links sent by email.

use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{
    RequestAction, blocking, context, decline_reasons, failed, first_errors, request_summary,
};
use crate::assistance::answer::{self, Answer, AnswerInput, Answerer};
use crate::assistance::availability::{self, AbsenceInput};
use crate::assistance::close::{self, ReportInput};
use crate::assistance::staff;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::kit::CsrfForm;
use crate::web::kit::InfoQuery;
use crate::web::kit::day_fr;
use crate::web::page;
use crate::web::session::{PageUser, check_anonymous_form, check_form};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(link_page)
        .service(link_answer)
        .service(requests_page)
        .service(request_page)
        .service(request_action)
        .service(set_capacity)
        .service(add_absence)
        .service(remove_absence);
}

// --- The emailed links -------------------------------------------------------------------------

#[get("/affectations/{token}")]
async fn link_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> PageResult {
    let token = path.into_inner();
    show_link(&req, &state, &token, StatusCode::OK, &FieldErrors::new()).await
}

async fn show_link(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    token: &str,
    status: StatusCode,
    errors: &FieldErrors,
) -> PageResult {
    let inner = state.clone().into_inner();
    let asked = token.to_owned();
    let loaded = blocking(move || answer::offer_by_link(&inner, &asked)).await;
    let (action, pending, view) = loaded.map_err(failed)?;
    anonymous_page(
        req,
        state,
        status,
        "pages/assistance/link",
        "Demande d'assistance",
        context::Link {
            token,
            accept: RequestAction::parse(&action) == Some(RequestAction::Accept),
            pending,
            request: request_summary(state, &view),
            reasons: decline_reasons(),
            errors: first_errors(errors),
        },
    )
}

/// Where a declined request went, as its provider is told: never "another professional"
/// when it went to staff.
fn after_decline(view: &crate::assistance::views::RequestView) -> &'static str {
    use crate::domain::assistance::RequestStatus;
    match view.status {
        RequestStatus::Escalated => {
            "Merci de votre réponse : aucun autre professionnel n'a pu être sollicité, la demande est transmise à nos équipes, qui vont lui trouver une solution."
        }
        RequestStatus::Assigned if view.urgent => {
            "Merci de votre réponse : la demande reste proposée aux autres professionnels sollicités en même temps que vous."
        }
        RequestStatus::Assigned => {
            "Merci de votre réponse : la demande est proposée à un autre professionnel."
        }
        _ => "Merci de votre réponse.",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub csrf_token: String,
    pub reason: Option<String>,
    pub text: Option<String>,
}

#[post("/affectations/{token}")]
async fn link_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token).map_err(failed)?;
    let token = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let input = AnswerInput {
        token: Some(token.clone()),
        reason: form.reason,
        text: form.text,
    };
    let result =
        blocking(move || answer::answer_by_link(&inner, &inner.directory, &asked, &input)).await;
    match result {
        Ok((which, view)) => anonymous_page(
            &req,
            &state,
            StatusCode::OK,
            "pages/assistance/answered",
            "Demande d'assistance",
            context::Answered {
                accepted: which == Answer::Accept,
                next: after_decline(&view),
                request: request_summary(&state, &view),
            },
        ),
        Err(AppError::Validation(errors)) => {
            show_link(
                &req,
                &state,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// --- The portal --------------------------------------------------------------------------------

pub(super) fn base(provider_id: &str) -> String {
    format!("/espace/organisations/{provider_id}/demandes")
}

fn info_message(slug: Option<&str>) -> Option<&'static str> {
    Some(match slug? {
        "accept" => {
            "Vous avez accepté la demande : les coordonnées de la victime sont ci-dessous et vous ont été envoyées par courriel."
        }
        "decline" => "Vous avez décliné la demande : elle ne vous est plus proposée.",
        "close" => "La demande est close. Merci pour votre intervention !",
        "capacite" => "Votre capacité est enregistrée.",
        "absence" => {
            "Votre absence est enregistrée : aucune demande ne vous sera proposée pendant cette période."
        }
        "absence-supprimee" => "L'absence est supprimée.",
        "astreinte" => {
            "Vos heures d'astreinte sont enregistrées : la nuit, le week-end et les jours fériés, les demandes urgentes ne vous sont proposées que pendant ces heures."
        }
        _ => return None,
    })
}

#[get("/espace/organisations/{id}/demandes")]
async fn requests_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    let info = info_message(query.info.as_deref());
    show_requests(
        &state,
        &user,
        &provider_id,
        StatusCode::OK,
        &FieldErrors::new(),
        info,
    )
    .await
}

pub(super) async fn show_requests(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    status: StatusCode,
    errors: &FieldErrors,
    info: Option<&str>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.to_owned());
    let loaded = blocking(move || {
        let requests = staff::for_provider(&inner, &who, &pid)?;
        let availability = availability::read(&inner, &who, &pid)?;
        Ok((requests, availability))
    })
    .await;
    let (requests, availability) = loaded.map_err(failed)?;
    let row = |v: &crate::assistance::views::RequestView| super::context::RequestSummary {
        href: Some(format!("{}/{}", base(provider_id), v.id)),
        ..request_summary(state, v)
    };
    let offered: Vec<_> = requests
        .iter()
        .filter(|r| r.available_actions.contains(&RequestAction::Accept))
        .map(row)
        .collect();
    let held: Vec<_> = requests
        .iter()
        .filter(|r| r.available_actions.contains(&RequestAction::Close))
        .map(row)
        .collect();
    Ok(page(
        state,
        status,
        "pages/assistance/provider_requests",
        "Demandes d'assistance",
        Some(user),
        context::ProviderRequests {
            info,
            base: base(provider_id),
            organisation_href: format!("/espace/organisations/{provider_id}"),
            offered,
            held,
            capacity: availability.capacity,
            open_requests: availability.open_requests,
            open_requests_fr: crate::french::plural(
                usize::try_from(availability.open_requests).unwrap_or(0),
                "demande",
                "demandes",
            ),
            on_call: availability
                .on_call
                .iter()
                .enumerate()
                .map(|(i, d)| context::OnCallLine {
                    index: i,
                    day: d.day.clone(),
                    start: d.start.clone(),
                    end: d.end.clone(),
                    error: errors
                        .get(&format!("on_call_{i}"))
                        .and_then(|m| m.first().cloned()),
                })
                .collect(),
            on_call_summary: availability.on_call_summary,
            absences: availability
                .absences
                .iter()
                .map(|a| context::AbsenceLine {
                    id: a.id.clone(),
                    starts: day_fr(a.starts_on),
                    ends: day_fr(a.ends_on),
                })
                .collect(),
            reasons: decline_reasons(),
            errors: first_errors(errors),
        },
    ))
}

#[get("/espace/organisations/{id}/demandes/{request}")]
async fn request_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let (provider_id, id) = path.into_inner();
    let info = info_message(query.info.as_deref());
    show_request(
        &state,
        &user,
        &provider_id,
        &id,
        StatusCode::OK,
        &FieldErrors::new(),
        info,
    )
    .await
}

async fn show_request(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    id: &str,
    status: StatusCode,
    errors: &FieldErrors,
    info: Option<&str>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, rid) = (user.clone(), id.to_owned());
    let view = blocking(move || staff::read(&inner, &who, &rid))
        .await
        .map_err(failed)?;
    Ok(page(
        state,
        status,
        "pages/assistance/provider_request",
        "Demande d'assistance",
        Some(user),
        context::ProviderRequest {
            info,
            base: format!("{}/{}", base(provider_id), view.id),
            list_href: base(provider_id),
            incidents: crate::web::kit::incident_choices(state.taxonomy.all(), |code| {
                code == view.incident_type
            }),
            request: request_summary(state, &view),
            reasons: decline_reasons(),
            errors: first_errors(errors),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub csrf_token: String,
    pub reason: Option<String>,
    pub text: Option<String>,
    pub resolved: Option<String>,
    pub confirmed_incident_type: String,
    pub attack_vector: String,
    pub actions_taken: String,
    pub minutes_spent: String,
}

#[post("/espace/organisations/{id}/demandes/{request}/{action}")]
async fn request_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    let user = user.0;
    let (provider_id, id, slug) = path.into_inner();
    let Some(action) = RequestAction::parse(&slug) else {
        return Err(failed(AppError::not_found("Action inconnue.")));
    };
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let inner = state.clone().into_inner();
    let (who, rid) = (user.clone(), id.clone());
    let result = blocking(move || {
        let input = AnswerInput {
            token: None,
            reason: form.reason.clone(),
            text: form.text.clone(),
        };
        match action {
            RequestAction::Accept => answer::answer(
                &inner,
                &inner.directory,
                Answerer::Member(&who),
                &rid,
                Answer::Accept,
                &input,
            ),
            RequestAction::Decline => answer::answer(
                &inner,
                &inner.directory,
                Answerer::Member(&who),
                &rid,
                Answer::Decline,
                &input,
            ),
            RequestAction::Close => {
                let resolved = match form.resolved.as_deref() {
                    Some("oui") => Some(true),
                    Some("non") => Some(false),
                    _ => None,
                };
                let report = ReportInput {
                    confirmed_incident_type: form.confirmed_incident_type.clone(),
                    attack_vector: form.attack_vector.clone(),
                    actions_taken: form.actions_taken.clone(),
                    minutes_spent: form.minutes_spent.trim().parse().unwrap_or(0),
                };
                close::close(&inner, &who, &rid, resolved, Some(&report))
            }
            RequestAction::Assign => Err(AppError::not_found("Action inconnue.")),
        }
    })
    .await;
    match result {
        Ok(_) if action == RequestAction::Decline => done(&base(&provider_id), action.slug()),
        Ok(_) => done(&format!("{}/{id}", base(&provider_id)), action.slug()),
        Err(AppError::Validation(errors)) => {
            show_request(
                &state,
                &user,
                &provider_id,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CapacityForm {
    pub csrf_token: String,
    pub capacity: String,
}

#[post("/espace/organisations/{id}/disponibilites")]
async fn set_capacity(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<CapacityForm>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let capacity = form.capacity.trim().parse().unwrap_or(0);
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.clone());
    match blocking(move || availability::set_capacity(&inner, &who, &pid, capacity)).await {
        Ok(_) => done(&base(&provider_id), "capacite"),
        Err(AppError::Validation(errors)) => {
            show_requests(
                &state,
                &user,
                &provider_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AbsenceForm {
    pub csrf_token: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[post("/espace/organisations/{id}/absences")]
async fn add_absence(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<AbsenceForm>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let input = AbsenceInput {
        starts_on: parse(&form.starts_on),
        ends_on: parse(&form.ends_on),
    };
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.clone());
    match blocking(move || availability::add_absence(&inner, &who, &pid, &input)).await {
        Ok(_) => done(&base(&provider_id), "absence"),
        Err(AppError::Validation(errors)) => {
            show_requests(
                &state,
                &user,
                &provider_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[post("/espace/organisations/{id}/absences/{absence}/supprimer")]
async fn remove_absence(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    let user = user.0;
    let (provider_id, absence_id) = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.clone());
    match blocking(move || availability::remove_absence(&inner, &who, &pid, &absence_id)).await {
        Ok(_) => done(&base(&provider_id), "absence-supprimee"),
        Err(e) => Err(failed(e)),
    }
}
