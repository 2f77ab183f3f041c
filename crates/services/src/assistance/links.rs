//! Signed accept/decline links for the provider: HMAC-SHA256 over the assignment, the action
//! and an expiry. Single use comes from the assignment itself: once answered, it is no longer
//! pending and a second use is refused.

use chrono::NaiveDateTime;

use crate::error::AppError;
use crate::signed::{self, Opened};

/// `assignment.action.expiry.signature`, URL-safe.
pub fn sign(
    key: &[u8],
    assignment_id: &str,
    action: &str,
    expires_at: NaiveDateTime,
) -> Result<String, AppError> {
    signed::sign(key, &format!("{assignment_id}.{action}"), expires_at)
}

fn invalid() -> AppError {
    AppError::Forbidden("Ce lien est invalide ou a été modifié.".into())
}

/// The assignment and action of a valid, unexpired link.
pub fn verify(key: &[u8], token: &str, now: NaiveDateTime) -> Result<(String, String), AppError> {
    let payload = match signed::open(key, token, now) {
        Some(Opened::Valid(payload)) => payload,
        Some(Opened::Expired(_)) => {
            return Err(AppError::Conflict(
                "Ce lien a expiré : la demande a été proposée à un autre professionnel.".into(),
            ));
        }
        None => return Err(invalid()),
    };
    let (assignment, action) = payload.split_once('.').ok_or_else(invalid)?;
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
