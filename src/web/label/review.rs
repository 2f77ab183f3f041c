//! The staff pages of the label's applications: by state with counts and fee status, and one
//! application (fee, scheduling, decision). The labels granted are `granted`.

use crate::web::kit::done;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use crate::web::cases::{self, CaseFailure, CaseKind, FollowForm, NoteForm};
use crate::web::kit::{Choice, Confirmation, Detail, confirmed};

use super::{blocking, context, criteria_groups, day_fr, euros, event_label, failed, first_errors};
use crate::domain::label_application::{Action, ApplicationKind, FeeStatus, reason_required};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::label::{self, ActionInput};
use crate::state::AppState;
use crate::web::kit::InfoQuery;
use crate::web::page;
use crate::web::session::check_form;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(application_page)
        .service(set_fee)
        .service(act)
        .service(follow_post)
        .service(note_post);
}

#[get("/instruction/label/{application}")]
async fn application_page(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let info = query
        .info
        .as_deref()
        .map(|slug| match (slug, cases::said(slug)) {
            (_, Some(said)) => said.to_owned(),
            ("frais", None) => "Le statut des frais est enregistré.".to_owned(),
            // The state the action led to, as the page's status names it.
            (other, None) => match Action::from_slug(other)
                .and_then(|a| crate::domain::label_application::APPLICATION.rule(a))
            {
                Some(rule) => format!(
                    "C'est fait : la demande est maintenant « {} ».",
                    rule.to.label()
                ),
                None => "C'est fait : la demande est mise à jour.".to_owned(),
            },
        });
    let shown = Shown {
        info,
        ..Shown::default()
    };
    show(&state, &user, &path.into_inner(), StatusCode::OK, shown).await
}

/// What the application's page says besides the application: the errors of a refused step
/// (the action's, beside its reason), what was done, a refused follow-up step.
#[derive(Debug, Default)]
struct Shown {
    errors: FieldErrors,
    failed_action: Option<&'static str>,
    info: Option<String>,
    case: CaseFailure,
}

async fn show(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    shown: Shown,
) -> PageResult {
    let Shown {
        errors,
        failed_action,
        info,
        case,
    } = shown;
    let errors = &errors;
    let inner = state.clone().into_inner();
    let (who, app_id) = (user.clone(), id.to_owned());
    let loaded = blocking(move || {
        let view = label::application(&inner, &inner.criteria, &who, &app_id)?;
        let events = label::events(&inner, &who, &app_id)?;
        let auditors = label::queue::auditors(&inner, &who)?;
        let work = cases::work(&inner, &who, CaseKind::Label, &app_id)?;
        let report = label::drafts::report_summary(&inner, &who, &app_id)?;
        Ok((view, events, auditors, work, report))
    })
    .await;
    let (view, events, auditors, work, report) = loaded.map_err(failed)?;
    let case = cases::case_section(CaseKind::Label, &view.id, work, &user.actor.id, case);
    let actions = view
        .available_actions
        .iter()
        .filter_map(|slug| Action::from_slug(slug))
        .filter(|a| *a != Action::ScheduleAudit)
        .map(|a| context::StepButton {
            slug: a.slug(),
            button: a.label(),
            reason: reason_required(a),
            reason_label: match a {
                Action::MarkIncomplete => "Ce qui manque (envoyé au prestataire)",
                Action::Close => "Motif (consigné au dossier)",
                _ => "Motif (communiqué au prestataire)",
            },
            danger: matches!(a, Action::Refuse | Action::Close),
            confirm: confirmation(&view.id, a, "", ""),
            error: (failed_action == Some(a.slug()))
                .then(|| errors.get("reason").and_then(|v| v.first()).cloned())
                .flatten(),
        })
        .collect();
    let fee_choices = [FeeStatus::Pending, FeeStatus::Paid, FeeStatus::Waived]
        .iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: f.label().to_owned(),
            selected: *f == view.fee.status,
        })
        .collect();
    let can_schedule = view
        .available_actions
        .iter()
        .any(|a| a == Action::ScheduleAudit.slug());
    let groups = criteria_groups(&view, &FieldErrors::new(), "review");
    Ok(page(
        state,
        status,
        "pages/label/review",
        &format!("Demande de label – {}", view.provider_name),
        Some(user),
        context::Review {
            info,
            errors: first_errors(errors),
            error_summary: {
                let reason = format!("reason-{}", failed_action.unwrap_or_default());
                crate::web::kit::error_links(
                    errors,
                    &[
                        ("fee_status", "fee_status"),
                        ("auditor_id", "auditor_id"),
                        ("audit_date", "audit_date"),
                        ("reason", reason.as_str()),
                    ],
                    "decision",
                )
            },
            provider_href: format!("/instruction/dossiers/{}", view.provider_id),
            renewal: view.kind == ApplicationKind::Renewal,
            fee: euros(view.fee.amount_cents),
            fee_status: view.fee.status,
            fee_label: view.fee.status_label.clone(),
            fee_open: !view.status.is_closed(),
            fee_choices,
            auditor: view.auditor.as_ref().map(|a| a.display_name.clone()),
            audit_date: view.audit_date.map(day_fr),
            audit_date_iso: view.audit_date.map(|d| d.to_string()),
            corrective_deadline: view.corrective_deadline.map(day_fr),
            recommendation: view.recommendation.clone(),
            decision_reason: view.decision_reason.clone(),
            label_number: view.label_number.clone(),
            can_schedule,
            auditors: auditors
                .iter()
                .map(|(id, name, email)| Choice {
                    value: id.clone(),
                    label: format!("{name} ({email})"),
                    selected: view.auditor.as_ref().is_some_and(|a| &a.id == id),
                })
                .collect(),
            actions,
            findings: context::FindingsSummary::of(&groups),
            groups,
            events: context::EventLine::trail(&events, event_label),
            case,
            report: report.map(|r| context::ReportLine::of(&view.id, r)),
            id: view.id.clone(),
            version: view.version,
            provider_name: view.provider_name.clone(),
            status: view.status.as_str(),
            status_label: view.status_label.clone(),
        },
    ))
}

/// The fee's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeeForm {
    csrf_token: String,
    fee_status: String,
}

/// A step's form: what any step may need (the audit's date and auditor, a reason, the version
/// the page showed).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    csrf_token: String,
    audit_date: String,
    reason: String,
    version: String,
    auditor_id: String,
    /// `oui` once staff confirmed granting or refusing the label.
    confirme: String,
}

/// Granting or refusing the label is asked first: the provider is told at once, and a granted
/// label is public.
fn confirmation(id: &str, action: Action, reason: &str, version: &str) -> Option<Confirmation> {
    let consequence = match action {
        Action::Grant => {
            "Le label est délivré et publié dans l'annuaire pour deux ans ; le prestataire en est informé par courriel."
        }
        Action::Refuse => {
            "La demande est close sans label ; le prestataire reçoit votre motif par courriel."
        }
        _ => return None,
    };
    Some(Confirmation {
        question: format!("{} ?", action.label()),
        consequence: consequence.to_owned(),
        details: if reason.trim().is_empty() {
            Vec::new()
        } else {
            vec![Detail {
                label: "Motif communiqué au prestataire".into(),
                value: reason.trim().to_owned(),
            }]
        },
        action: format!("/instruction/label/{id}/actions/{}", action.slug()),
        fields: vec![
            Detail {
                label: "version".into(),
                value: version.to_owned(),
            },
            Detail {
                label: "reason".into(),
                value: reason.to_owned(),
            },
        ],
        confirm_label: format!("Confirmer : {}", action.label().to_lowercase()),
        cancel_href: format!("/instruction/label/{id}#decision"),
    })
}

#[post("/instruction/label/{application}/frais")]
async fn set_fee(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<FeeForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let fields = form.into_inner();
    check_form(&req, &state, &user, fields.csrf_token.trim()).map_err(failed)?;
    let Some(fee) = FeeStatus::parse(fields.fee_status.trim()) else {
        let errors = FieldErrors::from([(
            "fee_status".to_owned(),
            vec!["Choisissez un statut.".to_owned()],
        )]);
        let shown = Shown {
            errors,
            ..Shown::default()
        };
        return show(&state, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    let inner = state.clone().into_inner();
    let (who, app_id) = (user.clone(), id.clone());
    match blocking(move || label::set_fee(&inner, &inner.criteria, &who, &app_id, fee)).await {
        Ok(_) => done(&format!("/instruction/label/{id}"), "frais"),
        Err(e) => Err(failed(e)),
    }
}

#[post("/instruction/label/{application}/actions/{action}")]
async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<StepForm>,
) -> PageResult {
    let user = user.0;
    let (id, slug) = path.into_inner();
    let fields = form.into_inner();
    check_form(&req, &state, &user, fields.csrf_token.trim()).map_err(failed)?;
    let Some(action) = Action::from_slug(&slug) else {
        return Err(failed(AppError::not_found("Action inconnue.")));
    };
    // A blank reason is said beside its field first (by the step), not after a confirmation.
    let reason_missing = reason_required(action) && fields.reason.trim().is_empty();
    if !confirmed(&fields.confirme)
        && !reason_missing
        && let Some(asked) = confirmation(&id, action, &fields.reason, &fields.version)
    {
        return Ok(asked.page(&state, &user));
    }
    let audit_date = fields.audit_date.trim().to_owned();
    let parsed_date = chrono::NaiveDate::parse_from_str(&audit_date, "%Y-%m-%d").ok();
    if action == Action::ScheduleAudit && !audit_date.is_empty() && parsed_date.is_none() {
        let errors = FieldErrors::from([(
            "audit_date".to_owned(),
            vec!["Date invalide (JJ/MM/AAAA).".to_owned()],
        )]);
        let shown = Shown {
            errors,
            failed_action: Some(action.slug()),
            ..Shown::default()
        };
        return show(&state, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    }
    let input = ActionInput {
        reason: Some(fields.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        version: fields.version.trim().to_owned().parse().ok(),
        auditor_id: Some(fields.auditor_id.trim().to_owned()).filter(|r| !r.is_empty()),
        audit_date: parsed_date,
        ..ActionInput::default()
    };
    let inner = state.clone().into_inner();
    let (who, app_id) = (user.clone(), id.clone());
    match blocking(move || label::act(&inner, &inner.criteria, &who, &app_id, action, input)).await
    {
        Ok(_) => done(&format!("/instruction/label/{id}"), action.slug()),
        Err(AppError::Validation(errors)) => {
            let shown = Shown {
                errors,
                failed_action: Some(action.slug()),
                ..Shown::default()
            };
            show(&state, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
        Err(e) => Err(failed(e)),
    }
}

#[post("/instruction/label/{application}/suivi")]
async fn follow_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<FollowForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let id = path.into_inner();
    match cases::follow(&state, &user, CaseKind::Label, &id, form).await? {
        Ok(done) => Ok(done),
        Err(case) => {
            let shown = Shown {
                case,
                ..Shown::default()
            };
            show(&state, &user, &id, StatusCode::CONFLICT, shown).await
        }
    }
}

#[post("/instruction/label/{application}/notes")]
async fn note_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let id = path.into_inner();
    match cases::annotate(&state, &user, CaseKind::Label, &id, form).await? {
        Ok(done) => Ok(done),
        Err(case) => {
            let shown = Shown {
                case,
                ..Shown::default()
            };
            show(&state, &user, &id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
}
