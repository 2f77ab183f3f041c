//! The published directory as one feature: the in-memory index and its freshness
//! ([`index`]), the search (parameters, place resolution, ranking call: [`search`]), its answers
//! kept per version (`crate::cache`) and the public rendering of providers ([`render`]). Pages and the JSON API
//! call the functions below; the matching rules themselves are `domain::matching`.

pub mod index;
pub mod render;
pub mod search;

use std::sync::Arc;

use bytes::Bytes;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::infra::Infra;
use index::{DirectoryIndex, Published, Snapshot};
use render::ProviderView;
use search::SearchRequest;

pub use index::FRESH_FOR;

/// The directory and geography in memory if known to be fresh, without any I/O; `None` means
/// call [`published`] (on the blocking pool).
pub fn fresh(index: &DirectoryIndex) -> Option<Arc<Published>> {
    index.fresh()
}

/// The current directory and geography, reading the change counters (and rebuilding what
/// moved) unless they are fresh. Blocking.
pub fn published(state: &Infra, index: &DirectoryIndex) -> Result<Arc<Published>, AppError> {
    index.refresh(&state.pool, &state.taxonomy)
}

/// Like [`published`], on a connection the caller already holds (inside a transaction, the
/// reading is the transaction's).
pub fn published_on(
    state: &Infra,
    index: &DirectoryIndex,
    conn: &mut DbConnection,
) -> Result<Arc<Published>, AppError> {
    Ok(index.published(conn, &state.taxonomy)?)
}

/// The providers of the current directory, on a connection the caller already holds.
pub fn snapshot_on(
    state: &Infra,
    index: &DirectoryIndex,
    conn: &mut DbConnection,
) -> Result<Arc<Snapshot>, AppError> {
    Ok(published_on(state, index, conn)?.directory.clone())
}

/// The JSON answer to a validated search, from the cache of this directory version when the
/// same query was answered today (labels lapse by day: the day is part of the key). No I/O.
pub fn search_answer(
    state: &Infra,
    published: &Published,
    request: &SearchRequest,
    query_string: &str,
) -> Result<Bytes, AppError> {
    let today = state.clock.today();
    let key = format!("{today}|{query_string}");
    if let Some(body) = published.search_answers.get(&key) {
        return Ok(body);
    }
    let outcome = search::run_on(state, published, request)?;
    let body = Bytes::from(render::search_response_json(&outcome, today)?);
    published.search_answers.put(key, body.clone());
    Ok(body)
}

/// A published provider's public profile, or 404.
pub fn profile(state: &Infra, published: &Published, id: &str) -> Result<ProviderView, AppError> {
    published
        .directory
        .get(id)
        .map(|p| ProviderView::new(p, state.clock.today()))
        .ok_or_else(|| AppError::not_found("Prestataire introuvable."))
}
