//! Reading requests (staff see everything; a provider sees what was offered to it, and the
//! victim's contact only once it accepted), and the staff actions: assign by hand, close with a
//! message to the victim.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{AssignmentView, ReportView, RequestList, RequestView, VictimContact};
use super::{assign, notify};
use crate::audit::{self, Event, EventView, Step, Subject};
use crate::db::assistance::{self as queries, RequestRow};
use crate::db::{DbConnection, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::domain::matching::Query;
use crate::domain::provider::ReferencingStatus;
use crate::domain::reason::Reason;
use crate::error::AppError;
use crate::infra::Infra;

/// Who reads a request.
pub enum Viewer<'a> {
    Staff,
    /// A signed-in provider account (member of one or more organisations).
    Provider(&'a Actor),
    /// The provider an offer went to, as its emailed link (or a decline just recorded) shows
    /// the request: never the victim's contact.
    Offer(String),
    /// The provider that has just accepted through its link: the answer carries the contact,
    /// once.
    Accepting(String),
}

fn not_found() -> AppError {
    AppError::not_found("Demande introuvable.")
}

/// The request as `viewer` may see it; 404 for a provider it was never offered to.
pub fn view(
    conn: &mut DbConnection,
    state: &Infra,
    row: &RequestRow,
    viewer: &Viewer,
) -> Result<RequestView, AppError> {
    let status = row.status;
    let assignments = queries::assignments_of(conn, &row.id)?;
    // The providers whose view this is (none for staff).
    let mine: Option<Vec<String>> = match viewer {
        Viewer::Staff => None,
        Viewer::Offer(provider) | Viewer::Accepting(provider) => Some(vec![provider.clone()]),
        Viewer::Provider(user) => {
            let mut mine = Vec::new();
            for a in &assignments {
                if !mine.contains(&a.provider_id) && user.is_member_of(&a.provider_id) {
                    mine.push(a.provider_id.clone());
                }
            }
            Some(mine)
        }
    };
    if mine.as_ref().is_some_and(Vec::is_empty) {
        return Err(not_found());
    }
    let holds = |p: &str| mine.as_ref().is_none_or(|m| m.iter().any(|x| x == p));
    let accepted_by_viewer = row.provider_id.as_deref().is_some_and(holds)
        && matches!(
            status,
            RequestStatus::Accepted | RequestStatus::Resolved | RequestStatus::NotResolved
        );
    // The contact goes to staff and to the provider that accepted, signed in; never through a
    // link, which anyone holding it could open.
    let contact_visible =
        mine.is_none() || (accepted_by_viewer && !matches!(viewer, Viewer::Offer(_)));
    let mut views = Vec::new();
    for a in assignments.into_iter().filter(|a| holds(&a.provider_id)) {
        let provider_name = providers::find(conn, &a.provider_id)?
            .map(|(p, _)| p.name)
            .unwrap_or_default();
        views.push(AssignmentView {
            id: a.id,
            provider_id: a.provider_id,
            provider_name,
            status: a.status,
            why: a.why,
            decline_reason: a.decline_reason,
            decline_text: a.decline_text,
            offered_at: a.offered_at,
            expires_at: a.expires_at,
            answered_at: a.answered_at,
        });
    }
    let pending_for_viewer = views.iter().any(|a| a.status == AssignmentStatus::Pending);
    let link = matches!(viewer, Viewer::Offer(_));
    // A provider sees a request while its offer is pending and once it accepted; after a
    // decline or a timeout, nothing. A used emailed link only says that the answer was recorded.
    let answered_link = link && !pending_for_viewer;
    if mine.is_some()
        && !link
        && !pending_for_viewer
        && !views.iter().any(|a| a.status == AssignmentStatus::Accepted)
    {
        return Err(not_found());
    }
    // Before acceptance, the victim's place to about a kilometre.
    let exact_place = mine.is_none() || accepted_by_viewer;
    let place = |degrees: f64| {
        if exact_place {
            degrees
        } else {
            crate::domain::assistance::blurred(degrees)
        }
    };
    let actions = crate::domain::assistance::RequestAction::available(
        status,
        mine.is_none(),
        pending_for_viewer,
        accepted_by_viewer,
    );
    let report = if mine.is_none() || (accepted_by_viewer && !answered_link) {
        queries::report(conn, &row.id)?.map(|r| ReportView {
            resolved: r.resolved,
            confirmed_incident_type: r.confirmed_incident_type,
            attack_vector: r.attack_vector,
            actions_taken: r.actions_taken,
            minutes_spent: r.minutes_spent,
            created_at: r.created_at,
        })
    } else {
        None
    };
    Ok(RequestView {
        urgent: row.urgent,
        id: row.id.clone(),
        status,
        status_label: status.label().to_owned(),
        incident_type: row.incident_type.clone(),
        incident_label: state
            .taxonomy
            .get(&row.incident_type)
            .map(|t| t.label.clone())
            .unwrap_or_default(),
        audience: row.audience.clone(),
        description: (!answered_link).then(|| row.description.clone()).flatten(),
        postcode: row.postcode.clone(),
        commune_code: row.commune_code.clone(),
        departement: row.departement.clone(),
        latitude: place(row.latitude),
        longitude: place(row.longitude),
        provider_id: if mine.is_none() || accepted_by_viewer || pending_for_viewer {
            row.provider_id.clone()
        } else {
            None
        },
        failed_assignments: row.failed_assignments,
        contact: contact_visible
            .then(|| {
                Some(VictimContact {
                    name: row.contact_name.clone()?,
                    email: row.contact_email.clone()?,
                    phone: row.contact_phone.clone(),
                })
            })
            .flatten(),
        staff_message: row.staff_message.clone(),
        assignments: views,
        report,
        available_actions: actions,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_at: row.closed_at,
    })
}

fn viewer_of(user: &Actor) -> Result<Viewer<'_>, AppError> {
    if user.role.is_staff() {
        Ok(Viewer::Staff)
    } else if user.role == crate::auth::Role::Provider {
        Ok(Viewer::Provider(user))
    } else {
        Err(not_found())
    }
}

/// One request, for staff or a provider it was offered to.
pub fn read(state: &Infra, user: &Actor, id: &str) -> Result<RequestView, AppError> {
    let viewer = viewer_of(user)?;
    let mut conn = state.pool.get()?;
    let row = queries::request(&mut conn, id)?.ok_or_else(not_found)?;
    view(&mut conn, state, &row, &viewer)
}

/// Staff lists: by state, newest change first, with counts per state.
pub fn list(
    state: &Infra,
    user: &Actor,
    status: Option<RequestStatus>,
) -> Result<RequestList, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    let rows = queries::list_requests(&mut conn, status.map(|s| s.as_str()), None, 200)?;
    let counts = queries::request_counts(&mut conn)?;
    request_list(&mut conn, state, &rows, counts)
}

/// Requests as staff read them in a list, with the counts per state given and those whose
/// victim an email could not reach.
pub(super) fn request_list(
    conn: &mut DbConnection,
    state: &Infra,
    rows: &[RequestRow],
    counts: Vec<(String, i64)>,
) -> Result<RequestList, AppError> {
    let views = rows
        .iter()
        .map(|r| view(conn, state, r, &Viewer::Staff))
        .collect::<Result<Vec<_>, _>>()?;
    let victims: Vec<(String, String)> = views
        .iter()
        .filter_map(|v| v.contact.as_ref().map(|c| (v.id.clone(), c.email.clone())))
        .collect();
    let unreachable = crate::db::outbox::requests_with_failed_mail_to(conn, &victims)?;
    Ok(RequestList {
        counts: counts.into_iter().collect(),
        results: views,
        victim_unreachable: unreachable.into_iter().collect(),
    })
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct AssignInput {
    /// The provider staff choose (any approved provider).
    #[schema(required = true)]
    pub provider_id: String,
}

/// Staff offer an escalated request to a provider of their choice.
pub fn assign_by_hand(
    state: &Infra,
    user: &Actor,
    id: &str,
    input: &AssignInput,
) -> Result<RequestView, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let step = &mut Step::new(now);
        let mut row = queries::request(conn, id)?.ok_or_else(not_found)?;
        if row.status != RequestStatus::Escalated {
            return Err(AppError::Conflict(
                "Seule une demande en attente de l'équipe peut être attribuée à la main.".into(),
            ));
        }
        let provider = providers::find(conn, input.provider_id.trim())?
            .map(|(p, _)| p)
            .filter(|p| p.status == ReferencingStatus::Approved)
            .ok_or_else(|| {
                AppError::field("provider_id", "Choisissez un prestataire référencé.")
            })?;
        // Staff's choice may go beyond the declared capacity; the count still follows it.
        if !queries::take_place(conn, &provider.id)? {
            queries::force_place(conn, &provider.id)?;
        }
        let why = format!("Attribuée à la main par {}.", user.display_name);
        assign::offer(
            conn,
            step,
            state,
            &mut row,
            &provider,
            &why,
            Some(&user.id),
            now,
        )?;
        step.write(conn)?;
        view(conn, state, &row, &Viewer::Staff)
    })
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct CloseInput {
    /// Staff: the message sent to the victim (required).
    pub message: Option<String>,
    /// Provider: whether the victim's problem is solved.
    pub resolved: Option<bool>,
    /// Provider: the intervention report.
    pub report: Option<super::views::ReportInput>,
}

/// Staff close a request with a message to the victim.
pub fn close_by_staff(
    state: &Infra,
    user: &Actor,
    id: &str,
    message: Option<&str>,
) -> Result<RequestView, AppError> {
    user.require_staff()?;
    let message = Reason::optional(message)
        .map_err(|_| AppError::field("message", "2 000 caractères au plus."))?
        .ok_or_else(|| AppError::field("message", "Écrivez le message envoyé à la victime."))?;
    let message = message.as_str();
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let step = &mut Step::new(now);
        let mut row = queries::request(conn, id)?.ok_or_else(not_found)?;
        let (from, _) = assign::let_go(conn, &row, now)?;
        row.status = RequestStatus::Closed;
        row.staff_message = Some(message.to_owned());
        row.closed_at = Some(now);
        assign::write(conn, &mut row, now)?;
        step.record(
            Event::request(&row.id, "staff-close", Some(from), row.status)
                .by(Some(&user.id))
                .because(Some(message)),
        );
        notify::closed_by_staff(step, state, &row, message)?;
        step.write(conn)?;
        view(conn, state, &row, &Viewer::Staff)
    })
}

/// The requests offered to an organisation: pending offers, those it holds, those it closed.
pub fn for_provider(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
) -> Result<Vec<RequestView>, AppError> {
    let mut conn = state.pool.get()?;
    let (_, _, access) = crate::referencing::load(&mut conn, user, provider_id)?;
    let viewer = match access {
        crate::referencing::Access::Staff => Viewer::Staff,
        crate::referencing::Access::Member { .. } => Viewer::Offer(provider_id.to_owned()),
    };
    let rows = queries::requests_of_provider(
        &mut conn,
        provider_id,
        &[AssignmentStatus::Pending, AssignmentStatus::Accepted],
    )?;
    let mut out = Vec::new();
    for (_, request) in rows {
        if out.iter().any(|v: &RequestView| v.id == request.id) {
            continue;
        }
        out.push(view(&mut conn, state, &request, &viewer)?);
    }
    Ok(out)
}
/// Referenced providers staff may pick for a request, those covering its place first, nearest
/// first, 50 at most, as (id, name, city, distance in km) (staff).
pub fn candidates(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    staff: &Actor,
    view: &RequestView,
) -> Result<Vec<(String, String, String, f64)>, AppError> {
    staff.require_staff()?;
    let snapshot = crate::directory::published(state, index)?.directory.clone();
    let query = Query {
        latitude: view.latitude,
        longitude: view.longitude,
        departement: view.departement.clone(),
        incident: None,
        audience: None,
        labelled_on: None,
        // Staff see every provider, insured or not: they decide.
        insured_on: None,
        include_remote: true,
    };
    Ok(snapshot
        .search(&query)
        .iter()
        .take(50)
        .map(|m| {
            let p = snapshot.provider(m);
            (p.id.clone(), p.name.clone(), p.city.clone(), m.distance_km)
        })
        .collect())
}

/// A request's trail, newest first, with each actor's name (staff).
pub fn history(state: &Infra, staff: &Actor, id: &str) -> Result<Vec<EventView>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let mut events = audit::trail(&mut conn, Subject::AssistanceRequest, id)?;
    events.reverse();
    Ok(events)
}
