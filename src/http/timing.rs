//! Every answer measured: `Server-Timing: app;dur=…`, the time the server spent on the request
//! in milliseconds, from the first middleware to the answer's head (load runs read it to tell
//! the server's own time from the time a request waits in the client's or the kernel's
//! queues), and, unless `CYBERDIR_METRICS=off`, the same time and the status class in the
//! metrics, by route pattern (never the path, which may hold a token) and method.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::state::AppState;

pub async fn server_timing(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = req
        .app_data::<web::Data<AppState>>()
        .filter(|s| s.config.metrics.enabled)
        .cloned();
    let method = method_label(req.method());
    let answered = next.call(req).await;
    let spent = started.elapsed();
    if let Some(state) = state {
        let (route, status) = match &answered {
            Ok(response) => (
                response.request().match_pattern(),
                response.status().as_u16(),
            ),
            Err(e) => (None, e.as_response_error().status_code().as_u16()),
        };
        let route = route.as_deref().unwrap_or("unmatched");
        let metrics = &state.metrics;
        metrics
            .http_requests
            .with_label_values(&[route, method, status_class(status)])
            .inc();
        metrics
            .http_duration
            .with_label_values(&[route, method])
            .observe(spent.as_secs_f64());
    }
    let mut response = answered?;
    let millis = spent.as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={millis:.3}")) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), value);
    }
    Ok(response)
}

/// The method as a label: the standard ones, else `other` (a client may send any token).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}
