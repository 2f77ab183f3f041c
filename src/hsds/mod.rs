//! The directory as open data, in Open Referral's HSDS 3.0: the records of the providers listed
//! (approved; suspended ones as `temporarily closed`; removed ones gone), read-only and public,
//! with HSDS's paged envelope and filters combined with AND. The mapping is `domain::hsds`.

pub mod export;
mod index;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::directory::index::Published;
use crate::domain::hsds::{self, Context, Listed};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::error::{AppError, FieldErrors, push_error};
use crate::state::AppState;

/// The most records one page holds.
pub const MAX_PER_PAGE: u64 = 200;
pub const DEFAULT_PER_PAGE: u64 = 50;

/// The open data kept in memory, built again when the directory's version moves (every
/// referencing step bumps it; this process sees its own changes at once, others within the
/// directory's freshness window): a suspension or a removal shows at the next request. Each
/// record of the lists is rendered once per version, so that a page is a filter and a copy.
#[derive(Default)]
pub struct Cache {
    loaded: RwLock<Option<Arc<Prepared>>>,
    /// The bulk export's archive.
    pub archive: export::Archive,
}

impl Cache {
    /// The open data of the directory as `published`, when it is built: no I/O, so that a
    /// page is served on the worker that received the request.
    pub fn ready(&self, published: &Arc<Published>) -> Option<View> {
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        let prepared = loaded
            .as_ref()
            .filter(|p| p.version == published.directory.version)?;
        Some(View {
            published: published.clone(),
            prepared: prepared.clone(),
        })
    }

    /// The open data of the directory as published now, built if it moved. Blocking.
    pub fn view(&self, state: &AppState) -> Result<View, AppError> {
        let published = crate::directory::published(state)?;
        if let Some(view) = self.ready(&published) {
            return Ok(view);
        }
        let prepared = Arc::new(Prepared::build(state, published.directory.version)?);
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Some(prepared.clone());
        Ok(View {
            published,
            prepared,
        })
    }
}

/// One version of the directory (and its geography, for postcodes) and its open data.
pub struct View {
    published: Arc<Published>,
    prepared: Arc<Prepared>,
}

/// A listed provider with its last change and staff's last review.
pub(crate) struct Record {
    pub provider: Provider,
    pub modified: NaiveDateTime,
    pub reviewed: Option<NaiveDate>,
}

impl Record {
    pub fn listed(&self) -> Listed<'_> {
        Listed {
            provider: &self.provider,
            suspended: self.provider.status == ReferencingStatus::Suspended,
            modified: self.modified,
            reviewed: self.reviewed,
        }
    }
}

/// How many providers one reading takes (a query names at most this many ids).
const CHUNK: i64 = 1_000;

/// Every listed provider (approved or suspended), in the order of their ids, read `CHUNK` at a
/// time and handed to `each` a chunk at a time: the in-memory lists and the bulk export read
/// them so. Returns how many there were.
pub(crate) fn each_chunk(
    state: &AppState,
    each: &mut dyn FnMut(Vec<Record>) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    let statuses = [ReferencingStatus::Approved, ReferencingStatus::Suspended];
    let mut conn = state.pool.get()?;
    let mut after = String::new();
    let mut done = 0;
    loop {
        let chunk = crate::db::providers::load_chunk(&mut conn, &statuses, &after, CHUNK)?;
        let Some((last, _)) = chunk.last() else {
            return Ok(done);
        };
        after = last.id.clone();
        let ids: Vec<String> = chunk.iter().map(|(p, _)| p.id.clone()).collect();
        let reviews: HashMap<String, NaiveDateTime> = crate::db::audit::last_reviews_of(
            &mut conn,
            crate::audit::Subject::Provider.as_str(),
            &ids,
        )?
        .into_iter()
        .filter_map(|(id, at)| Some((id, at?)))
        .collect();
        done += chunk.len();
        each(
            chunk
                .into_iter()
                .map(|(provider, modified)| Record {
                    reviewed: reviews
                        .get(&provider.id)
                        .map(|at| crate::french::paris_date(*at)),
                    provider,
                    modified,
                })
                .collect(),
        )?;
    }
}

/// One listed provider, ready to filter and to serve.
struct Entry {
    record: Record,
    organization_id: String,
    /// Folded words searched: names, description, city, incident types.
    text: String,
    /// The list records, rendered: service, organization, service at location.
    lists: [String; 3],
}

/// The index keys of a taxonomy term (by id or code) and of a taxonomy.
fn term_key(term: &str) -> String {
    format!("term:{term}")
}

fn taxonomy_key(taxonomy: &str) -> String {
    format!("taxonomy:{taxonomy}")
}

pub struct Prepared {
    version: i64,
    entries: Vec<Entry>,
    /// Each record's position by its HSDS id (ids of every kind).
    by_id: HashMap<String, usize>,
    terms: hsds::TermTable,
    index: index::Index,
}

impl Prepared {
    fn build(state: &AppState, version: i64) -> Result<Prepared, AppError> {
        let terms = hsds::TermTable::new(&state.taxonomy);
        let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
        let ctx = context(state, &names, &terms);
        let mut entries: Vec<Entry> = Vec::new();
        let mut index = index::Builder::default();
        each_chunk(state, &mut |chunk| {
            for record in chunk {
                let listed = record.listed();
                let keys: Vec<String> = hsds::service_terms(&record.provider, &terms)
                    .flat_map(|r| {
                        let t = &r.term;
                        [term_key(&t.id), term_key(&t.code), taxonomy_key(t.taxonomy)]
                    })
                    .collect();
                let lists = [
                    render(&hsds::service(&listed, &ctx, false))?,
                    render(&hsds::organization(&listed, &ctx, hsds::Depth::List))?,
                    render(&hsds::service_at_location(&listed, &ctx, false))?,
                ];
                let provider = &record.provider;
                let text = crate::domain::text::fold(&format!(
                    "{} {} {} {} {}",
                    provider.name,
                    provider.legal_name,
                    provider.description,
                    provider.city,
                    provider
                        .incident_types
                        .iter()
                        .filter_map(|c| state.taxonomy.get(c).map(|t| t.label.clone()))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                index.add(&text, keys.iter().map(String::as_str));
                entries.push(Entry {
                    organization_id: hsds::id("organization", &provider.id),
                    text,
                    lists,
                    record,
                });
            }
            Ok(())
        })?;
        let by_id = entries
            .iter()
            .enumerate()
            .flat_map(|(i, e): (usize, &Entry)| {
                ["service", "organization", "service_at_location"]
                    .map(|kind| (hsds::id(kind, &e.record.provider.id), i))
            })
            .collect();
        Ok(Prepared {
            version,
            entries,
            by_id,
            terms,
            index: index.build(),
        })
    }
}

/// A record as JSON text.
pub(crate) fn render(record: &impl serde::Serialize) -> Result<String, AppError> {
    serde_json::to_string(record).map_err(|e| AppError::Internal(format!("hsds: {e}")))
}

fn context<'a>(
    state: &'a AppState,
    names: &'a (dyn Fn(&str) -> Option<String> + Sync),
    terms: &'a hsds::TermTable,
) -> Context<'a> {
    Context {
        terms,
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
    /// A postcode's centroid and département: only the providers whose zone covers it, and
    /// with `proximity`, whose address is within that many metres.
    near: Option<Near>,
    page: u64,
    per_page: u64,
}

struct Near {
    latitude: f64,
    longitude: f64,
    departement: Option<String>,
    proximity_km: Option<f64>,
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

fn boolean(raw: &Option<String>, name: &str, errors: &mut FieldErrors) {
    if raw.as_deref().is_some_and(|b| b != "true" && b != "false") {
        push_error(errors, name, "true ou false.");
    }
}

fn filters(state: &AppState, view: &View, query: &ListQuery) -> Result<Filters, AppError> {
    let mut errors = FieldErrors::new();
    boolean(&query.full, "full", &mut errors);
    boolean(&query.full_service, "full_service", &mut errors);
    boolean(&query.minimal, "minimal", &mut errors);
    let proximity_km = match query.proximity.as_deref() {
        None => None,
        Some(text) => match text.parse::<f64>() {
            Ok(m) if m.is_finite() && m > 0.0 && query.postcode.is_some() => Some(m / 1000.0),
            Ok(m) if m.is_finite() && m > 0.0 => {
                push_error(
                    &mut errors,
                    "proximity",
                    "La distance se compte depuis un code postal : indiquez aussi postcode.",
                );
                None
            }
            _ => {
                push_error(
                    &mut errors,
                    "proximity",
                    "Une distance en mètres, plus grande que 0.",
                );
                None
            }
        },
    };
    let near = match query.postcode.as_deref() {
        None => None,
        Some(postcode) if !crate::domain::codes::is_postcode(postcode) => {
            push_error(
                &mut errors,
                "postcode",
                "Un code postal a cinq chiffres, par exemple 35000.",
            );
            None
        }
        Some(postcode) => {
            let place = crate::geo::location::Place::Postcode(postcode.to_owned());
            match view
                .published
                .geography
                .resolve(&state.departements, &place)
            {
                Ok(location) => Some(Near {
                    latitude: location.latitude,
                    longitude: location.longitude,
                    departement: location.departement,
                    proximity_km,
                }),
                Err(_) => {
                    push_error(&mut errors, "postcode", "Ce code postal n'existe pas.");
                    None
                }
            }
        }
    };
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
        near,
        page,
        per_page,
    })
}

/// Whether a provider's zone covers a place, and its address is near enough.
fn covers(provider: &Provider, near: &Near) -> bool {
    use crate::domain::matching::distance_km;
    use crate::domain::zone::Zone;
    let from_address = || {
        distance_km(
            provider.latitude,
            provider.longitude,
            near.latitude,
            near.longitude,
        )
    };
    let in_zone = match &provider.zone {
        Zone::Radius { radius_km } => from_address() <= f64::from(*radius_km),
        Zone::Departements { departements } => near
            .departement
            .as_ref()
            .is_some_and(|d| departements.contains(d)),
        Zone::National => true,
    };
    in_zone && near.proximity_km.is_none_or(|km| from_address() <= km)
}

/// The providers that pass every filter (AND), in order: the index narrows them down, then
/// what it does not hold (place, date, a phrase of several words) is checked one by one.
fn matching<'p>(prepared: &'p Prepared, filters: &Filters) -> Vec<&'p Entry> {
    let index = &prepared.index;
    let mut set = index.all();
    if let Some(term) = &filters.term {
        set.keep(&index.under(&term_key(term)));
    }
    if let Some(taxonomy) = &filters.taxonomy {
        set.keep(&index.under(&taxonomy_key(taxonomy)));
    }
    for word in &filters.words {
        set.keep(&index.containing(word));
    }
    set.iter()
        .filter_map(|i| prepared.entries.get(i))
        .filter(|entry| {
            filters
                .near
                .as_ref()
                .is_none_or(|near| covers(&entry.record.provider, near))
                && filters
                    .modified_after
                    .is_none_or(|after| entry.record.modified >= after)
                && filters
                    .organization
                    .as_ref()
                    .is_none_or(|org| *org == entry.organization_id)
                && filters
                    .words
                    .iter()
                    .filter(|w| w.contains(' '))
                    .all(|w| entry.text.contains(w.as_str()))
        })
        .collect()
}

/// One page of the list records `which` (0 services, 1 organizations, 2 services at
/// locations) of the providers that pass the filters, in HSDS's envelope, as JSON text.
/// In memory only.
fn page_of(
    state: &AppState,
    view: &View,
    query: &ListQuery,
    which: usize,
) -> Result<String, AppError> {
    let filters = filters(state, view, query)?;
    let matching = matching(&view.prepared, &filters);
    let total = matching.len() as u64;
    let total_pages = total.div_ceil(filters.per_page).max(1);
    let start = (filters.page - 1).saturating_mul(filters.per_page);
    let shown: Vec<&str> = matching
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(filters.per_page).unwrap_or(usize::MAX))
        .map(|e| e.lists[which].as_str())
        .collect();
    let mut page = format!(
        r#"{{"total_items":{total},"total_pages":{total_pages},"page_number":{},"size":{},"first_page":{},"last_page":{},"empty":{},"contents":["#,
        filters.page,
        shown.len(),
        filters.page == 1,
        filters.page >= total_pages,
        shown.is_empty(),
    );
    page.reserve(shown.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
    for (n, record) in shown.iter().enumerate() {
        if n > 0 {
            page.push(',');
        }
        page.push_str(record);
    }
    page.push_str("]}");
    Ok(page)
}

pub fn services(state: &AppState, view: &View, query: &ListQuery) -> Result<String, AppError> {
    page_of(state, view, query, 0)
}

pub fn organizations(state: &AppState, view: &View, query: &ListQuery) -> Result<String, AppError> {
    page_of(state, view, query, 1)
}

pub fn service_at_locations(
    state: &AppState,
    view: &View,
    query: &ListQuery,
) -> Result<String, AppError> {
    page_of(state, view, query, 2)
}

/// One detail record of `kind` by its HSDS id, as JSON text. In memory only.
fn one(state: &AppState, view: &View, kind: &str, id: &str) -> Result<String, AppError> {
    let prepared = &view.prepared;
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names, &prepared.terms);
    let entry = prepared
        .by_id
        .get(id)
        .and_then(|i| prepared.entries.get(*i))
        .filter(|e| hsds::id(kind, &e.record.provider.id) == id)
        .ok_or_else(|| {
            AppError::not_found("Aucun enregistrement de l'annuaire ne porte cet identifiant.")
        })?;
    render(&hsds::detail(kind, &entry.record.listed(), &ctx))
}

pub fn service(state: &AppState, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "service", id)
}

pub fn organization(state: &AppState, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "organization", id)
}

pub fn service_at_location(state: &AppState, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "service_at_location", id)
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
/// order of the providers' ids.
pub fn every(state: &AppState, kind: &str) -> Result<Vec<Value>, AppError> {
    let prepared = state.hsds.view(state)?.prepared;
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names, &prepared.terms);
    prepared
        .entries
        .iter()
        .map(|e| {
            serde_json::to_value(hsds::detail(kind, &e.record.listed(), &ctx))
                .map_err(|e| AppError::Internal(format!("hsds: {e}")))
        })
        .collect()
}
