//! Choosing the next provider for a request: who is eligible, the fair choice among them, the
//! offer with its deadline, or the staff queue when nobody can take it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{MAX_FAILED_ASSIGNMENTS, event, notify};
use crate::AppState;
use crate::db::DbConnection;
use crate::db::assistance::{self as queries, AssignmentRow, RequestRow};
use crate::domain::assistance::{Eligible, RequestStatus, choose};
use crate::domain::audience::Audience;
use crate::domain::matching::Query;
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::geo::provider_index::Snapshot;

/// Providers who may take the request now, nearest first: approved (the directory index holds
/// only those), covering the place, serving the audience and the incident, not absent today,
/// below capacity, and not already tried for this request.
pub fn eligible(
    conn: &mut DbConnection,
    state: &AppState,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<(Arc<Snapshot>, Vec<Eligible>), AppError> {
    let snapshot = state.directory.snapshot(conn, &state.taxonomy)?;
    let today = now.date();
    let query = Query {
        latitude: row.latitude,
        longitude: row.longitude,
        departement: row.departement.clone(),
        incident: state.taxonomy.position(&row.incident_type),
        audience: Audience::parse(&row.audience),
        labelled_on: None,
        include_remote: false,
    };
    let matches = snapshot.search(&query);
    let ids: Vec<String> = matches
        .iter()
        .map(|m| snapshot.provider(m).id.clone())
        .collect();
    if ids.is_empty() {
        return Ok((snapshot, Vec::new()));
    }
    // Providers are only ever tried after a decline or a timeout, which count as failures.
    let mut excluded: HashSet<String> = if row.failed_assignments > 0 {
        queries::providers_tried(conn, &row.id)?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    excluded.extend(queries::absent_on(conn, &ids, today)?);
    excluded.extend(queries::full_providers(conn, &ids)?);
    let recent: HashMap<String, i64> =
        queries::recent_assignment_counts(conn, &ids, now - chrono::Duration::days(30))?
            .into_iter()
            .collect();
    let eligible = matches
        .iter()
        .map(|m| (m, snapshot.provider(m)))
        .filter(|(_, p)| !excluded.contains(&p.id))
        .map(|(m, p)| Eligible {
            provider_id: p.id.clone(),
            distance_km: m.distance_km,
            labelled: p.label.as_ref().is_some_and(|l| l.is_valid_on(today)),
            recent_assignments: recent.get(&p.id).copied().unwrap_or(0),
        })
        .collect();
    Ok((snapshot, eligible))
}

/// Offers the request to the next provider, or sends it to staff when none is eligible or after
/// too many unsuccessful offers. Runs inside the caller's transaction; writes `row`.
pub fn assign_next(
    conn: &mut DbConnection,
    state: &AppState,
    row: &mut RequestRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if row.failed_assignments >= MAX_FAILED_ASSIGNMENTS {
        return escalate(
            conn,
            state,
            row,
            now,
            &format!(
                "{} professionnels sollicités n'ont pas pu prendre la demande.",
                row.failed_assignments
            ),
        );
    }
    let (snapshot, mut candidates) = eligible(conn, state, row, now)?;
    // Only the victim's first choice counts: after a decline, the fair choice takes over.
    let wanted = (row.failed_assignments == 0)
        .then(|| row.chosen_provider_id.clone())
        .flatten();
    while let Some(choice) = choose(&candidates, wanted.as_deref()) {
        if queries::take_place(conn, &choice.provider_id)? {
            // The directory snapshot already holds the provider: no need to read it again.
            let provider = match snapshot.get(&choice.provider_id) {
                Some(p) => p.clone(),
                None => {
                    crate::db::providers::find(conn, &choice.provider_id)?
                        .ok_or_else(|| AppError::not_found("Prestataire introuvable."))?
                        .0
                }
            };
            return offer(conn, state, row, &provider, &choice.why, None, now);
        }
        // Filled up since we looked: try the others.
        candidates.retain(|c| c.provider_id != choice.provider_id);
    }
    escalate(
        conn,
        state,
        row,
        now,
        "Aucun professionnel disponible ne couvre ce lieu pour ce type d'incident.",
    )
}

/// Creates the pending offer and emails the provider.
pub fn offer(
    conn: &mut DbConnection,
    state: &AppState,
    row: &mut RequestRow,
    provider: &Provider,
    why: &str,
    assigned_by: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let assignment = AssignmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: row.id.clone(),
        provider_id: provider.id.clone(),
        status: "pending".into(),
        why: why.to_owned(),
        assigned_by: assigned_by.map(str::to_owned),
        decline_reason: None,
        decline_text: None,
        offered_at: now,
        expires_at: now + state.config.assignment_timeout,
        answered_at: None,
    };
    queries::insert_assignment(conn, &assignment)?;
    let from = row.status.clone();
    row.status = RequestStatus::Assigned.as_str().to_owned();
    row.provider_id = Some(provider.id.clone());
    write(conn, row, now)?;
    event(
        conn,
        &row.id,
        assigned_by,
        if assigned_by.is_some() {
            "staff-assign"
        } else {
            "offer"
        },
        (Some(&from), &row.status),
        Some(why),
        now,
    )?;
    notify::offer(conn, state, row, provider, &assignment)
}

fn escalate(
    conn: &mut DbConnection,
    state: &AppState,
    row: &mut RequestRow,
    now: NaiveDateTime,
    why: &str,
) -> Result<(), AppError> {
    let from = row.status.clone();
    row.status = RequestStatus::Escalated.as_str().to_owned();
    row.provider_id = None;
    write(conn, row, now)?;
    event(
        conn,
        &row.id,
        None,
        "escalate",
        (Some(&from), &row.status),
        Some(why),
        now,
    )?;
    notify::escalated(conn, state, row, why)
}

/// Saves the request's state; the version check catches a concurrent change.
pub fn write(
    conn: &mut DbConnection,
    row: &mut RequestRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if !queries::update_request(conn, row, now)? {
        return Err(AppError::Conflict(
            "La demande vient d'être modifiée par ailleurs : rechargez-la et recommencez.".into(),
        ));
    }
    row.version += 1;
    row.updated_at = now;
    Ok(())
}
