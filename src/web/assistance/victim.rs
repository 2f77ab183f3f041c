//! The victim's pages: the request form, the private tracking page (with cancellation) and the
//! satisfaction survey. No account: forms are protected by the anonymous CSRF cookie.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, first_errors, when_fr};
use crate::assistance::survey::{self, SurveyAnswer};
use crate::assistance::views::TrackingView;
use crate::assistance::{self, ContactInput, NewRequest};
use crate::domain::audience::Audience;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::render_error;
use crate::web::session::{check_anonymous_form, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(form_page)
        .service(submit)
        .service(tracking_page)
        .service(cancel)
        .service(erase)
        .service(survey_page)
        .service(survey_answer);
}

#[derive(Debug, Default, Deserialize)]
pub struct Prefill {
    /// The diagnostic journey the victim comes from: audience and incident type come from it.
    pub parcours: Option<String>,
    pub prestataire: Option<String>,
    pub lieu: Option<String>,
    pub incident: Option<String>,
    pub public: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub csrf_token: String,
    pub postcode: String,
    pub audience: String,
    pub incident_type: String,
    pub description: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub consent: Option<String>,
    pub provider_id: String,
    /// The diagnostic journey the request comes from, if any.
    pub parcours: String,
}

fn form_data(
    state: &AppState,
    form: &RequestForm,
    errors: &FieldErrors,
) -> Result<Value, AppError> {
    // The provider the victim picked from the search, named on the form.
    let provider_name = if form.provider_id.is_empty() {
        None
    } else {
        // Only approved providers are published.
        crate::directory::published(state)?
            .directory
            .get(&form.provider_id)
            .map(|p| p.name.clone())
    };
    // As soon as the incident type is known, its advice and whom to call, as information.
    let advice = crate::diagnostic::advice_for_incident(state, form.incident_type.trim())?;
    let advice_only = advice.as_ref().is_some_and(|a| !a.professional);
    // The error summary lists the fields in the order of the page, each a link to its field.
    const PAGE_ORDER: [(&str, &str); 8] = [
        ("postcode", "postcode"),
        ("audience", "audience-particulier"),
        ("incident_type", "incident_type"),
        ("description", "description"),
        ("contact.name", "name"),
        ("contact.email", "email"),
        ("contact.phone", "phone"),
        ("consent", "consent"),
    ];
    let shown_field =
        |field: &str| field != "redirections" && !(advice_only && field == "incident_type");
    let mut summary: Vec<Value> = PAGE_ORDER
        .iter()
        .filter(|(field, _)| shown_field(field))
        .filter_map(|(field, anchor)| {
            let message = errors.get(*field)?.first()?;
            Some(json!({"href": format!("#{anchor}"), "message": message}))
        })
        .collect();
    summary.extend(
        errors
            .iter()
            .filter(|(field, _)| shown_field(field) && !PAGE_ORDER.iter().any(|(f, _)| f == field))
            .filter_map(|(_, messages)| messages.first())
            .map(|message| json!({"href": "#request-form", "message": message})),
    );
    let mut shown = errors.clone();
    if advice_only {
        shown.remove("incident_type");
    }
    Ok(json!({
        "advice": advice,
        "advice_only": advice_only,
        "form": {
            "postcode": form.postcode,
            "audience": form.audience,
            "incident_type": form.incident_type,
            "description": form.description,
            "name": form.name,
            "email": form.email,
            "phone": form.phone,
            "consent": form.consent.is_some(),
            "provider_id": form.provider_id,
            "parcours": form.parcours,
        },
        "provider_name": provider_name,
        "audiences": Audience::ALL.iter().map(|a| json!({
            "value": a.code(), "label": a.label(), "checked": a.code() == form.audience,
        })).collect::<Vec<_>>(),
        "incidents": state.taxonomy.all().iter().map(|t| json!({
            "value": t.code, "label": t.label, "selected": t.code == form.incident_type,
        })).collect::<Vec<_>>(),
        "errors": first_errors(&shown),
        "error_summary": summary,
    }))
}

#[get("/demande-assistance")]
async fn form_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Prefill>,
) -> HttpResponse {
    let q = query.into_inner();
    let journey = q.parcours.clone().unwrap_or_default();
    let mut form = RequestForm {
        postcode: q
            .lieu
            .filter(|l| crate::domain::codes::is_postcode(l))
            .unwrap_or_default(),
        incident_type: q.incident.unwrap_or_default(),
        audience: q.public.unwrap_or_default(),
        provider_id: q.prestataire.unwrap_or_default(),
        ..RequestForm::default()
    };
    let inner = state.clone().into_inner();
    let data = match blocking(move || {
        // From a diagnostic: the victim never types again what the diagnostic knows.
        if let Some(known) = crate::diagnostic::journeys::prefill(&inner, &journey)? {
            form.audience = known.audience;
            form.incident_type = known.incident_type;
            form.parcours = journey;
        }
        form_data(&inner, &form, &FieldErrors::new())
    })
    .await
    {
        Ok(data) => data,
        Err(e) => return render_error(&state, &e),
    };
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/assistance/request",
        "Demander l'aide d'un professionnel",
        data,
    )
}

#[post("/demande-assistance")]
async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RequestForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(e) = check_anonymous_form(&req, &state, &form.csrf_token) {
        return render_error(&state, &e);
    }
    let input = NewRequest {
        postcode: Some(form.postcode.trim().to_owned()),
        audience: form.audience.clone(),
        incident_type: form.incident_type.clone(),
        description: form.description.clone(),
        contact: ContactInput {
            name: form.name.clone(),
            email: form.email.clone(),
            phone: Some(form.phone.clone()),
        },
        consent: form.consent.is_some(),
        provider_id: Some(form.provider_id.clone()),
        ..NewRequest::default()
    };
    let client = crate::http::client::client_key(&req, &state.config.trusted_proxies);
    // The form's token makes a double click one request, not two.
    let key = format!(
        "form:{}:{}",
        form.csrf_token,
        crate::auth::tokens::digest(&form.description)
    );
    let inner = state.clone().into_inner();
    let journey = form.parcours.clone();
    let created = blocking(move || {
        let created = assistance::create_from_form(&inner, &input, &key, &client)?;
        crate::diagnostic::journeys::ended_in_request(
            &inner,
            &journey,
            &created.0.id,
            input.postcode.as_deref(),
        )?;
        Ok(created)
    })
    .await;
    match created {
        Ok((created, _)) => {
            let path = created
                .tracking_url
                .strip_prefix(&state.config.base_url)
                .unwrap_or("/suivi")
                .to_owned();
            see_other(&format!("{path}?info=envoyee"))
        }
        Err(AppError::Validation(mut errors)) => {
            // The form has one place field: the postcode.
            if let Some(place) = errors.remove("place") {
                errors.insert("postcode".into(), place);
            }
            let inner = state.clone().into_inner();
            let data = match blocking(move || form_data(&inner, &form, &errors)).await {
                Ok(data) => data,
                Err(e) => return render_error(&state, &e),
            };
            anonymous_page(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/assistance/request",
                "Erreur : demander l'aide d'un professionnel",
                data,
            )
        }
        Err(e) => render_error(&state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InfoQuery {
    pub info: Option<String>,
}

#[get("/suivi/{token}")]
async fn tracking_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = token.clone();
    let shown = blocking(move || {
        let view = assistance::track(&inner, &asked)?;
        let advice = crate::diagnostic::advice_for_incident(&inner, &view.incident_type)?;
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
                json!({
                    "info": info,
                    "next": next,
                    "advice": advice.filter(|_| waiting),
                    "token": token,
                    "status": view.status,
                    "status_label": view.status_label,
                    "incident_label": view.incident_label,
                    "created": when_fr(view.created_at),
                    "provider": view.provider,
                    "staff_message": view.staff_message,
                    "can_cancel": view.can_cancel,
                    "erased": view.erased,
                    "timeline": view.timeline.iter().map(|e| json!({"when": when_fr(e.at), "label": e.label})).collect::<Vec<_>>(),
                }),
            )
        }
        Err(e) => render_error(&state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
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
type VictimAction = fn(&AppState, &str, Option<&str>) -> Result<TrackingView, AppError>;

/// A form of the tracking page: asks for confirmation, then `act`s on the token's request and
/// goes back to the page with `info`.
async fn on_tracking_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    (token, form): (String, CsrfForm),
    act: VictimAction,
    (info, confirm): (&str, Confirmation),
) -> HttpResponse {
    if let Err(e) = check_anonymous_form(&req, &state, &form.csrf_token) {
        return render_error(&state, &e);
    }
    if form.confirmation != "oui" {
        let action = req.path().to_owned();
        return anonymous_page(
            &req,
            &state,
            StatusCode::OK,
            "pages/assistance/confirm",
            confirm.title,
            json!({
                "action": action,
                "back": format!("/suivi/{token}"),
                "question": confirm.question,
                "consequence": confirm.consequence,
                "yes": confirm.yes,
            }),
        );
    }
    let inner = state.clone().into_inner();
    let asked = token.clone();
    match blocking(move || act(&inner, &asked, None)).await {
        Ok(_) => see_other(&format!("/suivi/{token}?info={info}")),
        Err(e) => render_error(&state, &e),
    }
}

#[post("/suivi/{token}/annuler")]
async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
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
    form: web::Form<CsrfForm>,
) -> HttpResponse {
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
) -> HttpResponse {
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
) -> HttpResponse {
    let inner = state.clone().into_inner();
    let asked = token.to_owned();
    match blocking(move || survey::survey(&inner, &asked)).await {
        Ok(view) => anonymous_page(
            req,
            state,
            status,
            "pages/assistance/survey",
            "Votre avis",
            json!({
                "token": token,
                "provider_name": view.provider_name,
                "answered": view.answered,
                "done": done,
                "errors": first_errors(errors),
                "ratings": (1..=5).map(|n| json!({"value": n, "id": format!("rating-{n}")})).collect::<Vec<_>>(),
            }),
        ),
        Err(e) => render_error(state, &e),
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
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(e) = check_anonymous_form(&req, &state, &form.csrf_token) {
        return render_error(&state, &e);
    }
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
        Err(e) => render_error(&state, &e),
    }
}
