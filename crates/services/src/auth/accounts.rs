//! Account operations: sign-up, email verification, log-in, password reset, user creation.
//! Blocking: call them inside `web::block`. Nothing here tells an outsider whether an address
//! has an account.

use chrono::Duration;

use super::{Role, SESSION_HOURS, password, tokens};
use crate::db::accounts::{self, TokenRow, UserRow};
use crate::db::throttle;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::accounts::{AccountExists, AccountVerify, PasswordReset};

pub const VERIFY_EMAIL: &str = "verify_email";
pub const PASSWORD_RESET: &str = "password_reset";
pub const INVITATION: &str = "invitation";

const VERIFY_HOURS: i64 = 48;
const RESET_MINUTES: i64 = 60;
/// Failed log-ins allowed per address, and per IP, in the window.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;
const FAILURE_WINDOW_MINUTES: i64 = 15;

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn random() -> Result<String, AppError> {
    tokens::random_token().map_err(|e| AppError::Internal(format!("random: {e}")))
}

/// A new, enabled account row (sign-up, the command line, an admin's invitation).
pub(super) fn new_user(
    email: &str,
    display_name: &str,
    password_hash: String,
    role: Role,
    verified_at: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> UserRow {
    UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.to_owned(),
        display_name: display_name.to_owned(),
        password_hash,
        role: role.as_str().to_owned(),
        email_verified_at: verified_at,
        disabled: false,
        created_at: now,
        updated_at: now,
    }
}

/// Creates a single-use link token and returns the token to put in the link.
pub fn issue_token(
    conn: &mut crate::db::DbConnection,
    state: &Infra,
    purpose: &str,
    user_id: Option<&str>,
    email: &str,
    provider_id: Option<&str>,
    valid_for: Duration,
) -> Result<String, AppError> {
    let token = random()?;
    let now = state.clock.now_naive();
    accounts::insert_token(
        conn,
        &TokenRow {
            token_hash: tokens::digest(&token),
            purpose: purpose.to_owned(),
            user_id: user_id.map(str::to_owned),
            email: email.to_owned(),
            provider_id: provider_id.map(str::to_owned),
            expires_at: now + valid_for,
            used_at: None,
            created_at: now,
        },
    )?;
    Ok(token)
}

/// Sign-up: a new unverified `provider` account and a verification email; for a known address,
/// an email to its owner instead. The caller's answer is the same either way.
pub fn sign_up(
    state: &Infra,
    email: &str,
    password_plain: &str,
    display_name: &str,
    client: &str,
) -> Result<(), AppError> {
    let email = normalise_email(email);
    let hash = password::hash(password_plain).map_err(AppError::Internal)?;
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        crate::limits::take(conn, state, crate::limits::Limit::SignUp, client)?;
        let now = state.clock.now_naive();
        if let Some(existing) = accounts::user_by_email(conn, &email)? {
            if !account_email_allowed(conn, state, "account-exists", &existing.email)? {
                return Ok(());
            }
            state.mailer.enqueue(
                conn,
                &state.clock,
                &existing.email,
                &AccountExists {
                    name: existing.display_name,
                    reset_url: format!("{}/mot-de-passe-oublie", state.config.base_url),
                },
            )?;
            return Ok(());
        }
        let user = new_user(&email, display_name.trim(), hash, Role::Provider, None, now);
        accounts::insert_user(conn, &user)?;
        let token = issue_token(
            conn,
            state,
            VERIFY_EMAIL,
            Some(&user.id),
            &email,
            None,
            Duration::hours(VERIFY_HOURS),
        )?;
        state.mailer.enqueue(
            conn,
            &state.clock,
            &email,
            &AccountVerify {
                name: user.display_name,
                verify_url: format!(
                    "{}/compte/verification?token={token}",
                    state.config.base_url
                ),
                hours: VERIFY_HOURS,
            },
        )?;
        Ok(())
    })
}

pub fn verify_email(state: &Infra, token: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let found = accounts::consume_token(conn, &tokens::digest(token), VERIFY_EMAIL, now)?;
        let Some(user_id) = found.and_then(|t| t.user_id) else {
            return Err(AppError::field(
                "token",
                "Ce lien de confirmation est invalide, expiré ou déjà utilisé.",
            ));
        };
        accounts::mark_verified(conn, &user_id, now)?;
        Ok(())
    })
}

/// A new session for valid credentials: (session token, CSRF token, user).
///
/// Attempts are limited per (address, client) and per client, counted before the password is
/// checked so that concurrent attempts cannot overtake the count; a successful attempt is
/// forgotten. Failures on one address from every client only slow the answer down, so that
/// nobody can lock the owner out by failing on purpose.
pub fn log_in(
    state: &Infra,
    email: &str,
    password_plain: &str,
    ip: &str,
) -> Result<(String, String, UserRow), AppError> {
    let email = normalise_email(email);
    let now = state.clock.now_naive();
    let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let address = tokens::digest(&email);
    let by_pair = format!("login:{address}:{ip}");
    let by_ip = format!("login-ip:{ip}");
    let by_address = format!("login-failure:{address}");
    let too_many = || {
        AppError::TooManyRequests(
            "Trop de tentatives de connexion. Réessayez dans 15 minutes ou réinitialisez votre mot de passe.".into(),
        )
    };
    // The connection goes back before the slow part (the penalty and argon2): a crowd of wrong
    // passwords must not hold the pool that every other request needs.
    let (reserved, failures_on_address, user) = {
        let mut conn = state.pool.get()?;
        let (reserved, failures) = crate::db::write_transaction(&mut conn, |conn| {
            let pair = throttle::take(conn, &by_pair, MAX_FAILURES_PER_EMAIL, since, now)?
                .ok_or_else(too_many)?;
            let client = throttle::take(conn, &by_ip, MAX_FAILURES_PER_IP, since, now)?
                .ok_or_else(too_many)?;
            let failures = throttle::count_since(conn, &by_address, since)?;
            Ok::<_, AppError>(([pair, client], failures))
        })?;
        (
            reserved,
            failures,
            accounts::user_by_email(&mut conn, &email)?,
        )
    };
    if failures_on_address >= MAX_FAILURES_PER_EMAIL {
        // Many failures on this address from elsewhere: slower, never refused.
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let valid = match &user {
        Some(u) => password::verify(password_plain, &u.password_hash) && !u.disabled,
        None => {
            password::verify_dummy(password_plain);
            false
        }
    };
    let mut conn = state.pool.get()?;
    let Some(user) = user.filter(|_| valid) else {
        throttle::record(&mut conn, &by_address, now)?;
        return Err(AppError::Unauthorized(
            "Adresse électronique ou mot de passe incorrect.".into(),
        ));
    };
    for id in &reserved {
        throttle::forget(&mut conn, id)?;
    }
    if user.email_verified_at.is_none() {
        return Err(AppError::forbidden(
            "Confirmez d'abord votre adresse électronique avec le lien reçu par courriel.",
        ));
    }
    let token = random()?;
    let csrf = random()?;
    accounts::insert_session(
        &mut conn,
        &tokens::digest(&token),
        &user.id,
        &csrf,
        now,
        now + Duration::hours(SESSION_HOURS),
    )?;
    Ok((token, csrf, user))
}

/// Whether an account email of `kind` may go to `email` now: at most one per
/// `ACCOUNT_EMAIL_INTERVAL`, kind and address, so that nobody can flood a mailbox through the public forms. Call inside the
/// step's write transaction.
fn account_email_allowed(
    conn: &mut crate::db::DbConnection,
    state: &Infra,
    kind: &str,
    email: &str,
) -> Result<bool, AppError> {
    let now = state.clock.now_naive();
    let subject = format!("account-email:{kind}:{}", tokens::digest(email));
    let since = now - state.config.account_email_interval;
    Ok(throttle::take(conn, &subject, 1, since, now)?.is_some())
}

/// Deletes the events of the limits older than any window (a day).
pub fn purge_rate_events(state: &Infra) -> Result<usize, AppError> {
    let mut conn = state.pool.get()?;
    Ok(throttle::purge(
        &mut conn,
        state.clock.now_naive() - Duration::days(1),
    )?)
}

pub fn log_out(state: &Infra, session_hash: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    accounts::delete_session(&mut conn, session_hash)?;
    Ok(())
}

/// [`request_password_reset`] off the request path, so that the answer takes the same time
/// whether the address has an account or not; `client`'s limit is taken first (it depends on
/// the client only, so it tells nothing of the address). Blocking.
pub fn request_password_reset_in_background(
    state: std::sync::Arc<Infra>,
    email: String,
    client: &str,
) -> Result<(), AppError> {
    crate::limits::take_now(&state, crate::limits::Limit::PasswordReset, client)?;
    let background = state.background.clone();
    background
        .spawn(move || {
            if let Err(e) = request_password_reset(&state, &email) {
                tracing::warn!(error = %e, "a password reset request failed");
            }
        })
        .map_err(|full| AppError::Unavailable(full.to_string()))
}

/// Sends a reset link if the address has an account; silent otherwise.
pub fn request_password_reset(state: &Infra, email: &str) -> Result<(), AppError> {
    let email = normalise_email(email);
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let Some(user) = accounts::user_by_email(conn, &email)?.filter(|u| !u.disabled) else {
            return Ok(());
        };
        if !account_email_allowed(conn, state, PASSWORD_RESET, &user.email)? {
            return Ok(());
        }
        let token = issue_token(
            conn,
            state,
            PASSWORD_RESET,
            Some(&user.id),
            &email,
            None,
            Duration::minutes(RESET_MINUTES),
        )?;
        state.mailer.enqueue(
            conn,
            &state.clock,
            &user.email,
            &PasswordReset {
                name: user.display_name,
                reset_url: format!(
                    "{}/mot-de-passe/nouveau?token={token}",
                    state.config.base_url
                ),
                minutes: RESET_MINUTES,
            },
        )?;
        Ok(())
    })
}

/// Sets a new password with a reset link (once); every open session is closed.
pub fn confirm_password_reset(
    state: &Infra,
    token: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let found = accounts::consume_token(conn, &tokens::digest(token), PASSWORD_RESET, now)?;
        let Some(user_id) = found.and_then(|t| t.user_id) else {
            return Err(AppError::field(
                "token",
                "Ce lien de réinitialisation est invalide, expiré ou déjà utilisé.",
            ));
        };
        let user = accounts::user_by_id(conn, &user_id)?
            .ok_or_else(|| AppError::field("token", "Compte introuvable."))?;
        if let Some(message) = password::check_new(new_password, &user.email) {
            return Err(AppError::field("password", message));
        }
        let hash = password::hash(new_password).map_err(AppError::Internal)?;
        accounts::set_password(conn, &user_id, &hash, now)?;
        // Any other reset link sent before is void now.
        accounts::void_tokens_of(conn, &user_id, PASSWORD_RESET, now)?;
        // Following the link proves the address too.
        accounts::mark_verified(conn, &user_id, now)?;
        accounts::delete_sessions_of(conn, &user_id)?;
        Ok(())
    })
}

/// `cyberdir users password`: a new password for an existing account (a demo account whose
/// password was printed once, an admin locked out); its sessions are closed.
pub fn set_password_from_command_line(
    state: &Infra,
    email: &str,
    password_plain: &str,
) -> Result<(), AppError> {
    let email = normalise_email(email);
    let mut conn = state.pool.get()?;
    let user = accounts::user_by_email(&mut conn, &email)?
        .ok_or_else(|| AppError::not_found(format!("Aucun compte pour {email}.")))?;
    if let Some(message) = password::check_new(password_plain, &email) {
        return Err(AppError::field("password", message));
    }
    let hash = password::hash(password_plain).map_err(AppError::Internal)?;
    let now = state.clock.now_naive();
    crate::db::write_transaction(&mut conn, |conn| {
        accounts::set_password(conn, &user.id, &hash, now)?;
        accounts::delete_sessions_of(conn, &user.id)?;
        Ok(())
    })
}

/// `cyberdir users create`: a verified account with the given role.
pub fn create_user(
    state: &Infra,
    email: &str,
    role: Role,
    password_plain: &str,
    display_name: &str,
) -> Result<UserRow, AppError> {
    let email = normalise_email(email);
    if !email.contains('@') || email.len() > 254 {
        return Err(AppError::field("email", "Adresse électronique invalide."));
    }
    if let Some(message) = password::check_new(password_plain, &email) {
        return Err(AppError::field("password", message));
    }
    let hash = password::hash(password_plain).map_err(AppError::Internal)?;
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    crate::db::write_transaction(&mut conn, |conn| {
        if accounts::user_by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(format!(
                "Un compte existe déjà pour {email}."
            )));
        }
        let user = new_user(&email, display_name, hash, role, Some(now), now);
        accounts::insert_user(conn, &user)?;
        Ok(user)
    })
}
