//! The signed-in user, as an actix extractor: reads the session cookie, loads the session off
//! the async executor, and on state-changing API calls refuses cross-site requests.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::auth::{CSRF_HEADER, Role, tokens};
use crate::db::accounts;
use crate::domain::actor::{Actor, Membership};
use crate::error::AppError;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// The signed-in user of a request: the [`Actor`] services take, plus what only the web layer
/// needs (the session's CSRF token and its hash, for log-out).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf_token: String,
    pub session_hash: String,
}

impl Deref for CurrentUser {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The origin (scheme://host[:port]) of a URL.
fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

/// State-changing calls authenticated by cookie must come from our own pages: an `Origin`, if
/// sent, must be ours, and the body must be JSON (which a cross-site form cannot send) or carry
/// the session's CSRF token in `X-CSRF-Token`.
pub fn check_same_site(
    req: &HttpRequest,
    base_url: &str,
    csrf_token: Option<&str>,
) -> Result<(), AppError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        let host_origin = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("{}://{h}", req.connection_info().scheme()));
        let ours = origin_of(base_url).as_deref() == Some(origin)
            || host_origin.as_deref() == Some(origin);
        if !ours {
            return Err(AppError::forbidden(
                "Requête d'une origine étrangère refusée.",
            ));
        }
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let header_token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let token_ok = matches!((header_token, csrf_token), (Some(sent), Some(expected)) if tokens::same(sent, expected));
    if json || token_ok {
        Ok(())
    } else {
        Err(AppError::forbidden("Jeton anti-CSRF absent ou invalide."))
    }
}

/// The session's user, if the request carries a live session cookie (no CSRF check: callers
/// decide what the request may do).
pub fn session_user(
    req: &HttpRequest,
) -> Pin<Box<dyn Future<Output = Result<Option<CurrentUser>, AppError>>>> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = state
        .as_ref()
        .and_then(|s| req.cookie(s.config.session_cookie()))
        .map(|c| c.value().to_owned());
    let req = req.clone();
    Box::pin(async move {
        let state = state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
        let Some(token) = token else { return Ok(None) };
        let session_hash = tokens::digest(&token);
        let now = state.clock.now_naive();
        let inner = state.clone();
        let lookup = session_hash.clone();
        let found = web::block(move || -> Result<_, AppError> {
            let mut conn = inner.pool.get()?;
            let Some((user, csrf)) = accounts::session_user(&mut conn, &lookup, now)? else {
                return Ok(None);
            };
            let memberships = accounts::memberships_of(&mut conn, &user.id)?;
            Ok(Some((user, csrf, memberships)))
        })
        .await
        .map_err(crate::http::problem::blocking_failed)??;
        let Some((user, csrf_token, memberships)) = found else {
            return Ok(None);
        };
        let role = Role::parse(&user.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", user.role)))?;
        let user = CurrentUser {
            actor: Actor {
                id: user.id,
                email: user.email,
                display_name: user.display_name,
                role,
                memberships: memberships
                    .into_iter()
                    .map(|(provider_id, owner)| Membership { provider_id, owner })
                    .collect(),
            },
            csrf_token,
            session_hash,
        };
        // An error page rendered after the handler (`web::page_error`) shows this user's menu.
        req.extensions_mut().insert(user.clone());
        Ok(Some(user))
    })
}

/// API callers: a session is required, and state-changing calls must pass [`check_same_site`].
impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let session = session_user(req);
        let req = req.clone();
        Box::pin(async move {
            let user = session.await?.ok_or_else(AppError::login_required)?;
            let base_url = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.config.base_url.clone())
                .unwrap_or_default();
            check_same_site(&req, &base_url, Some(&user.csrf_token))?;
            Ok::<_, ApiError>(user)
        })
    }
}
