//! The staff list of label applications: by state, searched by the organisation's words,
//! "Mes dossiers", who follows each, sorted by column and paged by the database
//! (`label::queue`), and the list as filtered and sorted in CSV.

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use crate::error::{AppError, FieldErrors};
use crate::http::download;
use crate::label;
use crate::label::queue::ApplicationColumn;
use crate::state::AppState;
use crate::web::cases::{self, CaseKind};
use crate::web::kit::{Tab, date_fr, first_errors, pagination};
use crate::web::listing::{Arrangement, PAGE_SIZES, list_link, size_choices, sort_headers};
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

/// The columns that sort (the states in the order work goes through them,
/// `ApplicationStatus::WORK_ORDER`),
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
        let tab = (text(&self.etat), text(&self.suivi));
        self.link_in(path, (&tab.0, &tab.1), order, per_page, page)
    }

    /// This list in a tab (`etat`, `suivi`: a state, "Mes dossiers", or neither), the search
    /// kept.
    fn link_in(
        &self,
        path: &str,
        (etat, suivi): (&str, &str),
        order: &str,
        per_page: usize,
        page: usize,
    ) -> String {
        let q = self.q.as_deref().map(str::trim).unwrap_or_default();
        list_link(
            path,
            &[("etat", etat), ("suivi", suivi), ("q", q)],
            (order, DEFAULT_ORDER),
            per_page,
            page,
        )
    }
}

/// The list as asked for the database, with what was wrong in the asking (a wrong state,
/// search, order or size is said beside its field, the list shown as by default).
fn ask(query: &QueueQuery, mine: bool) -> (label::queue::ApplicationAsk, Arrangement, FieldErrors) {
    let mut errors = FieldErrors::new();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let status = match text(&query.etat).as_str() {
        // `tous`, as the labels' register says every state.
        "" | "tous" => None,
        code => ApplicationStatus::parse(code).or_else(|| {
            crate::error::push_error(&mut errors, "etat", "État de demande inconnu.");
            None
        }),
    };
    let words = crate::web::listing::search_words(&text(&query.q), &mut errors);
    let arranged = query.arrangement(&mut errors);
    let column = match arranged.order.trim_start_matches('-') {
        "prestataire" => ApplicationColumn::Provider,
        "etat" => ApplicationColumn::State,
        "audit" => ApplicationColumn::Audit,
        _ => ApplicationColumn::Updated,
    };
    let ask = label::queue::ApplicationAsk {
        status,
        except: None,
        words,
        mine,
        column,
        descending: arranged.order.starts_with('-'),
    };
    (ask, arranged, errors)
}

#[get("/instruction/label")]
async fn queue(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<QueueQuery>,
) -> PageResult {
    let user = user.0;
    let mine = cases::mine_only(query.suivi.as_deref());
    let (asked, arranged, errors) = ask(&query, mine);
    // A wrong state is not kept by the links.
    let query = match errors.contains_key("etat") {
        true => QueueQuery {
            etat: None,
            ..query.0
        },
        false => query.0,
    };
    let filter = asked.status;
    let (inner, who, wanted) = (state.clone().into_inner(), user.clone(), asked.clone());
    let (page_asked, per_page) = (arranged.page, arranged.per_page);
    let (listed, followers) = blocking(move || {
        let listed = label::queue::page(
            &inner,
            &who.actor,
            &wanted,
            (page_asked, per_page),
            label::queue::PastTheEnd::Last,
        )?;
        let followers = cases::followers(&inner, &who, CaseKind::Label)?;
        Ok::<_, AppError>((listed, followers))
    })
    .await
    .map_err(failed)?;
    let status = crate::web::listing::status_of(&errors);
    let here = "/instruction/label";
    let headers = sort_headers(&COLUMNS, &arranged.order, |order| {
        query.link(here, order, arranged.per_page, 1)
    });
    let total = usize::try_from(listed.total).unwrap_or(0);
    let pages = pagination(listed.page, total, arranged.per_page, |n| {
        query.link(here, &arranged.order, arranged.per_page, n)
    });
    let counts = &listed.counts;
    let mine_count = followers
        .values()
        .filter(|(id, _)| *id == user.actor.id)
        .count();
    let tab = |etat: &str, suivi: &str| {
        query.link_in(here, (etat, suivi), &arranged.order, arranged.per_page, 1)
    };
    let tabs = ApplicationStatus::WORK_ORDER
        .iter()
        .filter(|s| counts.get(s.as_str()).copied().unwrap_or(0) > 0 || Some(**s) == filter)
        .map(|s| Tab {
            href: tab(s.as_str(), ""),
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
            all_href: tab("", ""),
            mine_href: tab("", "moi"),
            mine,
            mine_count,
            search,
            export: export_href,
            current_state: filter.map_or("", |s| s.as_str()),
            summary: match total {
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
            rows: listed
                .rows
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

/// The list as it is filtered and sorted, as CSV (UTF-8 with its byte-order mark, for
/// spreadsheets), written as it is read.
#[get("/instruction/label.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<QueueQuery>,
) -> PageResult {
    let user = user.0;
    let (asked, _, errors) = ask(&query, cases::mine_only(query.suivi.as_deref()));
    if !errors.is_empty() {
        return Err(failed(AppError::Validation(errors)));
    }
    let (inner, who) = (state.clone().into_inner(), user.clone());
    let followers = blocking(move || cases::followers(&inner, &who, CaseKind::Label))
        .await
        .map_err(failed)?;
    let (inner, who) = (state.clone().into_inner(), user.actor.clone());
    download::streamed(
        "text/csv; charset=utf-8",
        "demandes-de-label.csv",
        "demandes-de-label.csv",
        move |out| {
            label::queue::export(
                &inner,
                &who,
                &asked,
                &EXPORT_HEADER,
                |r| {
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
                },
                out,
            )
        },
    )
    .map_err(failed)
}

const EXPORT_HEADER: [&str; 8] = [
    "Prestataire",
    "Type",
    "État",
    "Frais",
    "Audit",
    "Actions correctives avant le",
    "Modifiée le",
    "Suivi par",
];
