//! Admins invite the platform's own people (staff, auditors, editors, chat operators, admins)
//! from the back office: the account is created without a password, and the emailed link
//! (valid `INVITATION_DAYS`, once) lets the person choose one, through the page that resets a
//! password. Following it also proves the address.

use chrono::Duration;

use super::accounts::{PASSWORD_RESET, issue_token, new_user, normalise_email};
use crate::db::accounts;
use crate::domain::actor::{Actor, Role};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;
use crate::mail::emails::accounts::StaffInvitation;

/// How long an invitation's link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// The roles an admin invites (providers sign up themselves).
pub const INVITED_ROLES: [Role; 5] = [
    Role::Staff,
    Role::Auditor,
    Role::Editor,
    Role::Operator,
    Role::Admin,
];

/// An invitation as typed.
#[derive(Debug, Default, Clone)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub role: String,
}

/// Creates the account and emails its link, in one transaction; every field checked first.
/// Returns the new account's address.
pub fn invite(state: &Infra, admin: &Actor, invitation: &Invitation) -> Result<String, AppError> {
    admin.require_admin()?;
    let email = normalise_email(&invitation.email);
    let name = invitation.name.trim();
    let mut errors = FieldErrors::new();
    if !email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace) {
        push_error(&mut errors, "email", "Adresse électronique invalide.");
    }
    if name.is_empty() || name.chars().count() > 100 {
        push_error(
            &mut errors,
            "name",
            "Indiquez le nom de la personne (100 caractères au plus).",
        );
    }
    let role = Role::parse(invitation.role.trim()).filter(|r| INVITED_ROLES.contains(r));
    if role.is_none() {
        push_error(&mut errors, "role", "Choisissez le rôle de la personne.");
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    crate::db::write_transaction(&mut conn, |conn| {
        if accounts::user_by_email(conn, &email)?.is_some() {
            return Err(AppError::field(
                "email",
                format!("Un compte existe déjà pour {email}."),
            ));
        }
        // No password can match "!": the person chooses one through the link.
        let user = new_user(&email, name, "!".to_owned(), role, None, now);
        accounts::insert_user(conn, &user)?;
        let token = issue_token(
            conn,
            state,
            PASSWORD_RESET,
            Some(&user.id),
            &email,
            None,
            Duration::days(INVITATION_DAYS),
        )?;
        state.mailer.enqueue(
            conn,
            &state.clock,
            &email,
            &StaffInvitation {
                name: name.to_owned(),
                inviter: admin.display_name.clone(),
                role: role.label().to_owned(),
                url: format!(
                    "{}/mot-de-passe/nouveau?token={token}",
                    state.config.base_url
                ),
                days: INVITATION_DAYS,
            },
        )?;
        Ok(email.clone())
    })
}
