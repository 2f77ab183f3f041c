//! Limits on the anonymous writes, per client (the address through the trusted proxies, kept
//! only as a keyed digest): exact under concurrency, across processes, since each is counted
//! and recorded in one transaction while holding its key (`db::throttle`). A limit reached is
//! a 429 with a French message (`http::retry` adds `Retry-After`).

use chrono::Duration;

use crate::db::{DbConnection, throttle};
use crate::error::AppError;
use crate::infra::Infra;

/// One anonymous write a client may make so many times per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Accounts created (or "you already have an account" emails) per hour.
    SignUp,
    /// Password-reset requests per hour.
    PasswordReset,
    /// Diagnostic journeys started, on the site, in a partner's module or through the API
    /// (each one writes its anonymous record and feeds the statistics), per hour.
    Journey,
    /// Profile edits per account and hour: enough to write a profile field by field, not to
    /// rewrite it in a loop.
    ProfileEdit,
    /// Chats with a police officer or a gendarme started per hour.
    ChatStart,
    /// A victim's messages in one chat per minute: a person typing, not a script.
    ChatMessage,
}

impl Limit {
    fn key(self) -> &'static str {
        match self {
            Self::SignUp => "sign-up",
            Self::PasswordReset => "password-reset",
            Self::Journey => "journey",
            Self::ProfileEdit => "profile-edit",
            Self::ChatStart => "chat-start",
            Self::ChatMessage => "chat-message",
        }
    }

    /// How many per window: enough for a family, a school or an office behind one address
    /// (`None`: no limit, as load tests set).
    pub fn max(self, state: &Infra) -> Option<i64> {
        match self {
            Self::SignUp => Some(10),
            Self::PasswordReset => Some(10),
            Self::Journey => Some(i64::from(state.config.journey_rate_limit)).filter(|n| *n > 0),
            Self::ProfileEdit => Some(120),
            Self::ChatStart => Some(10),
            Self::ChatMessage => Some(20),
        }
    }

    pub fn window(self) -> Duration {
        match self {
            Self::ChatMessage => Duration::minutes(1),
            _ => Duration::hours(1),
        }
    }

    fn refusal(self) -> AppError {
        AppError::TooManyRequests(
            match self {
                Self::SignUp => "Trop de comptes demandés depuis cette adresse : réessayez dans une heure.",
                Self::PasswordReset => "Trop de demandes de réinitialisation depuis cette adresse : réessayez dans une heure.",
                Self::Journey => "Trop de diagnostics commencés depuis cette adresse : réessayez dans une heure. Si quelqu'un est en danger, appelez le 17.",
                Self::ProfileEdit => "Trop de modifications du profil en une heure : réessayez plus tard.",
                Self::ChatStart => "Trop d'échanges commencés depuis cette adresse : réessayez dans une heure. Si quelqu'un est en danger, appelez le 17.",
                Self::ChatMessage => "Vous envoyez des messages trop vite : patientez une minute, votre interlocuteur lit ce que vous avez écrit.",
            }
            .into(),
        )
    }
}

/// What is kept of the client's address: a keyed digest, which only the service can compute
/// (a plain SHA-256 of an IPv4 address is undone by trying all of them).
pub fn client_pseudonym(state: &Infra, client: &str) -> Result<String, AppError> {
    crate::signed::derive(&state.link_key, &format!("client:{client}"))
}

/// Takes one of `client`'s places for `limit`, or refuses. Inside the step's write
/// transaction, so that a step that fails gives its place back.
pub fn take(
    conn: &mut DbConnection,
    state: &Infra,
    limit: Limit,
    client: &str,
) -> Result<(), AppError> {
    let subject = format!("{}:{}", limit.key(), client_pseudonym(state, client)?);
    take_subject(conn, state, limit, &subject)
}

/// Takes one of the account `user_id`'s places for `limit` (a limit per account rather than
/// per client), or refuses. Inside the step's write transaction.
pub fn take_for_account(
    conn: &mut DbConnection,
    state: &Infra,
    limit: Limit,
    user_id: &str,
) -> Result<(), AppError> {
    let subject = format!("{}:account:{user_id}", limit.key());
    take_subject(conn, state, limit, &subject)
}

/// Takes one of the chat `chat_id`'s places for its victim's messages, or refuses.
pub fn take_for_chat(
    conn: &mut DbConnection,
    state: &Infra,
    chat_id: &str,
) -> Result<(), AppError> {
    let limit = Limit::ChatMessage;
    take_subject(conn, state, limit, &format!("{}:{chat_id}", limit.key()))
}

fn take_subject(
    conn: &mut DbConnection,
    state: &Infra,
    limit: Limit,
    subject: &str,
) -> Result<(), AppError> {
    let Some(max) = limit.max(state) else {
        return Ok(());
    };
    let now = state.clock.now_naive();
    throttle::take(conn, subject, max, now - limit.window(), now)?
        .map(|_| ())
        .ok_or_else(|| limit.refusal())
}

/// [`take`] in a transaction of its own, for a write that has none yet.
pub fn take_now(state: &Infra, limit: Limit, client: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| take(conn, state, limit, client))
}
