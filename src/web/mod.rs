//! Server-rendered pages (handlebars, French), per audience. Templates and static files are
//! compiled into the binary.

pub mod account;
pub mod admin;
pub mod assistance;
pub mod atom;
pub mod case_messages;
pub mod cases;
pub mod chat;
pub mod content;
pub mod diagnostic;
pub mod form;
pub mod kit;
pub mod label;
pub mod listing;
pub mod observatory;
pub mod outbox;
pub mod page_error;
pub mod partners;
pub mod public;
pub mod referencing;
pub mod session;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// Attribution required by the geography's licence, shown wherever it is displayed.
pub const GEO_ATTRIBUTION: &str = "Sources : La Poste – Base officielle des codes postaux ; INSEE – Code officiel géographique (via @etalab/decoupage-administratif)";

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Routes are tried in order, each dynamic one by a regular expression: the diagnostic,
    // the victims' way in and the busiest pages, comes first.
    cfg.configure(diagnostic::configure)
        .service(public::home)
        .service(public::provider_page)
        .configure(content::configure)
        .configure(account::configure)
        .configure(referencing::configure)
        .configure(case_messages::configure)
        .configure(outbox::configure)
        .configure(admin::configure)
        .configure(label::configure)
        .configure(assistance::configure)
        .configure(chat::configure)
        .configure(observatory::configure)
        .configure(partners::configure)
        .route("/static/{file:.*}", web::get().to(static_file));
}

async fn static_file(path: web::Path<String>) -> HttpResponse {
    let file = path.into_inner();
    let Some(content) = StaticFiles::get(&file) else {
        return HttpResponse::NotFound().finish();
    };
    let content_type = match file.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(content.data.into_owned())
}

/// A page title: what the page is, then the service's name.
pub fn titled(state: &AppState, title: &str) -> String {
    format!("{title} – {}", state.config.service_name)
}

/// Renders a page with the layout's data (`title`, `attribution`, `viewer`) merged into
/// `body`, the page's own context: a `Serialize` struct whose fields are what its template
/// reads.
pub fn page(
    state: &AppState,
    status: StatusCode,
    template: &str,
    title: &str,
    user: Option<&crate::http::extract::CurrentUser>,
    body: impl Serialize,
) -> HttpResponse {
    match serde_json::to_value(body) {
        Ok(body) => render(
            state,
            status,
            template,
            &page_data(state, title, user, body),
        ),
        Err(e) => {
            tracing::error!(template, error = %e, "page context not serialisable");
            broken_page()
        }
    }
}

/// A page's HTML, for a page rendered once and kept (`None`, logged, if the template fails).
pub fn page_html(
    state: &AppState,
    template: &str,
    title: &str,
    body: impl Serialize,
) -> Option<String> {
    let body = serde_json::to_value(body)
        .inspect_err(|e| tracing::error!(template, error = %e, "page context not serialisable"))
        .ok()?;
    let data = page_data(state, title, None, body);
    state
        .templates
        .render(template, &data)
        .inspect_err(|e| tracing::error!(template, error = %e, "template rendering failed"))
        .ok()
}

/// `body` with what the layout reads on every page.
fn page_data(
    state: &AppState,
    title: &str,
    user: Option<&crate::http::extract::CurrentUser>,
    body: serde_json::Value,
) -> serde_json::Value {
    let mut data = match body {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    data.insert(
        "title".into(),
        serde_json::Value::String(titled(state, title)),
    );
    data.insert(
        "attribution".into(),
        serde_json::Value::String(GEO_ATTRIBUTION.into()),
    );
    // The partner module's pages say so (`web::partners::surface`); the layout asks every page.
    data.entry("module").or_insert(serde_json::Value::Null);
    // A page that changes while it is open refreshes itself without JavaScript (seconds).
    data.entry("refresh_without_js")
        .or_insert(serde_json::Value::Null);
    // The page's own script, if any (under /static/).
    data.entry("script").or_insert(serde_json::Value::Null);
    data.insert(
        "viewer".into(),
        serde_json::to_value(session::viewer(user)).unwrap_or(serde_json::Value::Null),
    );
    serde_json::Value::Object(data)
}

/// Renders a page, or a plain error page if the template itself fails.
pub fn render(
    state: &AppState,
    status: StatusCode,
    template: &str,
    data: &impl Serialize,
) -> HttpResponse {
    match state.templates.render(template, data) {
        Ok(html) => html_page(status, html),
        Err(e) => {
            tracing::error!(template, error = %e, "template rendering failed");
            broken_page()
        }
    }
}

/// The page of a page that could not be rendered: plain, without the templates.
fn broken_page() -> HttpResponse {
    HttpResponse::InternalServerError()
        .content_type("text/html; charset=utf-8")
        .body("<!doctype html><html lang=\"fr\"><title>Erreur</title><p>Une erreur interne est survenue.</p></html>")
}

/// A rendered page with the pages' headers.
pub fn html_page(
    status: StatusCode,
    html: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ))
        .body(html)
}

/// An error as a French page with the right status.
pub fn render_error(state: &AppState, error: &AppError) -> HttpResponse {
    let status = crate::http::problem::status_of(error);
    if status.is_server_error() {
        tracing::error!(%error, cause = ?error, "page error");
    }
    let title = match status {
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
        s if s.is_client_error() => "Requête invalide",
        _ => "Erreur",
    };
    page(
        state,
        status,
        "pages/error",
        title,
        None,
        PublicError {
            heading: title,
            message: message_of(error),
        },
    )
}

/// `pages/error`: an error, for anyone.
#[derive(Serialize)]
struct PublicError<'a> {
    heading: &'a str,
    message: String,
}

/// What an error page says: the field messages of a validation error, else the error.
pub(crate) fn message_of(error: &AppError) -> String {
    match error {
        AppError::Validation(errors) => {
            let mut messages: Vec<&str> = errors.values().flatten().map(String::as_str).collect();
            messages.dedup();
            messages.join(" ")
        }
        other => other.to_string(),
    }
}

/// Unknown routes: problem+json under /api, a French page elsewhere.
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let error = AppError::not_found("Cette adresse ne correspond à aucune page.");
    if req.path().starts_with("/api/") {
        // A route that exists with other methods: 405 and the methods it has.
        let allowed = req
            .app_data::<web::Data<serde_json::Value>>()
            .and_then(|doc| crate::api::document::allowed_methods(doc, req.path()));
        if let Some(methods) = allowed {
            let refused = AppError::MethodNotAllowed(format!(
                "Méthode non prise en charge ici : {}.",
                methods.join(", ")
            ));
            let mut response = crate::http::problem::problem_response(&refused);
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&methods.join(", ")) {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::ALLOW, value);
            }
            return response;
        }
        crate::http::problem::problem_response(&error)
    } else {
        render_error(&state, &error)
    }
}
