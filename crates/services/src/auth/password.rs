//! Password hashing (argon2id) and the rules for new passwords.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

const COMMON: &str = include_str!("../../../../fixtures/common_passwords.txt");
pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// Spends the time a real verification takes, so that unknown addresses answer as slowly.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("un mot de passe factice").unwrap_or_default());
    let _ = verify(password, stored);
}

/// The French message for a password that may not be used, if any.
pub fn check_new(password: &str, email: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some("Le mot de passe doit comporter au moins 12 caractères.");
    }
    if length > MAX_LENGTH {
        return Some("Le mot de passe doit comporter au plus 128 caractères.");
    }
    let lower = password.to_lowercase();
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower);
    let one_char = password.chars().all(|c| password.starts_with(c));
    if common || one_char {
        return Some("Ce mot de passe est trop courant : choisissez-en un autre.");
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Some("Le mot de passe ne doit pas contenir votre adresse électronique.");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong horse battery", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new("court", "a@b.fr").is_some());
        assert!(check_new("Azertyuiop123", "a@b.fr").is_some());
        assert!(check_new("aaaaaaaaaaaaaaa", "a@b.fr").is_some());
        assert!(check_new("marie.durand2026", "marie.durand@exemple.fr").is_some());
        assert_eq!(check_new("trois pommes vertes", "marie@exemple.fr"), None);
    }
}
