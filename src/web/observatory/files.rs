//! The published open-data files (`/observatoire/fichiers`): every month's revisions with their
//! notes and fingerprints, and for admins the correction of a month, published as a new
//! revision beside the earlier ones.

use super::context;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use crate::error::AppError;
use crate::french::{datetime_fr, month_fr};
use crate::http::extract::CurrentUser;
use crate::observatory::{open_data, statistics};
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::{PageUser, check_form, data_of, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(files_page).service(correct);
}

#[derive(Debug, Default, Deserialize)]
struct FilesQuery {
    /// The month just corrected, and its new revision.
    mois: Option<String>,
    revision: Option<i32>,
}

/// A correction refused, shown beside its month's form with the note as typed.
struct Refused<'a> {
    month: &'a str,
    note: &'a str,
    message: String,
}

fn files_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    months: &[statistics::Month],
    info: Option<String>,
    refused: Option<&Refused>,
) -> PageResult {
    let months: Vec<context::MonthFiles> = months
        .iter()
        .map(|m| {
            let label = crate::domain::observatory::parse_month(&m.month)
                .map_or_else(|| m.month.clone(), month_fr);
            let refused = refused.filter(|r| r.month == m.month);
            context::MonthFiles {
                month: m.month.clone(),
                label,
                error: refused.map(|r| r.message.clone()),
                note: refused.map(|r| r.note.to_owned()),
                revisions: m
                    .revisions
                    .iter()
                    .map(|r| context::RevisionLine {
                        revision: r.revision,
                        published: datetime_fr(r.published_at),
                        note: r.note.clone(),
                        sha256: r.sha256.clone(),
                        url: format!(
                            "/statistiques/donnees/{}.csv?revision={}",
                            m.month, r.revision
                        ),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(page(
        state,
        status,
        "pages/observatory/files",
        if refused.is_some() {
            "Erreur : fichiers de données ouvertes"
        } else {
            "Fichiers de données ouvertes"
        },
        Some(user),
        context::Files { info, months },
    ))
}

async fn months(state: &web::Data<AppState>) -> Result<Vec<statistics::Month>, AppError> {
    let inner = data_of(state);
    blocking(move || statistics::months(&inner)).await
}

#[get("/observatoire/fichiers")]
async fn files_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<FilesQuery>,
) -> PageResult {
    let user = user.0;
    let info = match (&query.mois, query.revision) {
        (Some(month), Some(revision)) => Some(format!(
            "Révision {revision} du fichier de {month} publiée, avec sa note. Les révisions précédentes restent téléchargeables."
        )),
        _ => None,
    };
    match months(&state).await {
        Ok(all) => files_view(&state, &user, StatusCode::OK, &all, info, None),
        Err(e) => Err(PageError::from(e)),
    }
}

/// An admin's correction of a month's file: why.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct CorrectionForm {
    csrf_token: String,
    note: String,
}

#[post("/observatoire/fichiers/{mois}/correction")]
async fn correct(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<CorrectionForm>,
) -> PageResult {
    let user = user.0;
    let CorrectionForm { csrf_token, note } = form.into_inner();
    check_form(&req, &state, &user, &csrf_token)?;
    let month = path.into_inner();
    let (inner, actor, asked, said) = (
        data_of(&state),
        user.actor.clone(),
        month.clone(),
        note.clone(),
    );
    let outcome =
        blocking(move || open_data::correct(&inner, &inner.observatory, &actor, &asked, &said))
            .await;
    let (status, message) = match outcome {
        Ok(revision) => {
            return Ok(see_other(&format!(
                "/observatoire/fichiers?mois={month}&revision={revision}"
            )));
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            (crate::http::problem::status_of(&e), e.said())
        }
        Err(e) => return Err(PageError::from(e)),
    };
    match months(&state).await {
        Ok(all) if all.iter().any(|m| m.month == month) => {
            let refused = Refused {
                month: &month,
                note: &note,
                message,
            };
            files_view(&state, &user, status, &all, None, Some(&refused))
        }
        Ok(_) => Err(PageError::from(AppError::not_found(
            "Ce mois n'a pas de fichier publié.",
        ))),
        Err(e) => Err(PageError::from(e)),
    }
}
