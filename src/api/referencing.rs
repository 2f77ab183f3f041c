//! The referencing workflow: drafts, profile edits, documents, charter, actions, audit trail,
//! members, change requests and the staff queue.

use crate::http::body::{Body, OptionalBody};
use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::EventView;
use crate::domain::provider::ReferencingStatus;
use crate::domain::referencing::Action;
use crate::domain::referencing::ChangeRequestStatus;
use crate::error::{AppError, Problem};
use crate::http::download::{self as file_download, Disposition};
use crate::http::extract::CurrentUser;
use crate::http::paging::{PageQuery, Paging};
use crate::http::problem::ApiError;
use crate::referencing::Asked;
use crate::referencing::profile::ProfileInput;
use crate::referencing::queue::{self as application_queue, QueueFilter, QueueOrder};
use crate::referencing::views::{
    ApplicationView, ChangeRequestView, DocumentView, JoinedOrganisation, MemberView, UpdateOutcome,
};
use crate::referencing::{self, documents};
use crate::state::AppState;

/// Creates a draft organisation owned by the caller (provider accounts).
#[utoipa::path(tag = "referencing", request_body = ProfileInput, responses((status = 201, body = ApplicationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/providers")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let input = body.into_inner();
    let view = web::block(move || referencing::create_draft(&state, &state.charter, &user, &input))
        .await??;
    Ok(HttpResponse::Created().json(view))
}

/// The application as its members and staff see it.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), responses((status = 200, body = ApplicationView), (status = 404, body = Problem)))]
#[get("/providers/{id}/application")]
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let view =
        web::block(move || referencing::application(&state, &state.charter, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Edits the profile. A referenced provider's descriptive fields are published at once; changes
/// to the legal name, SIRET, address or zone become a change request for staff.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), request_body = ProfileInput, responses((status = 200, body = UpdateOutcome), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
#[patch("/providers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let outcome =
        web::block(move || referencing::update_profile(&state, &state.charter, &user, &id, input))
            .await??;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Uploads a supporting document: multipart fields `kind` (`kbis` or `insurance`), `file`
/// (PDF, 10 MB at most), `valid_until` (`YYYY-MM-DD`, the last day it covers: required for
/// the insurance certificate) and `issued_on` (`YYYY-MM-DD`, the day a Kbis extract was issued:
/// required for it, at most `KBIS_MAX_AGE_MONTHS` old). Send the session's CSRF token in
/// `X-CSRF-Token`.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), responses((status = 201, body = DocumentView), (status = 413, body = Problem), (status = 422, body = Problem)))]
#[post("/providers/{id}/documents")]
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let (checking, who, target) = (state.clone(), user.clone(), id.clone());
    web::block(move || documents::may_upload(&checking, &who, &target)).await??;
    let mut form =
        crate::http::multipart::read(payload, documents::MAX_BYTES, &state.uploads).await?;
    form.refuse_too_large()?;
    let kind = form.texts.remove("kind").ok_or_else(|| {
        AppError::field("kind", "Indiquez le type de document : kbis ou insurance.")
    })?;
    let (filename, bytes) = form
        .file
        .ok_or_else(|| AppError::field("file", "Joignez le fichier PDF."))?;
    let valid_until = form.texts.remove("valid_until");
    let issued_on = form.texts.remove("issued_on");
    let view = web::block(move || {
        let typed = documents::Typed {
            filename: &filename,
            valid_until: valid_until.as_deref(),
            issued_on: issued_on.as_deref(),
        };
        documents::upload(&state, &user, &id, &kind, typed, bytes)
    })
    .await??;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads a document (members and staff).
#[utoipa::path(tag = "referencing", params(("id" = String, Path), ("document_id" = String, Path)), responses((status = 200, content_type = "application/pdf"), (status = 404, body = Problem)))]
#[get("/providers/{id}/documents/{document_id}")]
pub async fn download(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let (id, document_id) = path.into_inner();
    let doc = web::block(move || documents::download(&state, &user, &id, &document_id)).await??;
    let fallback = format!("{}.pdf", doc.kind);
    Ok(file_download::file(
        "application/pdf",
        Disposition::Inline,
        &doc.filename,
        &fallback,
        doc.content,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct CharterAcceptance {
    /// The version accepted (must be the current one).
    #[schema(required = true)]
    pub version: String,
}

/// Accepts the current commitment charter for the organisation.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), request_body = CharterAcceptance, responses((status = 200, body = ApplicationView), (status = 422, body = Problem)))]
#[post("/providers/{id}/charter")]
pub async fn accept_charter(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<CharterAcceptance>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let version = body.into_inner().version;
    let view = web::block(move || {
        referencing::accept_charter(&state, &state.charter, &user, &id, &version)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The current charter.
#[utoipa::path(tag = "referencing", responses((status = 200, body = crate::referencing::charter::Charter)))]
#[get("/charter")]
pub async fn charter(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.charter.as_ref())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ActionBody {
    /// Required for request-changes, reject, suspend and remove; shown to the provider.
    pub reason: Option<String>,
    /// The `version` the caller saw; a different current version answers 409.
    #[serde(deserialize_with = "crate::json::whole_opt")]
    pub version: Option<i32>,
}

/// A workflow action: `submit`, `withdraw` (members); `start-review`, `request-changes`,
/// `approve`, `reject`, `suspend`, `reinstate`, `remove` (staff). Not allowed from the current
/// state: 409; not for this role: 403.
#[utoipa::path(
    tag = "referencing",
    params(("id" = String, Path), ("action" = String, Path, description = "submit, withdraw, start-review, request-changes, approve, reject, suspend, reinstate or remove")),
    request_body = ActionBody,
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem))
)]
#[post("/providers/{id}/{action}")]
pub async fn act(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    body: OptionalBody<ActionBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, slug) = path.into_inner();
    let action = Action::from_slug(&slug)
        .ok_or_else(|| AppError::not_found(format!("Action inconnue : {slug}.")))?;
    let body = body.into_inner();
    let state = state.into_inner();
    let view = web::block(move || {
        crate::workflow::referencing_act(
            &state,
            &state.directory,
            &state.charter,
            &user,
            Asked {
                id: &id,
                action,
                reason: body.reason.as_deref(),
                expected_version: body.version,
            },
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub results: Vec<EventView>,
}

/// The audit trail: who did what, when, from which state to which, and why.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), responses((status = 200, body = EventList), (status = 404, body = Problem)))]
#[get("/providers/{id}/events")]
pub async fn events(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results = web::block(move || referencing::events(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(EventList { results }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub results: Vec<MemberView>,
}

/// Members of the organisation.
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), responses((status = 200, body = MemberList), (status = 404, body = Problem)))]
#[get("/providers/{id}/members")]
pub async fn members(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results = web::block(move || referencing::members(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(MemberList { results }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct InvitationBody {
    #[schema(required = true)]
    pub email: String,
}

/// The owner invites someone to join the organisation (an email with a link valid 7 days).
#[utoipa::path(tag = "referencing", params(("id" = String, Path)), request_body = InvitationBody, responses((status = 202), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/providers/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<InvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let email = body.into_inner().email;
    web::block(move || referencing::invite(&state, &user, &id, &email)).await??;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"message": "Invitation envoyée."})))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct InvitationAcceptance {
    #[schema(required = true)]
    pub token: String,
}

/// The signed-in invitee joins the organisation.
#[utoipa::path(tag = "referencing", request_body = InvitationAcceptance, responses((status = 200, body = JoinedOrganisation), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<InvitationAcceptance>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let token = body.into_inner().token;
    let joined =
        web::block(move || referencing::accept_invitation(&state, &user, token.trim())).await??;
    Ok(HttpResponse::Ok().json(joined))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeRequestList {
    pub results: Vec<ChangeRequestView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangeRequestQuery {
    /// `pending` (default), `approved` or `rejected`.
    pub status: Option<String>,
}

/// Change requests by status (staff).
#[utoipa::path(tag = "referencing", params(ChangeRequestQuery), responses((status = 200, body = ChangeRequestList), (status = 403, body = Problem)))]
#[get("/change-requests")]
pub async fn change_requests(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ChangeRequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status.as_deref() {
        None => ChangeRequestStatus::Pending,
        Some(s) => ChangeRequestStatus::parse(s).ok_or_else(|| {
            AppError::field("status", "Statut inconnu : pending, approved ou rejected.")
        })?,
    };
    let state = state.into_inner();
    let rows =
        web::block(move || referencing::change_requests::list(&state, &user, status)).await??;
    Ok(HttpResponse::Ok().json(ChangeRequestList {
        results: rows
            .into_iter()
            .map(referencing::change_request_view)
            .collect(),
    }))
}

/// Approves (publishes) or rejects (reason required) a change request (staff).
#[utoipa::path(
    tag = "referencing",
    params(("id" = String, Path), ("decision" = String, Path, description = "approve or reject")),
    request_body = ActionBody,
    responses((status = 200, body = ChangeRequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem))
)]
#[post("/change-requests/{id}/{decision}")]
pub async fn decide_change_request(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    body: OptionalBody<ActionBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, decision) = path.into_inner();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => return Err(AppError::not_found(format!("Décision inconnue : {other}.")).into()),
    };
    let reason = body.into_inner().reason;
    let state = state.into_inner();
    let view = web::block(move || {
        referencing::change_requests::decide(&state, &user, &id, approve, reason.as_deref())
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// A state (`submitted`, `in_review`, ...).
    pub status: Option<String>,
    /// A département code.
    pub departement: Option<String>,
    /// Changed on or after (YYYY-MM-DD).
    pub since: Option<NaiveDate>,
    /// Changed before (YYYY-MM-DD).
    pub until: Option<NaiveDate>,
    /// Words to find in the name, legal name, SIRET, email, commune or postcode (all of them,
    /// accents and case ignored; at most 200 characters).
    pub q: Option<String>,
    /// The order: `nom`, `commune`, `departement`, `modifie` (default `-modifie`) or `cree`,
    /// `-` in front for descending.
    pub sort: Option<String>,
    /// `true`: only the applications the caller follows.
    pub mine: Option<bool>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItem {
    pub id: String,
    pub name: String,
    pub legal_name: String,
    pub siret: String,
    pub email: String,
    pub city: String,
    pub departement: Option<String>,
    pub status: String,
    pub status_label: String,
    pub updated_at: chrono::NaiveDateTime,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// Applications per state, over all filters but the state.
    pub counts: std::collections::BTreeMap<String, i64>,
    pub total: usize,
    pub page: i64,
    pub limit: i64,
    pub results: Vec<QueueItem>,
}

/// The staff queue of applications, with counts per state and filters.
#[utoipa::path(tag = "referencing", params(QueueQuery), responses((status = 200, body = QueueView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/applications")]
pub async fn queue(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(
            ReferencingStatus::parse(s)
                .ok_or_else(|| AppError::field("status", "État inconnu."))?,
        ),
    };
    let paging = PageQuery {
        page: query.page,
        limit: query.limit,
    };
    let Paging { page, limit } = Paging::of(paging, 20, 100)?;
    let order = match query.sort.as_deref() {
        None => QueueOrder::default(),
        Some(raw) => QueueOrder::parse(raw)
            .ok_or_else(|| AppError::field("sort", "Ordre de tri inconnu."))?,
    };
    let filter = QueueFilter {
        status,
        departement: query.departement,
        since: query.since.and_then(|d| d.and_hms_opt(0, 0, 0)),
        until: query.until.and_then(|d| d.and_hms_opt(0, 0, 0)),
        search: query.q.unwrap_or_default(),
        followed_by: query.mine.unwrap_or(false).then(|| user.actor.id.clone()),
    };
    let state = state.into_inner();
    let offset = usize::try_from((page - 1) * limit).unwrap_or(usize::MAX);
    let selection = web::block(move || {
        application_queue::select(&state, &user, &filter, order, offset, limit as usize)
    })
    .await??;
    let view = QueueView {
        counts: selection.counts,
        total: selection.total,
        page,
        limit,
        results: selection
            .lines
            .into_iter()
            .map(|r| QueueItem {
                departement: (!r.departement.is_empty()).then(|| r.departement.clone()),
                status_label: ReferencingStatus::parse(&r.status)
                    .map(crate::domain::referencing::label)
                    .unwrap_or_default()
                    .to_owned(),
                id: r.id,
                name: r.name,
                legal_name: r.legal_name,
                siret: r.siret,
                email: r.email,
                city: r.city,
                status: r.status,
                updated_at: r.updated_at,
                created_at: r.created_at,
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueCharter {
    pub provider_id: String,
    pub name: String,
    pub notified_at: chrono::NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueCharterList {
    pub charter_version: String,
    pub results: Vec<OverdueCharter>,
}

/// Referenced providers asked more than 30 days ago to accept the current charter who have not
/// (staff).
#[utoipa::path(tag = "referencing", responses((status = 200, body = OverdueCharterList), (status = 403, body = Problem)))]
#[get("/charter/overdue")]
pub async fn charter_overdue(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let list = web::block(move || -> Result<OverdueCharterList, AppError> {
        let rows = referencing::charter::overdue(&state, &state.charter, &user)?;
        Ok(OverdueCharterList {
            charter_version: state.charter.version.clone(),
            results: rows
                .into_iter()
                .map(|(provider_id, name, notified_at)| OverdueCharter {
                    provider_id,
                    name,
                    notified_at,
                })
                .collect(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(list))
}
