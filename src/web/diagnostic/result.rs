//! A journey's result: the outcome's advice, whom to call and, when a professional can help,
//! the nearest ones for the place given. Asked again without a place, the site's page is kept
//! per answers for a short while and served with the journey's id put in (see
//! `journeys::keep_result`). Also an editor's preview of an outcome not published.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use super::nearby::{Looking, PlaceQuery, nearby};
use super::victim::next_url;
use crate::diagnostic::{self, journeys};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page_error::PageResult;
use crate::web::partners::surface::Surface;
use crate::web::session::see_other;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(result_page);
}

/// `pages/diagnostic/result`: where the answers lead, and who can help nearby.
#[derive(Serialize)]
struct ResultPage<'a> {
    journey: &'a str,
    base: String,
    outcome: &'a crate::domain::diagnostic::OutcomeView,
    path: &'a [diagnostic::AnsweredView],
    lieu: String,
    nearby: Option<super::nearby::Nearby>,
    request_link: String,
    help_here: bool,
    /// A diagnostic-only module sends to the site to find a professional.
    help_on_site: String,
    alerts: Vec<crate::observatory::alerts::AlertView>,
    /// An editor's preview of an outcome of a tree not published.
    preview: bool,
}

/// An outcome of a tree not published, as its result page will show it (an editor's preview:
/// no journey, no answers, no alerts).
pub(crate) fn outcome_preview(
    state: &AppState,
    user: &crate::http::extract::CurrentUser,
    outcome: &crate::domain::diagnostic::OutcomeView,
) -> HttpResponse {
    crate::web::page(
        state,
        StatusCode::OK,
        "pages/diagnostic/result",
        &format!("Aperçu : {}", outcome.title),
        Some(user),
        ResultPage {
            journey: "apercu",
            base: "/diagnostic".into(),
            outcome,
            path: &[],
            lieu: String::new(),
            nearby: None,
            request_link: "/demande-assistance".into(),
            help_here: true,
            help_on_site: "/".into(),
            alerts: Vec::new(),
            preview: true,
        },
    )
}

/// The outcome: the advice first, then whom to call, then — when a professional can help — the
/// nearest ones for the place given and the request, already filled in.
#[get("/diagnostic/{journey}/resultat")]
async fn result_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PlaceQuery>,
) -> PageResult {
    journey_result(state, Surface::Site, path.into_inner(), query.into_inner()).await
}

/// Stands for the journey's id in a result page kept for every journey with the same answers
/// (see `journeys::keep_result`): letters and digits only, so that it survives in addresses.
const JOURNEY_MARK: &str = "journeymark0000000000000000000000000";

/// A kept result page with the journey's own id between its parts.
fn with_journey(parts: &[bytes::Bytes], id: &str) -> HttpResponse {
    let length = parts.iter().map(bytes::Bytes::len).sum::<usize>() + parts.len() * id.len();
    let mut body = Vec::with_capacity(length);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(id.as_bytes());
        }
        body.extend_from_slice(part);
    }
    crate::web::html_page(StatusCode::OK, body)
}

/// A page cut where the journey's id stands.
fn parts_of(html: String) -> journeys::ResultPage {
    let page = bytes::Bytes::from(html);
    let mark = JOURNEY_MARK.as_bytes();
    let mut parts = Vec::new();
    let mut from = 0;
    while let Some(at) = page[from..].windows(mark.len()).position(|w| w == mark) {
        parts.push(page.slice(from..from + at));
        from += at + mark.len();
    }
    parts.push(page.slice(from..));
    parts.into()
}

pub(crate) async fn journey_result(
    state: web::Data<AppState>,
    surface: Surface,
    id: String,
    query: PlaceQuery,
) -> PageResult {
    // Without a place asked, the site's result page is the same for every journey with the
    // same answers (its id aside): kept a short while, it is a lookup in memory.
    let kept_here = matches!(surface, Surface::Site)
        && query.lieu.trim().is_empty()
        && query.commune.trim().is_empty();
    if kept_here
        && let Some(parts) = journeys::result_in_memory(&state, &state.diagnostic, &id, "site")
    {
        return Ok(with_journey(&parts, &id));
    }
    let inner = state.clone().into_inner();
    let lieu = query.lieu.clone();
    let asked = surface.clone();
    let shown = blocking(move || {
        let journey = journeys::load(&inner, &inner.diagnostic, &id)?;
        if !journeys::is_finished(&journey) {
            return Ok((journey, None));
        }
        let found = if asked.offers_help() {
            nearby(
                &inner,
                &asked,
                &Looking::of_journey(&asked, &journey),
                &query,
            )?
        } else {
            None
        };
        let outcome = journey.evaluation.outcome.as_ref();
        let departement = found
            .as_ref()
            .and_then(|n| n.departement.clone())
            .or_else(|| journey.row.departement.clone());
        let alerts = crate::observatory::alerts::concerning(
            &inner,
            &crate::observatory::alerts::Situation {
                incident_type: outcome.and_then(|o| o.incident_type.as_deref()),
                audience: journey.evaluation.audience,
                departement: departement.as_deref(),
            },
        )?;
        Ok((journey, Some((found, alerts))))
    })
    .await;
    let (journey, nearby, alerts) = match shown {
        Ok((journey, None)) => {
            return Ok(see_other(&next_url(
                &surface,
                &journey.id,
                &journey.evaluation,
            )));
        }
        Ok((journey, Some((nearby, alerts)))) => (journey, nearby, alerts),
        Err(e) => return Err(surface.failed(e)),
    };
    let Some(outcome) = journey.evaluation.outcome.as_ref() else {
        return Ok(see_other(&next_url(
            &surface,
            &journey.id,
            &journey.evaluation,
        )));
    };
    let shown_id = if kept_here && nearby.is_none() {
        JOURNEY_MARK
    } else {
        journey.id.as_str()
    };
    let request_link =
        crate::web::kit::with_query(&surface.request_form(), &[("parcours", shown_id)]);
    let title = format!("{} – Diagnostic", outcome.title);
    let body = ResultPage {
        journey: shown_id,
        base: surface.diagnostic(),
        outcome,
        path: &journey.evaluation.path,
        lieu,
        nearby,
        request_link,
        help_here: surface.offers_help(),
        help_on_site: format!("{}/diagnostic/{shown_id}/resultat", state.config.base_url),
        alerts,
        preview: false,
    };
    if shown_id == JOURNEY_MARK {
        let Some(html) = crate::web::page_html(&state, "pages/diagnostic/result", &title, body)
        else {
            return Err(surface.failed(AppError::Internal(
                "la page de résultat n'a pas pu être affichée".into(),
            )));
        };
        let parts = parts_of(html);
        journeys::keep_result(&state, &state.diagnostic, &journey, "site", parts.clone());
        return Ok(with_journey(&parts, &journey.id));
    }
    Ok(surface.page(
        &state,
        if body.nearby.as_ref().is_some_and(|n| n.error.is_some()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "pages/diagnostic/result",
        &title,
        body,
    ))
}
