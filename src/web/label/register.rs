//! The staff page of the labels granted: those to watch (expiring within 90 days, suspended,
//! withdrawn), then the register of every label by state (valid by default), searched by
//! number or provider, sorted by column, paged (read whole: a few thousand labels at most)
//! and exported as shown in CSV.

use actix_web::{get, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label::LabelStatus;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::label::labels as label_service;
use crate::label::views::LabelView;
use crate::state::AppState;
use crate::web::kit::{Tab, first_errors, pagination};
use crate::web::listing::{
    Arrangement, ListTools, PAGE_SIZES, SortKey, csv_file, list_link, size_choices, sort_headers,
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

    /// The states shown, or what is wrong with the one asked for.
    fn statuses(&self, errors: &mut FieldErrors) -> Vec<LabelStatus> {
        match Self::text(&self.etat) {
            "" => vec![LabelStatus::Valid],
            ALL => LabelStatus::ALL.to_vec(),
            code => match LabelStatus::ALL.iter().find(|s| s.as_str() == code) {
                Some(status) => vec![*status],
                None => {
                    crate::error::push_error(errors, "etat", "État de label inconnu.");
                    vec![LabelStatus::Valid]
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

fn sort_key(label: &LabelView, column: &str) -> Option<SortKey> {
    match column {
        "prestataire" => Some(SortKey::text(&label.provider_name)),
        "fin" => Some(SortKey::Day(label.valid_until)),
        _ => Some(SortKey::Text(label.number.clone())),
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

/// The labels of the register in the state asked for, those of every state (for the tabs'
/// counts, within the search), and what was wrong with the asking (a wrong search is said
/// beside its field, the register shown whole).
async fn select(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    query: &RegisterQuery,
) -> Result<(Vec<LabelView>, Vec<LabelView>, FieldErrors), AppError> {
    let mut errors = FieldErrors::new();
    let statuses = query.statuses(&mut errors);
    let search = Some(RegisterQuery::text(&query.q).to_owned()).filter(|q| !q.is_empty());
    let (inner, who) = (state.clone().into_inner(), user.clone());
    let every = LabelStatus::ALL;
    let (all, refused) = blocking(move || {
        match label_service::register(&inner, &who.actor, &every, search.as_deref()) {
            Err(AppError::Validation(refused)) => {
                let all = label_service::register(&inner, &who.actor, &every, None)?;
                Ok((all, refused))
            }
            other => other.map(|labels| (labels, FieldErrors::new())),
        }
    })
    .await?;
    errors.extend(refused);
    let shown = all
        .iter()
        .filter(|l| statuses.contains(&l.status))
        .cloned()
        .collect();
    Ok((shown, all, errors))
}

#[get("/instruction/labels")]
async fn labels_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<RegisterQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, who) = (state.clone().into_inner(), user.clone());
    let lists = blocking(move || label_service::staff_lists(&inner, &who, 90))
        .await
        .map_err(failed)?;
    let (mut register, all, mut errors) = select(&state, &user, &query).await.map_err(failed)?;
    let arranged = query.arrangement(&mut errors);
    let (listed, shown) = arranged.apply(&mut register, sort_key);
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
    let pages = pagination(shown, listed, arranged.per_page, |n| {
        format!(
            "{}#register-title",
            query.link(here, etat, &arranged.order, arranged.per_page, n)
        )
    });
    let in_state = |status: LabelStatus| all.iter().filter(|l| l.status == status).count();
    let tab = |code: &str, label: &str, count: usize| Tab {
        href: format!(
            "{}#register-title",
            query.link(here, code, &arranged.order, arranged.per_page, 1)
        ),
        label: label.to_owned(),
        count: i64::try_from(count).unwrap_or_default(),
        current: etat == code,
        urgent: false,
    };
    let tabs = vec![
        tab("", "Valides", in_state(LabelStatus::Valid)),
        tab("suspended", "Suspendus", in_state(LabelStatus::Suspended)),
        tab("withdrawn", "Retirés", in_state(LabelStatus::Withdrawn)),
        tab("expired", "Expirés", in_state(LabelStatus::Expired)),
        tab(ALL, "Tous", all.len()),
    ];
    let status = crate::web::listing::status_of(&errors);
    Ok(page(
        &state,
        status,
        "pages/label/labels",
        "Labels ExpertCyber",
        Some(&user),
        context::Labels {
            expiring: lists.expiring.iter().map(label_row).collect(),
            suspended: lists.suspended.iter().map(label_row).collect(),
            withdrawn: lists.withdrawn.iter().map(label_row).collect(),
            valid_count: crate::french::plural(lists.valid.len(), "label valide", "labels valides"),
            register: register.iter().map(label_row).collect(),
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

/// The register as shown (state, search, order), whole, in CSV (UTF-8 with its byte-order
/// mark, for spreadsheets).
#[get("/instruction/labels.csv")]
async fn export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<RegisterQuery>,
) -> PageResult {
    let user = user.0;
    let (mut register, _, mut errors) = select(&state, &user, &query).await.map_err(failed)?;
    query
        .arrangement(&mut errors)
        .sort_whole(&mut register, sort_key);
    let rows = register.iter().map(|l| {
        vec![
            l.number.clone(),
            l.provider_name.clone(),
            crate::domain::text::capitalise(&l.status_label),
            day_fr(l.valid_from),
            day_fr(l.valid_until),
        ]
    });
    let header = [
        "Numéro",
        "Prestataire",
        "État",
        "Valable du",
        "Valable jusqu'au",
    ];
    csv_file("labels-expertcyber.csv", &header, rows).map_err(failed)
}
