//! The members of an organisation: the list, invitations and joining.

use super::views::{JoinedOrganisation, MemberView};
use super::*;
use crate::auth::Role;
use crate::db::{accounts, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::referencing::OrganisationInvitation;

pub fn members(state: &Infra, user: &Actor, id: &str) -> Result<Vec<MemberView>, AppError> {
    let mut conn = state.pool.get()?;
    load(&mut conn, user, id)?;
    Ok(accounts::members(&mut conn, id)?
        .into_iter()
        .map(|(u, is_owner)| MemberView {
            user_id: u.id,
            email: u.email,
            display_name: u.display_name,
            is_owner,
        })
        .collect())
}

pub const INVITATION_DAYS: i64 = 7;

/// The owner invites someone by email to join the organisation.
pub fn invite(state: &Infra, user: &Actor, id: &str, email: &str) -> Result<(), AppError> {
    let email = crate::auth::accounts::normalise_email(email);
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(AppError::field("email", "Adresse électronique invalide."));
    }
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let (provider, _, access) = load(conn, user, id)?;
        if !require_member(access)? {
            return Err(AppError::forbidden(
                "Seul le responsable de l'organisation peut inviter des membres.",
            ));
        }
        let token = crate::auth::accounts::issue_token(
            conn,
            state,
            crate::auth::accounts::INVITATION,
            None,
            &email,
            Some(id),
            chrono::Duration::days(INVITATION_DAYS),
        )?;
        let mut step = Step::new(now);
        step.mail(
            state,
            &email,
            &OrganisationInvitation {
                inviter_name: user.display_name.clone(),
                provider_name: provider.display_name(),
                accept_url: format!("{}/espace/invitations?token={token}", state.config.base_url),
                days: INVITATION_DAYS,
            },
        )?;
        step.record(Event::provider_note(&provider, "invite").by(Some(&user.id)));
        step.write(conn)
    })
}

/// The signed-in invitee joins the organisation (the invitation is for their address only).
pub fn accept_invitation(
    state: &Infra,
    user: &Actor,
    token: &str,
) -> Result<JoinedOrganisation, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let invalid = || {
            AppError::field(
                "token",
                "Cette invitation est invalide, expirée ou déjà utilisée.",
            )
        };
        let found = accounts::consume_token(
            conn,
            &crate::auth::tokens::digest(token),
            crate::auth::accounts::INVITATION,
            now,
        )?
        .ok_or_else(invalid)?;
        if found.email != user.email {
            return Err(AppError::forbidden(
                "Cette invitation a été envoyée à une autre adresse électronique.",
            ));
        }
        if user.role != Role::Provider {
            return Err(AppError::forbidden(
                "Seuls les comptes prestataires peuvent rejoindre une organisation.",
            ));
        }
        let provider_id = found.provider_id.ok_or_else(invalid)?;
        accounts::add_member(conn, &provider_id, &user.id, false, now)?;
        let (provider, _) = providers::find(conn, &provider_id)?.ok_or_else(not_found)?;
        audit::record(
            conn,
            now,
            Event::provider_note(&provider, "join").by(Some(&user.id)),
        )?;
        Ok(JoinedOrganisation {
            provider_id,
            member: MemberView {
                user_id: user.id.clone(),
                email: user.email.clone(),
                display_name: user.display_name.clone(),
                is_owner: false,
            },
        })
    })
}

/// The organisations `user` belongs to, as their applications.
pub fn organisations_of(
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    user: &Actor,
) -> Result<Vec<ApplicationView>, AppError> {
    let ids = {
        let mut conn = state.pool.get()?;
        accounts::organisations_of(&mut conn, &user.id)?
    };
    ids.iter()
        .map(|id| super::application(state, charter, user, id))
        .collect()
}
