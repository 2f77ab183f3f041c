//! Staff's list of assistance requests (`/instruction/demandes`): by state (the escalated
//! first among the tabs), searched by the victim's name or email or the postcode, filtered by
//! département, incident, urgency, days received and "Mes dossiers", sorted by receipt or
//! last change, paged by the database; and the list as filtered in CSV, streamed, without
//! the victims' contact.

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, failed, first_errors, when_fr};
use crate::assistance::staff_list;
use crate::db::assistance::staff_list::{RequestColumn, RequestQuery};
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::error::{AppError, FieldErrors, push_error};
use crate::french::elapsed_fr;
use crate::http::download;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::cases::{self, CaseKind};
use crate::web::kit::{Tab, incident_choices, page_number, pagination, with_query};
use crate::web::listing::{
    PAGE_SIZES, days_between, departement_filter, page_size, size_choices, sort_headers,
};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page).service(export);
}

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListForm {
    etat: String,
    /// `moi`: only the requests the viewer follows.
    suivi: String,
    q: String,
    departement: String,
    /// An incident type's code.
    incident: String,
    /// `oui`: only the urgent requests.
    urgentes: String,
    du: String,
    au: String,
    tri: String,
    par: String,
    page: String,
}

const COLUMNS: [(&str, &str); 2] = [("recue", "Reçue le"), ("modifiee", "Modifiée le")];
const DEFAULT_ORDER: &str = "-modifiee";

impl ListForm {
    /// This list with another state, order or page, every other filter kept.
    fn link(&self, path: &str, etat: &str, order: &str, page: usize) -> String {
        let page = page.to_string();
        with_query(
            path,
            &[
                ("etat", etat),
                ("suivi", self.suivi.trim()),
                ("q", self.q.trim()),
                ("departement", self.departement.trim()),
                ("incident", self.incident.trim()),
                ("urgentes", self.urgentes.trim()),
                ("du", self.du.trim()),
                ("au", self.au.trim()),
                ("tri", if order == DEFAULT_ORDER { "" } else { order }),
                ("par", self.par.trim()),
                ("page", if page == "1" { "" } else { &page }),
            ],
        )
    }
}

/// What the form asks for, checked: the database's query, the order's parameter and the
/// page size; each mistake is said beside its field (and that filter left out).
fn checked(
    state: &AppState,
    user: &CurrentUser,
    form: &ListForm,
) -> (RequestQuery, String, usize, FieldErrors) {
    let mut errors = FieldErrors::new();
    let status = match form.etat.trim() {
        "" => None,
        code => RequestStatus::parse(code).or_else(|| {
            push_error(&mut errors, "etat", "État inconnu.");
            None
        }),
    };
    let words = crate::web::listing::search_words(&form.q, &mut errors);
    let incident = match form.incident.trim() {
        "" => None,
        code if state.taxonomy.get(code).is_some() => Some(code.to_owned()),
        _ => {
            push_error(&mut errors, "incident", "Type d'incident inconnu.");
            None
        }
    };
    let (since, until) = days_between(&form.du, &form.au, &mut errors);
    let tri = match form.tri.trim() {
        "" => DEFAULT_ORDER,
        t if COLUMNS.iter().any(|(c, _)| t.trim_start_matches('-') == *c) => t,
        _ => {
            push_error(&mut errors, "tri", "Ordre de tri inconnu.");
            DEFAULT_ORDER
        }
    };
    let per_page = page_size(Some(&form.par)).unwrap_or_else(|message| {
        push_error(&mut errors, "par", message);
        PAGE_SIZES[0]
    });
    let query = RequestQuery {
        status: status.map(|s| s.as_str().to_owned()),
        departement: departement_filter(state, &form.departement, &mut errors),
        incident_type: incident,
        urgent_only: form.urgentes.trim() == "oui",
        since,
        until,
        words,
        followed_by: cases::mine_only(Some(form.suivi.trim())).then(|| user.actor.id.clone()),
        column: if tri.trim_start_matches('-') == "recue" {
            RequestColumn::Received
        } else {
            RequestColumn::Updated
        },
        descending: tri.starts_with('-'),
    };
    (query, tri.to_owned(), per_page, errors)
}

#[get("/instruction/demandes")]
async fn list_page(
    state: web::Data<AppState>,
    user: StaffUser,
    form: web::Query<ListForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    let (query, tri, per_page, errors) = checked(&state, &user, &form);
    let asked = page_number(Some(&form.page));
    let (inner, who, selection) = (state.clone().into_inner(), user.clone(), query.clone());
    let (list, total, followers) = blocking(move || {
        let offset = i64::try_from((asked - 1) * per_page).unwrap_or(i64::MAX);
        let limit = i64::try_from(per_page).unwrap_or(20);
        let (list, total) = staff_list::page(&inner, &who.actor, &selection, offset, limit)?;
        let followers = cases::followers(&inner, &who, CaseKind::Assistance)?;
        Ok::<_, AppError>((list, total, followers))
    })
    .await
    .map_err(failed)?;
    let total = usize::try_from(total).unwrap_or_default();
    let mine = query.followed_by.is_some();
    let viewer = user.actor.id.clone();
    let mine_count = followers.values().filter(|(id, _)| *id == viewer).count();
    let etat = query.status.clone().unwrap_or_default();
    let here = "/instruction/demandes";
    let tabs = RequestStatus::ALL
        .iter()
        .map(|s| Tab {
            href: form.link(here, s.as_str(), &tri, 1),
            label: s.label().to_owned(),
            count: list.counts.get(s.as_str()).copied().unwrap_or(0),
            current: s.as_str() == etat,
            urgent: *s == RequestStatus::Escalated,
        })
        .collect();
    let headers = sort_headers(&COLUMNS, &tri, |order| form.link(here, &etat, order, 1));
    let now = state.clock.now_naive();
    let rows = list
        .results
        .iter()
        .map(|v| (v, current_offer(v)))
        .map(|(v, offer)| context::StaffLine {
            href: format!("/instruction/demandes/{}", v.id),
            incident_label: v.incident_label.clone(),
            urgent: v.urgent,
            received: when_fr(v.created_at),
            waiting: (!v.status.is_closed()).then(|| elapsed_fr(now - v.created_at)),
            victim: v
                .contact
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            provider: offer.map(|a| a.provider_name.clone()),
            deadline: offer
                .filter(|a| a.status == AssignmentStatus::Pending)
                .map(|a| when_fr(a.expires_at)),
            unreachable: list.victim_unreachable.contains(&v.id),
            place: v
                .postcode
                .clone()
                .or(v.departement.clone())
                .unwrap_or_default(),
            status: v.status.as_str(),
            status_label: v.status_label.clone(),
            escalated: v.status == RequestStatus::Escalated,
            failed: v.failed_assignments,
            updated: when_fr(v.updated_at),
            follower: followers.get(&v.id).map(|(_, name)| name.clone()),
        })
        .collect();
    let shown = asked.min(total.div_ceil(per_page).max(1));
    let status = crate::web::listing::status_of(&errors);
    Ok(page(
        &state,
        status,
        "pages/assistance/staff_list",
        "Demandes d'assistance",
        Some(&user),
        context::StaffList {
            tabs,
            all_current: etat.is_empty(),
            all_href: form.link(here, "", &tri, 1),
            mine,
            mine_count,
            rows,
            summary: match total {
                0 => "Aucune demande".to_owned(),
                n => crate::french::plural(n, "demande", "demandes"),
            },
            headers,
            pagination: pagination(shown, total, per_page, |n| form.link(here, &etat, &tri, n)),
            sizes: size_choices(per_page),
            incidents: incident_choices(state.taxonomy.all(), |code| {
                query.incident_type.as_deref() == Some(code)
            }),
            export: form.link("/instruction/demandes.csv", &etat, &tri, 1),
            etat,
            tri: if tri == DEFAULT_ORDER {
                String::new()
            } else {
                tri
            },
            search: form.q.trim().to_owned(),
            departement: form.departement.trim().to_owned(),
            urgent_only: query.urgent_only,
            du: form.du.trim().to_owned(),
            au: form.au.trim().to_owned(),
            errors: first_errors(&errors),
        },
    ))
}

/// The offer a request stands on now: pending or accepted.
fn current_offer(
    view: &crate::assistance::views::RequestView,
) -> Option<&crate::assistance::views::AssignmentView> {
    view.assignments.iter().rev().find(|a| {
        matches!(
            a.status,
            AssignmentStatus::Pending | AssignmentStatus::Accepted
        )
    })
}

/// `GET /instruction/demandes.csv`: every request of the list as filtered and sorted, written
/// while it is read, without the victims' contact.
#[get("/instruction/demandes.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    form: web::Query<ListForm>,
) -> PageResult {
    let user = user.0;
    let (query, _, _, errors) = checked(&state, &user, &form);
    if !errors.is_empty() {
        return Err(failed(AppError::Validation(errors)));
    }
    let (inner, staff) = (state.clone().into_inner(), user.actor.clone());
    let day = crate::french::time::paris(inner.clock.now_naive()).format("%Y-%m-%d");
    let filename = format!("demandes-assistance-{day}.csv");
    download::streamed(
        "text/csv; charset=utf-8",
        &filename,
        "demandes.csv",
        move |out| staff_list::export(&inner, &staff, &query, out),
    )
    .map_err(failed)
}
