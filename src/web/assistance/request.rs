//! The victim's assistance request form, on the site (protected by the anonymous CSRF cookie)
//! and in a partner's module (by the module's signed form token, without any cookie). A request
//! from a diagnostic is filled with what the diagnostic knows.

use super::context;
use crate::web::kit::done;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use super::{blocking, first_errors};
use crate::assistance::{self, ContactInput, NewRequest};
use crate::domain::audience::Audience;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::web::account::anonymous_page;
use crate::web::page_error::PageResult;
use crate::web::partners::surface::Surface;
use crate::web::session::check_anonymous_form;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(form_page).service(submit);
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

/// The request as posted, and as typed again on the page when refused (the tokens are not
/// shown back).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RequestForm {
    #[serde(skip_serializing)]
    pub csrf_token: String,
    /// The module's form token (none on the site).
    #[serde(skip_serializing)]
    pub jeton: String,
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
    surface: &Surface,
    form: &RequestForm,
    errors: &FieldErrors,
) -> Result<context::RequestPage, AppError> {
    // A module for one audience or one category offers only those.
    let scope = surface.partner().map(|p| &p.scope);
    let audience_offered = |a: &Audience| {
        scope
            .and_then(|s| s.audience())
            .is_none_or(|only| only == *a)
    };
    let category = scope.and_then(|s| s.category());
    // The provider the victim picked from the search, named on the form.
    let provider_name = if form.provider_id.is_empty() {
        None
    } else {
        // Only approved providers are published.
        crate::directory::published(state, &state.directory)?
            .directory
            .get(&form.provider_id)
            .map(|p| p.name.clone())
    };
    // As soon as the incident type is known, its advice and whom to call, as information.
    let advice = crate::content::advice::advice_for_incident(
        &state.taxonomy,
        &state.content().library,
        form.incident_type.trim(),
        Audience::parse(&form.audience),
    );
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
    let order: Vec<(&str, &str)> = PAGE_ORDER
        .iter()
        .copied()
        .filter(|(field, _)| shown_field(field))
        .collect();
    let mut listed = errors.clone();
    listed.retain(|field, _| shown_field(field));
    let summary = crate::web::kit::error_links(&listed, &order, "request-form");
    let mut shown = errors.clone();
    if advice_only {
        shown.remove("incident_type");
    }
    Ok(context::RequestPage {
        csrf_token: None,
        advice,
        advice_only,
        form: form.clone(),
        provider_name,
        action: surface.request_form(),
        audiences: Audience::ALL
            .iter()
            .filter(|a| audience_offered(a))
            .map(|a| context::Checkbox {
                value: a.code(),
                label: a.label(),
                checked: a.code() == form.audience,
            })
            .collect(),
        incidents: crate::web::kit::incident_choices(
            state
                .taxonomy
                .all()
                .iter()
                .filter(|t| category.is_none_or(|c| t.category == c)),
            |code| code == form.incident_type,
        ),
        errors: first_errors(&shown),
        error_summary: summary,
    })
}

#[get("/demande-assistance")]
async fn form_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Prefill>,
) -> PageResult {
    request_form(req, state, Surface::Site, query.into_inner()).await
}

/// The request form, filled from the query (the search, the diagnostic's result).
pub(crate) async fn request_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    q: Prefill,
) -> PageResult {
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
    if let Some(only) = surface.partner().and_then(|p| p.scope.audience()) {
        form.audience = only.code().to_owned();
    }
    let inner = state.clone().into_inner();
    let shown = surface.clone();
    let data = match blocking(move || {
        // From a diagnostic: the victim never types again what the diagnostic knows.
        if let Some(known) = crate::diagnostic::journeys::prefill(&inner, &journey)? {
            form.audience = known.audience;
            form.incident_type = known.incident_type;
            form.parcours = journey;
        }
        form_data(&inner, &shown, &form, &FieldErrors::new())
    })
    .await
    {
        Ok(data) => data,
        Err(e) => return Err(surface.failed(e)),
    };
    show(
        &req,
        &state,
        &surface,
        StatusCode::OK,
        "Demander l'aide d'un professionnel",
        data,
    )
}

/// The form's page: on the site with its CSRF cookie, in the module with its token.
fn show(
    req: &HttpRequest,
    state: &AppState,
    surface: &Surface,
    status: StatusCode,
    title: &str,
    data: context::RequestPage,
) -> PageResult {
    match surface {
        Surface::Site => {
            anonymous_page(req, state, status, "pages/assistance/request", title, data)
        }
        Surface::Module(_) => {
            Ok(surface.page(state, status, "pages/assistance/request", title, data))
        }
    }
}

#[post("/demande-assistance")]
async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RequestForm>,
) -> PageResult {
    send_request(req, state, Surface::Site, form.into_inner()).await
}

/// A module for one audience or category takes no request outside it.
fn outside_scope(state: &AppState, surface: &Surface, form: &RequestForm) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let Some(scope) = surface.partner().map(|p| &p.scope) else {
        return errors;
    };
    if let Some(only) = scope.audience()
        && form.audience != only.code()
    {
        crate::error::push_error(
            &mut errors,
            "audience",
            format!("Ce service est réservé au public « {} ».", only.label()),
        );
    }
    if let Some(category) = scope.category()
        && state
            .taxonomy
            .get(form.incident_type.trim())
            .is_some_and(|t| t.category != category)
    {
        crate::error::push_error(
            &mut errors,
            "incident_type",
            "Choisissez une des situations proposées par ce service.",
        );
    }
    errors
}

pub(crate) async fn send_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    surface: Surface,
    form: RequestForm,
) -> PageResult {
    // The key that makes a double click one request: the page's own token.
    let page_key = match &surface {
        Surface::Site => {
            check_anonymous_form(&req, &state, &form.csrf_token).map(|()| form.csrf_token.clone())
        }
        Surface::Module(p) => surface
            .check_form(&state, &form.jeton)
            .map(|nonce| format!("module:{}:{}", p.id, nonce.unwrap_or_default())),
    };
    let page_key = match page_key {
        Ok(key) => key,
        Err(e) => return Err(surface.failed(e)),
    };
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
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let key = format!(
        "form:{page_key}:{}",
        crate::auth::tokens::digest(&form.description)
    );
    let inner = state.clone().into_inner();
    let journey = form.parcours.clone();
    let refused = outside_scope(&state, &surface, &form);
    let channel = surface.channel();
    let created = blocking(move || {
        if !refused.is_empty() {
            return Err(AppError::Validation(refused));
        }
        // An urgent outcome's request is offered to the nearest providers at once.
        let mut input = input;
        input.urgent = crate::diagnostic::journeys::prefill(&inner, &journey)?
            .is_some_and(|known| known.urgent && known.incident_type == input.incident_type);
        let created = assistance::create_from_form(
            &inner,
            &inner.directory,
            &input,
            &key,
            &client,
            &channel,
        )?;
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
        Ok((created, _)) => match &surface {
            Surface::Site => {
                let path = created
                    .tracking_url
                    .strip_prefix(&state.config.base_url)
                    .unwrap_or("/suivi")
                    .to_owned();
                done(&path, "envoyee")
            }
            // In the frame, the confirmation; the tracking page opens outside it.
            Surface::Module(_) => Ok(surface.page(
                &state,
                StatusCode::OK,
                "pages/partners/module_sent",
                "Demande envoyée",
                context::Sent {
                    tracking_url: created.tracking_url,
                },
            )),
        },
        Err(AppError::Validation(mut errors)) => {
            // The form has one place field: the postcode.
            if let Some(place) = errors.remove("place") {
                errors.insert("postcode".into(), place);
            }
            let inner = state.clone().into_inner();
            let shown = surface.clone();
            let data = match blocking(move || form_data(&inner, &shown, &form, &errors)).await {
                Ok(data) => data,
                Err(e) => return Err(surface.failed(e)),
            };
            show(
                &req,
                &state,
                &surface,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Erreur : demander l'aide d'un professionnel",
                data,
            )
        }
        Err(e) => Err(surface.failed(e)),
    }
}
