//! Request plumbing shared by the two front doors (the pages in `web` and the JSON API in
//! `api`), so that neither reaches into the other.

pub mod body;
pub mod client;
pub mod download;
pub mod extract;
pub mod frame;
pub mod input;
pub mod multipart;
pub mod paging;
pub mod problem;
pub mod retry;
pub mod timing;

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};

use crate::auth::SESSION_HOURS;
use crate::state::AppState;

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS (an empty token
/// with a zero max-age ends the session in the browser).
pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    Cookie::build(state.config.session_cookie(), token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .max_age(CookieDuration::hours(SESSION_HOURS))
        .finish()
}
