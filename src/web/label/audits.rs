//! The auditor's list of applications (`/audit`): the audits to carry out, soonest first,
//! then their other files, searched by the organisation's words, sorted by column and paged
//! by the database (`label::queue`).

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label_application::ApplicationStatus;
use crate::error::{AppError, FieldErrors};
use crate::label;
use crate::label::queue::PastTheEnd::Last;
use crate::label::queue::{ApplicationAsk, ApplicationColumn, ApplicationListRow};
use crate::state::AppState;
use crate::web::kit::{first_errors, pagination};
use crate::web::listing::{Arrangement, list_link, size_choices, sort_headers};
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

/// The audits to come shown at most (an auditor carries out a few a month).
const AUDITS_TO_COME: usize = 200;

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
    let mut errors = FieldErrors::new();
    let words = crate::web::listing::search_words(query.q.trim(), &mut errors);
    let (tri, par, page_asked) = (
        query.tri.as_deref(),
        query.par.as_deref(),
        query.page.as_deref(),
    );
    let arranged = Arrangement::read(&COLUMNS, DEFAULT_ORDER, tri, par, page_asked, &mut errors);
    // The audits to come, soonest first, then the auditor's other files as asked.
    let to_come = ApplicationAsk {
        status: Some(ApplicationStatus::AuditScheduled),
        words: words.clone(),
        column: ApplicationColumn::Audit,
        ..ApplicationAsk::default()
    };
    let others = ApplicationAsk {
        except: Some(ApplicationStatus::AuditScheduled),
        words,
        column: match arranged.order.trim_start_matches('-') {
            "prestataire" => ApplicationColumn::Provider,
            "etat" => ApplicationColumn::State,
            _ => ApplicationColumn::Audit,
        },
        descending: arranged.order.starts_with('-'),
        ..ApplicationAsk::default()
    };
    let (inner, me) = (state.clone().into_inner(), user.actor.clone());
    let (page_asked, per_page) = (arranged.page, arranged.per_page);
    let (to_do, others) = blocking(move || {
        let to_do = label::queue::page(&inner, &me, &to_come, (1, AUDITS_TO_COME), Last)?;
        let others = label::queue::page(&inner, &me, &others, (page_asked, per_page), Last)?;
        Ok::<_, AppError>((to_do.rows, others))
    })
    .await
    .map_err(failed)?;
    let listed = usize::try_from(others.total).unwrap_or(0);
    let shown = others.page;
    let others = others.rows;
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
