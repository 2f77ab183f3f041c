//! The API's answer to a service error: RFC 9457 problem+json with the error's status. The
//! services know nothing of HTTP; this is where their `AppError` meets actix.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::error::AppError;

/// A service error on its way out of an API handler or an extractor.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self(blocking_failed(e))
    }
}

/// The blocking pool could not run the work (shutting down).
pub fn blocking_failed(e: actix_web::error::BlockingError) -> AppError {
    AppError::Internal(format!("blocking task: {e}"))
}

/// The HTTP status of a service error.
pub fn status_of(error: &AppError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The problem+json answer to a service error, logged when the fault is ours.
pub fn problem_response(error: &AppError) -> HttpResponse {
    match error {
        AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
        AppError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
        _ => {}
    }
    HttpResponse::build(status_of(error))
        .content_type("application/problem+json")
        .json(error.problem())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        problem_response(&self.0)
    }
}
