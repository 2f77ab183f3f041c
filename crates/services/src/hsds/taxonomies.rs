//! The taxonomies and their terms as HSDS serves them (`/taxonomies`, `/taxonomy_terms`, and
//! each record by its id), from the taxonomy in force: a filter and a page over a few dozen
//! records, the same terms the services' attributes carry.

use serde::Deserialize;

use super::filters::{boolean, json_only, paging};
use super::{envelope, render};
use crate::domain::hsds::{self, TaxonomyRecord, Term};
use crate::domain::text::fold;
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;

/// `/taxonomies`' parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaxonomyQuery {
    pub search: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub format: Option<String>,
}

/// `/taxonomy_terms`' parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TermQuery {
    pub search: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub format: Option<String>,
    /// A taxonomy's id (or name): its terms only.
    pub taxonomy_id: Option<String>,
    /// `true`: only the terms without children.
    pub top_only: Option<String>,
    /// The children of this term (id or code).
    pub parent_id: Option<String>,
}

/// Whether every word of `search` is in one of `texts` (accents and case aside).
fn found(search: &Option<String>, texts: &[&str]) -> bool {
    let haystack = fold(&texts.join(" "));
    search
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .all(|word| haystack.contains(&fold(word)))
}

fn not_found() -> AppError {
    AppError::not_found("Aucune taxonomie ni aucun terme ne porte cet identifiant.")
}

fn page_of<T: serde::Serialize>(
    records: &[T],
    page: u64,
    per_page: u64,
) -> Result<String, AppError> {
    let rendered = records
        .iter()
        .map(render)
        .collect::<Result<Vec<String>, AppError>>()?;
    let texts: Vec<&str> = rendered.iter().map(String::as_str).collect();
    Ok(envelope(&texts, page, per_page))
}

pub fn taxonomies(query: &TaxonomyQuery) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let (page, per_page) = paging(&query.page, &query.per_page, &mut errors);
    json_only(&query.format, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let shown: Vec<TaxonomyRecord> = hsds::taxonomies()
        .into_iter()
        .filter(|t| found(&query.search, &[t.name, t.description]))
        .collect();
    page_of(&shown, page, per_page)
}

pub fn taxonomy(id: &str) -> Result<String, AppError> {
    let record = hsds::taxonomies()
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(not_found)?;
    render(&record)
}

pub fn taxonomy_terms(state: &Infra, query: &TermQuery) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let (page, per_page) = paging(&query.page, &query.per_page, &mut errors);
    json_only(&query.format, &mut errors);
    boolean(&query.top_only, "top_only", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let all = hsds::terms(&state.taxonomy);
    let parent = query.parent_id.as_deref().map(|p| {
        all.iter()
            .find(|t| t.id == p || t.code == p)
            .map(|t| t.id.clone())
            // An unknown parent has no children.
            .unwrap_or_default()
    });
    let has_children = |term: &Term| all.iter().any(|t| t.parent_id.as_ref() == Some(&term.id));
    let top_only = query.top_only.as_deref() == Some("true");
    let shown: Vec<&Term> = all
        .iter()
        .filter(|t| {
            query
                .taxonomy_id
                .as_deref()
                .is_none_or(|x| t.taxonomy_id == x || t.taxonomy == x)
        })
        .filter(|t| {
            parent
                .as_ref()
                .is_none_or(|p| t.parent_id.as_ref() == Some(p))
        })
        .filter(|t| !top_only || !has_children(t))
        .filter(|t| found(&query.search, &[&t.code, &t.name, &t.description]))
        .collect();
    page_of(&shown, page, per_page)
}

pub fn taxonomy_term(state: &Infra, id: &str) -> Result<String, AppError> {
    let term = hsds::terms(&state.taxonomy)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(not_found)?;
    render(&term)
}
