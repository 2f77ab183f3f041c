//! Assistance requests: the victim's submission and tracking, the provider's answers and
//! closing report, staff assignment and closing, surveys, availability and statistics.

use crate::http::body::{Body, OptionalBody};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::assistance::answer::{self, Answer, AnswerInput, Answerer};
use crate::assistance::availability::{self, AbsenceInput, CapacityInput, OnCallInput};
use crate::assistance::staff::{self, AssignInput, CloseInput};
use crate::assistance::stats::{self, InterventionStats};
use crate::assistance::survey::{self, PendingComment, PublicRating, SurveyAnswer, SurveyView};
use crate::assistance::views::{
    AvailabilityView, RequestCreated, RequestList, RequestView, TrackingView,
};
use crate::assistance::{self, NewRequest, close};
use crate::domain::assistance::RequestStatus;
use crate::error::{AppError, Problem};
use crate::http::extract::CurrentUser;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// A victim asks for help. Send an `Idempotency-Key` header to make retries safe. Incident
/// types a provider cannot help with are refused with the redirections that apply (field
/// `redirections` of the problem's `errors`).
#[utoipa::path(tag = "assistance", request_body = NewRequest, params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first request")), responses((status = 201, body = RequestCreated), (status = 200, description = "A retry: the request created by the first attempt", body = RequestCreated), (status = 422, body = Problem), (status = 429, body = Problem)))]
#[post("/assistance-requests")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<NewRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .filter(|k| k.chars().all(|c| c.is_ascii_graphic()))
                .ok_or_else(|| {
                    AppError::field(
                        "Idempotency-Key",
                        "Clé d'idempotence invalide : caractères ASCII visibles seulement (par exemple un UUID).",
                    )
                })?
                .to_owned(),
        ),
    };
    let client = crate::http::client::client_key(&req, &state.config.proxies);
    let state = state.into_inner();
    let input = body.into_inner();
    let (created, new) = web::block(move || {
        assistance::create(&state, &state.directory, &input, key.as_deref(), &client)
    })
    .await??;
    Ok(if new {
        HttpResponse::Created().json(created)
    } else {
        HttpResponse::Ok().json(created)
    })
}

/// The victim's view of a request, from the private tracking link's token.
#[utoipa::path(tag = "assistance", params(("token" = String, Path)), responses((status = 200, body = TrackingView), (status = 404, body = Problem)))]
#[get("/tracking/{token}")]
pub async fn track(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let token = path.into_inner();
    let view = web::block(move || assistance::track(&state, &token)).await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct CancelInput {
    /// The tracking token.
    #[schema(required = true)]
    pub token: String,
}

/// The victim cancels the request (with the tracking token).
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = CancelInput, responses((status = 200, body = TrackingView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/assistance-requests/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<CancelInput>,
) -> Result<HttpResponse, ApiError> {
    by_tracking_token(state, path, body, assistance::cancel).await
}

/// The victim erases the request (with the tracking token): an open request is cancelled and
/// its provider told; the contact and description are erased at once; the statistics stay.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = CancelInput, responses((status = 200, body = TrackingView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/assistance-requests/{id}/erase")]
pub async fn erase(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<CancelInput>,
) -> Result<HttpResponse, ApiError> {
    by_tracking_token(state, path, body, assistance::erase).await
}

/// A victim's action on request `id` with its tracking token (which must be that request's).
async fn by_tracking_token(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<CancelInput>,
    act: fn(&crate::infra::Infra, &str, Option<&str>) -> Result<TrackingView, AppError>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let token = body.into_inner().token;
    let view = web::block(move || act(&state, &token, Some(&id))).await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only requests in this state (`escalated` for the staff queue).
    pub status: Option<String>,
}

/// Requests for staff, newest change first (at most 200), with counts per state.
#[utoipa::path(tag = "assistance", params(ListQuery), responses((status = 200, body = RequestList), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/assistance-requests")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.into_inner().status.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            RequestStatus::parse(&s)
                .ok_or_else(|| AppError::field("status", format!("État inconnu : {s}.")))?,
        ),
    };
    let state = state.into_inner();
    let list = web::block(move || staff::list(&state, &user, status)).await??;
    Ok(HttpResponse::Ok().json(list))
}

/// One request: staff, or a provider it was offered to (the victim's contact only once it
/// accepted).
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
#[get("/assistance-requests/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let view = web::block(move || staff::read(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

async fn respond(
    state: web::Data<AppState>,
    user: Option<CurrentUser>,
    id: String,
    which: Answer,
    input: AnswerInput,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let view = web::block(move || {
        let who = match (&input.token, &user) {
            (Some(token), _) => Answerer::Link(token),
            (None, Some(user)) => Answerer::Member(user),
            (None, None) => {
                return Err(AppError::Unauthorized(
                    "Connectez-vous, ou utilisez le lien reçu par courriel.".into(),
                ));
            }
        };
        answer::answer(&state, &state.directory, who, &id, which, &input)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The provider accepts the offer (signed in as a member, or with the link's `token`).
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = AnswerInput, responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/assistance-requests/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    user: Option<CurrentUser>,
    path: web::Path<String>,
    body: OptionalBody<AnswerInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    respond(state, user, path.into_inner(), Answer::Accept, input).await
}

/// A decline: its reason, and a text (required with `autre`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// The signed link's token, when answering without a session.
    pub token: Option<String>,
    #[schema(value_type = crate::domain::assistance::DeclineReason)]
    pub reason: String,
    /// Required (not blank) with `autre`; 1,000 characters at most.
    #[schema(max_length = 1000)]
    pub text: Option<String>,
}

/// The provider declines the offer with a reason; the next provider gets it.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = DeclineBody, responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/assistance-requests/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    user: Option<CurrentUser>,
    path: web::Path<String>,
    body: Body<DeclineBody>,
) -> Result<HttpResponse, ApiError> {
    let DeclineBody {
        token,
        reason,
        text,
    } = body.into_inner();
    let input = AnswerInput {
        token,
        reason: Some(reason),
        text,
    };
    respond(state, user, path.into_inner(), Answer::Decline, input).await
}

/// Closes a request. The provider who accepted it: `resolved` and the `report`. Staff: a
/// `message` for the victim.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = CloseInput, responses((status = 200, body = RequestView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/assistance-requests/{id}/close")]
pub async fn close_request(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<CloseInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view = web::block(move || {
        if user.role.is_staff() {
            staff::close_by_staff(&state, &user, &id, input.message.as_deref())
        } else {
            close::close(&state, &user, &id, input.resolved, input.report.as_ref())
        }
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Staff offer an escalated request to a provider of their choice.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = AssignInput, responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/assistance-requests/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<AssignInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view = web::block(move || staff::assign_by_hand(&state, &user, &id, &input)).await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderRequests {
    pub results: Vec<RequestView>,
}

/// The requests offered to the organisation and those it holds.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), responses((status = 200, body = ProviderRequests), (status = 404, body = Problem)))]
#[get("/providers/{id}/assistance-requests")]
pub async fn of_provider(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let results = web::block(move || staff::for_provider(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(ProviderRequests { results }))
}

/// The organisation's capacity and absences.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), responses((status = 200, body = AvailabilityView), (status = 404, body = Problem)))]
#[get("/providers/{id}/availability")]
pub async fn get_availability(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let view = web::block(move || availability::read(&state, &user, &id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Sets how many requests the organisation takes at once.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = CapacityInput, responses((status = 200, body = AvailabilityView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[put("/providers/{id}/availability")]
pub async fn set_capacity(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<CapacityInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let capacity = body.into_inner().capacity;
    let view =
        web::block(move || availability::set_capacity(&state, &user, &id, capacity)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Declares the organisation's weekly on-call hours ("astreinte"): at night (outside working
/// days 9:00–18:00, Paris time), urgent requests are offered only to providers on call then.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = OnCallInput, responses((status = 200, body = AvailabilityView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[put("/providers/{id}/on-call")]
pub async fn set_on_call(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<OnCallInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view = web::block(move || availability::set_on_call(&state, &user, &id, &input)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// Declares an absence: no request is offered during it.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), request_body = AbsenceInput, responses((status = 201, body = AvailabilityView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/providers/{id}/absences")]
pub async fn add_absence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Body<AbsenceInput>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let input = body.into_inner();
    let view = web::block(move || availability::add_absence(&state, &user, &id, &input)).await??;
    Ok(HttpResponse::Created().json(view))
}

/// Removes a declared absence.
#[utoipa::path(tag = "assistance", params(("id" = String, Path), ("absence_id" = String, Path)), responses((status = 200, body = AvailabilityView), (status = 404, body = Problem)))]
#[delete("/providers/{id}/absences/{absence_id}")]
pub async fn remove_absence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let (id, absence_id) = path.into_inner();
    let view =
        web::block(move || availability::remove_absence(&state, &user, &id, &absence_id)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// A provider's rating by victims: the average once there are 3 ratings, and moderated comments.
#[utoipa::path(tag = "assistance", params(("id" = String, Path)), responses((status = 200, body = PublicRating)))]
#[get("/providers/{id}/ratings")]
pub async fn ratings(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let id = path.into_inner();
    let rating = web::block(move || survey::public_rating(&state, &id)).await??;
    Ok(HttpResponse::Ok().json(rating))
}

/// The satisfaction survey behind the emailed link.
#[utoipa::path(tag = "assistance", params(("token" = String, Path)), responses((status = 200, body = SurveyView), (status = 404, body = Problem)))]
#[get("/surveys/{token}")]
pub async fn get_survey(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let token = path.into_inner();
    let view = web::block(move || survey::survey(&state, &token)).await??;
    Ok(HttpResponse::Ok().json(view))
}

/// The victim's answer: a rating from 1 to 5 and an optional comment (published after
/// moderation).
#[utoipa::path(tag = "assistance", params(("token" = String, Path)), request_body = SurveyAnswer, responses((status = 200, body = SurveyView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/surveys/{token}")]
pub async fn answer_survey(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<SurveyAnswer>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let token = path.into_inner();
    let input = body.into_inner();
    let view = web::block(move || survey::answer(&state, &token, &input)).await??;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    pub results: Vec<PendingComment>,
}

/// Comments awaiting moderation (staff).
#[utoipa::path(tag = "assistance", responses((status = 200, body = CommentList), (status = 403, body = Problem)))]
#[get("/survey-comments")]
pub async fn comments(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let results = web::block(move || survey::pending_comments(&state, &user)).await??;
    Ok(HttpResponse::Ok().json(CommentList { results }))
}

/// Staff publish or reject a comment.
#[utoipa::path(tag = "assistance", params(("request_id" = String, Path), ("decision" = String, Path, description = "publish or reject")), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/survey-comments/{request_id}/{decision}")]
pub async fn moderate(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (request_id, decision) = path.into_inner();
    let publish = match decision.as_str() {
        "publish" => true,
        "reject" => false,
        other => return Err(AppError::not_found(format!("Action inconnue : {other}.")).into()),
    };
    let state = state.into_inner();
    web::block(move || survey::moderate(&state, &user, &request_id, publish)).await??;
    Ok(HttpResponse::NoContent().finish())
}

/// What intervention reports tell (staff).
#[utoipa::path(tag = "assistance", responses((status = 200, body = InterventionStats), (status = 403, body = Problem)))]
#[get("/statistics/interventions")]
pub async fn statistics(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let view = web::block(move || stats::interventions(&state, &user)).await??;
    Ok(HttpResponse::Ok().json(view))
}
