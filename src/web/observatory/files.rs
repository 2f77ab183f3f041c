//! The published open-data files (`/observatoire/fichiers`): every month's revisions with their
//! notes and fingerprints, and for admins the correction of a month: asked here, computed in
//! the background (`observatory::corrections`), followed on its own page until it is
//! published as a new revision beside the earlier ones, or refused with the reason.

use super::context;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;

use crate::error::AppError;
use crate::french::{datetime_fr, month_code_fr};
use crate::http::extract::CurrentUser;
use crate::http::problem::ApiError;
use crate::observatory::corrections::{self, CorrectionView};
use crate::observatory::statistics;
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::{PageUser, check_form, data_of, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(files_page)
        .service(correct)
        .service(correction_page)
        .service(correction_status);
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
    (months, pending): (&[statistics::Month], &[CorrectionView]),
    refused: Option<&Refused>,
) -> PageResult {
    let months: Vec<context::MonthFiles> = months
        .iter()
        .map(|m| {
            let refused = refused.filter(|r| r.month == m.month);
            context::MonthFiles {
                month: m.month.clone(),
                label: month_code_fr(&m.month),
                error: refused.map(|r| r.message.clone()),
                note: refused.map(|r| r.note.to_owned()),
                pending: pending
                    .iter()
                    .find(|c| c.month == m.month)
                    .map(|c| correction_url(&c.id)),
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
        context::Files { months },
    ))
}

fn correction_url(id: &str) -> String {
    format!("/observatoire/fichiers/corrections/{id}")
}

/// Every month's files, and the corrections under way.
async fn months(
    state: &web::Data<AppState>,
) -> Result<(Vec<statistics::Month>, Vec<CorrectionView>), AppError> {
    let inner = data_of(state);
    blocking(move || Ok((statistics::months(&inner)?, corrections::pending(&inner)?))).await
}

#[get("/observatoire/fichiers")]
async fn files_page(state: web::Data<AppState>, user: StaffUser) -> PageResult {
    let user = user.0;
    let (all, pending) = months(&state).await?;
    files_view(&state, &user, StatusCode::OK, (&all, &pending), None)
}

/// An admin's correction of a month's file: why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CorrectionForm {
    csrf_token: String,
    note: String,
}

/// A correction asked: checked at once, then computed in the background; the admin follows it
/// on its page.
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
    let outcome = blocking(move || corrections::ask(&inner, &actor, &asked, &said)).await;
    let (status, message) = match outcome {
        Ok(id) => return Ok(see_other(&correction_url(&id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            (crate::http::problem::status_of(&e), e.said())
        }
        Err(e) => return Err(PageError::from(e)),
    };
    let (all, pending) = months(&state).await?;
    if !all.iter().any(|m| m.month == month) {
        return Err(PageError::from(AppError::not_found(
            "Ce mois n'a pas de fichier publié.",
        )));
    }
    let refused = Refused {
        month: &month,
        note: &note,
        message,
    };
    files_view(&state, &user, status, (&all, &pending), Some(&refused))
}

async fn correction(state: &web::Data<AppState>, id: String) -> Result<CorrectionView, AppError> {
    let inner = data_of(state);
    blocking(move || corrections::view(&inner, &id)).await
}

/// A correction followed: its progress while it is computed (the page's script reads it
/// again every few seconds; without JavaScript the page refreshes itself), then its outcome.
#[get("/observatoire/fichiers/corrections/{id}")]
async fn correction_page(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let view = correction(&state, id.clone()).await?;
    let label = month_code_fr(&view.month);
    let title = match (view.pending, view.revision) {
        (true, _) => format!(
            "Correction du fichier {} en cours",
            crate::french::de(&label)
        ),
        (false, Some(_)) => format!(
            "Correction du fichier {} publiée",
            crate::french::de(&label)
        ),
        (false, None) => format!(
            "Correction du fichier {} non publiée",
            crate::french::de(&label)
        ),
    };
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/observatory/correction",
        &title,
        Some(&user),
        context::Correction {
            label,
            asked: datetime_fr(view.asked_at),
            finished: view.finished_at.map(datetime_fr),
            status_url: format!("{}/etat", correction_url(&id)),
            published: view.revision.is_some(),
            script: "progress.js",
            refresh_without_js: view.pending.then_some(15),
            view,
        },
    ))
}

/// A correction's progress, as the page's script reads it.
#[get("/observatoire/fichiers/corrections/{id}/etat")]
async fn correction_status(
    state: web::Data<AppState>,
    _user: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = correction(&state, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "pending": view.pending,
            "percent": view.percent,
            "phase": view.phase,
            "step": view.step,
        })))
}
