//! Choosing the next provider for a request: who is eligible, the fair choice among them, the
//! offer with its deadline, or the staff queue when nobody can take it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::{MAX_FAILED_ASSIGNMENTS, notify};
use crate::audit::{Event, Step};
use crate::db::DbConnection;
use crate::db::assistance::{self as queries, AssignmentRow, Candidate, RequestRow};
use crate::directory::index::Snapshot;
use crate::domain::assistance::{
    AssignmentStatus, Eligible, RequestStatus, choose, fair_radius_km,
};
use crate::domain::audience::Audience;
use crate::domain::matching::Query;
use crate::domain::on_call::{self, URGENT_PARALLEL_OFFERS};
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::infra::Infra;

/// The providers the choice weighs, nearest first: approved (the directory index holds only
/// those), covering the place, serving the audience and the incident, not absent today, below
/// capacity, not already tried for this request, not in `passed_over`; and of those, only the
/// ones within the fair radius of the nearest, plus the victim's `wanted` provider: the others
/// cannot be chosen, so their recent assignments are not counted.
pub fn eligible(
    conn: &mut DbConnection,
    snapshot: &Snapshot,
    state: &Infra,
    row: &RequestRow,
    now: NaiveDateTime,
    wanted: Option<&str>,
    passed_over: &HashSet<String>,
) -> Result<Vec<Eligible>, AppError> {
    eligible_within(conn, snapshot, state, row, now, wanted, passed_over, false)
}

/// [`eligible`], or with `every_distance` all the available ones, nearest first (an urgent
/// request goes to the nearest few, whatever the fair radius).
#[allow(clippy::too_many_arguments)]
fn eligible_within(
    conn: &mut DbConnection,
    snapshot: &Snapshot,
    state: &Infra,
    row: &RequestRow,
    now: NaiveDateTime,
    wanted: Option<&str>,
    passed_over: &HashSet<String>,
    every_distance: bool,
) -> Result<Vec<Eligible>, AppError> {
    let today = crate::french::paris_date(now);
    let query = Query {
        latitude: row.latitude,
        longitude: row.longitude,
        departement: row.departement.clone(),
        incident: state.taxonomy.position(&row.incident_type),
        audience: Audience::parse(&row.audience),
        labelled_on: None,
        insured_on: Some(today),
        include_remote: false,
    };
    // Providers are only ever tried after a decline or a timeout, which count as failures.
    let mut excluded: HashSet<String> = passed_over.clone();
    if row.failed_assignments > 0 {
        excluded.extend(queries::providers_tried(conn, &row.id)?);
    }
    let matches: Vec<_> = snapshot
        .search(&query)
        .into_iter()
        .map(|m| (snapshot.provider(&m), m.distance_km))
        .filter(|(p, _)| !excluded.contains(&p.id))
        .collect();
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    // Counts are read at once for those within the fair radius of the nearest match, which is
    // the radius when the nearest is available (the usual case).
    let since = now - chrono::Duration::days(30);
    let first_guess = fair_radius_km(matches[0].1);
    let candidates: Vec<Candidate> = matches
        .iter()
        .map(|(p, km)| Candidate { id: &p.id, km: *km })
        .collect();
    let read: HashMap<String, Option<i64>> =
        queries::availability(conn, &candidates, first_guess, today, since)?
            .into_iter()
            .filter(|a| !a.unavailable)
            .map(|a| (a.provider_id, a.recent))
            .collect();
    let available: Vec<_> = matches
        .into_iter()
        .filter_map(|(p, km)| read.get(&p.id).map(|recent| (p, km, *recent)))
        .collect();
    let Some(&(_, nearest_km, _)) = available.first() else {
        return Ok(Vec::new());
    };
    let radius = fair_radius_km(nearest_km);
    let weighed: Vec<_> = available
        .into_iter()
        .filter(|(p, km, _)| every_distance || *km <= radius || wanted == Some(p.id.as_str()))
        .collect();
    // The nearest ones were absent or full: count for those the first read left out.
    let uncounted: Vec<String> = weighed
        .iter()
        .filter(|(_, km, recent)| recent.is_none() && *km <= radius)
        .map(|(p, _, _)| p.id.clone())
        .collect();
    let more: HashMap<String, i64> = if uncounted.is_empty() {
        HashMap::new()
    } else {
        queries::recent_assignment_counts(conn, &uncounted, since)?
            .into_iter()
            .collect()
    };
    Ok(weighed
        .into_iter()
        .map(|(p, distance_km, recent)| Eligible {
            provider_id: p.id.clone(),
            distance_km,
            labelled: p.label.as_ref().is_some_and(|l| l.is_valid_on(today)),
            recent_assignments: recent.or_else(|| more.get(&p.id).copied()).unwrap_or(0),
        })
        .collect())
}

/// Where a request goes next.
pub enum Decision {
    /// To this provider, whose place is already taken in its capacity.
    Offer {
        provider: Box<Provider>,
        why: String,
    },
    /// An urgent request, to these providers at once (the first to accept takes it), each
    /// place already taken.
    OfferAtOnce {
        offers: Vec<(Box<Provider>, String)>,
    },
    /// To staff.
    Escalate { why: String },
}

/// Chooses the next provider and takes a place in its capacity, or decides to send the request
/// to staff when none is eligible or after too many unsuccessful offers. Writes nothing of the
/// request itself: [`carry_out`] does.
pub fn decide(
    conn: &mut DbConnection,
    state: &Infra,
    snapshot: &Snapshot,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<Decision, AppError> {
    if row.failed_assignments >= MAX_FAILED_ASSIGNMENTS {
        return Ok(Decision::Escalate {
            why: format!(
                "{} professionnels sollicités n'ont pas pu prendre la demande.",
                row.failed_assignments
            ),
        });
    }
    if row.urgent {
        return decide_urgent(conn, state, snapshot, row, now);
    }
    // Only the victim's first choice counts: after a decline, the fair choice takes over.
    let wanted = (row.failed_assignments == 0)
        .then(|| row.chosen_provider_id.clone())
        .flatten();
    let mut filled_up: HashSet<String> = HashSet::new();
    loop {
        let candidates = eligible(
            conn,
            snapshot,
            state,
            row,
            now,
            wanted.as_deref(),
            &filled_up,
        )?;
        let Some(choice) = choose(&candidates, wanted.as_deref()) else {
            break;
        };
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
            return Ok(Decision::Offer {
                provider: Box::new(provider),
                why: why_fr(&choice.why),
            });
        }
        // Filled up since we looked: choose among the others.
        filled_up.insert(choice.provider_id);
    }
    Ok(Decision::Escalate {
        why: "Aucun professionnel disponible ne couvre ce lieu pour ce type d'incident.".into(),
    })
}

/// An urgent request goes to the nearest available providers at once, at most
/// [`URGENT_PARALLEL_OFFERS`]; out of office hours, only to those on call then.
fn decide_urgent(
    conn: &mut DbConnection,
    state: &Infra,
    snapshot: &Snapshot,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<Decision, AppError> {
    let local = crate::french::paris(now);
    let night = !on_call::is_office_hours(local);
    let mut passed_over: HashSet<String> = HashSet::new();
    let mut offers: Vec<(Box<Provider>, String)> = Vec::new();
    loop {
        let mut candidates =
            eligible_within(conn, snapshot, state, row, now, None, &passed_over, true)?;
        if night {
            let ids: Vec<String> = candidates.iter().map(|c| c.provider_id.clone()).collect();
            let on_duty: HashSet<String> = queries::on_call_among(conn, &ids)?
                .into_iter()
                .filter(|(_, json)| {
                    serde_json::from_str::<on_call::OnCall>(json).is_ok_and(|o| o.covers(local))
                })
                .map(|(id, _)| id)
                .collect();
            candidates.retain(|c| on_duty.contains(&c.provider_id));
        }
        let wanted = URGENT_PARALLEL_OFFERS - offers.len();
        let chosen: Vec<Eligible> = on_call::nearest_for_urgent(&candidates)
            .into_iter()
            .take(wanted)
            .cloned()
            .collect();
        if chosen.is_empty() {
            break;
        }
        for choice in chosen {
            passed_over.insert(choice.provider_id.clone());
            if !queries::take_place(conn, &choice.provider_id)? {
                continue;
            }
            let provider = match snapshot.get(&choice.provider_id) {
                Some(p) => p.clone(),
                None => match crate::db::providers::find(conn, &choice.provider_id)? {
                    Some((p, _)) => p,
                    None => continue,
                },
            };
            let why = format!(
                "Demande urgente : proposée en même temps aux professionnels disponibles les plus proches{} (celui-ci à {}).",
                if night { " d'astreinte" } else { "" },
                crate::french::km(choice.distance_km)
            );
            offers.push((Box::new(provider), why));
        }
        if offers.len() == URGENT_PARALLEL_OFFERS {
            break;
        }
    }
    if offers.is_empty() {
        return Ok(Decision::Escalate {
            why: if night {
                "Demande urgente : aucun professionnel d'astreinte disponible ne couvre ce lieu à cette heure.".into()
            } else {
                "Demande urgente : aucun professionnel disponible ne couvre ce lieu pour ce type d'incident.".into()
            },
        });
    }
    Ok(Decision::OfferAtOnce { offers })
}

impl Decision {
    /// The request's state once the decision is carried out.
    pub fn apply_to(&self, row: &mut RequestRow) {
        match self {
            Self::Offer { provider, .. } => {
                row.status = RequestStatus::Assigned;
                row.provider_id = Some(provider.id.clone());
            }
            // Nobody holds it until one accepts.
            Self::OfferAtOnce { .. } => {
                row.status = RequestStatus::Assigned;
                row.provider_id = None;
            }
            Self::Escalate { .. } => {
                row.status = RequestStatus::Escalated;
                row.provider_id = None;
            }
        }
    }
}

/// Offers the request to the next provider, or sends it to staff. Runs inside the caller's
/// transaction; writes `row`.
pub fn assign_next(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    row: &mut RequestRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let snapshot = crate::directory::snapshot_on(state, index, conn)?;
    let decision = decide(conn, state, &snapshot, row, now)?;
    let from = row.status;
    decision.apply_to(row);
    write(conn, row, now)?;
    carry_out(conn, step, state, row, &decision, from, now)
}

/// What follows a decision already applied to the stored `row` (which was in state `from`):
/// the offer with its audit event and emails, or the staff queue's.
pub fn carry_out(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    decision: &Decision,
    from: RequestStatus,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    match decision {
        Decision::Offer { provider, why } => {
            let expires_at = now + state.config.assignment_timeout;
            step.record(
                Event::request(&row.id, "offer", Some(from), row.status).because(Some(why)),
            );
            record_offer(
                conn,
                step,
                state,
                row,
                (provider, why),
                None,
                expires_at,
                0,
                now,
            )
        }
        Decision::OfferAtOnce { offers } => {
            let expires_at = now + state.config.urgent_assignment_timeout;
            let names: Vec<&str> = offers.iter().map(|(p, _)| p.name.as_str()).collect();
            step.record(
                Event::request(&row.id, "urgent-offer", Some(from), row.status).because(Some(
                    &format!("Proposée en même temps à : {}", names.join(", ")),
                )),
            );
            let others = offers.len() - 1;
            for (provider, why) in offers {
                record_offer(
                    conn,
                    step,
                    state,
                    row,
                    (provider, why),
                    None,
                    expires_at,
                    others,
                    now,
                )?;
            }
            Ok(())
        }
        Decision::Escalate { why } => {
            step.record(
                Event::request(&row.id, "escalate", Some(from), row.status).because(Some(why)),
            );
            crate::metrics::count_on_commit(
                conn,
                &state.metrics.assistance_escalations,
                &[&crate::monitoring::region_of(
                    state,
                    row.departement.as_deref(),
                )],
            );
            notify::escalated(conn, step, state, row, why)
        }
    }
}

/// Offers the request to `provider` (staff assigning by hand), whose place is already counted.
#[allow(clippy::too_many_arguments)]
pub fn offer(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &mut RequestRow,
    provider: &Provider,
    why: &str,
    assigned_by: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let from = row.status;
    row.status = RequestStatus::Assigned;
    row.provider_id = Some(provider.id.clone());
    write(conn, row, now)?;
    step.record(
        Event::request(&row.id, "staff-assign", Some(from), row.status)
            .by(assigned_by)
            .because(Some(why)),
    );
    let expires_at = now + state.config.assignment_timeout;
    record_offer(
        conn,
        step,
        state,
        row,
        (provider, why),
        assigned_by,
        expires_at,
        0,
        now,
    )
}

/// The pending offer and the provider's email (the caller records the step's event).
#[allow(clippy::too_many_arguments)]
fn record_offer(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    (provider, why): (&Provider, &str),
    assigned_by: Option<&str>,
    expires_at: NaiveDateTime,
    others: usize,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let assignment = AssignmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: row.id.clone(),
        provider_id: provider.id.clone(),
        status: AssignmentStatus::Pending,
        why: why.to_owned(),
        assigned_by: assigned_by.map(str::to_owned),
        decline_reason: None,
        decline_text: None,
        offered_at: now,
        expires_at,
        answered_at: None,
    };
    queries::insert_assignment(conn, &assignment)?;
    notify::offer(conn, step, state, row, provider, &assignment, others)
}

/// Lets go of what an open request holds before it closes (the victim cancels, staff close
/// it, retention): its pending offers are cancelled and their places given back, an accepted
/// request gives back its provider's place. Refuses a request already closed; returns the state
/// it was in and the providers whose offers were cancelled (several for an urgent request).
pub fn let_go(
    conn: &mut DbConnection,
    row: &RequestRow,
    now: NaiveDateTime,
) -> Result<(RequestStatus, Vec<String>), AppError> {
    queries::lock_request(conn, &row.id)?;
    let from = row.status;
    if from.is_closed() {
        return Err(AppError::Conflict(format!(
            "La demande est déjà {}.",
            from.label()
        )));
    }
    let pending = queries::pending_assignments(conn, &row.id)?;
    let mut offered = Vec::new();
    for offer in &pending {
        if queries::settle_assignment(conn, &offer.id, AssignmentStatus::Cancelled, None, now)? {
            queries::release_place(conn, &offer.provider_id)?;
            offered.push(offer.provider_id.clone());
        }
    }
    if pending.is_empty()
        && from == RequestStatus::Accepted
        && let Some(p) = &row.provider_id
    {
        queries::release_place(conn, p)?;
    }
    Ok((from, offered))
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
    crate::observatory::facts::follow_request(conn, row, now)
}

/// Why a provider was offered the request, as staff read it in the request's history: "36
/// prestataires éligibles à moins de 10 km (le plus proche à 1,2 km) ; retenu à 3,4 km avec 2
/// demandes reçues sur 30 jours, labellisé ExpertCyber."
pub(crate) fn why_fr(why: &crate::domain::assistance::Why) -> String {
    use crate::domain::assistance::Why;
    use crate::french::{km, plural};
    match why {
        Why::ChosenByVictim { distance_km } => format!(
            "Choisi par la victime dans les résultats de recherche (à {}).",
            km(*distance_km)
        ),
        Why::Fair {
            within,
            radius_km,
            nearest_km,
            distance_km,
            recent_assignments,
            labelled,
        } => format!(
            "{} à moins de {} (le plus proche à {}) ; retenu à {} avec {} sur 30 jours{}.",
            plural(*within, "prestataire éligible", "prestataires éligibles"),
            km(*radius_km),
            km(*nearest_km),
            km(*distance_km),
            plural(
                usize::try_from(*recent_assignments).unwrap_or(0),
                "demande reçue",
                "demandes reçues"
            ),
            if *labelled {
                ", labellisé ExpertCyber"
            } else {
                ""
            }
        ),
    }
}

#[cfg(test)]
mod wording_tests {
    use crate::domain::assistance::Why;

    #[test]
    fn why_is_written_with_french_plurals_and_decimals() {
        let many = super::why_fr(&Why::Fair {
            within: 36,
            radius_km: 10.0,
            nearest_km: 1.23,
            distance_km: 3.46,
            recent_assignments: 2,
            labelled: true,
        });
        assert_eq!(
            many,
            "36 prestataires éligibles à moins de 10 km (le plus proche à 1,2 km) ; retenu à 3,5 km avec 2 demandes reçues sur 30 jours, labellisé ExpertCyber."
        );
        let one = super::why_fr(&Why::Fair {
            within: 1,
            radius_km: 12.5,
            nearest_km: 10.0,
            distance_km: 10.0,
            recent_assignments: 0,
            labelled: false,
        });
        assert_eq!(
            one,
            "1 prestataire éligible à moins de 12,5 km (le plus proche à 10 km) ; retenu à 10 km avec 0 demande reçue sur 30 jours."
        );
        assert!(!many.contains("(s)") && !one.contains("(s)"));
    }
}
