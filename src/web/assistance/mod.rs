//! The pages of assistance requests: the victim's (request form, tracking, survey), the
//! provider's (offers, held requests, closing report, availability, and the landing page of the
//! emailed accept/decline links) and staff's (all requests, the escalation queue, moderation).

mod context;
mod on_call;
mod provider;
pub(crate) mod request;
mod staff;
mod staff_list;
mod victim;

use actix_web::web;

use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(request::configure)
        .configure(victim::configure)
        .configure(provider::configure)
        .configure(on_call::configure)
        .configure(staff_list::configure)
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

use crate::domain::assistance::RequestAction;

/// A request's facts as pages show them.
fn request_summary(
    state: &AppState,
    view: &crate::assistance::views::RequestView,
) -> context::RequestSummary {
    let can = |action: RequestAction| view.available_actions.contains(&action);
    context::RequestSummary {
        id: view.id.clone(),
        href: None,
        status: view.status,
        status_label: view.status_label.clone(),
        incident_label: view.incident_label.clone(),
        audience_label: crate::domain::audience::Audience::parse(&view.audience)
            .map(|a| a.label())
            .unwrap_or(""),
        place: view
            .postcode
            .clone()
            .or(view
                .departement
                .as_ref()
                .map(|d| format!("département {d}")))
            .unwrap_or_default(),
        description: view.description.clone(),
        contact: view.contact.clone(),
        created: when_fr(view.created_at),
        failed_assignments: view.failed_assignments,
        staff_message: view.staff_message.clone(),
        report: view.report.as_ref().map(|r| context::ReportShown {
            resolved: r.resolved,
            incident_label: state
                .taxonomy
                .get(&r.confirmed_incident_type)
                .map(|t| t.label.clone())
                .unwrap_or_default(),
            attack_vector: r.attack_vector.clone(),
            actions_taken: r.actions_taken.clone(),
            minutes_spent: r.minutes_spent,
        }),
        assignments: view
            .assignments
            .iter()
            .map(|a| context::AssignmentLine {
                provider_name: a.provider_name.clone(),
                status: a.status,
                status_label: a.status.label(),
                why: a.why.clone(),
                decline_reason: a
                    .decline_reason
                    .as_deref()
                    .and_then(crate::domain::assistance::DeclineReason::parse)
                    .map(|r| r.label()),
                decline_text: a.decline_text.clone(),
                offered: when_fr(a.offered_at),
                expires: when_fr(a.expires_at),
            })
            .collect(),
        can_accept: can(RequestAction::Accept),
        can_close: can(RequestAction::Close),
        can_assign: can(RequestAction::Assign),
    }
}

fn decline_reasons() -> Vec<context::ReasonChoice> {
    use crate::domain::assistance::DeclineReason as R;
    [R::Indisponible, R::HorsCompetence, R::TropLoin, R::Autre]
        .iter()
        .map(|r| context::ReasonChoice {
            value: r.as_str(),
            label: r.label(),
            id: format!("reason-{}", r.as_str()),
        })
        .collect()
}
