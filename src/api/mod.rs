//! The JSON API under `/api/v1`, one module per resource, documented by utoipa.

pub mod accounts;
pub mod geo;
pub mod health;
pub mod incident_types;
pub mod outbox;
pub mod providers;
pub mod referencing;
pub mod users;

use actix_web::web;
use utoipa::OpenApi;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{AppError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cyberdir",
        description = "Annuaire des prestataires en cybersécurité, label ExpertCyber et mise en relation des victimes.",
        version = "1"
    ),
    components(schemas(Problem)),
    tags(
        (name = "providers", description = "Public search and profiles"),
        (name = "geo", description = "Reference geography"),
        (name = "taxonomy", description = "Incident types"),
        (name = "accounts", description = "Accounts and sessions"),
        (name = "outbox", description = "Email delivery (staff)"),
        (name = "users", description = "Users and roles (admins)"),
        (name = "referencing", description = "Provider applications and the referencing workflow"),
    )
)]
pub struct ApiDoc;

/// Registers every `/api/v1` route; the OpenAPI document is collected from the same calls.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .service(providers::search)
            .service(referencing::create)
            .service(providers::profile)
            .service(referencing::update)
            .service(referencing::show)
            .service(referencing::events)
            .service(referencing::members)
            .service(referencing::upload)
            .service(referencing::download)
            .service(referencing::accept_charter)
            .service(referencing::invite)
            .service(referencing::act)
            .service(referencing::charter_overdue)
            .service(referencing::charter)
            .service(referencing::accept_invitation)
            .service(referencing::change_requests)
            .service(referencing::decide_change_request)
            .service(referencing::queue)
            .service(geo::communes)
            .service(geo::postcode)
            .service(incident_types::list)
            .service(accounts::sign_up)
            .service(accounts::verify)
            .service(accounts::log_in)
            .service(accounts::current)
            .service(accounts::log_out)
            .service(accounts::request_reset)
            .service(accounts::confirm_reset)
            .service(users::list)
            .service(users::update)
            .service(outbox::list)
            .service(outbox::retry),
    );
}

/// Query-string errors (a malformed `?a=%zz`) answer problem+json too.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        AppError::BadRequest(format!("Paramètres de requête illisibles : {err}")).into()
    })
}

/// Unreadable JSON bodies answer 422 problem+json; bodies over 64 KiB answer 413.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            match err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => {
                    AppError::PayloadTooLarge("Le corps de la requête dépasse 64 Kio.".into())
                        .into()
                }
                JsonPayloadError::ContentType => AppError::BadRequest(
                    "Envoyez un corps JSON (Content-Type: application/json).".into(),
                )
                .into(),
                other => AppError::field("body", format!("JSON illisible : {other}")).into(),
            }
        })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| AppError::BadRequest(format!("Chemin invalide : {err}")).into())
}
