//! What supervisors (and admins) manage: each operator's force, capacity and role, and the
//! canned responses offered in the console.

use super::console::{CannedView, is_supervisor, operator_of};
use super::hub::Hub;
use super::routing;
use crate::audit::Event;
use crate::db::chat::{self as queries, CannedRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::chat::{self as rules, Force};
use crate::error::AppError;
use crate::infra::Infra;

/// A supervisor sets an operator's force, capacity and role.
pub fn set_operator(
    state: &Infra,
    hub: &Hub,
    actor: &Actor,
    user_id: &str,
    force: &str,
    capacity: &str,
    supervisor: bool,
) -> Result<(), AppError> {
    let force = Force::parse(force).ok_or_else(|| {
        AppError::field(
            "force",
            "Choisissez la police, la gendarmerie ou l'équipe de la plateforme.",
        )
    })?;
    let capacity: i32 = capacity
        .trim()
        .parse()
        .ok()
        .filter(|c| (1..=10).contains(c))
        .ok_or_else(|| {
            AppError::field(
                "capacity",
                "Indiquez un nombre d'échanges simultanés de 1 à 10.",
            )
        })?;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let me = operator_of(conn, state, actor)?;
        if !is_supervisor(actor, &me) {
            return Err(AppError::forbidden(
                "Seuls les superviseurs règlent les opérateurs.",
            ));
        }
        if !queries::update_operator(conn, user_id, force.code(), capacity, supervisor)? {
            return Err(AppError::not_found("Opérateur introuvable."));
        }
        crate::audit::record(
            conn,
            state.clock.now_naive(),
            Event::operator(user_id, force.code()).by(Some(&actor.id)),
        )
    })?;
    drop(conn);
    routing::dispatch(state, hub)?;
    Ok(())
}

/// The canned responses, for supervisors to manage.
pub fn canned(state: &Infra, actor: &Actor) -> Result<Vec<CannedView>, AppError> {
    let mut conn = state.pool.get()?;
    let me = operator_of(&mut conn, state, actor)?;
    if !is_supervisor(actor, &me) {
        return Err(AppError::forbidden(
            "Seuls les superviseurs gèrent les réponses types.",
        ));
    }
    Ok(queries::canned(&mut conn)?
        .into_iter()
        .map(|c| CannedView {
            id: c.id,
            title: c.title,
            body: c.body,
        })
        .collect())
}

/// Adds (`id` empty) or changes a canned response; `title` and `body` required.
pub fn save_canned(
    state: &Infra,
    actor: &Actor,
    id: &str,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 120 {
        errors.insert(
            "title".into(),
            vec!["Donnez un titre court (120 caractères au plus).".into()],
        );
    }
    let body = match rules::clean_message(body) {
        Ok(b) => b,
        Err(m) => {
            errors.insert("body".into(), vec![m.into()]);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let me = operator_of(conn, state, actor)?;
        if !is_supervisor(actor, &me) {
            return Err(AppError::forbidden(
                "Seuls les superviseurs gèrent les réponses types.",
            ));
        }
        let id = if id.trim().is_empty() {
            uuid::Uuid::now_v7().to_string()
        } else {
            id.trim().to_owned()
        };
        queries::upsert_canned(
            conn,
            &CannedRow {
                id,
                title: title.to_owned(),
                body: body.clone(),
                updated_by: Some(actor.id.clone()),
                updated_at: state.clock.now_naive(),
            },
        )?;
        Ok(())
    })
}

pub fn delete_canned(state: &Infra, actor: &Actor, id: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let me = operator_of(conn, state, actor)?;
        if !is_supervisor(actor, &me) {
            return Err(AppError::forbidden(
                "Seuls les superviseurs gèrent les réponses types.",
            ));
        }
        if !queries::delete_canned(conn, id)? {
            return Err(AppError::not_found("Réponse type introuvable."));
        }
        Ok(())
    })
}
