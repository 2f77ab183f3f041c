//! The auditor's per-criterion audit form, its draft and its report (their list is
//! `audits.rs`).

use crate::web::kit::done;
use crate::web::page_error::PageResult;
use crate::web::session::AuditorUser;
use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{blocking, context, criteria_groups, day_fr, event_label, failed, first_errors};
use crate::domain::label_application::{Action, ApplicationStatus, Finding};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::label::drafts::{self, AuditDraft};
use crate::label::{self, ActionInput, FindingInput};
use crate::referencing::documents::MAX_BYTES;
use crate::state::AppState;
use crate::web::kit::InfoQuery;
use crate::web::page;
use crate::web::session::{PageUser, check_form, check_origin};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_page)
        .service(record)
        .service(attach_report)
        .service(report_download);
}

#[get("/audit/{application}")]
async fn audit_page(
    state: web::Data<AppState>,
    user: AuditorUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let said = match query.info.as_deref() {
        Some("brouillon") => Some(Said::Draft),
        Some("rapport") => Some(Said::Report),
        _ => None,
    };
    let ok = StatusCode::OK;
    show(&state, &user, &id, ok, &FieldErrors::new(), None, said).await
}

/// What the last submission did, said at the top of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Said {
    Draft,
    Report,
}

/// What the auditor typed, kept when the form is refused (the draft's shape).
type Typed = AuditDraft;

async fn show(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: &FieldErrors,
    typed: Option<&Typed>,
    said: Option<Said>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, app_id) = (user.clone(), id.to_owned());
    let loaded = blocking(move || {
        let view = label::application(&inner, &inner.criteria, &who, &app_id)?;
        let events = label::events(&inner, &who, &app_id)?;
        let draft = drafts::load_draft(&inner, &who, &app_id)?;
        let report = drafts::report_summary(&inner, &who, &app_id)?;
        Ok((view, events, draft, report))
    })
    .await;
    let (view, events, saved, report) = loaded.map_err(failed)?;
    let criteria_count = state.criteria.criteria().count();
    let draft_note = saved.as_ref().map(|d| {
        format!(
            "Brouillon enregistré le {} : {} sur {criteria_count}. Rien n'est transmis à l'équipe du label tant que vous n'enregistrez pas l'audit.",
            crate::web::kit::datetime_fr(d.saved_at),
            crate::french::plural(d.draft.evaluated(), "critère évalué", "critères évalués"),
        )
    });
    // What the form shows: what was just typed, else the draft, else the last round's.
    let typed = typed.or(saved.as_ref().map(|d| &d.draft));
    let mut groups = criteria_groups(&view, errors, "findings");
    for c in groups.iter_mut().flat_map(|g| g.criteria.iter_mut()) {
        let (chosen, comment) = match typed.and_then(|t| t.findings.get(&c.code)) {
            Some((f, comment)) => (f.clone(), comment.clone()),
            // A second round starts from the first round's findings.
            None => c
                .finding
                .as_ref()
                .map(|f| (f.code.as_str().to_owned(), f.comment.clone()))
                .unwrap_or_default(),
        };
        let code = c.code.to_ascii_lowercase();
        c.choices = Some(
            Finding::ALL
                .iter()
                .map(|f| super::context::FindingChoice {
                    value: f.as_str(),
                    label: f.label(),
                    id: format!("finding-{code}-{}", f.as_str()),
                    checked: f.as_str() == chosen,
                })
                .collect(),
        );
        c.comment = Some(comment);
    }
    let can_record = view
        .available_actions
        .iter()
        .any(|a| a == Action::RecordAudit.slug());
    Ok(page(
        state,
        status,
        "pages/label/audit",
        &format!("Audit de {}", view.provider_name),
        Some(user),
        context::Audit {
            audit_date: view.audit_date.map(day_fr),
            round: view.audit_round + 1,
            second_round: view.audit_round > 0,
            can_record,
            groups,
            errors: first_errors(errors),
            error_summary: super::criteria_summary(
                &view,
                errors,
                "findings",
                |code| format!("critere-{code}"),
                &[("recommendation", "recommendation"), ("report", "report")],
                "audit-form",
            ),
            recommendation: typed
                .map(|t| t.recommendation.clone())
                .or(view.recommendation.clone()),
            draft_note,
            draft_saved_now: said == Some(Said::Draft),
            info: (said == Some(Said::Report))
                .then_some("Rapport d'audit joint : l'équipe du label le lira avant de décider."),
            criteria_count,
            report: report.map(|r| context::ReportLine::of(&view.id, r)),
            can_attach: matches!(
                view.status,
                ApplicationStatus::AuditScheduled
                    | ApplicationStatus::Audited
                    | ApplicationStatus::CorrectiveActions
                    | ApplicationStatus::Decision
            ),
            events: context::EventLine::trail(&events, event_label),
            id: view.id,
            version: view.version,
            provider_name: view.provider_name,
            status_label: view.status_label,
        },
    ))
}

/// The audit report's form: the recommendation, the version the page showed, and for each
/// criterion its `finding-<criterion>` and `comment-<criterion>` fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportForm {
    csrf_token: String,
    recommendation: String,
    version: String,
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

#[post("/audit/{application}")]
async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuditorUser,
    path: web::Path<String>,
    form: web::Form<ReportForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let form = form.into_inner();
    let get = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let mut typed = Typed {
        findings: BTreeMap::new(),
        recommendation: form.recommendation.clone(),
    };
    let mut errors = FieldErrors::new();
    let mut findings = Vec::new();
    for c in state.criteria.criteria() {
        let chosen = get(&format!("finding-{}", c.code));
        let comment = get(&format!("comment-{}", c.code));
        typed
            .findings
            .insert(c.code.clone(), (chosen.clone(), comment.clone()));
        match Finding::parse(&chosen) {
            Some(finding) => findings.push(FindingInput {
                criterion: c.code.clone(),
                finding,
                comment,
            }),
            None => {
                errors.insert(
                    format!("findings.{}", c.code),
                    vec![format!("Évaluez le critère {} ({}).", c.code, c.title)],
                );
            }
        }
    }
    if form.fields.get("brouillon").is_some_and(|v| v == "oui") {
        let inner = state.clone().into_inner();
        let (who, app_id, draft) = (user.clone(), id.clone(), typed.clone());
        let saved =
            blocking(move || drafts::save(&inner, &inner.criteria, &who, &app_id, draft)).await;
        return match saved {
            Ok(_) => done(&format!("/audit/{id}"), "brouillon"),
            Err(AppError::Validation(errors)) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                show(&state, &user, &id, status, &errors, Some(&typed), None).await
            }
            Err(e) => Err(failed(e)),
        };
    }
    let version = form.version.trim().parse().ok();
    let result = if errors.is_empty() {
        let inner = state.clone().into_inner();
        let (who, app_id) = (user.clone(), id.clone());
        let input = ActionInput {
            version,
            findings,
            recommendation: Some(typed.recommendation.clone()),
            ..ActionInput::default()
        };
        blocking(move || {
            label::act(
                &inner,
                &inner.criteria,
                &who,
                &app_id,
                Action::RecordAudit,
                input,
            )
        })
        .await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(_) => done("/audit", "enregistre"),
        Err(AppError::Validation(errors)) => {
            show(
                &state,
                &user,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                Some(&typed),
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

/// The audit report (PDF), joined by the auditor assigned; the page again with the refusal
/// beside the field.
#[post("/audit/{application}/rapport")]
async fn attach_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuditorUser,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    // Who may upload, and from where, before a byte of the body is read.
    check_origin(&req, &state).map_err(failed)?;
    let (inner, who, target) = (state.clone().into_inner(), user.clone(), id.clone());
    blocking(move || label::application(&inner, &inner.criteria, &who, &target).map(|_| ()))
        .await
        .map_err(failed)?;
    let mut form = crate::http::multipart::read(payload, MAX_BYTES, &state.uploads)
        .await
        .map_err(failed)?;
    form.refuse_too_large().map_err(failed)?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    check_form(&req, &state, &user, &token).map_err(failed)?;
    let (filename, bytes) = form.file.unwrap_or_default();
    let (inner, who, target) = (state.clone().into_inner(), user.clone(), id.clone());
    match blocking(move || drafts::attach_report(&inner, &who, &target, &filename, bytes)).await {
        Ok(()) => done(&format!("/audit/{id}"), "rapport"),
        Err(AppError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&state, &user, &id, status, &errors, None, None).await
        }
        Err(e) => Err(failed(e)),
    }
}

/// The audit report, for staff and the auditor assigned.
#[get("/label/{application}/rapport-audit")]
async fn report_download(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let (inner, who) = (state.clone().into_inner(), user.clone());
    match blocking(move || drafts::report(&inner, &who, &id)).await {
        Ok(file) => Ok(crate::http::download::file(
            "application/pdf",
            crate::http::download::Disposition::Inline,
            &file.filename,
            "rapport-audit",
            file.content,
        )),
        Err(e) => Err(failed(e)),
    }
}
