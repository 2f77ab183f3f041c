//! The auditor's list of applications (`/audit`): the audits to carry out, soonest first,
//! then their other files, searched by the organisation's words, sorted by column and paged
//! (read whole: an auditor holds dozens of files at most).

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label_application::ApplicationStatus;
use crate::error::{AppError, FieldErrors};
use crate::label;
use crate::label::queue::ApplicationListRow;
use crate::state::AppState;
use crate::web::kit::{first_errors, pagination};
use crate::web::listing::{Arrangement, SortKey, list_link, size_choices, sort_headers};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::AuditorUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assigned);
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct AuditsQuery {
    info: Option<String>,
    /// Words of the organisation (name, SIRET, commune...).
    q: String,
    tri: Option<String>,
    par: Option<String>,
    page: Option<String>,
}

const COLUMNS: [(&str, &str); 3] = [
    ("prestataire", "Prestataire"),
    ("etat", "État"),
    ("audit", "Audit"),
];
const DEFAULT_ORDER: &str = "-audit";

impl AuditsQuery {
    fn link(&self, order: &str, per_page: usize, page: usize) -> String {
        list_link(
            "/audit",
            &[("q", self.q.trim())],
            (order, DEFAULT_ORDER),
            per_page,
            page,
        )
    }
}

fn sort_key(row: &ApplicationListRow, column: &str) -> Option<SortKey> {
    match column {
        "prestataire" => Some(SortKey::text(&row.provider_name)),
        "etat" => Some(SortKey::text(row.status.label())),
        _ => row.audit_date.map(SortKey::Day),
    }
}

fn line(r: &ApplicationListRow) -> context::AuditLine {
    context::AuditLine {
        href: format!("/audit/{}", r.id),
        provider_name: r.provider_name.clone(),
        status: r.status.as_str(),
        status_label: r.status.label(),
        audit_date: r.audit_date.map(day_fr),
    }
}

#[get("/audit")]
async fn assigned(
    state: web::Data<AppState>,
    user: AuditorUser,
    query: web::Query<AuditsQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, me) = (state.clone().into_inner(), user.actor.clone());
    let search = Some(query.q.trim().to_owned()).filter(|q| !q.is_empty());
    // A search refused (a single letter) is said beside its field, the list shown whole.
    let (rows, mut errors) =
        blocking(
            move || match label::queue::list(&inner, &me, None, search.as_deref()) {
                Ok(selection) => Ok((selection.rows, FieldErrors::new())),
                Err(AppError::Validation(refused)) => {
                    Ok((label::queue::list(&inner, &me, None, None)?.rows, refused))
                }
                Err(other) => Err(other),
            },
        )
        .await
        .map_err(failed)?;
    let (mut to_do, mut others): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| r.status == ApplicationStatus::AuditScheduled);
    to_do.sort_by_key(|r| r.audit_date);
    let (tri, par, page_asked) = (
        query.tri.as_deref(),
        query.par.as_deref(),
        query.page.as_deref(),
    );
    let arranged = Arrangement::read(&COLUMNS, DEFAULT_ORDER, tri, par, page_asked, &mut errors);
    let (listed, shown) = arranged.apply(&mut others, sort_key);
    let (order, per_page) = (arranged.order.as_str(), arranged.per_page);
    let status = crate::web::listing::status_of(&errors);
    Ok(page(
        &state,
        status,
        "pages/label/audits",
        "Mes audits",
        Some(&user),
        context::Audits {
            info: (query.info.as_deref() == Some("enregistre")).then_some(
                "L'audit est enregistré : le prestataire et l'équipe du label en sont informés.",
            ),
            to_do: to_do.iter().map(line).collect(),
            done: others.iter().map(line).collect(),
            summary: match listed {
                0 => "Aucun autre dossier".to_owned(),
                n => crate::french::plural(n, "autre dossier", "autres dossiers"),
            },
            headers: sort_headers(&COLUMNS, order, |o| query.link(o, per_page, 1)),
            pagination: pagination(shown, listed, per_page, |n| query.link(order, per_page, n)),
            sizes: size_choices(per_page),
            search: query.q.trim().to_owned(),
            tri: arranged.kept_order(DEFAULT_ORDER),
            errors: first_errors(&errors),
        },
    ))
}
