//! Logging: human-readable text or JSON lines, filtered by RUST_LOG.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    // Span close events give one line per request, carrying its request id, route and status.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in files or a log collector.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The span of each HTTP request: method, templated route (`/suivi/{token}`), request id and
/// status. Unlike the default one it leaves out the concrete path and query, which carry
/// tracking, survey, link and password-reset tokens, and the client's address and user agent.
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage;
        // Fields are only worked out when the span is enabled. The route is recorded at the end: before routing, finding it means matching the
        // path against every route a second time, a cost each request paid even with the
        // span filtered out.
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = tracing::field::Empty,
            request_id = %request
                .extensions()
                .get::<tracing_actix_web::RequestId>()
                .map(ToString::to_string)
                .unwrap_or_default(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        if !span.is_disabled() {
            let route = match outcome {
                Ok(response) => response.request().match_pattern(),
                Err(_) => None,
            };
            span.record(
                "http.route",
                tracing::field::display(route.as_deref().unwrap_or("unmatched")),
            );
        }
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
