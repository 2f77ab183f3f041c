//! The directory as open data, in Open Referral's HSDS 3.0: the records of the providers listed
//! (approved; suspended ones as `temporarily closed`; removed or withdrawn ones `inactive`, so
//! that those who sync learn of it), read-only and public,
//! with HSDS's paged envelope and filters combined with AND. The mapping is `domain::hsds`.

pub mod export;
mod filters;
mod index;
pub mod taxonomies;

pub use filters::ListQuery;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

use crate::db::counters::Version;
use crate::directory::index::DirectoryIndex;
use crate::directory::index::Published;
use crate::domain::hsds::{self, Context, Listed};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::error::AppError;
use crate::infra::Infra;

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
    /// One build at a time: requests that miss together wait for it and share its result
    /// (taken before any connection, as every cache's rebuild lock is: `ARCHITECTURE.md`).
    building: Mutex<()>,
    /// How many times the records were built, for the operators (and the tests).
    builds: AtomicU64,
    /// The directory version the records were built at, when and how fast (for the metrics).
    pub built: crate::metrics::LastBuilt,
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
    pub fn view(&self, state: &Infra, index: &DirectoryIndex) -> Result<View, AppError> {
        let published = crate::directory::published(state, index)?;
        if let Some(view) = self.ready(&published) {
            return Ok(view);
        }
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(view) = self.ready(&published) {
            return Ok(view);
        }
        let started = std::time::Instant::now();
        let prepared = Arc::new(Prepared::build(state, published.directory.version)?);
        self.built
            .record(published.directory.version.value, started);
        self.builds.fetch_add(1, Ordering::Relaxed);
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Some(prepared.clone());
        Ok(View {
            published,
            prepared,
        })
    }

    /// How many times the records were built since the process started.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
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
            modified: self.modified,
            reviewed: self.reviewed,
        }
    }
}

/// How many providers one reading takes (a query names at most this many ids).
const CHUNK: i64 = 1_000;

/// Every listed provider (approved, suspended, removed or withdrawn), in the order of their
/// ids, read `CHUNK` at a time and handed to `each` a chunk at a time: the in-memory lists and
/// the bulk export read them so. Returns how many there were.
pub(crate) fn each_chunk(
    state: &Infra,
    each: &mut dyn FnMut(Vec<Record>) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    let statuses = [
        ReferencingStatus::Approved,
        ReferencingStatus::Suspended,
        ReferencingStatus::Removed,
        ReferencingStatus::Withdrawn,
    ];
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
    version: Version,
    entries: Vec<Entry>,
    /// Each record's position by its HSDS id (ids of every kind).
    by_id: HashMap<String, usize>,
    terms: hsds::TermTable,
    index: index::Index,
}

impl Prepared {
    fn build(state: &Infra, version: Version) -> Result<Prepared, AppError> {
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
                        [
                            term_key(&t.id),
                            term_key(&t.code),
                            taxonomy_key(t.taxonomy),
                            taxonomy_key(&t.taxonomy_id),
                        ]
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
    state: &'a Infra,
    names: &'a (dyn Fn(&str) -> Option<String> + Sync),
    terms: &'a hsds::TermTable,
) -> Context<'a> {
    Context {
        terms,
        departement_name: names,
        base_url: &state.config.base_url,
    }
}

/// One page of the list records `which` (0 services, 1 organizations, 2 services at
/// locations) of the providers that pass the filters, in HSDS's envelope, as JSON text.
/// In memory only.
fn page_of(
    state: &Infra,
    view: &View,
    query: &ListQuery,
    which: usize,
) -> Result<String, AppError> {
    let filters = filters::filters(state, view, query)?;
    let matching = filters::matching(&view.prepared, &filters);
    let records: Vec<&str> = matching.iter().map(|e| e.lists[which].as_str()).collect();
    Ok(envelope(&records, filters.page, filters.per_page))
}

/// Page `page` of `records` (JSON texts) in HSDS's envelope.
pub(crate) fn envelope(records: &[&str], page: u64, per_page: u64) -> String {
    let total = records.len() as u64;
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page);
    let shown: Vec<&str> = records
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .copied()
        .collect();
    let mut out = format!(
        r#"{{"total_items":{total},"total_pages":{total_pages},"page_number":{},"size":{},"first_page":{},"last_page":{},"empty":{},"contents":["#,
        page,
        shown.len(),
        page == 1,
        page >= total_pages,
        shown.is_empty(),
    );
    out.reserve(shown.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
    for (n, record) in shown.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(record);
    }
    out.push_str("]}");
    out
}

pub fn services(state: &Infra, view: &View, query: &ListQuery) -> Result<String, AppError> {
    page_of(state, view, query, 0)
}

pub fn organizations(state: &Infra, view: &View, query: &ListQuery) -> Result<String, AppError> {
    page_of(state, view, query, 1)
}

pub fn service_at_locations(
    state: &Infra,
    view: &View,
    query: &ListQuery,
) -> Result<String, AppError> {
    page_of(state, view, query, 2)
}

/// One detail record of `kind` by its HSDS id, as JSON text. In memory only.
fn one(state: &Infra, view: &View, kind: &str, id: &str) -> Result<String, AppError> {
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

pub fn service(state: &Infra, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "service", id)
}

pub fn organization(state: &Infra, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "organization", id)
}

pub fn service_at_location(state: &Infra, view: &View, id: &str) -> Result<String, AppError> {
    one(state, view, "service_at_location", id)
}

/// `GET /hsds/`: the version, the profile and the API description.
pub fn about(state: &Infra) -> Value {
    json!({
        "version": hsds::VERSION,
        "profile": format!("{}/hsds/profile", state.config.base_url),
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    })
}

/// Every detail record of one kind (`service`, `organization` or `service_at_location`), in the
/// order of the providers' ids.
pub fn every(
    state: &Infra,
    cache: &Cache,
    index: &DirectoryIndex,
    kind: &str,
) -> Result<Vec<Value>, AppError> {
    let prepared = cache.view(state, index)?.prepared;
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
