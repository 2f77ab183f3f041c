//! `GET /api/v1/alerts` (the live alerts) and `GET /api/v1/statistics/…` (the published
//! monthly figures, small counts under secrecy).

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::audience::Audience;
use crate::error::{AppError, Problem};
use crate::http::problem::ApiError;
use crate::observatory::alerts::{self, AlertView, Situation};
use crate::observatory::statistics::{self, Cell, CellFilter, Month};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    pub total: usize,
    pub results: Vec<AlertView>,
}

/// Which alerts: those that concern a situation; all live alerts when nothing is given.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// An incident type's code.
    #[param(pattern = r"^[a-z0-9_]{1,60}$")]
    pub incident_type: Option<String>,
    /// `particulier`, `entreprise` or `collectivite`.
    pub audience: Option<Audience>,
    /// A département's code (`35`, `2A`, `974`).
    #[param(pattern = r"^[0-9AB]{2,3}$")]
    pub departement: Option<String>,
}

/// The alerts in force: all of them, or those that concern an incident type, an audience and a
/// département (a local alert only where the département is given and within it).
#[utoipa::path(tag = "observatory", params(AlertQuery), responses((status = 200, body = AlertList), (status = 422, body = Problem)))]
#[get("/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    let results = web::block(move || {
        if let Some(t) = &query.incident_type
            && state.taxonomy.get(t).is_none()
        {
            return Err(AppError::field(
                "incident_type",
                "Ce type d'incident n'existe pas.",
            ));
        }
        if let Some(d) = &query.departement
            && state.departements.get(d).is_none()
        {
            return Err(AppError::field(
                "departement",
                "Ce département n'existe pas.",
            ));
        }
        let live = alerts::live(&state)?;
        let asked = query.incident_type.is_some()
            || query.audience.is_some()
            || query.departement.is_some();
        if !asked {
            return Ok::<_, AppError>(live);
        }
        let situation = Situation {
            incident_type: query.incident_type.as_deref(),
            audience: query.audience,
            departement: query.departement.as_deref(),
        };
        Ok(live
            .into_iter()
            .filter(|a| a.concerns(&state, &situation))
            .collect())
    })
    .await??;
    Ok(HttpResponse::Ok().json(AlertList {
        total: results.len(),
        results,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MonthList {
    pub results: Vec<Month>,
}

/// The months whose figures are published, latest first, with their revisions.
#[utoipa::path(tag = "observatory", responses((status = 200, body = MonthList)))]
#[get("/statistics/months")]
pub async fn months(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let results = web::block(move || statistics::months(&state)).await??;
    Ok(HttpResponse::Ok().json(MonthList { results }))
}

#[derive(Serialize, ToSchema)]
pub struct MonthlyStatistics {
    /// `YYYY-MM`.
    pub month: String,
    /// The revision of the month's file these cells come from.
    pub revision: i32,
    /// Cells under this count are not published (`count` null), nor those that would reveal them.
    pub threshold: u64,
    pub cells: Vec<Cell>,
}

/// A month's figures by incident type, audience and région (a missing dimension is its
/// total), as published in the month's open-data file.
#[utoipa::path(
    tag = "observatory",
    params(("month" = String, Path, description = "`YYYY-MM`", pattern = r"^[0-9]{4}-[0-9]{2}$"), CellFilter),
    responses((status = 200, body = MonthlyStatistics), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/statistics/monthly/{month}")]
pub async fn monthly(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CellFilter>,
) -> Result<HttpResponse, ApiError> {
    let (state, month, filter) = (state.into_inner(), path.into_inner(), query.into_inner());
    let answer = web::block(move || {
        statistics::check_filter(&state, &filter)?;
        let file = statistics::file(&state, &month, None)?;
        let cells = statistics::cells_of(&file.csv, &filter)?;
        Ok::<_, AppError>(MonthlyStatistics {
            month: file.month,
            revision: file.revision,
            threshold: crate::domain::observatory::suppression::DEFAULT_THRESHOLD,
            cells,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
}
