//! Staff's page of alerts (`/observatoire/alertes`): the waves the daily pass detected, then
//! every alert published by state (online, to come, ended, withdrawn), searched by its words,
//! sorted, paged (read whole: alerts are counted in dozens a year) and exported as shown.

use actix_web::{get, web};
use serde::Deserialize;

use super::context;
use crate::domain::text::{fold, starts_words};
use crate::error::{AppError, FieldErrors, push_error};
use crate::observatory::alerts::{self, AlertView};
use crate::observatory::signals;
use crate::state::AppState;
use crate::web::kit::{Confirmation, Detail, Tab, blocking, first_errors, pagination};
use crate::web::listing::{
    Arrangement, ListTools, PAGE_SIZES, SortKey, csv_file, list_link, size_choices, sort_headers,
};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{StaffUser, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page).service(export);
}

/// How far back the page lists the waves detected.
const SIGNAL_DAYS: u64 = 30;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    info: Option<String>,
    /// `en-ligne`, `a-venir`, `terminee`, `retiree`; every alert when empty.
    etat: String,
    q: String,
    tri: Option<String>,
    par: Option<String>,
    page: Option<String>,
}

/// An alert's state, as the list's tabs and badges name it: (code, French, badge tone code).
const STATES: [(&str, &str, &str); 4] = [
    ("en-ligne", "En ligne", "active"),
    ("a-venir", "À venir", "pending"),
    ("terminee", "Terminée", "plain"),
    ("retiree", "Retirée", "revoked"),
];

fn state_of(alert: &AlertView, live: bool, now: chrono::NaiveDateTime) -> usize {
    if alert.withdrawn {
        3
    } else if live {
        0
    } else if now < alert.valid_from {
        1
    } else {
        2
    }
}

const COLUMNS: [(&str, &str); 2] = [("titre", "Alerte"), ("debut", "Début")];
const DEFAULT_ORDER: &str = "-debut";

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

    /// The alerts of the state asked for whose title, text or place has a word starting with
    /// each word searched, with their state; every alert matching the search (for the tabs'
    /// counts); what was wrong with the asking.
    fn select(
        &self,
        all: Vec<(AlertView, bool)>,
        now: chrono::NaiveDateTime,
    ) -> (Vec<(AlertView, usize)>, Vec<usize>, FieldErrors) {
        let mut errors = FieldErrors::new();
        let wanted = match self.etat.trim() {
            "" => None,
            code => STATES.iter().position(|(c, _, _)| *c == code).or_else(|| {
                push_error(&mut errors, "etat", "État d'alerte inconnu.");
                None
            }),
        };
        let words = crate::web::listing::search_words(&self.q, &mut errors);
        let mut counts = vec![0; STATES.len()];
        let mut shown = Vec::new();
        for (alert, live) in all {
            let folded = fold(&format!(
                "{} {} {}",
                alert.title, alert.body, alert.scope_label
            ));
            if !starts_words(&folded, &words) {
                continue;
            }
            let state = state_of(&alert, live, now);
            counts[state] += 1;
            if wanted.is_none_or(|w| w == state) {
                shown.push((alert, state));
            }
        }
        (shown, counts, errors)
    }
}

fn sort_key((alert, _): &(AlertView, usize), column: &str) -> Option<SortKey> {
    match column {
        "titre" => Some(SortKey::text(&alert.title)),
        _ => Some(SortKey::Time(alert.valid_from)),
    }
}

/// Withdrawing an alert is asked first: it leaves the home page, the results and the feed
/// at once.
pub(super) fn withdrawal(id: &str, title: &str) -> Confirmation {
    Confirmation {
        question: "Retirer cette alerte ?".into(),
        consequence: "L'alerte disparaît aussitôt de la page d'accueil, des résultats du diagnostic, des recherches, du flux Atom et de l'API. Pour la remettre en ligne, il faudra la publier de nouveau.".into(),
        details: vec![Detail {
            label: "Alerte".into(),
            value: title.to_owned(),
        }],
        action: format!("/observatoire/alertes/{id}/retrait"),
        fields: vec![],
        confirm_label: "Confirmer : retirer l'alerte".into(),
        cancel_href: "/observatoire/alertes#alerts-title".into(),
    }
}

#[get("/observatoire/alertes")]
async fn list_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let (all, waves, weekly) = blocking(move || {
        Ok::<_, AppError>((
            alerts::all(&inner, &actor)?,
            signals::recent(&inner, SIGNAL_DAYS)?,
            signals::weekly_method(&inner, &inner.observatory)?,
        ))
    })
    .await?;
    let (mut shown, counts, mut errors) = query.select(all, state.clock.now_naive());
    let arranged = query.arrangement(&mut errors);
    let (listed, page_shown) = arranged.apply(&mut shown, sort_key);
    let etat = if errors.contains_key("etat") {
        ""
    } else {
        query.etat.trim()
    };
    let info = match query.info.as_deref() {
        Some("publiee") => Some("L'alerte est publiée : elle est en ligne pendant sa période."),
        Some("retiree") => Some("L'alerte est retirée : elle n'est plus en ligne."),
        _ => None,
    };
    let here = "/observatoire/alertes";
    let (order, per_page) = (arranged.order.as_str(), arranged.per_page);
    let tab = |code: &str, label: &str, count: usize| Tab {
        href: format!(
            "{}#alerts-title",
            query.link(here, code, order, per_page, 1)
        ),
        label: label.to_owned(),
        count: i64::try_from(count).unwrap_or_default(),
        current: etat == code,
        urgent: false,
    };
    let mut tabs = vec![tab("", "Toutes", counts.iter().sum())];
    tabs.extend(
        STATES
            .iter()
            .zip(&counts)
            .map(|((code, label, _), n)| tab(code, label, *n)),
    );
    let status = crate::web::listing::status_of(&errors);
    Ok(page(
        &state,
        status,
        "pages/observatory/alerts",
        "Alertes",
        Some(&user),
        context::Alerts {
            info,
            alerts: shown
                .iter()
                .map(|(a, s)| context::AlertLine {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    scope: a.scope_label.clone(),
                    window: a.window_fr.clone(),
                    live: *s == 0,
                    state: STATES[*s].2,
                    state_label: STATES[*s].1,
                    confirm: (*s == 0).then(|| withdrawal(&a.id, &a.title)),
                })
                .collect(),
            signals: waves,
            weekly_pending: weekly.pending_fr(),
            list: ListTools {
                summary: match listed {
                    0 => "Aucune alerte".to_owned(),
                    n => crate::french::plural(n, "alerte", "alertes"),
                },
                tabs,
                headers: sort_headers(&COLUMNS, order, |o| {
                    format!("{}#alerts-title", query.link(here, etat, o, per_page, 1))
                }),
                pagination: pagination(page_shown, listed, per_page, |n| {
                    format!(
                        "{}#alerts-title",
                        query.link(here, etat, order, per_page, n)
                    )
                }),
                sizes: size_choices(per_page),
                etat: etat.to_owned(),
                search: query.q.trim().to_owned(),
                tri: arranged.kept_order(DEFAULT_ORDER),
                export: query.link("/observatoire/alertes.csv", etat, order, PAGE_SIZES[0], 1),
                errors: first_errors(&errors),
            },
        },
    ))
}

/// The alerts as shown (state, search, order), whole, in CSV.
#[get("/observatoire/alertes.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let (inner, actor) = (data_of(&state), user.0.actor.clone());
    let all = blocking(move || alerts::all(&inner, &actor)).await?;
    let (mut shown, _, mut errors) = query.select(all, state.clock.now_naive());
    query
        .arrangement(&mut errors)
        .sort_whole(&mut shown, sort_key);
    let rows = shown.iter().map(|(a, s)| {
        vec![
            a.title.clone(),
            a.scope_label.clone(),
            crate::french::time::paris_iso(a.valid_from),
            crate::french::time::paris_iso(a.valid_until),
            STATES[*s].1.to_owned(),
            a.body.clone(),
        ]
    });
    let header = [
        "Alerte",
        "Portée",
        "Début (heure de Paris)",
        "Fin (heure de Paris)",
        "État",
        "Texte",
    ];
    Ok(csv_file("alertes.csv", &header, rows)?)
}
