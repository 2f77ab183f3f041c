//! `Retry-After` on every refusal that asks the client to come back: a limit reached (429) or
//! the service out of room for now (503), whichever front door answered and however the
//! handler rendered it. A handler that knows better sets its own.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;

/// Seconds a client waits after a limit: the shortest window any limit counts over.
pub const AFTER_LIMIT_SECS: u32 = 60;
/// Seconds a client waits when the service is out of room (pool, queue, upload memory).
pub const AFTER_UNAVAILABLE_SECS: u32 = 5;

pub async fn retry_after(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(req).await?;
    let seconds = match response.status() {
        StatusCode::TOO_MANY_REQUESTS => AFTER_LIMIT_SECS,
        StatusCode::SERVICE_UNAVAILABLE => AFTER_UNAVAILABLE_SECS,
        _ => return Ok(response),
    };
    let headers = response.headers_mut();
    if !headers.contains_key(RETRY_AFTER) {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    Ok(response)
}
