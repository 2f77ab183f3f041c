//! No page may be framed (clickjacking), except the partner module's, which names the origins
//! allowed in its `Content-Security-Policy: frame-ancestors`. Every other answer gets
//! `X-Frame-Options: DENY` for browsers that read only that header; the module's does not, so
//! that no browser lets the older header overrule the partner's list.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, X_FRAME_OPTIONS};
use actix_web::middleware::Next;

/// Whether a policy lets some origin frame the answer.
pub fn allows_framing(policy: &str) -> bool {
    policy.split(';').map(str::trim).any(|directive| {
        directive
            .strip_prefix("frame-ancestors")
            .is_some_and(|sources| !sources.trim().is_empty() && sources.trim() != "'none'")
    })
}

pub async fn deny_unless_allowed(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(req).await?;
    let framable = response
        .headers()
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(allows_framing);
    if !framable {
        response
            .headers_mut()
            .insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::allows_framing;

    #[test]
    fn only_a_named_ancestor_allows_framing() {
        assert!(!allows_framing(
            "default-src 'self'; frame-ancestors 'none'"
        ));
        assert!(!allows_framing("default-src 'self'"));
        assert!(!allows_framing("default-src 'self'; frame-ancestors"));
        assert!(allows_framing(
            "default-src 'self'; frame-ancestors https://a.fr https://b.fr"
        ));
        assert!(allows_framing("frame-ancestors *"));
    }
}
