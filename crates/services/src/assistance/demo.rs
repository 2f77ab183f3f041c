//! The demo's assistance requests: one in each state staff follow (offered, taken, escalated,
//! resolved, not resolved, cancelled by the victim, closed by staff), each from a synthetic
//! victim of the demo (an address at `demo.cyberdir.localhost`, never a real person) near a
//! provider of the demo directory, with the offers that brought it there, so that a newcomer
//! sees the assistance screens populated from the first start.

use chrono::{Duration, NaiveDateTime};

use crate::db::assistance::{self as queries, AssignmentRow, RequestRow};
use crate::db::{DbConnection, providers};
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::infra::Infra;

/// The states of the demo's requests, as staff's tabs list them.
pub const DEMO_STATES: [RequestStatus; 7] = RequestStatus::ALL;

/// Writes the demo's requests; how many.
pub fn seed(
    state: &Infra,
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let near: Vec<_> = providers::load_published(conn)?
        .into_iter()
        .take(DEMO_STATES.len() + 3)
        .collect();
    let types = state.taxonomy.all();
    if near.len() < DEMO_STATES.len() + 3 || types.is_empty() {
        return Ok(0);
    }
    for (n, status) in DEMO_STATES.into_iter().enumerate() {
        let provider = &near[n];
        let (others, id) = (&near[DEMO_STATES.len()..], uuid::Uuid::now_v7().to_string());
        let received = now - Duration::hours(6 + 20 * i64::try_from(n).unwrap_or_default());
        let closed = !matches!(
            status,
            RequestStatus::Assigned | RequestStatus::Accepted | RequestStatus::Escalated
        );
        let taken = matches!(
            status,
            RequestStatus::Accepted | RequestStatus::Resolved | RequestStatus::NotResolved
        );
        let departement = state
            .departements
            .nearest(provider.latitude, provider.longitude)
            .map(|d| d.code.clone());
        queries::insert_request(
            conn,
            &RequestRow {
                id: id.clone(),
                tracking_hash: format!("demo-{id}"),
                status,
                postcode: Some(provider.postcode.clone()),
                commune_code: provider.commune_code.clone(),
                departement,
                latitude: provider.latitude + 0.01,
                longitude: provider.longitude - 0.01,
                approximate: false,
                audience: "particulier".into(),
                incident_type: types[n % types.len()].code.clone(),
                description: Some(
                    "Demande de démonstration : un message inattendu s'affiche au démarrage de l'ordinateur."
                        .into(),
                ),
                contact_name: Some(format!("Victime de démonstration {}", n + 1)),
                contact_email: Some(format!("victime{}@demo.cyberdir.localhost", n + 1)),
                contact_phone: None,
                consent: true,
                chosen_provider_id: None,
                provider_id: taken.then(|| provider.id.clone()),
                failed_assignments: if status == RequestStatus::Escalated { 3 } else { 0 },
                staff_message: (status == RequestStatus::Closed).then(|| {
                    "Nous vous avons orienté vers le 17Cyber, qui a pris votre signalement.".into()
                }),
                idempotency_key: None,
                client_hash: "demo".into(),
                version: 1,
                created_at: received,
                updated_at: received + Duration::hours(2),
                closed_at: closed.then_some(received + Duration::hours(2)),
                anonymised_at: None,
                urgent: status == RequestStatus::Escalated,
            },
        )?;
        // The offers that led there: declined or unanswered ones before an escalation, the
        // one standing or taken otherwise.
        let offer = |provider_id: &str, status: AssignmentStatus, k: i64| AssignmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: id.clone(),
            provider_id: provider_id.to_owned(),
            status,
            why: "Le professionnel disponible le plus proche de la victime.".into(),
            assigned_by: None,
            decline_reason: (status == AssignmentStatus::Declined).then(|| "indisponible".into()),
            decline_text: None,
            offered_at: received + Duration::minutes(k),
            expires_at: received + Duration::hours(24) + Duration::minutes(k),
            answered_at: (status != AssignmentStatus::Pending)
                .then_some(received + Duration::minutes(k + 30)),
        };
        let offers = match status {
            RequestStatus::Escalated => vec![
                offer(&others[0].id, AssignmentStatus::Declined, 0),
                offer(&others[1].id, AssignmentStatus::Declined, 40),
                offer(&others[2].id, AssignmentStatus::TimedOut, 80),
            ],
            RequestStatus::Assigned => vec![offer(&provider.id, AssignmentStatus::Pending, 0)],
            RequestStatus::Cancelled => vec![offer(&provider.id, AssignmentStatus::Cancelled, 0)],
            RequestStatus::Closed => vec![offer(&others[0].id, AssignmentStatus::Declined, 0)],
            _ => vec![offer(&provider.id, AssignmentStatus::Accepted, 0)],
        };
        for row in &offers {
            queries::insert_assignment(conn, row)?;
        }
    }
    Ok(DEMO_STATES.len())
}
