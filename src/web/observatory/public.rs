//! `/statistiques`: the public monthly figures (from the published files, small counts under
//! secrecy), and the files themselves with their Table Schema.

use super::context;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

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
fn shown(cells: &[Cell], t: Option<&str>, a: Option<&str>, r: Option<&str>) -> context::Figure {
    let cell = cells.iter().find(|c| {
        c.incident_type.as_deref() == t && c.audience.as_deref() == a && c.region.as_deref() == r
    });
    let value = cell.and_then(|c| c.count).map(number_fr);
    context::Figure {
        secret: value.is_none(),
        value,
    }
}

fn row(cells: &[Cell], label: &str, t: Option<&str>, r: Option<&str>) -> context::FigureRow {
    let mut values: Vec<context::Figure> = Audience::ALL
        .iter()
        .map(|a| shown(cells, t, Some(a.code()), r))
        .collect();
    values.push(shown(cells, t, None, r));
    context::FigureRow {
        label: label.to_owned(),
        values,
    }
}

fn view(state: &AppState, query: &StatisticsQuery) -> Result<context::Statistics, AppError> {
    let months = statistics::months(state)?;
    let Some(month) = filled(&query.mois)
        .map(str::to_owned)
        .or_else(|| months.first().map(|m| m.month.clone()))
    else {
        return Ok(context::Statistics::Empty { empty: true });
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
    let mut by_type: Vec<context::FigureRow> = state
        .taxonomy
        .all()
        .iter()
        .map(|t| row(&cells, &t.label, Some(&t.code), region))
        .collect();
    by_type.push(row(&cells, "Tous types", None, region));
    let mut by_region: Vec<context::FigureRow> = regions
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
                .map(|r| context::PublishedRevision {
                    revision: r.revision,
                    published: datetime_fr(r.published_at),
                    note: r.note.clone(),
                    href: format!("/statistiques/donnees/{month}.csv?revision={}", r.revision),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let coded = |code: &str, label: String, selected: bool| context::Coded {
        code: code.to_owned(),
        label,
        selected,
    };
    let form = context::StatisticsForm {
        months: months
            .iter()
            .map(|m| {
                let label = crate::domain::observatory::parse_month(&m.month)
                    .map(month_fr)
                    .unwrap_or_else(|| m.month.clone());
                coded(&m.month, label, m.month == month)
            })
            .collect(),
        regions: regions
            .iter()
            .map(|(code, name)| coded(code, name.clone(), Some(code.as_str()) == region))
            .collect(),
        types: state
            .taxonomy
            .all()
            .iter()
            .map(|t| coded(&t.code, t.label.clone(), Some(t.code.as_str()) == incident))
            .collect(),
    };
    Ok(context::Statistics::Month(Box::new(
        context::MonthStatistics {
            definition: crate::observatory::SIGNALEMENT,
            month_label: month_fr(first),
            region_name,
            incident_label,
            audiences: Audience::ALL.iter().map(|a| a.label()).collect(),
            by_type,
            by_region,
            revisions,
            csv: format!("/statistiques/donnees/{month}.csv"),
            threshold: crate::domain::observatory::suppression::DEFAULT_THRESHOLD,
            form,
            month,
        },
    )))
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
