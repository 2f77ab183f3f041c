//! One error type for the whole service, rendered as RFC 9457 problem+json for the API.
//! Pages render the same errors as HTML (see `web::render_error`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Validation messages per field, in French, as shown to users.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Adds a message to a field's list: every check of a form reports, not only the first.
pub fn push_error(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(message.into());
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Certaines données sont invalides.")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("Le service est momentanément indisponible, réessayez dans quelques instants.")]
    Unavailable(String),
    #[error("Une erreur interne est survenue.")]
    Internal(String),
}

impl From<crate::domain::actor::Refused> for AppError {
    fn from(refused: crate::domain::actor::Refused) -> Self {
        AppError::Forbidden(refused.0.to_owned())
    }
}

impl AppError {
    /// What a person reads: a validation error's field messages, else the error's message.
    pub fn said(&self) -> String {
        match self {
            AppError::Validation(errors) => errors
                .values()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(errors)
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn login_required() -> Self {
        Self::Unauthorized("Connectez-vous pour continuer.".into())
    }

    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::Forbidden(why.into())
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Validation(_) => ("validation-error", "Données invalides"),
            Self::BadRequest(_) => ("bad-request", "Requête invalide"),
            Self::Unauthorized(_) => ("unauthorized", "Authentification requise"),
            Self::Forbidden(_) => ("forbidden", "Action non autorisée"),
            Self::NotFound(_) => ("not-found", "Introuvable"),
            Self::MethodNotAllowed(_) => ("method-not-allowed", "Méthode non prise en charge"),
            Self::Conflict(_) => ("conflict", "Conflit"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Contenu trop volumineux"),
            Self::TooManyRequests(_) => ("too-many-requests", "Trop de tentatives"),
            Self::Unavailable(_) => ("unavailable", "Service indisponible"),
            Self::Internal(_) => ("internal-error", "Erreur interne"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Messages per field, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        HttpResponse::build(self.status_code())
            .content_type("application/problem+json")
            .json(self.problem())
    }
}

/// A refused reason is a message on the `reason` field.
impl From<crate::domain::reason::ReasonError> for AppError {
    fn from(e: crate::domain::reason::ReasonError) -> Self {
        Self::field("reason", e.to_string())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound("Ressource introuvable.".into()),
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking task: {e}"))
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(e: validator::ValidationErrors) -> Self {
        let mut errors = FieldErrors::new();
        for (field, list) in e.field_errors() {
            let messages = list
                .iter()
                .map(|err| {
                    err.message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "Valeur invalide.".to_owned())
                })
                .collect();
            errors.insert(field.to_string(), messages);
        }
        Self::Validation(errors)
    }
}
