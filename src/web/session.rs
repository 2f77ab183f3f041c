//! Who is looking at a page, and CSRF protection of forms.
//!
//! Signed-in forms carry the session's CSRF token; anonymous forms (log-in, sign-up, reset)
//! carry the value of a `cyberdir_csrf` cookie (double submit). Every form post must also come
//! from our own origin when the browser says where it comes from.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::auth::Role;
use crate::auth::tokens;
use crate::error::AppError;
use crate::http::extract::{CurrentUser, session_user};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::web::page_error::PageError;

/// A page that needs a session: without one, the visitor is sent to the log-in page and back.
pub struct PageUser(pub CurrentUser);

impl FromRequest for PageUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let session = session_user(req);
        let back = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        Box::pin(async move {
            match session.await {
                Ok(Some(user)) => Ok(PageUser(user)),
                Ok(None) => {
                    let target = format!(
                        "/connexion?suite={}",
                        url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
                    );
                    let response = HttpResponse::SeeOther()
                        .insert_header((header::LOCATION, target))
                        .finish();
                    Err(actix_web::error::InternalError::from_response(
                        "connexion requise",
                        response,
                    )
                    .into())
                }
                Err(e) => Err(ApiError(e).into()),
            }
        })
    }
}

/// A page for staff (and admins): signed in, else sent to the log-in page; signed in with
/// another role, the French 403 page with the visitor's menu (`web::page_error`). The handler
/// starts with its work, not with a guard.
pub struct StaffUser(pub CurrentUser);

/// A page for admins only, as [`StaffUser`].
pub struct AdminUser(pub CurrentUser);

/// A page for the certification body's auditors only, as [`StaffUser`].
pub struct AuditorUser(pub CurrentUser);

/// The editors' pages (editors and admins), as [`StaffUser`].
pub struct EditorUser(pub CurrentUser);

/// A page of the chat's operators (police, gendarmerie, platform staff) and admins.
pub struct OperatorUser(pub CurrentUser);

/// A page of the provider portal: provider accounts only (staff have their own pages), as
/// [`StaffUser`]. What organisation the provider belongs to is the service's check.
pub struct ProviderMember(pub CurrentUser);

/// Runs the page's role check after [`PageUser`]'s; a refusal is the error page.
fn with_role<T: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    allowed: fn(&CurrentUser) -> Result<(), AppError>,
    wrap: fn(CurrentUser) -> T,
) -> Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>> {
    let user = PageUser::from_request(req, payload);
    Box::pin(async move {
        let PageUser(user) = user.await?;
        allowed(&user).map_err(PageError::from)?;
        Ok(wrap(user))
    })
}

/// A role extractor: [`with_role`] with the role's check.
macro_rules! role_extractor {
    ($extractor:ident, $allowed:expr) => {
        impl FromRequest for $extractor {
            type Error = actix_web::Error;
            type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                with_role(req, payload, $allowed, $extractor)
            }
        }
    };
}

role_extractor!(StaffUser, |user| crate::web::kit::require_staff(
    user,
    "Cette page est réservée à l'équipe d'instruction."
));
role_extractor!(EditorUser, |user| crate::editorial::require_editor(user));
role_extractor!(OperatorUser, |user| {
    if matches!(user.role, Role::Operator | Role::Admin) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Ces pages sont réservées aux policiers, gendarmes et membres de l'équipe qui répondent aux victimes.",
        ))
    }
});
role_extractor!(AdminUser, |user| crate::web::kit::require_admin(user));
role_extractor!(AuditorUser, |user| {
    if user.role == Role::Auditor {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Ces pages sont réservées aux auditeurs de l'organisme certificateur.",
        ))
    }
});
role_extractor!(ProviderMember, |user| crate::web::kit::require_provider(
    user,
    "L'espace prestataire est réservé aux comptes prestataires."
));

/// The signed-in user if any (public pages show a different menu).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let session = session_user(req);
        Box::pin(async move { Ok::<_, ApiError>(MaybeUser(session.await?)) })
    }
}

/// What the layout shows of the visitor.
#[derive(Debug, Clone, Serialize)]
pub struct Viewer {
    pub name: String,
    pub is_provider: bool,
    pub is_staff: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub is_editor: bool,
    pub is_operator: bool,
    pub csrf_token: String,
}

impl Viewer {
    pub fn of(user: &CurrentUser) -> Self {
        Self {
            name: user.display_name.clone(),
            is_provider: user.role == Role::Provider,
            is_staff: user.role.is_staff(),
            is_admin: user.role == Role::Admin,
            is_auditor: user.role == Role::Auditor,
            is_editor: matches!(user.role, Role::Editor | Role::Admin),
            is_operator: matches!(user.role, Role::Operator | Role::Admin),
            csrf_token: user.csrf_token.clone(),
        }
    }
}

pub fn viewer(user: Option<&CurrentUser>) -> Option<Viewer> {
    user.map(Viewer::of)
}

fn same_origin(req: &HttpRequest, base_url: &str) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let ours = url::Url::parse(base_url)
        .ok()
        .map(|u| u.origin().ascii_serialization());
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("{}://{h}", req.connection_info().scheme()));
    ours.as_deref() == Some(origin) || host.as_deref() == Some(origin)
}

/// The part of [`check_form`] that needs no body: a cross-site post is refused before an
/// upload is read (its token, in the body, is checked once read).
pub fn check_origin(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    if !same_origin(req, &state.config.base_url) {
        return Err(AppError::forbidden(
            "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
        ));
    }
    Ok(())
}

/// A signed-in form: the token must be the session's, and the origin ours.
pub fn check_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    sent: &str,
) -> Result<(), AppError> {
    if !same_origin(req, &state.config.base_url) || !tokens::same(sent, &user.csrf_token) {
        return Err(AppError::forbidden(
            "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
        ));
    }
    Ok(())
}

/// An anonymous form: the token must match the `cyberdir_csrf` cookie, and the origin ours.
pub fn check_anonymous_form(
    req: &HttpRequest,
    state: &AppState,
    sent: &str,
) -> Result<(), AppError> {
    let cookie = req
        .cookie(state.config.csrf_cookie())
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if cookie.is_empty()
        || !same_origin(req, &state.config.base_url)
        || !tokens::same(sent, &cookie)
    {
        return Err(AppError::forbidden(
            "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.",
        ));
    }
    Ok(())
}

/// The anonymous CSRF token for a form page, and the cookie to set if it is new.
pub fn anonymous_token(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(String, Option<Cookie<'static>>), AppError> {
    if let Some(existing) = req
        .cookie(state.config.csrf_cookie())
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64)
    {
        return Ok((existing, None));
    }
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let cookie = Cookie::build(state.config.csrf_cookie(), token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.https())
        .finish();
    Ok((token, Some(cookie)))
}

/// 303 to `location` (after a successful form post).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// Only local paths may be used as a "come back to" target.
/// Where to go after signing in: `next` when it is a path of this site, else `default`.
/// Browsers drop tabs and newlines from a URL and read `\` as `/`, so `/\t/evil.example`
/// would become `//evil.example`: control characters, white space and backslashes refuse it,
/// as does a second leading slash.
pub fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            p.to_owned()
        }
        _ => default.to_owned(),
    }
}

pub fn data_of(state: &web::Data<AppState>) -> std::sync::Arc<AppState> {
    state.clone().into_inner()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_targets_stay_on_the_site() {
        assert_eq!(safe_next(Some("/espace"), "/"), "/espace");
        assert_eq!(safe_next(Some("//evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("https://evil.example"), "/"), "/");
        assert_eq!(safe_next(None, "/x"), "/x");
        for sneaky in [
            "/\t/evil.example",
            "/\n/x",
            "/\\evil.example",
            "/ /x",
            "/\u{7f}/x",
        ] {
            assert_eq!(safe_next(Some(sneaky), "/"), "/", "{sneaky:?}");
        }
        assert_eq!(
            safe_next(Some("/instruction?etat=submitted"), "/"),
            "/instruction?etat=submitted"
        );
    }
}
