//! What a provider declares about its availability: how many requests it takes at once, and
//! when it is absent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{AbsenceView, AvailabilityView, OnCallDay};
use crate::db::assistance::{self as queries, AbsenceRow};
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::on_call::{self, OnCall};
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;
use crate::referencing::{self, Access};

/// Members change it; members and staff read it.
fn access(
    conn: &mut DbConnection,
    user: &Actor,
    provider_id: &str,
    change: bool,
) -> Result<(), AppError> {
    let (_, _, access) = referencing::load(conn, user, provider_id)?;
    if change && access == Access::Staff {
        return Err(AppError::forbidden(
            "Seuls les membres de l'organisation déclarent ses disponibilités.",
        ));
    }
    Ok(())
}

fn view(
    conn: &mut DbConnection,
    provider_id: &str,
    today: NaiveDate,
) -> Result<AvailabilityView, AppError> {
    let (capacity, open_requests) = queries::capacity_of(conn, provider_id)?;
    let on_call = on_call_of(conn, provider_id)?;
    Ok(AvailabilityView {
        on_call: on_call
            .to_form()
            .into_iter()
            .zip(on_call::DAYS)
            .map(|((start, end), day)| OnCallDay {
                day: day.to_owned(),
                start,
                end,
            })
            .collect(),
        on_call_summary: on_call.describe(),
        capacity,
        open_requests,
        absences: queries::absences_of(conn, provider_id, today)?
            .into_iter()
            .map(|a| AbsenceView {
                id: a.id,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
            })
            .collect(),
    })
}

pub fn read(state: &Infra, user: &Actor, provider_id: &str) -> Result<AvailabilityView, AppError> {
    let mut conn = state.pool.get()?;
    access(&mut conn, user, provider_id, false)?;
    view(&mut conn, provider_id, state.clock.today())
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct CapacityInput {
    /// Requests held at once, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    #[serde(deserialize_with = "crate::json::whole")]
    /// Requests taken at once (1 to 100).
    #[schema(required = true)]
    pub capacity: i32,
}

pub fn set_capacity(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    capacity: i32,
) -> Result<AvailabilityView, AppError> {
    if !(1..=100).contains(&capacity) {
        return Err(AppError::field(
            "capacity",
            "Indiquez un nombre de demandes de 1 à 100.",
        ));
    }
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        access(conn, user, provider_id, true)?;
        queries::set_capacity(conn, provider_id, capacity)?;
        view(conn, provider_id, state.clock.today())
    })
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct AbsenceInput {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

pub fn add_absence(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    input: &AbsenceInput,
) -> Result<AvailabilityView, AppError> {
    let today = state.clock.today();
    let mut errors = FieldErrors::new();
    match (input.starts_on, input.ends_on) {
        (Some(start), Some(end)) if end < start => {
            errors.insert(
                "ends_on".into(),
                vec!["La fin doit suivre le début.".into()],
            );
        }
        (Some(_), Some(end)) if end < today => {
            errors.insert(
                "ends_on".into(),
                vec!["Cette période est déjà passée.".into()],
            );
        }
        (Some(start), Some(end)) if (end - start).num_days() > 366 => {
            errors.insert(
                "ends_on".into(),
                vec!["Une absence dure au plus un an.".into()],
            );
        }
        (start, end) => {
            if start.is_none() {
                errors.insert(
                    "starts_on".into(),
                    vec!["Indiquez le premier jour (AAAA-MM-JJ).".into()],
                );
            }
            if end.is_none() {
                errors.insert(
                    "ends_on".into(),
                    vec!["Indiquez le dernier jour (AAAA-MM-JJ).".into()],
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(starts_on), Some(ends_on)) = (input.starts_on, input.ends_on) else {
        return Err(AppError::Internal("checked absence without dates".into()));
    };
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        access(conn, user, provider_id, true)?;
        queries::insert_absence(
            conn,
            &AbsenceRow {
                id: uuid::Uuid::now_v7().to_string(),
                provider_id: provider_id.to_owned(),
                starts_on,
                ends_on,
                created_at: state.clock.now_naive(),
            },
        )?;
        view(conn, provider_id, today)
    })
}

pub fn remove_absence(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    absence_id: &str,
) -> Result<AvailabilityView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        access(conn, user, provider_id, true)?;
        if !queries::delete_absence(conn, provider_id, absence_id)? {
            return Err(AppError::not_found("Absence introuvable."));
        }
        view(conn, provider_id, state.clock.today())
    })
}

/// A provider's declared on-call hours (none when it declared none, or the stored text is not
/// readable: then it is simply not on call).
fn on_call_of(conn: &mut DbConnection, provider_id: &str) -> Result<OnCall, AppError> {
    Ok(queries::on_call_of(conn, provider_id)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// The week's on-call hours, Monday first.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OnCallInput {
    /// Seven days, Monday first; a day without has an empty start and end.
    #[schema(required = true)]
    pub days: Vec<OnCallDay>,
}

/// Declares the on-call hours (replacing the previous ones); all days empty removes them.
pub fn set_on_call(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    input: &OnCallInput,
) -> Result<AvailabilityView, AppError> {
    let Ok(days) = <[OnCallDay; 7]>::try_from(input.days.clone()) else {
        return Err(AppError::field(
            "days",
            "Indiquez les sept jours de la semaine, du lundi au dimanche.",
        ));
    };
    let entries = days.map(|d| (d.start, d.end));
    let schedule = OnCall::from_form(&entries).map_err(|errors| {
        let mut fields = FieldErrors::new();
        for (day, message) in errors {
            fields.insert(format!("on_call_{day}"), vec![message]);
        }
        AppError::Validation(fields)
    })?;
    let json = if schedule.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&schedule).map_err(|e| AppError::Internal(e.to_string()))?)
    };
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        access(conn, user, provider_id, true)?;
        queries::set_on_call(conn, provider_id, json.as_deref(), state.clock.now_naive())?;
        view(conn, provider_id, state.clock.today())
    })
}
