//! Commune autocomplete and postcode lookup.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::codes::is_postcode;
use crate::domain::text::fold;
use crate::error::{AppError, Problem};
use crate::geo::communes::{self as lookup, CommuneView};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneList {
    pub results: Vec<CommuneView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CommuneQuery {
    /// Start of a commune name (accents and case ignored) or of a postcode: 2 to 100
    /// characters, spaces around not counted.
    #[param(
        required = true,
        pattern = r"^[ \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^ \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*[^ \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F][ \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$",
        max_length = 100
    )]
    pub q: Option<String>,
    /// How many communes, 1 or more (at most 20 are given); default 10. Read as text so that
    /// a bad value gets its French message.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub limit: Option<String>,
}

/// Communes whose name or postcode starts with `q`.
#[utoipa::path(
    tag = "geo",
    params(CommuneQuery),
    responses((status = 200, body = CommuneList), (status = 422, body = Problem))
)]
#[get("/geo/communes")]
pub async fn communes(
    state: web::Data<AppState>,
    query: web::Query<CommuneQuery>,
) -> Result<HttpResponse, ApiError> {
    let raw = query.q.as_deref().unwrap_or_default();
    if raw.chars().count() > 100 {
        return Err(AppError::field("q", "Recherche trop longue (100 caractères au plus).").into());
    }
    let q = raw.trim().to_owned();
    let limit = limit_of(query.limit.as_deref())?;
    if q.chars().count() < 2 {
        return Err(
            AppError::field("q", "Saisissez au moins 2 caractères (nom ou code postal).").into(),
        );
    }
    if fold(&q).is_empty() {
        // Nothing a commune name or postcode starts with ("--", "?!").
        return Ok(HttpResponse::Ok().json(CommuneList {
            results: Vec::new(),
        }));
    }
    let state = state.into_inner();
    let results = web::block(move || lookup::autocomplete(&state, &q, limit)).await??;
    Ok(HttpResponse::Ok().json(CommuneList { results }))
}

/// The communes' `limit`: a whole number from 1 (an int64, as the document says); past 20, 20.
/// Absent: 10. Anything else, an empty value included, is refused on its field.
fn limit_of(raw: Option<&str>) -> Result<i64, AppError> {
    let Some(v) = raw else { return Ok(10) };
    let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    // An int64, as the document says: a longer number is refused, not read as 20.
    let n = if digits {
        v.parse::<i64>().unwrap_or(0)
    } else {
        0
    };
    if n == 0 {
        return Err(AppError::field(
            "limit",
            "Nombre de résultats invalide (1 à 20).",
        ));
    }
    Ok(n.min(20))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostcodeView {
    pub postcode: String,
    pub communes: Vec<CommuneView>,
}

/// The communes a postcode serves.
#[utoipa::path(
    tag = "geo",
    params(("code" = String, Path, description = "Postcode, 5 digits", pattern = "^[0-9]{5}$")),
    responses((status = 200, body = PostcodeView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/geo/postcodes/{code}")]
pub async fn postcode(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    if !is_postcode(&code) {
        return Err(AppError::field("code", "Code postal invalide : 5 chiffres attendus.").into());
    }
    let state = state.into_inner();
    let lookup = code.clone();
    let found = web::block(move || lookup::of_postcode(&state, &lookup)).await??;
    if found.is_empty() {
        return Err(AppError::not_found(format!("Code postal inconnu : {code}.")).into());
    }
    Ok(HttpResponse::Ok().json(PostcodeView {
        postcode: code,
        communes: found,
    }))
}
