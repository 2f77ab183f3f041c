//! Staff's list of partners (`/partenaires`): the API keys about to expire, then every
//! partner by state, searched by name, public id or contact, sorted by column, paged (read
//! whole: partners are counted in dozens or hundreds) and exported as shown in CSV.

use actix_web::{get, web};
use serde::Deserialize;

use super::context;
use crate::domain::partner::PartnerState;
use crate::domain::text::{fold, starts_words};
use crate::error::{AppError, FieldErrors, push_error};
use crate::partners::{self, PartnerView, keys};
use crate::state::AppState;
use crate::web::kit::{Tab, blocking, first_errors, pagination};
use crate::web::listing::{
    Arrangement, ListTools, PAGE_SIZES, SortKey, csv_file, list_link, size_choices, sort_headers,
};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{StaffUser, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page).service(export);
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    /// A state's code (`active`, `paused`, `archived`); every state when empty.
    etat: String,
    q: String,
    tri: Option<String>,
    par: Option<String>,
    page: Option<String>,
}

const COLUMNS: [(&str, &str); 2] = [("nom", "Partenaire"), ("etat", "État")];
const DEFAULT_ORDER: &str = "nom";

impl ListQuery {
    fn arrangement(&self, errors: &mut FieldErrors) -> Arrangement {
        let (tri, par, page) = (
            self.tri.as_deref(),
            self.par.as_deref(),
            self.page.as_deref(),
        );
        Arrangement::read(&COLUMNS, DEFAULT_ORDER, tri, par, page, errors)
    }

    fn link(&self, path: &str, etat: &str, order: &str, per_page: usize, page: usize) -> String {
        list_link(
            path,
            &[("etat", etat), ("q", self.q.trim())],
            (order, DEFAULT_ORDER),
            per_page,
            page,
        )
    }

    /// The partners of the state asked for whose name, public id, contact or contact's email
    /// has a word starting with each word searched; every partner matching the search (the
    /// tabs count them); and what was wrong with the asking.
    fn select(&self, all: &[PartnerView]) -> (Vec<PartnerView>, Vec<PartnerView>, FieldErrors) {
        let mut errors = FieldErrors::new();
        let state = match self.etat.trim() {
            "" => None,
            code => PartnerState::parse(code).or_else(|| {
                push_error(&mut errors, "etat", "État de partenaire inconnu.");
                None
            }),
        };
        let words = crate::web::listing::search_words(&self.q, &mut errors);
        let matching: Vec<PartnerView> = all
            .iter()
            .filter(|p| {
                let text = [&p.name, &p.id, &p.contact_name, &p.contact_email];
                let folded = text.map(|t| fold(t)).join(" ");
                starts_words(&folded, &words)
            })
            .cloned()
            .collect();
        let shown = matching
            .iter()
            .filter(|p| state.is_none_or(|s| p.state == s))
            .cloned()
            .collect();
        (shown, matching, errors)
    }
}

fn sort_key(p: &PartnerView, column: &str) -> Option<SortKey> {
    match column {
        "etat" => Some(SortKey::text(&p.state_label)),
        _ => Some(SortKey::text(&p.name)),
    }
}

#[get("/partenaires")]
async fn list_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let (all, expiring) = blocking(move || {
        Ok::<_, AppError>((
            partners::list(&inner, &actor)?,
            keys::expiring(&inner, &actor)?,
        ))
    })
    .await?;
    let (mut shown, matching, mut errors) = query.select(&all);
    let arranged = query.arrangement(&mut errors);
    let (listed, page_shown) = arranged.apply(&mut shown, sort_key);
    let etat = if errors.contains_key("etat") {
        ""
    } else {
        query.etat.trim()
    };
    let here = "/partenaires";
    let (order, per_page) = (arranged.order.as_str(), arranged.per_page);
    let tab = |code: &str, label: &str| Tab {
        href: query.link(here, code, order, per_page, 1),
        label: label.to_owned(),
        count: i64::try_from(
            matching
                .iter()
                .filter(|p| code.is_empty() || p.state.as_str() == code)
                .count(),
        )
        .unwrap_or_default(),
        current: etat == code,
        urgent: false,
    };
    let mut tabs = vec![tab("", "Tous")];
    tabs.extend(PartnerState::ALL.iter().map(|s| tab(s.as_str(), s.label())));
    let name_of = |id: &str| {
        all.iter()
            .find(|p| p.id == id)
            .map_or(id.to_owned(), |p| p.name.clone())
    };
    let status = crate::web::listing::status_of(&errors);
    Ok(page(
        &state,
        status,
        "pages/partners/list",
        "Partenaires",
        Some(&user),
        context::List {
            expiring: expiring
                .iter()
                .map(|e| context::ExpiringLine {
                    partner_id: e.partner_id.clone(),
                    partner_name: name_of(&e.partner_id),
                    prefix: e.key.prefix.clone(),
                    expires: e.key.expires_fr.clone(),
                })
                .collect(),
            partners: shown,
            list: ListTools {
                summary: match listed {
                    0 => "Aucun partenaire".to_owned(),
                    n => crate::french::plural(n, "partenaire", "partenaires"),
                },
                tabs,
                headers: sort_headers(&COLUMNS, order, |o| query.link(here, etat, o, per_page, 1)),
                pagination: pagination(page_shown, listed, per_page, |n| {
                    query.link(here, etat, order, per_page, n)
                }),
                sizes: size_choices(per_page),
                etat: etat.to_owned(),
                search: query.q.trim().to_owned(),
                tri: arranged.kept_order(DEFAULT_ORDER),
                export: query.link("/partenaires.csv", etat, order, PAGE_SIZES[0], 1),
                errors: first_errors(&errors),
            },
        },
    ))
}

/// The partners as shown (state, search, order), whole, in CSV.
#[get("/partenaires.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let (inner, actor) = (data_of(&state), user.0.actor.clone());
    let all = blocking(move || partners::list(&inner, &actor)).await?;
    let (mut shown, _, mut errors) = query.select(&all);
    query
        .arrangement(&mut errors)
        .sort_whole(&mut shown, sort_key);
    let rows = shown.iter().map(|p| {
        vec![
            p.name.clone(),
            p.id.clone(),
            p.scope_label.clone(),
            p.state_label.clone(),
            p.contact_name.clone(),
            p.contact_email.clone(),
            p.origins.join(" "),
            crate::french::time::paris_iso(p.updated_at),
        ]
    });
    let header = [
        "Partenaire",
        "Identifiant public",
        "Portée",
        "État",
        "Contact",
        "Courriel du contact",
        "Origines autorisées",
        "Modifié le (heure de Paris)",
    ];
    Ok(csv_file("partenaires.csv", &header, rows)?)
}
