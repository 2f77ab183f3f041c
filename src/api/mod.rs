//! The JSON API under `/api/v1`, one module per resource, documented by utoipa.

pub mod accounts;
pub mod assistance;
pub mod diagnostic;
pub mod document;
pub mod geo;
pub mod health;
pub mod hsds;
pub mod incident_types;
pub mod labels;
pub mod observatory;
pub mod outbox;
pub mod partners;
pub mod providers;
pub mod referencing;
pub mod users;

use actix_web::web;
use utoipa::OpenApi;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{AppError, Problem};
use crate::http::problem::ApiError;

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
        (name = "diagnostic", description = "The victim's diagnostic: questions, outcomes, advice and redirections"),
        (name = "observatory", description = "The threat observatory: live alerts and published monthly statistics"),
        (name = "partners", description = "Partners embedding the module: management and keys (staff), each partner's figures (with its key)"),
        (name = "accounts", description = "Accounts and sessions"),
        (name = "outbox", description = "Email delivery (staff)"),
        (name = "users", description = "Users and roles (admins)"),
        (name = "referencing", description = "Provider applications and the referencing workflow"),
        (name = "assistance", description = "Assistance requests: submission, assignment, answers, closing, surveys"),
        (name = "label", description = "The ExpertCyber label: applications, audit, decision, verification"),
    )
)]
pub struct ApiDoc;

/// Registers every `/api/v1` route; the OpenAPI document is collected from the same calls.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        // Routes are tried in order: a diagnostic step, the busiest, first.
        scope::scope("/api/v1")
            .service(diagnostic::evaluate)
            .service(diagnostic::tree)
            .service(providers::search)
            // Before `/providers/{id}/{action}`, which would otherwise take the path.
            .service(labels::create)
            .service(labels::of_provider)
            .service(assistance::of_provider)
            .service(assistance::get_availability)
            .service(assistance::set_capacity)
            .service(assistance::set_on_call)
            .service(assistance::add_absence)
            .service(assistance::remove_absence)
            .service(assistance::ratings)
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
            .service(observatory::list_alerts)
            .service(observatory::months)
            .service(observatory::monthly)
            .service(partners::list)
            .service(partners::create)
            .service(partners::show)
            .service(partners::update)
            .service(partners::list_keys)
            .service(partners::issue_key)
            .service(partners::revoke_key)
            .service(partners::figures)
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
            .service(outbox::retry)
            .service(labels::criteria)
            .service(labels::list)
            .service(labels::show)
            .service(labels::update)
            .service(labels::upload_evidence)
            .service(labels::download_evidence)
            .service(labels::set_fee)
            .service(labels::events)
            .service(labels::act)
            .service(labels::lists)
            .service(labels::verify)
            .service(labels::label_events)
            .service(labels::act_on_label)
            .service(assistance::create)
            .service(assistance::list)
            .service(assistance::show)
            .service(assistance::accept)
            .service(assistance::decline)
            .service(assistance::close_request)
            .service(assistance::cancel)
            .service(assistance::erase)
            .service(assistance::assign)
            .service(assistance::track)
            .service(assistance::get_survey)
            .service(assistance::answer_survey)
            .service(assistance::comments)
            .service(assistance::moderate)
            .service(assistance::statistics),
    );
}

/// Query-string errors (a malformed `?a=%zz`) answer problem+json too.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        ApiError(AppError::BadRequest(format!(
            "Paramètres de requête illisibles : {err}"
        )))
        .into()
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
                | JsonPayloadError::OverflowKnownLength { .. } => ApiError(
                    AppError::PayloadTooLarge("Le corps de la requête dépasse 64 Kio.".into()),
                )
                .into(),
                JsonPayloadError::ContentType => ApiError(AppError::BadRequest(
                    "Envoyez un corps JSON (Content-Type: application/json).".into(),
                ))
                .into(),
                JsonPayloadError::Deserialize(e) => ApiError(unreadable(&e.to_string())).into(),
                other => {
                    ApiError(AppError::field("body", format!("JSON illisible : {other}"))).into()
                }
            }
        })
}

/// A body serde could not read, as the field it names and why, in French.
pub fn unreadable(message: &str) -> AppError {
    if message.contains(&format!("expected {}", crate::json::EXPECTED_OBJECT)) {
        AppError::field("body", "Le corps de la requête doit être un objet JSON.")
    } else if let Some(field) = unknown_field(message) {
        AppError::field(
            &field,
            "Champ inconnu : consultez la documentation de l'API (/api/openapi.json).",
        )
    } else if let Some(field) = missing_field(message) {
        AppError::field(&field, "Ce champ est obligatoire.")
    } else {
        AppError::field("body", format!("JSON illisible : {message}"))
    }
}

/// The field serde names in ``unknown field `x`, expected ...``.
fn unknown_field(message: &str) -> Option<String> {
    field_named(message, "unknown field `")
}

/// The field serde names in ``missing field `x` ``.
fn missing_field(message: &str) -> Option<String> {
    field_named(message, "missing field `")
}

fn field_named(message: &str, prefix: &str) -> Option<String> {
    let rest = message.split(prefix).nth(1)?;
    Some(rest.split('`').next()?.to_owned())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError(AppError::BadRequest(format!("Chemin invalide : {err}"))).into()
    })
}
