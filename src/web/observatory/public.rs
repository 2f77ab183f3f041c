//! `/statistiques`: the public monthly figures (from the published files, small counts under
//! secrecy), and the files themselves with their Table Schema.

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::audience::Audience;
use crate::error::AppError;
use crate::french::number_fr;
use crate::french::{datetime_fr, month_fr};
use crate::http::download::{Disposition, file};
use crate::http::extract::CurrentUser;
use crate::observatory::open_data::{self, NO_REGION};
use crate::observatory::statistics::{self, Cell};
use crate::state::AppState;
use crate::web::kit::{blocking, filled};
use crate::web::page;
use crate::web::session::{MaybeUser, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(statistics_page)
        .service(schema)
        .service(download);
}

#[derive(Debug, Default, Deserialize)]
struct StatisticsQuery {
    mois: Option<String>,
    region: Option<String>,
    #[serde(rename = "type")]
    incident_type: Option<String>,
}

/// The value of a cell as the page shows it: a number, or "secret".
fn shown(cells: &[Cell], t: Option<&str>, a: Option<&str>, r: Option<&str>) -> Value {
    let cell = cells.iter().find(|c| {
        c.incident_type.as_deref() == t && c.audience.as_deref() == a && c.region.as_deref() == r
    });
    match cell.and_then(|c| c.count) {
        Some(n) => json!({"value": number_fr(n)}),
        None => json!({"secret": true}),
    }
}

fn row(cells: &[Cell], label: &str, t: Option<&str>, r: Option<&str>) -> Value {
    let mut values: Vec<Value> = Audience::ALL
        .iter()
        .map(|a| shown(cells, t, Some(a.code()), r))
        .collect();
    values.push(shown(cells, t, None, r));
    json!({"label": label, "values": values})
}

fn view(state: &AppState, query: &StatisticsQuery) -> Result<Value, AppError> {
    let months = statistics::months(state)?;
    let Some(month) = filled(&query.mois)
        .map(str::to_owned)
        .or_else(|| months.first().map(|m| m.month.clone()))
    else {
        return Ok(json!({"empty": true}));
    };
    let published = statistics::file(state, &month, None)?;
    let cells = statistics::read_cells(&published.csv)?;
    let region = filled(&query.region);
    let incident = filled(&query.incident_type);
    let mut regions = state.departements.regions();
    regions.push((NO_REGION.into(), "Lieu non renseigné".into()));
    if region.is_some_and(|r| !regions.iter().any(|(code, _)| code == r)) {
        return Err(AppError::field("region", "Cette région n'existe pas."));
    }
    if incident.is_some_and(|t| state.taxonomy.get(t).is_none()) {
        return Err(AppError::field("type", "Ce type d'incident n'existe pas."));
    }
    let region_name = region
        .and_then(|r| regions.iter().find(|(code, _)| code == r))
        .map_or("France entière".to_owned(), |(_, name)| name.clone());
    let incident_label = incident
        .and_then(|t| state.taxonomy.get(t))
        .map_or("tous types d'incident".to_owned(), |t| t.label.clone());
    let mut by_type: Vec<Value> = state
        .taxonomy
        .all()
        .iter()
        .map(|t| row(&cells, &t.label, Some(&t.code), region))
        .collect();
    by_type.push(row(&cells, "Tous types", None, region));
    let mut by_region: Vec<Value> = regions
        .iter()
        .map(|(code, name)| row(&cells, name, incident, Some(code)))
        .collect();
    by_region.push(row(&cells, "France entière", incident, None));
    let first = crate::domain::observatory::parse_month(&month)
        .ok_or_else(|| AppError::field("mois", "Indiquez le mois sous la forme AAAA-MM."))?;
    let revisions = months
        .iter()
        .find(|m| m.month == month)
        .map(|m| {
            m.revisions
                .iter()
                .map(|r| {
                    json!({
                        "revision": r.revision,
                        "published": datetime_fr(r.published_at),
                        "note": r.note,
                        "href": format!("/statistiques/donnees/{month}.csv?revision={}", r.revision),
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    Ok(json!({
        "month": month,
        "month_label": month_fr(first),
        "region_name": region_name,
        "incident_label": incident_label,
        "audiences": Audience::ALL.iter().map(|a| a.label()).collect::<Vec<_>>(),
        "by_type": by_type,
        "by_region": by_region,
        "revisions": revisions,
        "csv": format!("/statistiques/donnees/{month}.csv"),
        "threshold": crate::domain::observatory::suppression::DEFAULT_THRESHOLD,
        "form": {
            "months": months.iter().map(|m| json!({
                "code": m.month,
                "label": crate::domain::observatory::parse_month(&m.month).map(month_fr).unwrap_or_else(|| m.month.clone()),
                "selected": m.month == month,
            })).collect::<Vec<_>>(),
            "regions": regions.iter().map(|(code, name)| json!({"code": code, "label": name, "selected": Some(code.as_str()) == region})).collect::<Vec<_>>(),
            "types": state.taxonomy.all().iter().map(|t| json!({"code": t.code, "label": t.label, "selected": Some(t.code.as_str()) == incident})).collect::<Vec<_>>(),
        },
    }))
}

#[get("/statistiques")]
async fn statistics_page(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<StatisticsQuery>,
) -> PageResult {
    let user: Option<CurrentUser> = user.0;
    let inner = data_of(&state);
    let query = query.into_inner();
    match blocking(move || view(&inner, &query)).await {
        Ok(data) => Ok(page(
            &state,
            StatusCode::OK,
            "pages/observatory/statistics",
            "Statistiques de la cybermalveillance",
            user.as_ref(),
            data,
        )),
        Err(e) => Err(PageError::from(e)),
    }
}

#[get("/statistiques/donnees/schema.json")]
async fn schema() -> PageResult {
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(open_data::SCHEMA))
}

#[derive(Debug, Deserialize)]
struct FileQuery {
    revision: Option<i32>,
}

/// A month's file (`2026-11.csv`), the latest revision unless one is asked for.
#[get("/statistiques/donnees/{file}")]
async fn download(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<FileQuery>,
) -> PageResult {
    let name = path.into_inner();
    let Some(month) = name.strip_suffix(".csv").map(str::to_owned) else {
        return Err(PageError::from(AppError::not_found(
            "Ce fichier n'existe pas.",
        )));
    };
    let (inner, revision) = (data_of(&state), query.revision);
    match blocking(move || statistics::file(&inner, &month, revision)).await {
        Ok(release) => Ok(file(
            "text/csv; charset=utf-8",
            Disposition::Attachment,
            &format!("signalements-{}-r{}.csv", release.month, release.revision),
            "signalements.csv",
            release.csv.into_bytes(),
        )),
        Err(e) => Err(PageError::from(e)),
    }
}
