//! The module's forms work without cookies (browsers block them in third-party frames): each
//! form carries its own token, signed by the service, naming the partner, unique to the page
//! shown, and valid for four hours. A form posted without it, with another partner's, with a
//! changed one or an expired one changes nothing.

use crate::domain::partner::FORM_VALIDITY_HOURS;
use crate::error::AppError;
use crate::infra::Infra;
use crate::signed::{self, Opened};

const PURPOSE: &str = "module";

/// A new token for a form of `partner`'s module.
pub fn issue(state: &Infra, partner: &str) -> Result<String, AppError> {
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| AppError::Internal(e.to_string()))?;
    let expires = state.clock.now_naive() + chrono::Duration::hours(FORM_VALIDITY_HOURS);
    signed::sign(
        &state.link_key,
        &format!("{PURPOSE}.{partner}.{}", crate::domain::text::hex(&nonce)),
        expires,
    )
}

/// Checks a token posted with a form of `partner`'s module; returns its nonce, which tells one
/// page shown from another (a double click sends the same).
pub fn check(state: &Infra, partner: &str, token: &str) -> Result<String, AppError> {
    let refused = || {
        AppError::forbidden("Ce formulaire n'est pas valide : rechargez la page et recommencez.")
    };
    let payload = match signed::open(&state.link_key, token, state.clock.now_naive()) {
        Some(Opened::Valid(payload)) => payload,
        Some(Opened::Expired(_)) => {
            return Err(AppError::forbidden(format!(
                "Ce formulaire a expiré (il reste valable {FORM_VALIDITY_HOURS} heures) : rechargez la page et recommencez."
            )));
        }
        None => return Err(refused()),
    };
    let mut parts = payload.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(PURPOSE), Some(named), Some(nonce)) if named == partner => Ok(nonce.to_owned()),
        _ => Err(refused()),
    }
}
