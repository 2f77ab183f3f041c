//! The staff queue of applications: one selection (filters, counts per state, a page), shared by
//! the API (`GET /api/v1/applications`) and the page (`/instruction`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::referencing as queries;
use crate::domain::actor::Actor;
use crate::domain::provider::ReferencingStatus;
use crate::domain::referencing::ChangeRequestStatus;
use crate::domain::zone::{departement_of_commune, departement_of_postcode};
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::referencing::QueueRow;

/// What staff filter the queue by; `since` and `until` are instants (each front door decides
/// how a typed day becomes one).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<ReferencingStatus>,
    pub departement: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// One page of the queue.
#[derive(Debug, Default)]
pub struct QueuePage {
    /// Applications per state, over every filter but the state.
    pub counts: BTreeMap<String, i64>,
    /// Applications matching every filter.
    pub total: usize,
    pub lines: Vec<QueueRow>,
}

/// The département of an application's address (from its commune, else its postcode).
pub fn departement_of(row: &QueueRow) -> Option<String> {
    row.commune_code
        .as_deref()
        .and_then(departement_of_commune)
        .map(str::to_owned)
        .or_else(|| departement_of_postcode(&row.postcode))
}

/// The applications matching `filter`, `limit` of them from `offset`, with the counts (staff).
pub fn select(
    state: &Infra,
    staff: &Actor,
    filter: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<QueuePage, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let rows = queries::queue(&mut conn, None, filter.since, filter.until)?;
    let in_departement: Vec<QueueRow> = rows
        .into_iter()
        .filter(|r| {
            filter
                .departement
                .as_ref()
                .is_none_or(|d| departement_of(r).as_ref() == Some(d))
        })
        .collect();
    let mut counts = BTreeMap::new();
    for r in &in_departement {
        *counts.entry(r.status.clone()).or_insert(0) += 1;
    }
    let selected: Vec<QueueRow> = in_departement
        .into_iter()
        .filter(|r| filter.status.is_none_or(|s| r.status == s.as_str()))
        .collect();
    let total = selected.len();
    let lines = selected.into_iter().skip(offset).take(limit).collect();
    Ok(QueuePage {
        counts,
        total,
        lines,
    })
}

/// Change requests waiting for staff (the queue's reminder).
pub fn pending_change_requests(state: &Infra, staff: &Actor) -> Result<usize, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::change_requests_by_status(&mut conn, ChangeRequestStatus::Pending)?.len())
}
