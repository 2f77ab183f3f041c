//! The directory as open data, in Open Referral's HSDS 3.0: the records of the providers listed
//! (approved; suspended ones as `temporarily closed`; removed ones gone), read-only and public,
//! with HSDS's paged envelope and filters combined with AND. The mapping is `domain::hsds`.

pub mod export;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::hsds::{self, Context, Listed};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::error::{AppError, FieldErrors, push_error};
use crate::state::AppState;

/// The most records one page holds.
pub const MAX_PER_PAGE: u64 = 200;
pub const DEFAULT_PER_PAGE: u64 = 50;

/// The listed providers kept in memory, read again when the directory's change counter moves
/// (every referencing step bumps it): a suspension or a removal shows at the next request.
#[derive(Default)]
pub struct Cache {
    loaded: RwLock<Option<(i64, Arc<Directory>)>>,
}

impl Cache {
    pub fn directory(&self, state: &AppState) -> Result<Arc<Directory>, AppError> {
        let mut conn = state.pool.get()?;
        let counter = crate::db::counters::read(&mut conn, crate::db::counters::DIRECTORY)?;
        drop(conn);
        if let Some((seen, directory)) = self
            .loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && *seen == counter
        {
            return Ok(directory.clone());
        }
        let directory = Arc::new(Directory::load(state)?);
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) =
            Some((counter, directory.clone()));
        Ok(directory)
    }
}

/// The providers listed, with their last change and staff's last review.
pub struct Directory {
    providers: Vec<(Provider, NaiveDateTime, Option<NaiveDate>)>,
}

impl Directory {
    pub fn load(state: &AppState) -> Result<Directory, AppError> {
        let mut conn = state.pool.get()?;
        let listed = crate::db::providers::load_in(
            &mut conn,
            &[ReferencingStatus::Approved, ReferencingStatus::Suspended],
        )?;
        let reviews: HashMap<String, NaiveDateTime> =
            crate::db::audit::last_reviews(&mut conn, crate::audit::Subject::Provider.as_str())?
                .into_iter()
                .filter_map(|(id, at)| Some((id, at?)))
                .collect();
        Ok(Directory {
            providers: listed
                .into_iter()
                .map(|(p, modified)| {
                    let reviewed = reviews.get(&p.id).map(|at| crate::french::paris_date(*at));
                    (p, modified, reviewed)
                })
                .collect(),
        })
    }

    fn listed(&self) -> impl Iterator<Item = Listed<'_>> {
        self.providers.iter().map(|(p, modified, reviewed)| Listed {
            provider: p,
            suspended: p.status == ReferencingStatus::Suspended,
            modified: *modified,
            reviewed: *reviewed,
        })
    }
}

fn context<'a>(state: &'a AppState, names: &'a dyn Fn(&str) -> Option<String>) -> Context<'a> {
    Context {
        taxonomy: &state.taxonomy,
        departement_name: names,
        base_url: &state.config.base_url,
    }
}

/// HSDS's list parameters (`format`, `full`, `minimal` are accepted as HSDS names them).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    pub search: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_id: Option<String>,
    pub organization_id: Option<String>,
    pub modified_after: Option<String>,
    pub full: Option<String>,
    pub full_service: Option<String>,
    pub minimal: Option<String>,
    pub format: Option<String>,
    pub postcode: Option<String>,
    pub proximity: Option<String>,
}

/// The checked filters.
struct Filters {
    words: Vec<String>,
    term: Option<String>,
    taxonomy: Option<String>,
    organization: Option<String>,
    modified_after: Option<NaiveDateTime>,
    page: u64,
    per_page: u64,
}

fn whole(raw: &Option<String>, name: &str, errors: &mut FieldErrors) -> Option<u64> {
    let text = raw.as_deref()?;
    match text.parse::<u64>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            push_error(errors, name, "Un nombre entier à partir de 1.");
            None
        }
    }
}

fn filters(query: &ListQuery) -> Result<Filters, AppError> {
    let mut errors = FieldErrors::new();
    let page = whole(&query.page, "page", &mut errors).unwrap_or(1);
    let per_page = whole(&query.per_page, "per_page", &mut errors).unwrap_or(DEFAULT_PER_PAGE);
    if per_page > MAX_PER_PAGE {
        push_error(
            &mut errors,
            "per_page",
            format!("{MAX_PER_PAGE} au plus par page."),
        );
    }
    let modified_after = match query.modified_after.as_deref() {
        None => None,
        Some(text) => {
            let parsed = chrono::DateTime::parse_from_rfc3339(text)
                .map(|d| d.naive_utc())
                .or_else(|_| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map(|d| d.and_time(chrono::NaiveTime::MIN))
                });
            if parsed.is_err() {
                push_error(
                    &mut errors,
                    "modified_after",
                    "Une date ou un instant RFC 3339, par exemple 2026-11-01 ou 2026-11-01T00:00:00Z.",
                );
            }
            parsed.ok()
        }
    };
    for (name, value) in [("format", &query.format)] {
        if value.as_deref().is_some_and(|f| f != "json") {
            push_error(&mut errors, name, "Seul le format json est servi.");
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Filters {
        words: query
            .search
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(crate::domain::text::fold)
            .collect(),
        term: query.taxonomy_term_id.clone(),
        taxonomy: query.taxonomy_id.clone(),
        organization: query.organization_id.clone(),
        modified_after,
        page,
        per_page,
    })
}

/// Whether a listed provider passes every filter (AND).
fn passes(listed: &Listed, filters: &Filters, ctx: &Context) -> bool {
    let p = listed.provider;
    if let Some(after) = filters.modified_after
        && listed.modified < after
    {
        return false;
    }
    if let Some(org) = &filters.organization
        && *org != hsds::id("organization", &p.id)
    {
        return false;
    }
    if filters.term.is_some() || filters.taxonomy.is_some() {
        let service = hsds::service(listed, ctx, true);
        let terms: Vec<&Value> = service["attributes"]
            .as_array()
            .map(|a| a.iter().map(|a| &a["taxonomy_term"]).collect())
            .unwrap_or_default();
        if let Some(term) = &filters.term
            && !terms
                .iter()
                .any(|t| t["id"] == json!(term) || t["code"] == json!(term))
        {
            return false;
        }
        if let Some(taxonomy) = &filters.taxonomy
            && !terms.iter().any(|t| t["taxonomy"] == json!(taxonomy))
        {
            return false;
        }
    }
    if !filters.words.is_empty() {
        let text = crate::domain::text::fold(&format!(
            "{} {} {} {} {}",
            p.name,
            p.legal_name,
            p.description,
            p.city,
            p.incident_types
                .iter()
                .filter_map(|c| ctx.taxonomy.get(c).map(|t| t.label.clone()))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        if !filters.words.iter().all(|w| text.contains(w.as_str())) {
            return false;
        }
    }
    true
}

/// One page of `record`s of the providers that pass the filters, in HSDS's envelope.
fn page_of(
    state: &AppState,
    query: &ListQuery,
    record: impl Fn(&Listed, &Context) -> Value,
) -> Result<Value, AppError> {
    let filters = filters(query)?;
    let directory = state.hsds.directory(state)?;
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names);
    let matching: Vec<Listed> = directory
        .listed()
        .filter(|l| passes(l, &filters, &ctx))
        .collect();
    let total = matching.len() as u64;
    let total_pages = total.div_ceil(filters.per_page).max(1);
    let start = (filters.page - 1).saturating_mul(filters.per_page);
    let contents: Vec<Value> = matching
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(filters.per_page as usize)
        .map(|l| record(l, &ctx))
        .collect();
    Ok(json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": filters.page,
        "size": contents.len(),
        "first_page": filters.page == 1,
        "last_page": filters.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    }))
}

pub fn services(state: &AppState, query: &ListQuery) -> Result<Value, AppError> {
    page_of(state, query, |l, ctx| hsds::service(l, ctx, false))
}

pub fn organizations(state: &AppState, query: &ListQuery) -> Result<Value, AppError> {
    page_of(state, query, |l, ctx| {
        hsds::organization(l, ctx, hsds::Depth::List)
    })
}

pub fn service_at_locations(state: &AppState, query: &ListQuery) -> Result<Value, AppError> {
    page_of(state, query, |l, ctx| {
        hsds::service_at_location(l, ctx, false)
    })
}

/// One record by its HSDS id: `kind` is the id's kind, `record` the mapping.
fn one(
    state: &AppState,
    kind: &str,
    id: &str,
    record: impl Fn(&Listed, &Context) -> Value,
) -> Result<Value, AppError> {
    let directory = state.hsds.directory(state)?;
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names);
    directory
        .listed()
        .find(|l| hsds::id(kind, &l.provider.id) == id)
        .map(|l| record(&l, &ctx))
        .ok_or_else(|| {
            AppError::not_found("Aucun enregistrement de l'annuaire ne porte cet identifiant.")
        })
}

pub fn service(state: &AppState, id: &str) -> Result<Value, AppError> {
    one(state, "service", id, |l, ctx| hsds::service(l, ctx, true))
}

pub fn organization(state: &AppState, id: &str) -> Result<Value, AppError> {
    one(state, "organization", id, |l, ctx| {
        hsds::organization(l, ctx, hsds::Depth::Detail)
    })
}

pub fn service_at_location(state: &AppState, id: &str) -> Result<Value, AppError> {
    one(state, "service_at_location", id, |l, ctx| {
        hsds::service_at_location(l, ctx, true)
    })
}

/// `GET /hsds/`: the version, the profile and the API description.
pub fn about(state: &AppState) -> Value {
    json!({
        "version": hsds::VERSION,
        "profile": format!("{}/hsds/profile", state.config.base_url),
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    })
}

/// Every detail record of one kind (`service`, `organization` or `service_at_location`), in the
/// order of the providers' ids: what the bulk export writes, one directory read for all.
pub fn every(state: &AppState, kind: &str) -> Result<Vec<Value>, AppError> {
    let directory = state.hsds.directory(state)?;
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names);
    Ok(directory
        .listed()
        .map(|l| match kind {
            "organization" => hsds::organization(&l, &ctx, hsds::Depth::Detail),
            "service_at_location" => hsds::service_at_location(&l, &ctx, true),
            _ => hsds::service(&l, &ctx, true),
        })
        .collect())
}
