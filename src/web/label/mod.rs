//! The label's pages: public verification (`/labels/{number}`), the provider's label area in the
//! portal, the auditor's pages (`/audit`) and the staff pages (`/instruction/label...`).
//!
//! Forms work without JavaScript and carry the session's CSRF token; a refused form shows its
//! page again with a French message next to each field.

mod audit;
mod audits;
mod context;
mod granted;
mod portal;
mod public;
mod queue;
mod register;
mod review;

use actix_web::web;

use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::label::views::{CriterionView, LabelApplicationView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(public::configure)
        .configure(portal::configure)
        .configure(audits::configure)
        .configure(audit::configure)
        .configure(queue::configure)
        .configure(register::configure)
        .configure(review::configure)
        .configure(granted::configure);
}

use crate::web::kit::{blocking, day_fr, euros, first_errors};
use crate::web::page_error::PageError;

/// The way back from a label page's error: the label area of the visitor's role.
fn back(user: &CurrentUser) -> (&'static str, &'static str) {
    match user.role {
        r if r.is_staff() => ("/instruction/label", "Revenir aux demandes de label"),
        crate::auth::Role::Auditor => ("/audit", "Revenir à mes audits"),
        _ => ("/espace", "Revenir à mon espace"),
    }
}

/// A label page's error, leading back to the visitor's label area.
fn failed(error: AppError) -> PageError {
    PageError::from(error).back(back)
}

/// The criteria of an application grouped by theme, with field ids and errors for forms.
fn criteria_groups(
    view: &LabelApplicationView,
    errors: &FieldErrors,
    prefix: &str,
) -> Vec<context::CriteriaGroup> {
    let mut groups: Vec<context::CriteriaGroup> = Vec::new();
    for c in &view.criteria {
        let row = criterion_row(view, c, errors, prefix);
        match groups.last_mut() {
            Some(group) if group.title == c.group => group.criteria.push(row),
            _ => groups.push(context::CriteriaGroup {
                title: c.group.clone(),
                criteria: vec![row],
            }),
        }
    }
    groups
}

/// The summary at the top of a criteria page: each criterion's error in the page's order,
/// linking to `anchor(code)`, then `extra` (field, anchor), the rest to `elsewhere`.
fn criteria_summary(
    view: &LabelApplicationView,
    errors: &FieldErrors,
    prefix: &str,
    anchor: impl Fn(&str) -> String,
    extra: &[(&str, &str)],
    elsewhere: &str,
) -> Vec<crate::web::kit::ErrorLink> {
    let order: Vec<(String, String)> = view
        .criteria
        .iter()
        .map(|c| (format!("{prefix}.{}", c.code), anchor(&c.code)))
        .chain(
            extra
                .iter()
                .map(|(f, a)| ((*f).to_owned(), (*a).to_owned())),
        )
        .collect();
    let order: Vec<(&str, &str)> = order
        .iter()
        .map(|(f, a)| (f.as_str(), a.as_str()))
        .collect();
    crate::web::kit::error_links(errors, &order, elsewhere)
}

fn criterion_row(
    view: &LabelApplicationView,
    c: &CriterionView,
    errors: &FieldErrors,
    prefix: &str,
) -> context::CriterionRow {
    let error = errors
        .get(&format!("{prefix}.{}", c.code))
        .and_then(|v| v.first())
        .cloned();
    context::CriterionRow {
        code: c.code.clone(),
        field_id: format!("{}-{}", prefix, c.code.to_ascii_lowercase()),
        title: c.title.clone(),
        evidence_expected: c.evidence_expected.clone(),
        blocking: c.blocking,
        answer: c.answer.clone(),
        evidence: c
            .evidence
            .iter()
            .map(|e| context::EvidenceLink {
                id: e.id.clone(),
                filename: e.filename.clone(),
                href: format!("/label/{}/pieces/{}", view.id, e.id),
            })
            .collect(),
        finding: c.finding.as_ref().map(|f| context::FindingShown {
            code: f.finding,
            label: f.finding_label.clone(),
            comment: f.comment.clone(),
            major: f.finding == crate::domain::label_application::Finding::NonConformiteMajeure,
        }),
        error,
        choices: None,
        comment: None,
    }
}

/// The French wording of an event of an application or label trail.
fn event_label(action: &str) -> String {
    let text = match action {
        "create" => "Ouverture de la demande",
        "submit" => "Dépôt de la demande",
        "start-admissibility" => "Examen de la recevabilité",
        "mark-incomplete" => "Demande déclarée incomplète",
        "mark-admissible" => "Demande déclarée recevable",
        "schedule-audit" => "Audit planifié",
        "record-audit" => "Audit enregistré",
        "audit-outcome" => "Suite de l'audit",
        "submit-corrections" => "Actions correctives transmises",
        "grant" => "Label attribué",
        "refuse" => "Demande refusée",
        "withdraw" => "Demande retirée",
        "deadline-passed" => "Délai des actions correctives dépassé",
        "upload-evidence" => "Pièce justificative déposée",
        "upload-audit-report" => "Rapport d'audit joint",
        "message-staff" => "Message de l'équipe du label",
        "message-applicant" => "Message du prestataire",
        "fee-paid" => "Frais payés",
        "fee-waived" => "Frais exonérés",
        "fee-pending" => "Frais en attente",
        other => return other.to_owned(),
    };
    text.to_owned()
}
