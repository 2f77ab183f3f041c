//! Writing the observatory's facts, inside the transaction of the step that produces them: a
//! journey as it goes, a request from its creation to its end. A fact keeps no name, no free
//! text, no address: the département at most, and the day.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::db::assistance::RequestRow;
use crate::db::diagnostic::JourneyRow;
use crate::db::observatory::{self as queries, FactValues};
use crate::domain::assistance::RequestStatus;
use crate::domain::observatory::{FactKind, JOURNEY_STARTED};
use crate::error::AppError;
use crate::infra::Infra;

/// Where a journey or a request came from: the pages, the API, or a partner's module.
pub const CHANNEL_SITE: &str = "site";
pub const CHANNEL_API: &str = "api";
pub const CHANNEL_MODULE: &str = "module";

/// A channel, with the partner for the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub code: &'static str,
    pub partner: Option<String>,
}

impl Channel {
    pub const SITE: Channel = Channel {
        code: CHANNEL_SITE,
        partner: None,
    };
    pub const API: Channel = Channel {
        code: CHANNEL_API,
        partner: None,
    };

    pub fn module(partner: &str) -> Channel {
        Channel {
            code: CHANNEL_MODULE,
            partner: Some(partner.to_owned()),
        }
    }
}

/// The category and région a fact carries, frozen at the time it is written.
fn located(state: &Infra, incident_type: Option<&str>, departement: Option<&str>) -> Located {
    Located {
        category: incident_type
            .and_then(|code| state.taxonomy.get(code))
            .map(|t| t.category.clone()),
        region: departement
            .and_then(|code| state.departements.get(code))
            .map(|d| d.region_code()),
    }
}

struct Located {
    category: Option<String>,
    region: Option<String>,
}

/// A journey's fact, as the journey now stands.
pub fn record_journey(
    conn: &mut DbConnection,
    state: &Infra,
    journey: &JourneyRow,
) -> Result<(), AppError> {
    let located = located(
        state,
        journey.incident_type.as_deref(),
        journey.departement.as_deref(),
    );
    let revision = queries::next_revision(conn)?;
    queries::put(
        conn,
        &FactValues {
            source_id: journey.id.clone(),
            kind: FactKind::Journey.code().into(),
            occurred_on: journey.started_on,
            audience: journey.audience.clone(),
            incident_type: journey.incident_type.clone(),
            category: located.category,
            departement: journey.departement.clone(),
            region: located.region,
            channel: journey.channel.clone(),
            partner: journey.partner.clone(),
            outcome: journey
                .ending
                .clone()
                .unwrap_or_else(|| JOURNEY_STARTED.into()),
            urgency: journey.urgency.clone(),
            counted: true,
            escalated: false,
            minutes_to_acceptance: None,
            confirmed_incident_type: None,
            revision,
        },
    )?;
    Ok(())
}

/// A new request's fact.
pub fn record_request(
    conn: &mut DbConnection,
    state: &Infra,
    row: &RequestRow,
    channel: &Channel,
) -> Result<(), AppError> {
    let located = located(state, Some(&row.incident_type), row.departement.as_deref());
    let revision = queries::next_revision(conn)?;
    queries::put(
        conn,
        &FactValues {
            source_id: row.id.clone(),
            kind: FactKind::Request.code().into(),
            occurred_on: crate::french::paris_date(row.created_at),
            audience: Some(row.audience.clone()),
            incident_type: Some(row.incident_type.clone()),
            category: located.category,
            departement: row.departement.clone(),
            region: located.region,
            channel: channel.code.to_owned(),
            partner: channel.partner.clone(),
            outcome: row.status.as_str().into(),
            urgency: None,
            counted: true,
            escalated: row.status == RequestStatus::Escalated,
            minutes_to_acceptance: minutes_to(row, row.created_at),
            confirmed_incident_type: None,
            revision,
        },
    )?;
    Ok(())
}

fn minutes_to(row: &RequestRow, now: NaiveDateTime) -> Option<i32> {
    (row.status == RequestStatus::Accepted)
        .then(|| i32::try_from((now - row.created_at).num_minutes().max(0)).unwrap_or(i32::MAX))
}

/// A request's fact follows its state: its status, whether it ever went to staff, and the
/// time its first acceptance took (kept when a provider later withdraws).
pub fn follow_request(
    conn: &mut DbConnection,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    change(conn, &row.id, |fact| {
        fact.outcome = row.status.as_str().into();
        fact.escalated |= row.status == RequestStatus::Escalated;
        if fact.minutes_to_acceptance.is_none() {
            fact.minutes_to_acceptance = minutes_to(row, now);
        }
    })
}

/// The incident type the provider's report confirmed.
pub fn confirm_incident(
    conn: &mut DbConnection,
    request_id: &str,
    confirmed: &str,
) -> Result<(), AppError> {
    change(conn, request_id, |fact| {
        fact.confirmed_incident_type = Some(confirmed.to_owned());
    })
}

/// A request sent from a journey is counted once, as its journey.
pub fn counted_by_journey(conn: &mut DbConnection, request_id: &str) -> Result<(), AppError> {
    change(conn, request_id, |fact| fact.counted = false)
}

/// Applies `edit` to the fact of `source_id` and writes it under a new revision, unless it
/// changed nothing (most request writes change no fact: the readers need not catch up).
fn change(
    conn: &mut DbConnection,
    source_id: &str,
    edit: impl FnOnce(&mut FactValues),
) -> Result<(), AppError> {
    let Some(fact) = queries::by_source(conn, source_id)? else {
        return Ok(());
    };
    let mut values = fact.values.clone();
    edit(&mut values);
    if values == fact.values {
        return Ok(());
    }
    values.revision = queries::next_revision(conn)?;
    queries::put(conn, &values)?;
    Ok(())
}
