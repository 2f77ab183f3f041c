//! The pages of assistance requests: the victim's (request form, tracking, survey), the
//! provider's (offers, held requests, closing report, availability, and the landing page of the
//! emailed accept/decline links) and staff's (all requests, the escalation queue, moderation).

mod provider;
pub(crate) mod request;
mod staff;
mod victim;

use actix_web::web;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(request::configure)
        .configure(victim::configure)
        .configure(provider::configure)
        .configure(staff::configure);
}

use crate::web::kit::{blocking, datetime_fr as when_fr, first_errors};

/// The way back from an assistance page's error: the requests of the visitor's role.
fn back(user: &CurrentUser) -> (&'static str, &'static str) {
    if user.role.is_staff() {
        ("/instruction/demandes", "Revenir aux demandes d'assistance")
    } else {
        ("/espace", "Revenir à mon espace")
    }
}

/// An assistance page's error, leading back to the visitor's requests.
fn failed(error: AppError) -> crate::web::page_error::PageError {
    crate::web::page_error::PageError::from(error).back(back)
}

/// A request's facts as pages show them.
fn request_summary(state: &AppState, view: &crate::assistance::views::RequestView) -> Value {
    json!({
        "id": view.id,
        "status": view.status,
        "status_label": view.status_label,
        "incident_label": view.incident_label,
        "audience_label": crate::domain::audience::Audience::parse(&view.audience).map(|a| a.label()).unwrap_or(""),
        "place": view.postcode.clone().or(view.departement.as_ref().map(|d| format!("département {d}"))).unwrap_or_default(),
        "description": view.description,
        "contact": view.contact,
        "created": when_fr(view.created_at),
        "failed_assignments": view.failed_assignments,
        "staff_message": view.staff_message,
        "report": view.report.as_ref().map(|r| json!({
            "resolved": r.resolved,
            "incident_label": state.taxonomy.get(&r.confirmed_incident_type).map(|t| t.label.clone()).unwrap_or_default(),
            "attack_vector": r.attack_vector,
            "actions_taken": r.actions_taken,
            "minutes_spent": r.minutes_spent,
        })),
        "assignments": view.assignments.iter().map(|a| json!({
            "provider_name": a.provider_name,
            "status": a.status,
            "status_label": a.status.label(),
            "why": a.why,
            "decline_reason": a.decline_reason.as_deref().and_then(crate::domain::assistance::DeclineReason::parse).map(|r| r.label()),
            "decline_text": a.decline_text,
            "offered": when_fr(a.offered_at),
            "expires": when_fr(a.expires_at),
        })).collect::<Vec<_>>(),
        "can_accept": view.available_actions.iter().any(|a| a == "accept"),
        "can_close": view.available_actions.iter().any(|a| a == "close"),
        "can_assign": view.available_actions.iter().any(|a| a == "assign"),
    })
}

fn decline_reasons() -> Value {
    use crate::domain::assistance::DeclineReason as R;
    Value::Array(
        [R::Indisponible, R::HorsCompetence, R::TropLoin, R::Autre]
            .iter()
            .map(|r| json!({"value": r.as_str(), "label": r.label(), "id": format!("reason-{}", r.as_str())}))
            .collect(),
    )
}
