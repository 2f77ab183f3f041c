//! `GET /api/v1/diagnostic` (the tree in force) and `POST /api/v1/diagnostic/evaluate`
//! (answers → the next question or the outcome). Stateless: nothing is recorded.

use crate::http::body::Body;
use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::diagnostic::{self, Evaluation};

use crate::domain::diagnostic::Tree;
use crate::error::Problem;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct DiagnosticTree {
    /// The version in force.
    pub version: String,
    /// When this version was published (UTC).
    pub published_at: NaiveDateTime,
    /// The questions, outcomes and advice, as written.
    pub tree: Tree,
}

/// The diagnostic in force: its version, questions, outcomes and advice.
#[utoipa::path(tag = "diagnostic", responses((status = 200, body = DiagnosticTree)))]
#[get("/diagnostic")]
pub async fn tree(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let published = web::block(move || diagnostic::current(&state, &state.diagnostic)).await??;
    Ok(HttpResponse::Ok().json(DiagnosticTree {
        version: published.tree.version.clone(),
        published_at: published.published_at,
        tree: published.tree.clone(),
    }))
}

/// Answers given so far.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluateInput {
    /// A published version; the version in force when omitted.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,40}$")]
    pub version: Option<String>,
    /// Question id → choice id; none (or omitted) for the first question. Answers off the path
    /// they trace are ignored (changing an earlier answer leaves the later ones behind).
    #[schema(value_type = BTreeMap<String, String>)]
    pub answers: BTreeMap<String, String>,
}

/// The next question, or the outcome with its advice and redirections.
#[utoipa::path(tag = "diagnostic", request_body = EvaluateInput, responses((status = 200, body = Evaluation), (status = 422, body = Problem)))]
#[post("/diagnostic/evaluate")]
pub async fn evaluate(
    state: web::Data<AppState>,
    body: Body<EvaluateInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    // The version in force, checked lately: a lookup in memory, on this thread.
    let body = match diagnostic::evaluate_json_in_memory(
        &state,
        &state.diagnostic,
        input.version.as_deref(),
        &input.answers,
    ) {
        Some(body) => body?,
        None => {
            let state = state.into_inner();
            web::block(move || {
                diagnostic::evaluate_json(
                    &state,
                    &state.diagnostic,
                    input.version.as_deref(),
                    &input.answers,
                )
            })
            .await??
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}
