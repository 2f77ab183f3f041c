//! The emails of assistance requests: to the victim, to the provider (its contact address and
//! its members) and to staff. The victim's contact goes to a provider only once it accepted.

use super::links;
use crate::audit::Step;
use crate::auth::Role;
use crate::db::assistance::{AssignmentRow, RequestRow};
use crate::db::referencing::member_emails;
use crate::db::{DbConnection, accounts, providers};
use crate::domain::assistance::RequestStatus;
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::Email;
use crate::mail::emails::assistance::{
    AssistanceAccepted, AssistanceCancelConfirmed, AssistanceCancelled, AssistanceClosed,
    AssistanceContact, AssistanceOffer, AssistanceProviderWithdrawn, AssistanceReceived,
    AssistanceSearching, AssistanceSurvey, AssistanceTaken, AssistanceTimedOut, FicheAdvice,
    FicheContact, NumberedStep, StaffAssistanceEscalated,
};

fn incident_label(state: &Infra, row: &RequestRow) -> String {
    state
        .taxonomy
        .get(&row.incident_type)
        .map(|t| t.label.clone())
        .unwrap_or_else(|| row.incident_type.clone())
}

fn place_of(row: &RequestRow) -> String {
    match (&row.postcode, &row.departement) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) => format!("département {d}"),
        (None, None) => "lieu indiqué par la victime".into(),
    }
}

fn request_url(state: &Infra, provider_id: &str, row: &RequestRow) -> String {
    format!(
        "{}/espace/organisations/{provider_id}/demandes/{}",
        state.config.base_url, row.id
    )
}

/// The provider's contact address and each member, once each.
fn provider_recipients(
    conn: &mut DbConnection,
    provider: &Provider,
) -> Result<Vec<(String, String)>, AppError> {
    let mut out: Vec<(String, String)> = vec![(provider.email.clone(), provider.name.clone())];
    for (email, name) in member_emails(conn, &provider.id)? {
        if !out.iter().any(|(e, _)| e.eq_ignore_ascii_case(&email)) {
            out.push((email, name));
        }
    }
    Ok(out
        .into_iter()
        .filter(|(email, _)| !email.is_empty())
        .collect())
}

/// One email per provider recipient about request `row`, built by `email(name)` with the
/// recipient's name.
fn to_provider<E: Email>(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    (provider, row): (&Provider, &RequestRow),
    email: impl Fn(String) -> E,
) -> Result<(), AppError> {
    for (to, name) in provider_recipients(conn, provider)? {
        step.mail_about_request(state, &row.id, &to, &email(name))?;
    }
    Ok(())
}

/// What every email to the victim starts from: their name, the incident, and the link to the
/// tracking page (every victim email carries it).
struct ToVictim {
    name: String,
    incident_label: String,
    tracking_url: Option<String>,
}

/// The email to the victim, if they left a contact, built by `email`.
fn to_victim<E: Email>(
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    email: impl FnOnce(ToVictim) -> E,
) -> Result<(), AppError> {
    let (Some(to), Some(name)) = (&row.contact_email, &row.contact_name) else {
        return Ok(());
    };
    let email = email(ToVictim {
        name: name.clone(),
        incident_label: incident_label(state, row),
        tracking_url: super::tracking_link(state, row),
    });
    step.mail_about_request(state, &row.id, to, &email)?;
    Ok(())
}

pub fn received(step: &mut Step, state: &Infra, row: &RequestRow) -> Result<(), AppError> {
    to_victim(step, state, row, |v| AssistanceReceived {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        advice: fiche_advice(state, row),
        urgent_until: (row.urgent && row.status == RequestStatus::Assigned).then(|| {
            crate::french::time_fr(row.updated_at + state.config.urgent_assignment_timeout)
        }),
    })
}

/// The steps and contacts of the request's fiche réflexe, the contacts those of its audience.
fn fiche_advice(state: &Infra, row: &RequestRow) -> Option<FicheAdvice> {
    let content = state.content();
    let library = &content.library;
    let fiche = library.reflexe_for(&row.incident_type)?;
    let audience = crate::domain::audience::Audience::parse(&row.audience);
    let contacts = library
        .contacts_of(fiche, audience)
        .map(|c| FicheContact {
            name: c.name.clone(),
            display: c.display.clone(),
            href: c.href.clone(),
        })
        .collect();
    Some(FicheAdvice {
        steps: NumberedStep::all(fiche.steps().to_vec()),
        contacts,
        danger: fiche.danger().to_vec(),
        url: format!("{}/fiches/{}", state.config.base_url, fiche.meta.slug),
    })
}

/// The offer, with signed accept and decline links, without the victim's contact.
pub fn offer(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider: &Provider,
    assignment: &AssignmentRow,
    others: usize,
) -> Result<(), AppError> {
    let link = |action: &str| -> Result<String, AppError> {
        Ok(format!(
            "{}/affectations/{}",
            state.config.base_url,
            links::sign(
                &state.link_key,
                &assignment.id,
                action,
                assignment.expires_at
            )?
        ))
    };
    let minutes = (assignment.expires_at - assignment.offered_at).num_minutes();
    let (accept_url, decline_url) = (link("accept")?, link("decline")?);
    to_provider(conn, step, state, (provider, row), |name| AssistanceOffer {
        name,
        incident_label: incident_label(state, row),
        audience_label: crate::domain::audience::Audience::parse(&row.audience)
            .map(|a| a.label())
            .unwrap_or(""),
        place: place_of(row),
        description: row.description.clone().unwrap_or_default(),
        accept_url: accept_url.clone(),
        decline_url: decline_url.clone(),
        request_url: request_url(state, &provider.id, row),
        delay: crate::french::duration_fr(chrono::Duration::minutes(minutes)),
        urgent: row.urgent,
        others,
    })
}

/// After acceptance: the victim's contact to the provider, the provider's to the victim.
pub fn accepted(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider: &Provider,
) -> Result<(), AppError> {
    to_provider(conn, step, state, (provider, row), |name| {
        AssistanceContact {
            name,
            incident_label: incident_label(state, row),
            victim_name: row.contact_name.clone().unwrap_or_default(),
            victim_email: row.contact_email.clone().unwrap_or_default(),
            victim_phone: row.contact_phone.clone().unwrap_or_default(),
            description: row.description.clone().unwrap_or_default(),
            request_url: request_url(state, &provider.id, row),
        }
    })?;
    to_victim(step, state, row, |v| AssistanceAccepted {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        provider_name: provider.name.clone(),
        provider_phone: provider.phone.clone(),
        provider_email: provider.email.clone(),
        provider_website: provider.website.clone().unwrap_or_default(),
    })
}

/// The victim learns the provider who had accepted can no longer help, and that another is
/// sought.
pub fn provider_withdrawn(
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider: &Provider,
) -> Result<(), AppError> {
    to_victim(step, state, row, |v| AssistanceProviderWithdrawn {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        provider_name: provider.name.clone(),
        advice: fiche_advice(state, row),
    })
}

/// The provider who did not answer in time is told the request is no longer offered to it.
pub fn timed_out(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider_id: &str,
) -> Result<(), AppError> {
    to_offered(
        conn,
        step,
        state,
        row,
        provider_id,
        |name, incident_label| AssistanceTimedOut {
            name,
            incident_label,
        },
    )
}

/// A provider an urgent request was offered to at once learns another accepted it first.
pub fn taken(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider_id: &str,
) -> Result<(), AppError> {
    to_offered(
        conn,
        step,
        state,
        row,
        provider_id,
        |name, incident_label| AssistanceTaken {
            name,
            incident_label,
        },
    )
}

/// One email per recipient of the provider `provider_id` an offer of `row` went to (nothing
/// if it no longer exists), built by `email(name, incident label)`.
fn to_offered<E: Email>(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider_id: &str,
    email: impl Fn(String, String) -> E,
) -> Result<(), AppError> {
    let Some((provider, _)) = providers::find(conn, provider_id)? else {
        return Ok(());
    };
    let incident = incident_label(state, row);
    to_provider(conn, step, state, (&provider, row), |name| {
        email(name, incident.clone())
    })
}

pub fn cancel_confirmed(step: &mut Step, state: &Infra, row: &RequestRow) -> Result<(), AppError> {
    to_victim(step, state, row, |v| AssistanceCancelConfirmed {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
    })
}

pub fn cancelled_to_provider(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider_id: &str,
) -> Result<(), AppError> {
    let Some((provider, _)) = providers::find(conn, provider_id)? else {
        return Ok(());
    };
    to_provider(conn, step, state, (&provider, row), |name| {
        AssistanceCancelled {
            name,
            incident_label: incident_label(state, row),
        }
    })
}

/// Every active staff member and admin learns the request needs them; the victim learns staff took over.
pub fn escalated(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    why: &str,
) -> Result<(), AppError> {
    // Urgent, at night: a police officer or a gendarme answers, through the chat.
    let now = step.at();
    let chat_url = if crate::chat::requests::goes_to_operators(row, now) {
        Some(crate::chat::requests::queue_request(
            conn, step, state, row, now,
        )?)
    } else {
        None
    };
    to_victim(step, state, row, |v| AssistanceSearching {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        advice: fiche_advice(state, row),
        chat_url,
    })?;
    for staff in accounts::users_with_roles(conn, &Role::REVIEWERS)? {
        step.mail(
            state,
            &staff.email,
            &StaffAssistanceEscalated {
                name: staff.display_name,
                incident_label: incident_label(state, row),
                place: place_of(row),
                why: why.to_owned(),
                queue_url: format!("{}/instruction/demandes/{}", state.config.base_url, row.id),
            },
        )?;
    }
    Ok(())
}

pub fn closed_by_staff(
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    message: &str,
) -> Result<(), AppError> {
    to_victim(step, state, row, |v| AssistanceClosed {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        message: message.to_owned(),
    })
}

pub fn survey(
    step: &mut Step,
    state: &Infra,
    row: &RequestRow,
    provider: &Provider,
    token: &str,
) -> Result<(), AppError> {
    to_victim(step, state, row, |v| AssistanceSurvey {
        name: v.name,
        incident_label: v.incident_label,
        tracking_url: v.tracking_url,
        provider_name: provider.name.clone(),
        survey_url: format!("{}/avis/{token}", state.config.base_url),
    })
}
