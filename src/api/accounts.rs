//! Sign-up, email verification, log-in/out and password reset.

use crate::http::body::Body;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Role, accounts, password};
use crate::error::{AppError, Problem};
use crate::http;
use crate::http::extract::{CurrentUser, check_same_site};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

fn accepted(message: &str) -> HttpResponse {
    HttpResponse::Accepted().json(Message {
        message: message.to_owned(),
    })
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct SignUp {
    #[validate(
        email(message = "Adresse électronique invalide."),
        length(max = 254, message = "Adresse trop longue.")
    )]
    #[schema(format = Email, max_length = 254)]
    #[schema(required = true)]
    pub email: String,
    /// 12 to 128 characters, not a common password, not the address.
    #[schema(min_length = 12, max_length = 128)]
    #[schema(required = true)]
    pub password: String,
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(
        min = 1,
        max = 100,
        message = "Indiquez votre nom (100 caractères au plus)."
    ))]
    #[schema(required = true)]
    pub display_name: String,
}

/// Creates an account and emails a verification link. The answer never tells whether the
/// address already had an account.
#[utoipa::path(tag = "accounts", request_body = SignUp, responses((status = 202, body = Message), (status = 422, body = Problem), (status = 429, body = Problem)))]
#[post("/accounts")]
pub async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<SignUp>,
) -> Result<HttpResponse, ApiError> {
    check_same_site(&req, &state.config.base_url, None)?;
    let body = body.into_inner();
    let mut errors = match body.validate() {
        Ok(()) => Default::default(),
        Err(e) => match AppError::from(e) {
            AppError::Validation(errors) => errors,
            other => return Err(other.into()),
        },
    };
    if let Some(message) = password::check_new(&body.password, &body.email) {
        errors
            .entry("password".into())
            .or_default()
            .push(message.to_owned());
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    web::block(move || {
        accounts::sign_up(
            &state,
            &body.email,
            &body.password,
            &body.display_name,
            &client,
        )
    })
    .await??;
    Ok(accepted(
        "Si cette adresse peut être utilisée, un courriel vient d'y être envoyé : suivez le lien qu'il contient pour activer votre compte.",
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct TokenBody {
    #[schema(required = true)]
    pub token: String,
}

/// Confirms an email address with the token from the emailed link.
#[utoipa::path(tag = "accounts", request_body = TokenBody, responses((status = 200, body = Message), (status = 422, body = Problem)))]
#[post("/accounts/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    body: Body<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().token;
    web::block(move || accounts::verify_email(&state, token.trim())).await??;
    Ok(HttpResponse::Ok().json(Message {
        message: "Votre adresse est confirmée : vous pouvez vous connecter.".into(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct LogIn {
    #[schema(required = true)]
    pub email: String,
    #[schema(required = true)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub user: UserView,
    /// Send it back in `X-CSRF-Token` on non-JSON requests (uploads).
    pub csrf_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// Logs in: sets the session cookie (HttpOnly, SameSite=Lax). Failed attempts are limited per
/// address and per IP.
#[utoipa::path(
    tag = "accounts",
    request_body = LogIn,
    responses((status = 200, body = SessionView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem))
)]
#[post("/session")]
pub async fn log_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<LogIn>,
) -> Result<HttpResponse, ApiError> {
    check_same_site(&req, &state.config.base_url, None)?;
    let LogIn { email, password } = body.into_inner();
    let ip = crate::http::client::client_key(&req, &state.config.proxies);
    let inner = state.clone().into_inner();
    let (token, csrf_token, user) =
        web::block(move || accounts::log_in(&inner, &email, &password, &ip)).await??;
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::Internal(format!("unknown role {}", user.role)))?;
    Ok(HttpResponse::Ok()
        .cookie(http::session_cookie(&state, &token))
        .json(SessionView {
            user: UserView {
                id: user.id,
                email: user.email,
                display_name: user.display_name,
                role,
            },
            csrf_token,
        }))
}

/// The signed-in user.
#[utoipa::path(tag = "accounts", responses((status = 200, body = SessionView), (status = 401, body = Problem)))]
#[get("/session")]
pub async fn current(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(SessionView {
        csrf_token: user.csrf_token,
        user: UserView {
            id: user.actor.id,
            email: user.actor.email,
            display_name: user.actor.display_name,
            role: user.actor.role,
        },
    })
}

/// Logs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(tag = "accounts", responses((status = 204), (status = 401, body = Problem)))]
#[delete("/session")]
pub async fn log_out(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let inner = state.clone().into_inner();
    web::block(move || accounts::log_out(&inner, &user.session_hash)).await??;
    let mut gone = http::session_cookie(&state, "");
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ResetRequest {
    #[schema(required = true)]
    /// The account's address (a link goes there if it has an account).
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub email: String,
}

/// Emails a password-reset link if the address has an account (the answer is the same if not).
#[utoipa::path(tag = "accounts", request_body = ResetRequest, responses((status = 202, body = Message), (status = 422, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
#[post("/password-resets")]
pub async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    check_same_site(&req, &state.config.base_url, None)?;
    let email = body.into_inner().email;
    if email.trim().is_empty() || email.chars().count() > 254 {
        return Err(
            AppError::field("email", "Indiquez l'adresse électronique de votre compte.").into(),
        );
    }
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let infra = state.infra.clone();
    web::block(move || accounts::request_password_reset_in_background(infra, email, &client))
        .await??;
    Ok(accepted(
        "Si un compte correspond à cette adresse, un courriel contenant un lien de réinitialisation vient d'y être envoyé.",
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ResetConfirm {
    #[schema(required = true)]
    pub token: String,
    #[schema(required = true)]
    pub password: String,
}

/// Sets a new password with the emailed token (once, before it expires).
#[utoipa::path(tag = "accounts", request_body = ResetConfirm, responses((status = 200, body = Message), (status = 422, body = Problem)))]
#[post("/password-resets/confirm")]
pub async fn confirm_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<ResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    check_same_site(&req, &state.config.base_url, None)?;
    let ResetConfirm { token, password } = body.into_inner();
    web::block(move || accounts::confirm_password_reset(&state, token.trim(), &password)).await??;
    Ok(HttpResponse::Ok().json(Message {
        message: "Votre mot de passe est changé : connectez-vous avec le nouveau.".into(),
    }))
}
