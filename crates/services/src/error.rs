//! One error type for the whole service. The web crate answers it: as RFC 9457 problem+json
//! for the API (`http::problem`), as a French page for the pages (`web::render_error`).

use std::collections::BTreeMap;

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

    /// The HTTP status that answers it.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) => 422,
            Self::BadRequest(_) => 400,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge(_) => 413,
            Self::TooManyRequests(_) => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: self.status(),
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
