//! The emails of assistance requests: to the victim, to the provider (its contact address and
//! its members) and to staff. The victim's contact goes to a provider only once it accepted.

use serde_json::{Value, json};

use super::journal::Journal;
use super::links;
use crate::auth::Role;
use crate::db::assistance::{AssignmentRow, RequestRow};
use crate::db::referencing::member_emails;
use crate::db::{DbConnection, accounts, providers};
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::state::AppState;

fn incident_label(state: &AppState, row: &RequestRow) -> String {
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

fn request_url(state: &AppState, provider_id: &str, row: &RequestRow) -> String {
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

fn to_provider(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    provider: &Provider,
    template: &str,
    data: Value,
) -> Result<(), AppError> {
    for (email, name) in provider_recipients(conn, provider)? {
        let mut data = data.clone();
        data["name"] = Value::String(name);
        data["provider_name"] = Value::String(provider.name.clone());
        journal.mail(state, &email, template, &data)?;
    }
    Ok(())
}

fn to_victim(
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    template: &str,
    mut data: Value,
) -> Result<(), AppError> {
    let (Some(email), Some(name)) = (&row.contact_email, &row.contact_name) else {
        return Ok(());
    };
    data["name"] = Value::String(name.clone());
    data["incident_label"] = Value::String(incident_label(state, row));
    journal.mail(state, email, template, &data)?;
    Ok(())
}

pub fn received(
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    token: &str,
) -> Result<(), AppError> {
    to_victim(
        journal,
        state,
        row,
        "assistance_received",
        json!({ "tracking_url": super::tracking_url(state, token) }),
    )
}

/// The offer, with signed accept and decline links, without the victim's contact.
pub fn offer(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    provider: &Provider,
    assignment: &AssignmentRow,
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
    to_provider(
        conn,
        journal,
        state,
        provider,
        "assistance_offer",
        json!({
            "incident_label": incident_label(state, row),
            "audience_label": crate::domain::audience::Audience::parse(&row.audience).map(|a| a.label()).unwrap_or(""),
            "place": place_of(row),
            "description": row.description.clone().unwrap_or_default(),
            "accept_url": link("accept")?,
            "decline_url": link("decline")?,
            "request_url": request_url(state, &provider.id, row),
            "delay": if minutes % 60 == 0 { format!("{} heure(s)", minutes / 60) } else { format!("{minutes} minutes") },
        }),
    )
}

/// After acceptance: the victim's contact to the provider, the provider's to the victim.
pub fn accepted(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    provider: &Provider,
) -> Result<(), AppError> {
    to_provider(
        conn,
        journal,
        state,
        provider,
        "assistance_contact",
        json!({
            "incident_label": incident_label(state, row),
            "victim_name": row.contact_name.clone().unwrap_or_default(),
            "victim_email": row.contact_email.clone().unwrap_or_default(),
            "victim_phone": row.contact_phone.clone().unwrap_or_default(),
            "description": row.description.clone().unwrap_or_default(),
            "request_url": request_url(state, &provider.id, row),
        }),
    )?;
    to_victim(
        journal,
        state,
        row,
        "assistance_accepted",
        json!({
            "provider_name": provider.name,
            "provider_phone": provider.phone,
            "provider_email": provider.email,
            "provider_website": provider.website.clone().unwrap_or_default(),
        }),
    )
}

/// The provider who did not answer in time is told the request went elsewhere.
pub fn timed_out(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    provider_id: &str,
) -> Result<(), AppError> {
    let Some((provider, _)) = providers::find(conn, provider_id)? else {
        return Ok(());
    };
    to_provider(
        conn,
        journal,
        state,
        &provider,
        "assistance_timed_out",
        json!({ "incident_label": incident_label(state, row) }),
    )
}

pub fn cancel_confirmed(
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
) -> Result<(), AppError> {
    to_victim(
        journal,
        state,
        row,
        "assistance_cancel_confirmed",
        json!({}),
    )
}

pub fn cancelled_to_provider(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    provider_id: &str,
) -> Result<(), AppError> {
    let Some((provider, _)) = providers::find(conn, provider_id)? else {
        return Ok(());
    };
    to_provider(
        conn,
        journal,
        state,
        &provider,
        "assistance_cancelled",
        json!({ "incident_label": incident_label(state, row) }),
    )
}

/// Every active staff member learns the request needs them; the victim learns staff took over.
pub fn escalated(
    conn: &mut DbConnection,
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    why: &str,
) -> Result<(), AppError> {
    to_victim(journal, state, row, "assistance_searching", json!({}))?;
    for staff in accounts::users_with_role(conn, Role::Staff.as_str())? {
        journal.mail(
            state,
            &staff.email,
            "staff_assistance_escalated",
            &json!({
                "name": staff.display_name,
                "incident_label": incident_label(state, row),
                "place": place_of(row),
                "why": why,
                "queue_url": format!("{}/instruction/demandes/{}", state.config.base_url, row.id),
            }),
        )?;
    }
    Ok(())
}

pub fn closed_by_staff(
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    message: &str,
) -> Result<(), AppError> {
    to_victim(
        journal,
        state,
        row,
        "assistance_closed",
        json!({ "message": message }),
    )
}

pub fn survey(
    journal: &mut Journal,
    state: &AppState,
    row: &RequestRow,
    provider: &Provider,
    token: &str,
) -> Result<(), AppError> {
    to_victim(
        journal,
        state,
        row,
        "assistance_survey",
        json!({
            "provider_name": provider.name,
            "survey_url": format!("{}/avis/{token}", state.config.base_url),
        }),
    )
}
