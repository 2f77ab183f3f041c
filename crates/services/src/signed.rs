//! Signed, expiring tokens: `payload.expiry.signature`, HMAC-SHA256 with the service's key, URL
//! safe as long as the payload is. The provider's accept/decline links and the partner module's
//! forms are such tokens; each caller says what its payload is and words its own refusals.

use chrono::NaiveDateTime;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], payload: &str) -> Result<HmacSha256, AppError> {
    let mut mac = HmacSha256::new_from_slice(key)
        .map_err(|e| AppError::Internal(format!("signing key: {e}")))?;
    mac.update(payload.as_bytes());
    Ok(mac)
}

/// `payload` signed until `expires_at`.
pub fn sign(key: &[u8], payload: &str, expires_at: NaiveDateTime) -> Result<String, AppError> {
    let signed = format!("{payload}.{}", expires_at.and_utc().timestamp());
    let signature = mac(key, &signed)?.finalize().into_bytes();
    Ok(format!("{signed}.{}", crate::domain::text::hex(&signature)))
}

/// A secret derived from `purpose` (64 hex digits, the shape of a random token): the same
/// purpose always gives the same secret, which only the holder of `key` can compute.
pub fn derive(key: &[u8], purpose: &str) -> Result<String, AppError> {
    Ok(crate::domain::text::hex(
        &mac(key, purpose)?.finalize().into_bytes(),
    ))
}

/// What a token said, if its signature holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened<'a> {
    Valid(&'a str),
    Expired(&'a str),
}

/// The token's payload, or `None` if it was not signed with `key` or was changed.
pub fn open<'a>(key: &[u8], token: &'a str, now: NaiveDateTime) -> Option<Opened<'a>> {
    let (signed, signature) = token.rsplit_once('.')?;
    if signature.len() != 64 {
        return None;
    }
    let bytes: Vec<u8> = (0..signature.len())
        .step_by(2)
        .filter_map(|i| signature.get(i..i + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect();
    if bytes.len() != 32 {
        return None;
    }
    mac(key, signed).ok()?.verify_slice(&bytes).ok()?;
    let (payload, expiry) = signed.rsplit_once('.')?;
    let expiry: i64 = expiry.parse().ok()?;
    Some(if now.and_utc().timestamp() > expiry {
        Opened::Expired(payload)
    } else {
        Opened::Valid(payload)
    })
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
    fn a_token_opens_until_it_expires_and_not_once_changed() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = sign(key, "module.banque", at(12)).unwrap();
        assert_eq!(
            open(key, &token, at(11)),
            Some(Opened::Valid("module.banque"))
        );
        assert_eq!(
            open(key, &token, at(13)),
            Some(Opened::Expired("module.banque"))
        );
        // Pushing the expiry back breaks the signature.
        let later = at(23).and_utc().timestamp().to_string();
        let stretched = token.replace(&at(12).and_utc().timestamp().to_string(), &later);
        assert_eq!(open(key, &stretched, at(13)), None);
        assert_eq!(
            open(key, &token.replacen("banque", "banqu3", 1), at(11)),
            None
        );
        assert_eq!(open(b"another key", &token, at(11)), None);
        assert_eq!(open(key, "garbage", at(11)), None);
        assert_eq!(open(key, "", at(11)), None);
    }
}
