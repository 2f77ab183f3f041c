//! The victim's pages after the request (`request` holds its form): the private tracking page
//! (with cancellation and erasure) and the satisfaction survey. No account: forms are protected
//! by the anonymous CSRF cookie.

use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{blocking, context, first_errors, when_fr};
use crate::assistance;
use crate::assistance::survey::{self, SurveyAnswer};
use crate::assistance::views::TrackingView;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::kit::InfoQuery;
use crate::web::session::check_anonymous_form;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(tracking_page)
        .service(cancel)
        .service(erase)
        .service(survey_page)
        .service(survey_answer);
}

#[get("/suivi/{token}")]
async fn tracking_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let token = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let shown = blocking(move || {
        let view = assistance::track(&inner, &asked)?;
        let advice = crate::content::advice::advice_for_incident(
            &inner.taxonomy,
            &inner.content().library,
            &view.incident_type,
            None,
        );
        Ok((view, advice))
    })
    .await;
    match shown {
        Ok((view, advice)) => {
            use crate::domain::assistance::RequestStatus;
            let waiting = matches!(
                view.status,
                RequestStatus::Assigned | RequestStatus::Accepted | RequestStatus::Escalated
            );
            // What happens next, and within what time.
            let next = match view.status {
                RequestStatus::Assigned if view.urgent => Some(format!(
                    "Votre demande est urgente : elle est proposée en même temps {}, et le premier qui l'accepte la prend. Si aucun ne l'a acceptée {}, nos équipes la reprennent aussitôt. Dès qu'un professionnel l'accepte, ses coordonnées s'affichent ici et vous sont envoyées par courriel.",
                    match view.offered_to {
                        1 => "à un professionnel référencé proche de chez vous".to_owned(),
                        n => format!("à {n} professionnels référencés proches de chez vous"),
                    },
                    view.offered_until
                        .map(|at| format!("avant {}", crate::french::time_fr(at)))
                        .unwrap_or_else(|| "dans le délai".to_owned()),
                )),
                RequestStatus::Assigned => Some(format!(
                    "Votre demande est proposée à un professionnel référencé proche de chez vous. Il a {} pour l'accepter ; sinon, elle est proposée au suivant. Dès qu'un professionnel l'accepte, ses coordonnées s'affichent ici et vous sont envoyées par courriel.",
                    crate::french::duration_fr(state.config.assignment_timeout)
                )),
                RequestStatus::Accepted => Some(
                    "Le professionnel qui a accepté votre demande va vous contacter. Vous pouvez aussi le joindre directement."
                        .to_owned(),
                ),
                RequestStatus::Escalated => Some(
                    "Aucun professionnel n'a encore pu la prendre : nos équipes la reprennent et vous écrivent par courriel."
                        .to_owned(),
                ),
                _ => None,
            };
            let info = match query.info.as_deref() {
                Some("envoyee") => Some(
                    "Votre demande est enregistrée. Conservez l'adresse de cette page (elle vous a aussi été envoyée par courriel).",
                ),
                Some("annulee") => Some("Votre demande est annulée."),
                Some("effacee") => {
                    Some("Vos coordonnées et la description de votre demande sont effacées.")
                }
                _ => None,
            };
            anonymous_page(
                &req,
                &state,
                StatusCode::OK,
                "pages/assistance/tracking",
                "Suivi de votre demande",
                context::Tracking {
                    info,
                    next,
                    advice: advice.filter(|_| waiting),
                    token: &token,
                    status: view.status,
                    created: when_fr(view.created_at),
                    timeline: view
                        .timeline
                        .iter()
                        .map(|e| context::TimelineLine {
                            when: when_fr(e.at),
                            label: e.label.clone(),
                        })
                        .collect(),
                    status_label: view.status_label,
                    incident_label: view.incident_label,
                    provider: view.provider,
                    staff_message: view.staff_message,
                    can_cancel: view.can_cancel,
                    erased: view.erased,
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub csrf_token: String,
    /// `oui` once the victim confirmed; without it, the confirmation is asked first.
    pub confirmation: String,
}

/// What a confirmation page asks, and its buttons.
struct Confirmation {
    title: &'static str,
    question: &'static str,
    consequence: &'static str,
    yes: &'static str,
}

/// What the victim may do from the tracking page, by its link.
type VictimAction = fn(&crate::infra::Infra, &str, Option<&str>) -> Result<TrackingView, AppError>;

/// A form of the tracking page: asks for confirmation, then `act`s on the token's request and
/// goes back to the page with `info`.
async fn on_tracking_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    (token, form): (String, ConfirmForm),
    act: VictimAction,
    (info, confirm): (&str, Confirmation),
) -> PageResult {
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    if form.confirmation != "oui" {
        let action = req.path().to_owned();
        return anonymous_page(
            &req,
            &state,
            StatusCode::OK,
            "pages/assistance/confirm",
            confirm.title,
            context::Confirm {
                action,
                back: format!("/suivi/{token}"),
                question: confirm.question,
                consequence: confirm.consequence,
                yes: confirm.yes,
            },
        );
    }
    let inner = state.clone().into_inner();
    let asked = token.clone();
    match blocking(move || act(&inner, &asked, None)).await {
        Ok(_) => done(&format!("/suivi/{token}"), info),
        Err(e) => Err(PageError::from(e)),
    }
}

#[post("/suivi/{token}/annuler")]
async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    on_tracking_page(
        req,
        state,
        (path.into_inner(), form.into_inner()),
        assistance::cancel,
        (
            "annulee",
            Confirmation {
                title: "Annuler votre demande ?",
                question: "Voulez-vous vraiment annuler votre demande d'assistance ?",
                consequence: "Elle ne sera plus proposée à aucun professionnel, et celui qui l'a, le cas échéant, en sera informé. Vous pourrez faire une nouvelle demande si besoin.",
                yes: "Oui, annuler ma demande",
            },
        ),
    )
    .await
}

#[post("/suivi/{token}/effacer")]
async fn erase(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    on_tracking_page(
        req,
        state,
        (path.into_inner(), form.into_inner()),
        assistance::erase,
        (
            "effacee",
            Confirmation {
                title: "Effacer vos données ?",
                question: "Voulez-vous vraiment effacer vos coordonnées et la description de votre demande ?",
                consequence: "Cela ne peut pas être défait. Si la demande est en cours, elle est annulée et le professionnel en est informé.",
                yes: "Oui, effacer mes données",
            },
        ),
    )
    .await
}

#[get("/avis/{token}")]
async fn survey_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> PageResult {
    show_survey(
        &req,
        &state,
        &path.into_inner(),
        StatusCode::OK,
        &FieldErrors::new(),
        None,
    )
    .await
}

async fn show_survey(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    token: &str,
    status: StatusCode,
    errors: &FieldErrors,
    done: Option<&str>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let asked = token.to_owned();
    match blocking(move || survey::survey(&inner, &asked)).await {
        Ok(view) => anonymous_page(
            req,
            state,
            status,
            "pages/assistance/survey",
            "Votre avis",
            context::Survey {
                token,
                provider_name: view.provider_name,
                answered: view.answered,
                done,
                errors: first_errors(errors),
                ratings: (1..=5u8)
                    .map(|n| context::Rating {
                        value: n,
                        id: format!("rating-{n}"),
                    })
                    .collect(),
            },
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SurveyForm {
    pub csrf_token: String,
    pub rating: String,
    pub comment: String,
}

#[post("/avis/{token}")]
async fn survey_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<SurveyForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let token = path.into_inner();
    let input = SurveyAnswer {
        rating: form.rating.parse().unwrap_or(0),
        comment: Some(form.comment.clone()),
    };
    let inner = state.clone().into_inner();
    let asked = token.clone();
    match blocking(move || survey::answer(&inner, &asked, &input)).await {
        Ok(_) => {
            show_survey(
                &req,
                &state,
                &token,
                StatusCode::OK,
                &FieldErrors::new(),
                Some("Merci pour votre avis !"),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            show_survey(
                &req,
                &state,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
