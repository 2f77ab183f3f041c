//! Helpers every page module uses: blocking work off the executor, field errors for
//! templates, and the French error page of signed-in areas.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use serde_json::{Value, json};

use super::page;
use crate::AppState;
use crate::auth::extract::CurrentUser;
use crate::error::{AppError, FieldErrors};

/// Runs blocking service work (database, hashing) off the async executor.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    web::block(work)
        .await
        .map_err(AppError::from)
        .and_then(|r| r)
}

/// `{field: first message}` for templates; dots become underscores (`contact.name` ->
/// `contact_name`) so that templates can name them.
pub fn first_errors(errors: &FieldErrors) -> Value {
    Value::Object(
        errors
            .iter()
            .filter_map(|(field, messages)| {
                messages
                    .first()
                    .map(|m| (field.replace('.', "_"), Value::String(m.clone())))
            })
            .collect(),
    )
}

/// An error as a French page of a signed-in area, with the user's menu and a way back.
pub fn error_page(
    state: &AppState,
    user: &CurrentUser,
    error: &AppError,
    (back_href, back_label): (&str, &str),
) -> HttpResponse {
    let status = error.status_code();
    if status.is_server_error() {
        tracing::error!(%error, cause = ?error, "page error");
    }
    let heading = match status {
        StatusCode::FORBIDDEN => "Accès refusé",
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::CONFLICT => "Action impossible",
        StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
        s if s.is_client_error() => "Requête invalide",
        _ => "Erreur",
    };
    page(
        state,
        status,
        "pages/backoffice/error",
        heading,
        Some(user),
        json!({
            "heading": heading,
            "message": error.to_string(),
            "back_href": back_href,
            "back_label": back_label,
        }),
    )
}
