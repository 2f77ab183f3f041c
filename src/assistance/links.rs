//! Signed accept/decline links for the provider: HMAC-SHA256 over the assignment, the action
//! and an expiry. Single use comes from the assignment itself: once answered, it is no longer
//! pending and a second use is refused.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], payload: &str) -> Result<HmacSha256, AppError> {
    let mut mac = HmacSha256::new_from_slice(key)
        .map_err(|e| AppError::Internal(format!("link key: {e}")))?;
    mac.update(payload.as_bytes());
    Ok(mac)
}

/// `assignment.action.expiry.signature`, URL-safe.
pub fn sign(
    key: &[u8],
    assignment_id: &str,
    action: &str,
    expires_at: NaiveDateTime,
) -> Result<String, AppError> {
    let payload = format!(
        "{assignment_id}.{action}.{}",
        expires_at.and_utc().timestamp()
    );
    let signature = mac(key, &payload)?.finalize().into_bytes();
    Ok(format!(
        "{payload}.{}",
        crate::auth::tokens::hex(&signature)
    ))
}

/// A secret derived from `purpose` (64 hex digits, the shape of a random token): the same
/// purpose always gives the same secret, which only the holder of `key` can compute.
pub fn derive(key: &[u8], purpose: &str) -> Result<String, AppError> {
    Ok(crate::auth::tokens::hex(
        &mac(key, purpose)?.finalize().into_bytes(),
    ))
}

fn invalid() -> AppError {
    AppError::Forbidden("Ce lien est invalide ou a été modifié.".into())
}

/// The assignment and action of a valid, unexpired link.
pub fn verify(key: &[u8], token: &str, now: NaiveDateTime) -> Result<(String, String), AppError> {
    let mut parts = token.rsplitn(2, '.');
    let (Some(signature), Some(payload)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let bytes: Vec<u8> = (0..signature.len())
        .step_by(2)
        .filter_map(|i| signature.get(i..i + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect();
    if bytes.len() != 32 || signature.len() != 64 {
        return Err(invalid());
    }
    mac(key, payload)?
        .verify_slice(&bytes)
        .map_err(|_| invalid())?;
    let mut fields = payload.splitn(3, '.');
    let (Some(assignment), Some(action), Some(expiry)) =
        (fields.next(), fields.next(), fields.next())
    else {
        return Err(invalid());
    };
    let expiry: i64 = expiry.parse().map_err(|_| invalid())?;
    if now.and_utc().timestamp() > expiry {
        return Err(AppError::Conflict(
            "Ce lien a expiré : la demande a été proposée à un autre professionnel.".into(),
        ));
    }
    Ok((assignment.to_owned(), action.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires_and_not_once_changed() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = sign(key, "a1", "accept", at(12)).unwrap();
        assert_eq!(
            verify(key, &token, at(11)).unwrap(),
            ("a1".to_owned(), "accept".to_owned())
        );
        assert!(matches!(
            verify(key, &token, at(13)),
            Err(AppError::Conflict(_))
        ));
        let forged = token.replacen("accept", "decline", 1);
        assert!(matches!(
            verify(key, &forged, at(11)),
            Err(AppError::Forbidden(_))
        ));
        assert!(verify(b"another key", &token, at(11)).is_err());
        assert!(verify(key, "garbage", at(11)).is_err());
    }
}
