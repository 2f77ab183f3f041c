//! The ExpertCyber label: applications and their workflow, evidence, fee, audit trail, public
//! verification and staff actions on labels.

use crate::http::body::{Body, OptionalBody};
use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::referencing::EventList;
use crate::domain::label_application::{Action, ApplicationKind, ApplicationStatus, FeeStatus};
use crate::error::{AppError, Problem};
use crate::http::download::{self, Disposition};
use crate::http::extract::CurrentUser;
use crate::http::paging::{PageQuery, Paging};
use crate::http::problem::ApiError;
use crate::label::criteria::Framework;
use crate::label::labels::{self as label_service, LabelAction};
use crate::label::queue::PastTheEnd;
use crate::label::views::{
    EvidenceView, LabelApplicationView, LabelLists, LabelVerification, LabelView,
};
use crate::label::{self, ActionInput, ApplicationUpdate, FeeUpdate, NewApplication, evidence};
use crate::referencing::documents::MAX_BYTES;
use crate::state::AppState;

/// The reference framework in force: criteria by theme, with the evidence expected.
#[utoipa::path(tag = "label", responses((status = 200, body = Framework)))]
#[get("/label-criteria")]
pub async fn criteria(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.criteria.as_ref())
}

/// Opens a label application for the organisation (members of an approved provider).
#[utoipa::path(tag = "label", params(("id" = String, Path)), request_body = NewApplication, responses((status = 201, body = LabelApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/providers/{id}/label-applications")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: OptionalBody<NewApplication>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view =
        web::block(move || label::create(&state, &state.criteria, &user, &id, input)).await??;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    pub results: Vec<LabelApplicationView>,
}

/// The organisation's label applications, newest first (members and staff).
#[utoipa::path(tag = "label", params(("id" = String, Path)), responses((status = 200, body = ApplicationList), (status = 404, body = Problem)))]
#[get("/providers/{id}/label-applications")]
pub async fn of_provider(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results =
        web::block(move || label::applications_of_provider(&state, &state.criteria, &user, &id))
            .await??;
    Ok(HttpResponse::Ok().json(ApplicationList { results }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only applications in this state (`submitted`, `decision`, ...).
    pub status: Option<String>,
    /// From 1 (default).
    pub page: Option<i64>,
    /// Applications per page: 20 by default, at most 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    pub status_label: String,
    pub fee_status: FeeStatus,
    pub auditor_id: Option<String>,
    pub audit_date: Option<chrono::NaiveDate>,
    pub corrective_deadline: Option<chrono::NaiveDate>,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationQueue {
    /// Number of applications in each state (staff; an auditor sees its own).
    pub counts: std::collections::BTreeMap<String, i64>,
    /// How many applications the state asked for holds.
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    /// The most recently changed first.
    pub results: Vec<ApplicationSummary>,
}

/// Applications by state: every one for staff, those assigned to the caller for an auditor.
#[utoipa::path(tag = "label", params(ListQuery), responses((status = 200, body = ApplicationQueue), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/label-applications")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let Paging { page, limit } = Paging::of(
        PageQuery {
            page: query.page,
            limit: query.limit,
        },
        20,
        100,
    )?;
    let status = match query.status.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            ApplicationStatus::parse(&s)
                .ok_or_else(|| AppError::field("status", format!("État inconnu : {s}.")))?,
        ),
    };
    let state = state.into_inner();
    let queue = web::block(move || -> Result<ApplicationQueue, AppError> {
        let ask = label::queue::ApplicationAsk {
            status,
            descending: true,
            ..Default::default()
        };
        let shown = (
            usize::try_from(page).unwrap_or(1),
            usize::try_from(limit).unwrap_or(20),
        );
        let selection = label::queue::page(&state, &user, &ask, shown, PastTheEnd::Nothing)?;
        Ok(ApplicationQueue {
            counts: selection.counts,
            total: selection.total,
            page,
            limit,
            results: selection
                .rows
                .into_iter()
                .map(|r| ApplicationSummary {
                    status_label: r.status.label().to_owned(),
                    id: r.id,
                    provider_id: r.provider_id,
                    provider_name: r.provider_name,
                    kind: r.kind,
                    status: r.status,
                    fee_status: r.fee_status,
                    auditor_id: r.auditor_id,
                    audit_date: r.audit_date,
                    corrective_deadline: r.corrective_deadline,
                    updated_at: r.updated_at,
                })
                .collect(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(queue))
}

/// One application with its criteria, answers, evidence and findings.
#[utoipa::path(tag = "label", params(("id" = String, Path)), responses((status = 200, body = LabelApplicationView), (status = 404, body = Problem)))]
#[get("/label-applications/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let view =
        web::block(move || label::application(&state, &state.criteria, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The provider answers criteria (while a draft, incomplete, or answering corrective actions).
#[utoipa::path(tag = "label", params(("id" = String, Path)), request_body = ApplicationUpdate, responses((status = 200, body = LabelApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[patch("/label-applications/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<ApplicationUpdate>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view =
        web::block(move || label::update(&state, &state.criteria, &user, &id, input)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Uploads evidence for a criterion: multipart fields `criterion` (`ADM-01`, ...) and `file`
/// (PDF, PNG or JPEG, 10 MB at most). Send the session's CSRF token in `X-CSRF-Token`.
#[utoipa::path(tag = "label", params(("id" = String, Path)), responses((status = 201, body = EvidenceView), (status = 413, body = Problem), (status = 422, body = Problem)))]
#[post("/label-applications/{id}/evidence")]
pub async fn upload_evidence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let (checking, who, target) = (state.clone(), user.clone(), id.clone());
    web::block(move || evidence::may_upload(&checking, &who, &target)).await??;
    let mut form = crate::http::multipart::read(payload, MAX_BYTES, &state.uploads).await?;
    form.refuse_too_large()?;
    let criterion = form
        .texts
        .remove("criterion")
        .ok_or_else(|| AppError::field("criterion", "Indiquez le critère (ex. ADM-01)."))?;
    let (filename, bytes) = form
        .file
        .ok_or_else(|| AppError::field("file", "Joignez le fichier."))?;
    let view = web::block(move || {
        evidence::upload(
            &state,
            &state.criteria,
            &user,
            &id,
            &criterion,
            &filename,
            bytes,
        )
    })
    .await??;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads a piece of evidence (members, staff and the assigned auditor).
#[utoipa::path(tag = "label", params(("id" = String, Path), ("evidence_id" = String, Path)), responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
#[get("/label-applications/{id}/evidence/{evidence_id}")]
pub async fn download_evidence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let (id, evidence_id) = path.into_inner();
    let file = web::block(move || evidence::download(&state, &user, &id, &evidence_id)).await??;
    Ok(download::file(
        &file.content_type,
        Disposition::Inline,
        &file.filename,
        "piece-justificative",
        file.content,
    ))
}

/// Staff record the fee as `paid`, `waived` or `pending`.
#[utoipa::path(tag = "label", params(("id" = String, Path)), request_body = FeeUpdate, responses((status = 200, body = LabelApplicationView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[put("/label-applications/{id}/fee")]
pub async fn set_fee(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<FeeUpdate>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let status = body.into_inner().status;
    let view =
        web::block(move || label::set_fee(&state, &state.criteria, &user, &id, status)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The audit trail of an application.
#[utoipa::path(tag = "label", params(("id" = String, Path)), responses((status = 200, body = EventList), (status = 404, body = Problem)))]
#[get("/label-applications/{id}/events")]
pub async fn events(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results = web::block(move || label::events(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(EventList { results }))
}

/// A workflow step. Members: `submit`, `submit-corrections`, `withdraw`. Staff:
/// `start-admissibility`, `mark-incomplete` (reason: what is missing), `mark-admissible`,
/// `schedule-audit` (`auditor_id`, `audit_date`), `grant`, `refuse` (reason). The assigned
/// auditor: `record-audit` (`findings`, one per criterion, and `recommendation`).
#[utoipa::path(
    tag = "label",
    params(("id" = String, Path), ("action" = String, Path, description = "submit, start-admissibility, mark-incomplete, mark-admissible, schedule-audit, record-audit, submit-corrections, grant, refuse or withdraw")),
    request_body = ActionInput,
    responses((status = 200, body = LabelApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem))
)]
#[post("/label-applications/{id}/{action}")]
pub async fn act(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    body: OptionalBody<ActionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, slug) = path.into_inner();
    let action = Action::from_slug(&slug)
        .ok_or_else(|| AppError::not_found(format!("Action inconnue : {slug}.")))?;
    let input = body.into_inner();
    let state = state.into_inner();
    let view = web::block(move || label::act(&state, &state.criteria, &user, &id, action, input))
        .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Public verification of a label number: holder, SIRET, status and validity.
#[utoipa::path(tag = "label", params(("number" = String, Path, description = "EC-YYYY-NNNN")), responses((status = 200, body = LabelVerification), (status = 404, body = Problem)))]
#[get("/labels/{number}")]
pub async fn verify(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let number = path.into_inner();
    let found = web::block(move || label_service::verify(&state, &number)).await??;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct LabelActionBody {
    /// Required to suspend and to withdraw; sent to the provider.
    pub reason: Option<String>,
}

/// Staff suspend, reinstate or withdraw a label.
#[utoipa::path(tag = "label", params(("number" = String, Path), ("action" = String, Path, description = "suspend, reinstate or withdraw")), request_body = LabelActionBody, responses((status = 200, body = LabelView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/labels/{number}/{action}")]
pub async fn act_on_label(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    body: OptionalBody<LabelActionBody>,
) -> Result<HttpResponse, ApiError> {
    let (number, slug) = path.into_inner();
    let action = LabelAction::from_slug(&slug)
        .ok_or_else(|| AppError::not_found(format!("Action inconnue : {slug}.")))?;
    let reason = body.into_inner().reason;
    let state = state.into_inner();
    let view =
        web::block(move || label_service::act(&state, &user, &number, action, reason.as_deref()))
            .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The audit trail of a label (staff).
#[utoipa::path(tag = "label", params(("number" = String, Path)), responses((status = 200, body = EventList), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/labels/{number}/events")]
pub async fn label_events(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let number = path.into_inner();
    let results = web::block(move || label_service::events(&state, &user, &number)).await??;
    Ok(HttpResponse::Ok().json(EventList { results }))
}

/// Labels staff watch: expiring within 90 days, suspended, withdrawn.
#[utoipa::path(tag = "label", responses((status = 200, body = LabelLists), (status = 403, body = Problem)))]
#[get("/labels")]
pub async fn lists(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let lists = web::block(move || label_service::staff_lists(&state, &user, 90)).await??;
    Ok(HttpResponse::Ok().json(lists))
}
