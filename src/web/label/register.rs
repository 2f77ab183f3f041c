//! The staff page of the labels granted: the first of those to watch (expiring within 90
//! days, suspended, withdrawn) with the way to all of them, then the register of every label
//! by state (valid by default), searched by number or provider, sorted by column and paged by
//! the database (`label::register`), and exported as shown in CSV.

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label::LabelStatus;
use crate::error::{AppError, FieldErrors};
use crate::http::download;
use crate::label::register::{self, RegisterAsk, RegisterColumn, Watched};
use crate::label::views::LabelView;
use crate::state::AppState;
use crate::web::kit::{Tab, first_errors, pagination};
use crate::web::listing::{
    Arrangement, ListTools, PAGE_SIZES, list_link, size_choices, sort_headers,
};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(labels_page).service(export);
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RegisterQuery {
    /// A state (`valid`, `suspended`, `expired`, `withdrawn`) or `tous`.
    etat: Option<String>,
    q: Option<String>,
    tri: Option<String>,
    par: Option<String>,
    page: Option<String>,
}

const COLUMNS: [(&str, &str); 3] = [
    ("numero", "Numéro"),
    ("prestataire", "Prestataire"),
    ("fin", "Fin de validité"),
];
const DEFAULT_ORDER: &str = "numero";
const ALL: &str = "tous";

impl RegisterQuery {
    fn text(value: &Option<String>) -> &str {
        value.as_deref().map(str::trim).unwrap_or_default()
    }

    /// The state shown (None: every one), or what is wrong with the one asked for.
    fn status(&self, errors: &mut FieldErrors) -> Option<LabelStatus> {
        match Self::text(&self.etat) {
            "" => Some(LabelStatus::Valid),
            ALL => None,
            code => match LabelStatus::ALL.iter().find(|s| s.as_str() == code) {
                Some(status) => Some(*status),
                None => {
                    crate::error::push_error(errors, "etat", "État de label inconnu.");
                    Some(LabelStatus::Valid)
                }
            },
        }
    }

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

    /// This register at `path` with another state, order or page, the search kept.
    fn link(&self, path: &str, etat: &str, order: &str, per_page: usize, page: usize) -> String {
        list_link(
            path,
            &[("etat", etat), ("q", Self::text(&self.q))],
            (order, DEFAULT_ORDER),
            per_page,
            page,
        )
    }
}

fn label_row(l: &LabelView) -> context::LabelLine {
    context::LabelLine {
        href: format!("/instruction/labels/{}", l.number),
        number: l.number.clone(),
        provider_name: l.provider_name.clone(),
        status: l.status.as_str(),
        status_label: l.status_label.clone(),
        valid_until: day_fr(l.valid_until),
        renewal_pending: l.renewal_pending,
    }
}

/// The register as asked for the database, with what was wrong in the asking (a wrong state,
/// search or order is said beside its field, the register shown as by default).
fn ask(query: &RegisterQuery) -> (RegisterAsk, Arrangement, FieldErrors) {
    let mut errors = FieldErrors::new();
    let status = query.status(&mut errors);
    let words = crate::web::listing::search_words(RegisterQuery::text(&query.q), &mut errors);
    let arranged = query.arrangement(&mut errors);
    let column = match arranged.order.trim_start_matches('-') {
        "prestataire" => RegisterColumn::Provider,
        "fin" => RegisterColumn::End,
        _ => RegisterColumn::Number,
    };
    let ask = RegisterAsk {
        status,
        words,
        column,
        descending: arranged.order.starts_with('-'),
    };
    (ask, arranged, errors)
}

/// How many labels of each watch list the page shows; the others are in the register.
const WATCHED: i64 = 10;

/// A watch list's first labels, and the way to all of them in the register.
fn watched(list: &Watched, link: String) -> context::WatchList {
    context::WatchList {
        rows: list.first.iter().map(label_row).collect(),
        more: (list.total > WATCHED).then(|| context::MoreLink {
            text: format!(
                "Voir les {} dans le registre",
                crate::french::plural(usize::try_from(list.total).unwrap_or(0), "label", "labels")
            ),
            href: link,
        }),
    }
}

#[get("/instruction/labels")]
async fn labels_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<RegisterQuery>,
) -> PageResult {
    let user = user.0;
    let (asked, arranged, errors) = ask(&query);
    let (inner, who, wanted) = (
        state.clone().into_inner(),
        user.actor.clone(),
        asked.clone(),
    );
    let (per_page, page_asked) = (arranged.per_page, arranged.page);
    let (watch, register) = blocking(move || {
        let watch = register::watch(&inner, &who, 90, WATCHED)?;
        let register = register::page(&inner, &who, &wanted, page_asked, per_page)?;
        Ok::<_, AppError>((watch, register))
    })
    .await
    .map_err(failed)?;
    let etat = match RegisterQuery::text(&query.etat) {
        code if errors.contains_key("etat") || code.is_empty() => "",
        code => code,
    };
    let here = "/instruction/labels";
    let headers = sort_headers(&COLUMNS, &arranged.order, |order| {
        format!(
            "{}#register-title",
            query.link(here, etat, order, arranged.per_page, 1)
        )
    });
    let listed = usize::try_from(register.total).unwrap_or(0);
    let pages = pagination(register.page, listed, arranged.per_page, |n| {
        format!(
            "{}#register-title",
            query.link(here, etat, &arranged.order, arranged.per_page, n)
        )
    });
    let in_state = |status: LabelStatus| {
        register
            .counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    };
    let tab = |code: &str, label: &str, count: i64| Tab {
        href: format!(
            "{}#register-title",
            query.link(here, code, &arranged.order, arranged.per_page, 1)
        ),
        label: label.to_owned(),
        count,
        current: etat == code,
        urgent: false,
    };
    let tabs = vec![
        tab("", "Valides", in_state(LabelStatus::Valid)),
        tab("suspended", "Suspendus", in_state(LabelStatus::Suspended)),
        tab("withdrawn", "Retirés", in_state(LabelStatus::Withdrawn)),
        tab("expired", "Expirés", in_state(LabelStatus::Expired)),
        tab(ALL, "Tous", register.counts.iter().map(|(_, n)| n).sum()),
    ];
    let status = crate::web::listing::status_of(&errors);
    let register_link = |etat: &str, order: &str| {
        format!(
            "{}#register-title",
            list_link(
                here,
                &[("etat", etat)],
                (order, DEFAULT_ORDER),
                PAGE_SIZES[0],
                1
            )
        )
    };
    Ok(page(
        &state,
        status,
        "pages/label/labels",
        "Labels ExpertCyber",
        Some(&user),
        context::Labels {
            expiring: watched(&watch.expiring, register_link("", "fin")),
            suspended: watched(&watch.suspended, register_link("suspended", DEFAULT_ORDER)),
            withdrawn: watched(&watch.withdrawn, register_link("withdrawn", DEFAULT_ORDER)),
            valid_count: crate::french::plural(
                usize::try_from(watch.valid).unwrap_or(0),
                "label valide",
                "labels valides",
            ),
            register: register.labels.iter().map(label_row).collect(),
            list: ListTools {
                summary: match listed {
                    0 => "Aucun label".to_owned(),
                    n => crate::french::plural(n, "label", "labels"),
                },
                tabs,
                headers,
                pagination: pages,
                sizes: size_choices(arranged.per_page),
                etat: etat.to_owned(),
                search: RegisterQuery::text(&query.q).to_owned(),
                tri: arranged.kept_order(DEFAULT_ORDER),
                export: query.link(
                    "/instruction/labels.csv",
                    etat,
                    &arranged.order,
                    PAGE_SIZES[0],
                    1,
                ),
                errors: first_errors(&errors),
            },
        },
    ))
}

/// The register as shown (state, search, order), every label of it, in CSV (UTF-8 with its
/// byte-order mark, for spreadsheets), written as it is read.
#[get("/instruction/labels.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<RegisterQuery>,
) -> PageResult {
    let (asked, _, errors) = ask(&query);
    if !errors.is_empty() {
        return Err(failed(AppError::Validation(errors)));
    }
    let (inner, who) = (state.clone().into_inner(), user.0.actor.clone());
    download::streamed(
        "text/csv; charset=utf-8",
        "labels-expertcyber.csv",
        "labels-expertcyber.csv",
        move |out| register::export(&inner, &who, &asked, out),
    )
    .map_err(failed)
}
