//! The lists' parameters, checked (French messages, a 422 for a bad value), and the providers
//! that pass them all: the index narrows them down, the rest is checked one by one.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::{DEFAULT_PER_PAGE, Entry, MAX_PER_PAGE, Prepared, View, taxonomy_key, term_key};
use crate::domain::provider::Provider;
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;

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
pub(super) struct Filters {
    words: Vec<String>,
    term: Option<String>,
    taxonomy: Option<String>,
    organization: Option<String>,
    modified_after: Option<NaiveDateTime>,
    /// A postcode's centroid and département: only the providers whose zone covers it, and
    /// with `proximity`, whose address is within that many metres.
    near: Option<Near>,
    pub page: u64,
    pub per_page: u64,
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

/// `page` and `per_page` as every list reads them (1 and 50 when absent).
pub(super) fn paging(
    page: &Option<String>,
    per_page: &Option<String>,
    errors: &mut FieldErrors,
) -> (u64, u64) {
    let page = whole(page, "page", errors).unwrap_or(1);
    let per_page = whole(per_page, "per_page", errors).unwrap_or(DEFAULT_PER_PAGE);
    if per_page > MAX_PER_PAGE {
        push_error(
            errors,
            "per_page",
            format!("{MAX_PER_PAGE} au plus par page."),
        );
    }
    (page, per_page)
}

/// `format`: only `json` is served.
pub(super) fn json_only(format: &Option<String>, errors: &mut FieldErrors) {
    if format.as_deref().is_some_and(|f| f != "json") {
        push_error(errors, "format", "Seul le format json est servi.");
    }
}

pub(super) fn boolean(raw: &Option<String>, name: &str, errors: &mut FieldErrors) {
    if raw.as_deref().is_some_and(|b| b != "true" && b != "false") {
        push_error(errors, name, "true ou false.");
    }
}

pub(super) fn filters(state: &Infra, view: &View, query: &ListQuery) -> Result<Filters, AppError> {
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
    let (page, per_page) = paging(&query.page, &query.per_page, &mut errors);
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
    json_only(&query.format, &mut errors);
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
pub(super) fn matching<'p>(prepared: &'p Prepared, filters: &Filters) -> Vec<&'p Entry> {
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
