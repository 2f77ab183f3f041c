//! Account pages: log-in, log-out, sign-up, email confirmation, password reset.

use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use super::page;
use super::session::{
    PageUser, anonymous_token, check_anonymous_form, check_form, data_of, safe_next, see_other,
};
use crate::auth::{Role, accounts, password};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::http::session_cookie;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form)
        .service(login)
        .service(logout)
        .service(signup_form)
        .service(signup)
        .service(verify_form)
        .service(verify)
        .service(forgot_form)
        .service(forgot)
        .service(reset_form)
        .service(reset);
}

/// Where each role lands after logging in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Provider => "/espace",
        Role::Staff => "/instruction",
        Role::Admin => "/instruction",
        Role::Auditor => "/audit",
        Role::Editor => "/contenus",
        Role::Operator => "/operateur",
    }
}

/// `pages/account/login`.
#[derive(Serialize)]
struct LogIn<'a> {
    email: &'a str,
    /// Where to go once signed in.
    suite: &'a str,
    error: Option<String>,
    info: Option<&'a str>,
}

/// `pages/account/signup`.
#[derive(Serialize)]
struct SignUp<'a> {
    email: &'a str,
    display_name: &'a str,
    errors: std::collections::BTreeMap<String, String>,
    done: bool,
}

/// The pages of a link's token: `pages/account/verify`, `pages/account/reset`.
#[derive(Serialize)]
struct WithToken<'a> {
    token: &'a str,
    error: Option<String>,
}

/// `pages/account/forgot`, before and after.
#[derive(Serialize)]
struct Done {
    done: bool,
}

/// A form page's own data with the form's CSRF token beside it.
#[derive(Serialize)]
struct WithCsrf<T> {
    #[serde(flatten)]
    body: T,
    csrf_token: String,
}

/// Renders an anonymous form page with its CSRF cookie.
pub(crate) fn anonymous_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    template: &str,
    title: &str,
    body: impl serde::Serialize,
) -> PageResult {
    let (token, cookie) = anonymous_token(req, state)?;
    let body = WithCsrf {
        body,
        csrf_token: token,
    };
    let mut response = page(state, status, template, title, None, body);
    if let Some(cookie) = cookie {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

use super::kit::first_errors;
use crate::web::kit::CsrfForm;

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    pub suite: Option<String>,
    pub info: Option<String>,
}

#[get("/connexion")]
pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> PageResult {
    let info = match query.info.as_deref() {
        Some("verifie") => Some("Votre adresse est confirmée : vous pouvez vous connecter."),
        Some("mot-de-passe") => {
            Some("Votre mot de passe est changé : connectez-vous avec le nouveau.")
        }
        Some("deconnecte") => Some("Vous êtes déconnecté."),
        _ => None,
    };
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/login",
        "Connexion",
        LogIn {
            email: "",
            suite: query.suite.as_deref().unwrap_or_default(),
            error: None,
            info,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub suite: String,
}

#[post("/connexion")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let ip = crate::http::client::client_key(&req, &state.config.proxies);
    let inner = data_of(&state);
    let (email, password) = (form.email.clone(), form.password.clone());
    let result = web::block(move || accounts::log_in(&inner, &email, &password, &ip)).await;
    match result
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)
    {
        Ok((token, _, user)) => {
            let role = Role::parse(&user.role).unwrap_or(Role::Provider);
            let target = safe_next(
                Some(&form.suite)
                    .filter(|s| !s.is_empty())
                    .map(String::as_str),
                home_of(role),
            );
            let mut response = see_other(&target);
            let _ = response.add_cookie(&session_cookie(&state, &token));
            Ok(response)
        }
        Err(
            e @ (AppError::Unauthorized(_) | AppError::Forbidden(_) | AppError::TooManyRequests(_)),
        ) => anonymous_page(
            &req,
            &state,
            crate::http::problem::status_of(&e),
            "pages/account/login",
            "Erreur : connexion impossible",
            LogIn {
                email: &form.email,
                suite: &form.suite,
                error: Some(e.to_string()),
                info: None,
            },
        ),
        Err(other) => Err(PageError::from(other)),
    }
}

#[post("/deconnexion")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<CsrfForm>,
) -> PageResult {
    let user: CurrentUser = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let inner = data_of(&state);
    let hash = user.session_hash.clone();
    web::block(move || accounts::log_out(&inner, &hash))
        .await
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)?;
    let mut response = see_other("/connexion?info=deconnecte");
    let mut gone = session_cookie(&state, "");
    gone.make_removal();
    let _ = response.add_cookie(&gone);
    Ok(response)
}

#[get("/inscription")]
pub async fn signup_form(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/signup",
        "Créer un compte prestataire",
        SignUp {
            email: "",
            display_name: "",
            errors: Default::default(),
            done: false,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf_token: String,
}

#[post("/inscription")]
pub async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let mut errors = FieldErrors::new();
    if !validator::ValidateEmail::validate_email(&form.email.trim()) {
        errors.insert(
            "email".into(),
            vec!["Adresse électronique invalide.".into()],
        );
    }
    let name_len = form.display_name.trim().chars().count();
    if name_len == 0 || name_len > 100 {
        errors.insert(
            "display_name".into(),
            vec!["Indiquez votre nom (100 caractères au plus).".into()],
        );
    }
    if let Some(message) = password::check_new(&form.password, &form.email) {
        errors.insert("password".into(), vec![message.into()]);
    }
    if errors.is_empty() {
        let inner = data_of(&state);
        let (email, pw, name) = (
            form.email.clone(),
            form.password.clone(),
            form.display_name.clone(),
        );
        let client = crate::http::client::client_key(&req, &state.config.proxies);
        match web::block(move || accounts::sign_up(&inner, &email, &pw, &name, &client))
            .await
            .map_err(crate::http::problem::blocking_failed)
            .and_then(|r| r)
        {
            Ok(()) => {
                return anonymous_page(
                    &req,
                    &state,
                    StatusCode::OK,
                    "pages/account/signup",
                    "Vérifiez votre messagerie",
                    SignUp {
                        email: &form.email,
                        display_name: &form.display_name,
                        errors: Default::default(),
                        done: true,
                    },
                );
            }
            Err(e) => return Err(PageError::from(e)),
        }
    }
    anonymous_page(
        &req,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/account/signup",
        "Erreur : créer un compte prestataire",
        SignUp {
            email: &form.email,
            display_name: &form.display_name,
            errors: first_errors(&errors),
            done: false,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

/// The link in the email shows a button: mail scanners that open links do not confirm.
#[get("/compte/verification")]
pub async fn verify_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> PageResult {
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/verify",
        "Confirmer votre adresse",
        WithToken {
            token: query.token.as_deref().unwrap_or_default(),
            error: None,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub password: String,
}

#[post("/compte/verification")]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let inner = data_of(&state);
    let token = form.token.clone();
    match web::block(move || accounts::verify_email(&inner, token.trim()))
        .await
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)
    {
        Ok(()) => done("/connexion", "verifie"),
        Err(AppError::Validation(errors)) => anonymous_page(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "pages/account/verify",
            "Erreur : confirmer votre adresse",
            WithToken {
                token: &form.token,
                error: errors.values().flatten().next().cloned(),
            },
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

#[get("/mot-de-passe-oublie")]
pub async fn forgot_form(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/forgot",
        "Mot de passe oublié",
        Done { done: false },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub csrf_token: String,
}

#[post("/mot-de-passe-oublie")]
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let infra = state.infra.clone();
    let email = form.email.clone();
    web::block(move || accounts::request_password_reset_in_background(infra, email, &client))
        .await
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)?;
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/forgot",
        "Mot de passe oublié",
        Done { done: true },
    )
}

#[get("/mot-de-passe/nouveau")]
pub async fn reset_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> PageResult {
    anonymous_page(
        &req,
        &state,
        StatusCode::OK,
        "pages/account/reset",
        "Choisir un nouveau mot de passe",
        WithToken {
            token: query.token.as_deref().unwrap_or_default(),
            error: None,
        },
    )
}

#[post("/mot-de-passe/nouveau")]
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> PageResult {
    let form = form.into_inner();
    check_anonymous_form(&req, &state, &form.csrf_token)?;
    let inner = data_of(&state);
    let (token, pw) = (form.token.clone(), form.password.clone());
    match web::block(move || accounts::confirm_password_reset(&inner, token.trim(), &pw))
        .await
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)
    {
        Ok(()) => done("/connexion", "mot-de-passe"),
        Err(AppError::Validation(errors)) => anonymous_page(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "pages/account/reset",
            "Erreur : choisir un nouveau mot de passe",
            WithToken {
                token: &form.token,
                error: errors.values().flatten().next().cloned(),
            },
        ),
        Err(e) => Err(PageError::from(e)),
    }
}
