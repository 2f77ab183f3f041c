//! The provider's label area: apply, answer each criterion with evidence, follow the status,
//! read the audit result, answer corrective actions, see the label and its expiry.

use crate::web::kit::done;
use crate::web::session::ProviderMember;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{blocking, context, criteria_groups, day_fr, euros, failed, first_errors};
use crate::auth::Role;
use crate::domain::label::LabelStatus;
use crate::domain::label_application::{Action, ApplicationKind, ApplicationStatus};
use crate::error::{AppError, FieldErrors};
use crate::http::download::{self as file_download, Disposition};
use crate::http::extract::CurrentUser;
use crate::label::overview::Overview;
use crate::label::views::LabelApplicationView;
use crate::label::{self, ActionInput, ApplicationUpdate, NewApplication, evidence};
use crate::referencing::documents::MAX_BYTES;
use crate::state::AppState;
use crate::web::kit::CsrfForm;
use crate::web::kit::InfoQuery;
use crate::web::kit::date_fr;
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{PageUser, check_form, check_origin};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview)
        .service(apply)
        .service(application_page)
        .service(save_answers)
        .service(upload)
        .service(act)
        .service(download);
}

fn base(provider_id: &str) -> String {
    format!("/espace/organisations/{provider_id}/label")
}

fn info_message(slug: Option<&str>) -> Option<&'static str> {
    Some(match slug? {
        "creee" => "Votre demande est ouverte : répondez à chaque critère, puis déposez-la.",
        "reponses" => "Vos réponses sont enregistrées.",
        "piece" => "La pièce justificative est déposée.",
        "submit" => "Votre demande est déposée : l'équipe du label va examiner sa recevabilité.",
        "submit-corrections" => "Vos actions correctives sont transmises à l'auditeur.",
        "withdraw" => "Votre demande est retirée.",
        _ => return None,
    })
}

// --- Overview --------------------------------------------------------------------------------

#[get("/espace/organisations/{id}/label")]
async fn overview(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    show_overview(&state, &user, &provider_id, None).await
}

async fn show_overview(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    error: Option<String>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.to_owned());
    let loaded =
        blocking(move || label::overview::overview(&inner, &inner.criteria, &who, &pid)).await;
    let Overview {
        provider,
        applications,
        label,
    } = loaded.map_err(failed)?;
    let today = state.clock.today();
    let label = label.map(|view| context::LabelCard {
        valid: view.status == LabelStatus::Valid,
        valid_from: day_fr(view.valid_from),
        valid_until: day_fr(view.valid_until),
        days_left: (view.valid_until - today).num_days(),
        renewal_pending: view.renewal_pending,
        number: view.number,
        status: view.status,
        status_label: view.status_label,
    });
    let open = applications.iter().find(|a| !a.status.is_closed());
    let can_apply = open.is_none()
        && provider.status == crate::domain::provider::ReferencingStatus::Approved
        && user.role == Role::Provider;
    Ok(page(
        state,
        if error.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        },
        "pages/label/overview",
        &format!("Label ExpertCyber – {}", provider.name),
        Some(user),
        context::Overview {
            organisation_href: format!("/espace/organisations/{provider_id}"),
            base: base(provider_id),
            label,
            can_apply,
            fee: euros(state.config.label_fee_cents),
            not_approved: provider.status != crate::domain::provider::ReferencingStatus::Approved,
            error,
            applications: applications
                .iter()
                .map(|a| context::ApplicationLine {
                    href: format!("{}/{}", base(provider_id), a.id),
                    kind: if a.kind == ApplicationKind::Renewal {
                        "Renouvellement"
                    } else {
                        "Première demande"
                    },
                    status_label: a.status_label.clone(),
                    created: date_fr(a.created_at),
                    open: !a.status.is_closed(),
                })
                .collect(),
            provider_name: provider.name,
        },
    ))
}

#[post("/espace/organisations/{id}/label")]
async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.clone());
    match blocking(move || {
        label::create(
            &inner,
            &inner.criteria,
            &who,
            &pid,
            NewApplication::default(),
        )
    })
    .await
    {
        Ok(view) => done(&format!("{}/{}", base(&provider_id), view.id), "creee"),
        Err(AppError::Conflict(message)) | Err(AppError::Forbidden(message)) => {
            show_overview(&state, &user, &provider_id, Some(message)).await
        }
        Err(e @ AppError::Validation(_)) => {
            show_overview(&state, &user, &provider_id, Some(e.said())).await
        }
        Err(e) => Err(failed(e)),
    }
}

// --- One application ---------------------------------------------------------------------

#[get("/espace/organisations/{id}/label/{application}")]
async fn application_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let (provider_id, id) = path.into_inner();
    let info = info_message(query.info.as_deref());
    show_application(
        &state,
        &user,
        &provider_id,
        &id,
        StatusCode::OK,
        &FieldErrors::new(),
        None,
        info,
    )
    .await
}

/// Loads the application, checking it belongs to the organisation in the address.
async fn load(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    id: &str,
) -> Result<(LabelApplicationView, Vec<crate::audit::EventView>), AppError> {
    let inner = state.clone().into_inner();
    let (who, id, pid) = (user.clone(), id.to_owned(), provider_id.to_owned());
    blocking(move || {
        let view = label::application(&inner, &inner.criteria, &who, &id)?;
        if view.provider_id != pid {
            return Err(AppError::not_found("Demande de label introuvable."));
        }
        let events = label::events(&inner, &who, &id)?;
        Ok((view, events))
    })
    .await
}

/// Checks, before a form acts, that the application is one the user may see and belongs to the
/// organisation in the address (without building the page's view).
async fn belongs_to(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    id: &str,
) -> Result<(), AppError> {
    let inner = state.clone().into_inner();
    let (who, id, pid) = (user.clone(), id.to_owned(), provider_id.to_owned());
    blocking(move || label::overview::belongs_to(&inner, &who, &pid, &id)).await
}

#[allow(clippy::too_many_arguments)]
async fn show_application(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    provider_id: &str,
    id: &str,
    status: StatusCode,
    errors: &FieldErrors,
    typed: Option<&std::collections::BTreeMap<String, String>>,
    info: Option<&str>,
) -> PageResult {
    let (view, events) = load(state, user, provider_id, id).await.map_err(failed)?;
    let mut groups = criteria_groups(&view, errors, "answers");
    if let Some(typed) = typed {
        // Keep what was typed when the form is refused.
        for c in groups.iter_mut().flat_map(|g| g.criteria.iter_mut()) {
            if let Some(answer) = typed.get(&c.code) {
                c.answer = Some(answer.clone());
            }
        }
    }
    let editable = label::editable(view.status) && user.role == Role::Provider;
    let can = |a: Action| view.available_actions.iter().any(|s| s == a.slug());
    let base_path = format!("{}/{}", base(provider_id), view.id);
    Ok(page(
        state,
        status,
        "pages/label/application",
        &format!("Demande de label – {}", view.provider_name),
        Some(user),
        context::Application {
            info,
            errors: first_errors(errors),
            error_summary: super::criteria_summary(
                &view,
                errors,
                "answers",
                |code| format!("answers-{}", code.to_ascii_lowercase()),
                &[
                    ("evidence_criterion", "evidence_criterion"),
                    ("evidence_file", "evidence_file"),
                ],
                "criteres",
            ),
            overview_href: base(provider_id),
            base: base_path,
            renewal: view.kind == ApplicationKind::Renewal,
            status: view.status,
            version: view.version,
            fee: euros(view.fee.amount_cents),
            fee_status: view.fee.status_label.clone(),
            auditor: view.auditor.as_ref().map(|a| a.display_name.clone()),
            audit_date: view.audit_date.map(day_fr),
            corrective_deadline: view.corrective_deadline.map(day_fr),
            decision_reason: view.decision_reason.clone(),
            recommendation: view.recommendation.clone(),
            label_number: view.label_number.clone(),
            granted: view.status == ApplicationStatus::Granted,
            audited: view.audit_round > 0,
            editable,
            corrective: view.status == ApplicationStatus::CorrectiveActions,
            groups,
            criteria: view
                .criteria
                .iter()
                .map(|c| context::CriterionName {
                    code: c.code.clone(),
                    title: c.title.clone(),
                })
                .collect(),
            can_submit: can(Action::Submit),
            can_submit_corrections: can(Action::SubmitCorrections),
            can_withdraw: can(Action::Withdraw),
            events: context::EventLine::trail(&events, super::event_label),
            provider_name: view.provider_name.clone(),
            status_label: view.status_label.clone(),
        },
    ))
}

/// The `answer-ADM-01=...` fields of a form (url-encoded or multipart), by criterion.
fn answers_of<'a>(
    fields: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> std::collections::BTreeMap<String, String> {
    fields
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("answer-")?.to_owned(), v.clone())))
        .collect()
}

/// The application's form: its token, the version the page showed, the withdrawal's
/// confirmation, and one `answer-<criterion>` field per criterion of the framework.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApplicationForm {
    csrf_token: String,
    version: String,
    confirm: String,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<String, String>,
}

#[post("/espace/organisations/{id}/label/{application}/reponses")]
async fn save_answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    form: web::Form<ApplicationForm>,
) -> PageResult {
    let user = user.0;
    let (provider_id, id) = path.into_inner();
    let fields = form.into_inner();
    check_form(&req, &state, &user, &fields.csrf_token).map_err(failed)?;
    let answers = answers_of(&fields.fields);
    let inner = state.clone().into_inner();
    let (who, app_id, input) = (user.clone(), id.clone(), answers.clone());
    // The organisation in the address must be the application's.
    belongs_to(&state, &user, &provider_id, &id)
        .await
        .map_err(failed)?;
    match blocking(move || {
        label::update(
            &inner,
            &inner.criteria,
            &who,
            &app_id,
            ApplicationUpdate { answers: input },
        )
    })
    .await
    {
        Ok(_) => done(&format!("{}/{id}#criteres", base(&provider_id)), "reponses"),
        Err(AppError::Validation(errors)) => {
            show_application(
                &state,
                &user,
                &provider_id,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                Some(&answers),
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[post("/espace/organisations/{id}/label/{application}/pieces")]
async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    payload: Multipart,
) -> PageResult {
    let user = user.0;
    let (provider_id, id) = path.into_inner();
    // Who may upload, and from where, before a byte of the body is read.
    check_origin(&req, &state).map_err(failed)?;
    belongs_to(&state, &user, &provider_id, &id)
        .await
        .map_err(failed)?;
    let (inner, who, target) = (state.clone().into_inner(), user.clone(), id.clone());
    blocking(move || evidence::may_upload(&inner, &who, &target))
        .await
        .map_err(failed)?;
    let mut form = crate::http::multipart::read(payload, MAX_BYTES, &state.uploads)
        .await
        .map_err(failed)?;
    form.refuse_too_large().map_err(failed)?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    check_form(&req, &state, &user, &token).map_err(failed)?;
    let criterion = form.texts.remove("criterion").unwrap_or_default();
    // The answers typed on the page come with the piece: saved first, so that none is lost.
    let typed = answers_of(&form.texts);
    if !typed.is_empty() {
        let inner = state.clone().into_inner();
        let (who, app_id, answers) = (user.clone(), id.clone(), typed.clone());
        let saved = blocking(move || {
            label::update(
                &inner,
                &inner.criteria,
                &who,
                &app_id,
                ApplicationUpdate { answers },
            )
        })
        .await;
        match saved {
            Ok(_) => {}
            Err(AppError::Validation(errors)) => {
                return show_application(
                    &state,
                    &user,
                    &provider_id,
                    &id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &errors,
                    Some(&typed),
                    None,
                )
                .await;
            }
            Err(e) => return Err(failed(e)),
        }
    }
    let result = match form.file.filter(|(_, bytes)| !bytes.is_empty()) {
        None => Err(AppError::field(
            "evidence_file",
            "Choisissez le fichier à déposer.",
        )),
        Some((filename, bytes)) => {
            let inner = state.clone().into_inner();
            let (who, app_id) = (user.clone(), id.clone());
            blocking(move || {
                evidence::upload(
                    &inner,
                    &inner.criteria,
                    &who,
                    &app_id,
                    &criterion,
                    &filename,
                    bytes,
                )
            })
            .await
        }
    };
    match result {
        Ok(_) => done(&format!("{}/{id}#pieces", base(&provider_id)), "piece"),
        Err(AppError::Validation(errors)) => {
            let errors: FieldErrors = errors
                .into_iter()
                .map(|(k, v)| {
                    (
                        if k == "file" {
                            "evidence_file".to_owned()
                        } else if k == "criterion" {
                            "evidence_criterion".to_owned()
                        } else {
                            k
                        },
                        v,
                    )
                })
                .collect();
            show_application(
                &state,
                &user,
                &provider_id,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

#[post("/espace/organisations/{id}/label/{application}/actions/{action}")]
async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String, String)>,
    form: web::Form<ApplicationForm>,
) -> PageResult {
    let user = user.0;
    let (provider_id, id, slug) = path.into_inner();
    let fields = form.into_inner();
    check_form(&req, &state, &user, &fields.csrf_token).map_err(failed)?;
    let Some(action) = Action::from_slug(&slug).filter(|a| {
        matches!(
            a,
            Action::Submit | Action::SubmitCorrections | Action::Withdraw
        )
    }) else {
        return Err(failed(AppError::not_found("Action inconnue.")));
    };
    if action == Action::Withdraw && fields.confirm != "oui" {
        let errors = FieldErrors::from([(
            "withdraw_confirm".to_owned(),
            vec!["Cochez la case pour confirmer le retrait de la demande.".to_owned()],
        )]);
        return show_application(
            &state,
            &user,
            &provider_id,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors,
            None,
            None,
        )
        .await;
    }
    belongs_to(&state, &user, &provider_id, &id)
        .await
        .map_err(failed)?;
    let answers = answers_of(&fields.fields);
    let version = fields.version.trim().parse().ok();
    let inner = state.clone().into_inner();
    let (who, app_id, typed) = (user.clone(), id.clone(), answers.clone());
    let input = ActionInput {
        version,
        answers: typed,
        ..ActionInput::default()
    };
    match blocking(move || label::act(&inner, &inner.criteria, &who, &app_id, action, input)).await
    {
        Ok(_) => done(&format!("{}/{id}", base(&provider_id)), action.slug()),
        Err(AppError::Validation(errors)) => {
            show_application(
                &state,
                &user,
                &provider_id,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                Some(&answers),
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}

/// A piece of evidence, for whoever may see the application (members, staff, its auditor).
#[get("/label/{application}/pieces/{evidence}")]
async fn download(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
) -> PageResult {
    let user = user.0;
    let (id, evidence_id) = path.into_inner();
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || evidence::download(&inner, &who, &id, &evidence_id)).await {
        Ok(file) => Ok(file_download::file(
            &file.content_type,
            Disposition::Inline,
            &file.filename,
            "piece-justificative",
            file.content,
        )),
        Err(e) => Err(failed(e)),
    }
}
