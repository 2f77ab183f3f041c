//! The staff list of label applications: by state, searched by the organisation's words,
//! "Mes dossiers", who follows each, sorted by column and paged (read whole: a few thousand
//! applications at most, `web::listing::Arrangement`), and the list as filtered and sorted
//! in CSV.

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::label;
use crate::state::AppState;
use crate::web::cases::{self, CaseKind};
use crate::web::kit::{Tab, date_fr, first_errors, pagination};
use crate::web::listing::{
    Arrangement, PAGE_SIZES, SortKey, csv_file, list_link, size_choices, sort_headers,
};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(export);
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueQuery {
    pub etat: Option<String>,
    pub info: Option<String>,
    /// `moi`: only the applications the viewer follows.
    pub suivi: Option<String>,
    /// Words of the organisation (name, SIRET, email, commune, postcode).
    pub q: Option<String>,
    /// The order (`prestataire`, `-modifie`...), the page size and the page.
    pub tri: Option<String>,
    pub par: Option<String>,
    pub page: Option<String>,
}

/// The columns that sort (the states in the order work goes through them, `QUEUE_STATES`),
/// and the order by default: the most recently changed first.
const COLUMNS: [(&str, &str); 4] = [
    ("prestataire", "Prestataire"),
    ("etat", "État"),
    ("audit", "Audit"),
    ("modifie", "Modifiée le"),
];
const DEFAULT_ORDER: &str = "-modifie";

impl QueueQuery {
    fn arrangement(&self, errors: &mut FieldErrors) -> Arrangement {
        Arrangement::read(
            &COLUMNS,
            DEFAULT_ORDER,
            self.tri.as_deref(),
            self.par.as_deref(),
            self.page.as_deref(),
            errors,
        )
    }

    /// This list at `path` with another order or page, the rest kept.
    fn link(&self, path: &str, order: &str, per_page: usize, page: usize) -> String {
        let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
        list_link(
            path,
            &[
                ("etat", &text(&self.etat)),
                ("suivi", &text(&self.suivi)),
                ("q", &text(&self.q)),
            ],
            (order, DEFAULT_ORDER),
            per_page,
            page,
        )
    }
}

/// What a row sorts by in `column`.
fn sort_key(row: &label::queue::ApplicationListRow, column: &str) -> Option<SortKey> {
    match column {
        "prestataire" => Some(SortKey::Text(row.provider_sort_name.clone())),
        "etat" => QUEUE_STATES
            .iter()
            .position(|s| *s == row.status)
            .map(SortKey::Rank),
        "audit" => row.audit_date.map(SortKey::Day),
        _ => Some(SortKey::Time(row.updated_at)),
    }
}

/// The states in the order staff work through them.
const QUEUE_STATES: [ApplicationStatus; 12] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Admissibility,
    ApplicationStatus::Incomplete,
    ApplicationStatus::Admissible,
    ApplicationStatus::AuditScheduled,
    ApplicationStatus::CorrectiveActions,
    ApplicationStatus::Decision,
    ApplicationStatus::Granted,
    ApplicationStatus::Refused,
    ApplicationStatus::Withdrawn,
    ApplicationStatus::Draft,
    ApplicationStatus::Audited,
];

/// The applications the query selects (state, search, "Mes dossiers"), with the counts per
/// state and who follows each; a wrong search is a field error.
type Selected = (
    Vec<label::queue::ApplicationListRow>,
    std::collections::BTreeMap<String, i64>,
    std::collections::HashMap<String, (String, String)>,
);

async fn select(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    query: &QueueQuery,
) -> Result<Selected, AppError> {
    let filter = query
        .etat
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(ApplicationStatus::parse);
    let mine = cases::mine_only(query.suivi.as_deref());
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let (inner, who) = (state.clone().into_inner(), user.clone());
    let (mut rows, counts, followers) = blocking(move || {
        let selection = label::queue::list(&inner, &who.actor, filter, search.as_deref())?;
        let followers = cases::followers(&inner, &who, CaseKind::Label)?;
        Ok::<_, AppError>((selection.rows, selection.counts, followers))
    })
    .await?;
    if mine {
        rows.retain(|r| {
            followers
                .get(&r.id)
                .is_some_and(|(id, _)| *id == user.actor.id)
        });
    }
    Ok((rows, counts, followers))
}

#[get("/instruction/label")]
async fn queue(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<QueueQuery>,
) -> PageResult {
    let user = user.0;
    let filter = query
        .etat
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(ApplicationStatus::parse);
    let mine = cases::mine_only(query.suivi.as_deref());
    let (status, (mut rows, counts, followers), mut errors) =
        match select(&state, &user, &query).await {
            Ok(selected) => (StatusCode::OK, selected, FieldErrors::new()),
            Err(AppError::Validation(errors)) => {
                let empty = QueueQuery {
                    q: None,
                    ..query.0.clone()
                };
                let selected = select(&state, &user, &empty).await.map_err(failed)?;
                (StatusCode::UNPROCESSABLE_ENTITY, selected, errors)
            }
            Err(e) => return Err(failed(e)),
        };
    let arranged = query.arrangement(&mut errors);
    let status = if errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (listed, shown) = arranged.apply(&mut rows, sort_key);
    let here = "/instruction/label";
    let headers = sort_headers(&COLUMNS, &arranged.order, |order| {
        query.link(here, order, arranged.per_page, 1)
    });
    let pages = pagination(shown, listed, arranged.per_page, |n| {
        query.link(here, &arranged.order, arranged.per_page, n)
    });
    let mine_count = followers
        .values()
        .filter(|(id, _)| *id == user.actor.id)
        .count();
    let tabs = QUEUE_STATES
        .iter()
        .filter(|s| counts.get(s.as_str()).copied().unwrap_or(0) > 0 || Some(**s) == filter)
        .map(|s| Tab {
            href: format!("/instruction/label?etat={}", s.as_str()),
            label: s.label().to_owned(),
            count: counts.get(s.as_str()).copied().unwrap_or(0),
            current: Some(*s) == filter,
            urgent: false,
        })
        .collect();
    let search = query.q.clone().unwrap_or_default();
    let export_href = query.link("/instruction/label.csv", &arranged.order, PAGE_SIZES[0], 1);
    Ok(page(
        &state,
        status,
        "pages/label/queue",
        "Demandes de label ExpertCyber",
        Some(&user),
        context::Queue {
            tabs,
            all_current: filter.is_none() && !mine,
            mine,
            mine_count,
            search,
            export: export_href,
            current_state: filter.map_or("", |s| s.as_str()),
            summary: match listed {
                0 => "Aucune demande".to_owned(),
                n => crate::french::plural(n, "demande", "demandes"),
            },
            caption: caption(&headers),
            headers,
            pagination: pages,
            sizes: size_choices(arranged.per_page),
            tri: arranged.kept_order(DEFAULT_ORDER),
            errors: first_errors(&errors),
            total: counts.values().sum::<i64>(),
            info: (query.info.as_deref() == Some("label")).then_some("Le label est mis à jour."),
            rows: rows
                .iter()
                .map(|r| context::QueueLine {
                    href: format!("/instruction/label/{}", r.id),
                    provider_name: r.provider_name.clone(),
                    kind: kind_label(r.kind),
                    status: r.status.as_str(),
                    status_label: r.status.label(),
                    fee_label: r.fee_status.label(),
                    fee_pending: r.fee_status == FeeStatus::Pending,
                    audit_date: r.audit_date.map(day_fr),
                    deadline: r.corrective_deadline.map(day_fr),
                    updated: date_fr(r.updated_at),
                    follower: followers.get(&r.id).map(|(_, name)| name.clone()),
                })
                .collect(),
        },
    ))
}

fn kind_label(kind: ApplicationKind) -> &'static str {
    if kind == ApplicationKind::Renewal {
        "Renouvellement"
    } else {
        "Première demande"
    }
}

/// The table's caption: what it holds, in which order.
fn caption(headers: &[crate::web::listing::SortHeader]) -> String {
    headers
        .iter()
        .find_map(|h| {
            let order = match h.sort? {
                "ascending" => "ordre croissant",
                _ => "ordre décroissant",
            };
            Some(format!(
                "Demandes de label, triées par {} ({order})",
                h.label.to_lowercase()
            ))
        })
        .unwrap_or_else(|| "Demandes de label".to_owned())
}

/// The list as it is filtered and sorted, as CSV (UTF-8 with its byte-order mark, for spreadsheets).
#[get("/instruction/label.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<QueueQuery>,
) -> PageResult {
    let user = user.0;
    let (mut rows, _, followers) = select(&state, &user, &query).await.map_err(failed)?;
    let mut errors = FieldErrors::new();
    query
        .arrangement(&mut errors)
        .sort_whole(&mut rows, sort_key);
    let header = [
        "Prestataire",
        "Type",
        "État",
        "Frais",
        "Audit",
        "Actions correctives avant le",
        "Modifiée le",
        "Suivi par",
    ];
    let lines = rows.iter().map(|r| {
        vec![
            r.provider_name.clone(),
            kind_label(r.kind).to_owned(),
            r.status.label().to_owned(),
            r.fee_status.label().to_owned(),
            r.audit_date.map(day_fr).unwrap_or_default(),
            r.corrective_deadline.map(day_fr).unwrap_or_default(),
            date_fr(r.updated_at),
            followers
                .get(&r.id)
                .map_or_else(String::new, |(_, name)| name.clone()),
        ]
    });
    csv_file("demandes-de-label.csv", &header, lines).map_err(failed)
}
