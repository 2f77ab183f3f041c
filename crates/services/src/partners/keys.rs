//! A partner's API keys, for its own figures. A key is shown once, when issued; only its
//! SHA-256 digest is kept (a key is 256 random bits: a slow hash adds nothing). A key lasts 18
//! months; a rotation issues a new key and lets the one it replaces live 30 more days, so two
//! keys are valid during the change and never more.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{Event, Step};
use crate::auth::tokens;
use crate::db::partners::{self as queries, KeyRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::partner as rules;
use crate::error::AppError;
use crate::infra::Infra;

/// Every key starts so, which tells secret scanners and people what it is.
pub const KEY_PREFIX: &str = "cyberdir_";

/// A key as staff see it (never the key itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyView {
    pub id: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub status: rules::KeyStatus,
    /// Valid and expiring within 60 days: time to rotate.
    pub expires_soon: bool,
    /// The expiry in French (Paris time).
    pub expires_fr: String,
}

/// A new key: shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedKey {
    /// The key, to give to the partner now: it cannot be shown again.
    pub secret: String,
    pub key: KeyView,
}

/// A key expiring soon, with its partner (for the staff's list).
#[derive(Debug, Clone, Serialize)]
pub struct Expiring {
    pub partner_id: String,
    pub key: KeyView,
}

pub fn view(row: &KeyRow, now: NaiveDateTime) -> KeyView {
    let status = rules::KeyStatus::at(row.expires_at, row.revoked_at, now);
    let valid = status == rules::KeyStatus::Valid;
    KeyView {
        id: row.id.clone(),
        prefix: format!("{}…", row.prefix),
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        status,
        expires_soon: valid && rules::key_expires_soon(row.expires_at, now),
        expires_fr: crate::french::datetime_fr(row.expires_at),
    }
}

fn unknown_partner() -> AppError {
    AppError::not_found("Ce partenaire n'existe pas.")
}

/// Issues a key (staff). With `replaces`, a rotation: the replaced key expires 30 days later
/// (or sooner if it was to). Refused when two keys are already valid.
pub fn issue(
    state: &Infra,
    staff: &Actor,
    partner_id: &str,
    replaces: Option<&str>,
) -> Result<IssuedKey, AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let random = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let secret = format!("{KEY_PREFIX}{random}");
    let row = KeyRow {
        id: uuid::Uuid::now_v7().to_string(),
        partner_id: partner_id.to_owned(),
        prefix: secret[..KEY_PREFIX.len() + 8].to_owned(),
        digest: tokens::digest(&secret),
        created_at: now,
        expires_at: rules::key_expiry(now),
        revoked_at: None,
    };
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        // Counted while holding the partner's key: two concurrent issues cannot both pass.
        crate::db::throttle::lock(conn, &format!("partner-keys:{partner_id}"))?;
        if !rules::is_public_id(partner_id) || !queries::exists(conn, partner_id)? {
            return Err(unknown_partner());
        }
        let valid = queries::valid_keys(conn, partner_id, now)?;
        if let Some(old) = replaces {
            let Some(old) = valid.iter().find(|k| k.id == old) else {
                return Err(AppError::field(
                    "replaces",
                    "La clé à remplacer n'est pas une clé valide de ce partenaire.",
                ));
            };
            queries::set_key_expiry(conn, &old.id, rules::replaced_expiry(old.expires_at, now))?;
        }
        if valid.len() as i64 >= rules::MAX_VALID_KEYS {
            return Err(AppError::Conflict(
                "Ce partenaire a déjà deux clés valides : révoquez celle qui ne sert plus avant d'en créer une autre.".into(),
            ));
        }
        queries::insert_key(conn, &row)?;
        let mut step = Step::new(now);
        let action = if replaces.is_some() {
            "rotate_key"
        } else {
            "issue_key"
        };
        step.record(Event::partner(partner_id, action, None, &row.prefix).by(Some(&staff.id)));
        step.write(conn)
    })?;
    Ok(IssuedKey {
        key: view(&row, now),
        secret,
    })
}

/// Revokes a valid key at once (staff).
pub fn revoke(
    state: &Infra,
    staff: &Actor,
    partner_id: &str,
    key_id: &str,
) -> Result<(), AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        if !queries::exists(conn, partner_id)? {
            return Err(unknown_partner());
        }
        if queries::revoke_key(conn, partner_id, key_id, now)? == 0 {
            return Err(AppError::Conflict(
                "Cette clé n'est plus valide (révoquée ou expirée) : rien à révoquer.".into(),
            ));
        }
        let mut step = Step::new(now);
        step.record(Event::partner(partner_id, "revoke_key", None, key_id).by(Some(&staff.id)));
        step.write(conn)
    })
}

/// A partner's keys, newest first (staff).
pub fn list(state: &Infra, staff: &Actor, partner_id: &str) -> Result<Vec<KeyView>, AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    if !rules::is_public_id(partner_id) || !queries::exists(&mut conn, partner_id)? {
        return Err(unknown_partner());
    }
    Ok(queries::keys_of(&mut conn, partner_id)?
        .iter()
        .map(|k| view(k, now))
        .collect())
}

/// The valid keys of every partner that expire within 60 days, soonest first (staff).
pub fn expiring(state: &Infra, staff: &Actor) -> Result<Vec<Expiring>, AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let before = now + chrono::Duration::days(rules::EXPIRING_SOON_DAYS);
    let mut conn = state.pool.get()?;
    Ok(queries::keys_expiring(&mut conn, now, before)?
        .iter()
        .map(|k| Expiring {
            partner_id: k.partner_id.clone(),
            key: view(k, now),
        })
        .collect())
}

/// Checks that `presented` (the `Authorization: Bearer` value) is a valid key of `partner_id`.
pub fn authenticate(state: &Infra, partner_id: &str, presented: &str) -> Result<(), AppError> {
    let refused = || {
        AppError::Unauthorized(
            "Clé d'API absente, inconnue, expirée ou révoquée : demandez une clé valide à l'équipe du dispositif.".into(),
        )
    };
    if !presented.starts_with(KEY_PREFIX) || presented.len() > 200 {
        return Err(refused());
    }
    let mut conn = state.pool.get()?;
    let key = queries::key_by_digest(&mut conn, &tokens::digest(presented))?.ok_or_else(refused)?;
    if !rules::key_is_valid(key.expires_at, key.revoked_at, state.clock.now_naive()) {
        return Err(refused());
    }
    if key.partner_id != partner_id {
        return Err(AppError::forbidden(
            "Cette clé donne accès aux chiffres d'un autre partenaire.",
        ));
    }
    Ok(())
}
