//! cyberdir: the back office of a national cyber-assistance platform. This crate root wires the
//! application together; `main.rs` and the tests share it.

pub mod api;
pub mod http;
pub mod state;
pub mod telemetry;
pub mod web;

// The layers below, under the names the handlers and the tests use.
pub use cyberdir_services::{
    assistance, audit, auth, background, cases, chat, clock, config, content, db, diagnostic,
    directory, domain, editorial, error, french, geo, hsds, infra, jobs, json, label, limits, mail,
    metrics, monitoring, observatory, partners, referencing, seed, setup, templates, uploads,
    workflow,
};

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpResponse, HttpServer, web as aweb};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

pub use crate::infra::StartupError;
pub use crate::state::{AppState, prepare};

/// Starts the HTTP server on an already bound listener (tests bind port 0).
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    serve_shared(aweb::Data::new(state), listener)
}

/// Like [`serve`], keeping a handle on the state (tests read the pool and clock through it).
pub fn serve_shared(data: aweb::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        let (app, openapi) = App::new()
            .into_utoipa_app()
            .openapi(api::ApiDoc::openapi())
            .app_data(data.clone())
            .app_data(api::query_config())
            .app_data(api::path_config())
            .app_data(api::json_config())
            .configure(api::configure)
            .split_for_parts();
        let openapi = aweb::Data::new(api::document::complete(&openapi));
        app.app_data(openapi)
            .wrap(default_headers(data.config.https()))
            .wrap(actix_web::middleware::from_fn(http::retry::retry_after))
            .wrap(actix_web::middleware::from_fn(
                http::frame::deny_unless_allowed,
            ))
            .wrap(actix_web::middleware::from_fn(web::page_error::render))
            .wrap(actix_web::middleware::from_fn(|req, next| {
                http::input::screen(req, next, web::render_error)
            }))
            .wrap(TracingLogger::<telemetry::RequestSpan>::new())
            .wrap(actix_web::middleware::from_fn(http::timing::server_timing))
            .service(api::health::healthz)
            .service(api::health::readyz)
            .service(api::health::metrics)
            .route("/api/openapi.json", aweb::get().to(openapi_json))
            .configure(api::hsds::configure)
            .configure(web::configure)
            .default_service(aweb::to(web::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every answer that does not set its own. Nothing is cached unless a handler says
/// so (static assets do): pages and answers carry victims' data and private tokens. Framing is
/// refused by `http::frame`, except where a page names who may frame it (the partner module).
fn default_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cache-Control", "no-store"));
    if https {
        headers.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

async fn openapi_json(spec: aweb::Data<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(spec.get_ref())
}
