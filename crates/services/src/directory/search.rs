//! The public search: validates what the victim asked, resolves the place, and ranks the
//! providers whose zone covers it. Shared by the JSON API and the pages.

use std::sync::Arc;

use serde::Deserialize;
use utoipa::IntoParams;

use super::index::{Published, Snapshot};
use crate::domain::audience::Audience;
use crate::domain::codes::{is_commune_code, is_postcode};
use crate::domain::matching::{Match, Query};
use crate::error::{AppError, FieldErrors, push_error};
use crate::geo::location::{Location, Place};
use crate::infra::Infra;

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 50;

/// Query string of `GET /api/v1/providers`, as received (validated by [`SearchRequest::parse`]).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Postcode of the place (5 digits).
    pub postcode: Option<String>,
    /// INSEE code of the commune.
    pub commune: Option<String>,
    /// Latitude (with `lon`).
    pub lat: Option<String>,
    /// Longitude (with `lat`).
    pub lon: Option<String>,
    /// Incident type code (see `/api/v1/incident-types`).
    pub incident: Option<String>,
    /// `particulier`, `entreprise` or `collectivite`.
    pub audience: Option<String>,
    /// `true`: only providers holding a valid ExpertCyber label.
    pub expertcyber: Option<String>,
    /// `true`: also include remote-help providers whose zone does not cover the place.
    pub remote: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Results per page (default 10, at most 50).
    pub limit: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub place: Place,
    pub incident: Option<String>,
    pub audience: Option<Audience>,
    pub expertcyber: bool,
    pub remote: bool,
    pub page: usize,
    pub limit: usize,
}

fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_bool(errors: &mut FieldErrors, field: &str, v: &Option<String>) -> bool {
    match blank_to_none(v) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("on") => true,
        Some(_) => {
            push_error(errors, field, "Valeur attendue : true ou false.");
            false
        }
    }
}

impl SearchRequest {
    /// Checks every parameter and reports all problems at once, per field, in French.
    pub fn parse(params: &SearchParams, state: &Infra) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let place = match (
            blank_to_none(&params.postcode),
            blank_to_none(&params.commune),
            blank_to_none(&params.lat),
            blank_to_none(&params.lon),
        ) {
            (Some(pc), None, None, None) => {
                if !is_postcode(pc) {
                    push_error(
                        &mut errors,
                        "postcode",
                        "Code postal invalide : 5 chiffres attendus.",
                    );
                }
                Some(Place::Postcode(pc.to_owned()))
            }
            (None, Some(code), None, None) => {
                let code = code.to_ascii_uppercase();
                if !is_commune_code(&code) {
                    push_error(
                        &mut errors,
                        "commune",
                        "Code commune INSEE invalide (ex. 35238 ou 2A004).",
                    );
                }
                Some(Place::Commune(code))
            }
            (None, None, lat, lon) if lat.is_some() || lon.is_some() => {
                let latitude = lat
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| (-90.0..=90.0).contains(v));
                let longitude = lon
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| (-180.0..=180.0).contains(v));
                if latitude.is_none() {
                    push_error(
                        &mut errors,
                        "lat",
                        "Latitude manquante ou invalide (nombre entre -90 et 90).",
                    );
                }
                if longitude.is_none() {
                    push_error(
                        &mut errors,
                        "lon",
                        "Longitude manquante ou invalide (nombre entre -180 et 180).",
                    );
                }
                latitude
                    .zip(longitude)
                    .map(|(latitude, longitude)| Place::Point {
                        latitude,
                        longitude,
                    })
            }
            (None, None, None, None) => {
                push_error(
                    &mut errors,
                    "postcode",
                    "Indiquez un lieu : code postal, code commune (commune) ou coordonnées (lat et lon).",
                );
                None
            }
            _ => {
                push_error(
                    &mut errors,
                    "postcode",
                    "Indiquez un seul lieu : code postal, code commune ou coordonnées, pas plusieurs.",
                );
                None
            }
        };
        let incident = blank_to_none(&params.incident).map(str::to_owned);
        if incident
            .as_ref()
            .is_some_and(|code| state.taxonomy.get(code).is_none())
        {
            push_error(
                &mut errors,
                "incident",
                "Type d'incident inconnu : choisissez-en un dans la liste.",
            );
        }
        let audience = match blank_to_none(&params.audience) {
            None => None,
            Some(code) => {
                let parsed = Audience::parse(code);
                if parsed.is_none() {
                    push_error(
                        &mut errors,
                        "audience",
                        "Public inconnu : particulier, entreprise ou association, ou collectivité.",
                    );
                }
                parsed
            }
        };
        let expertcyber = parse_bool(&mut errors, "expertcyber", &params.expertcyber);
        let remote = parse_bool(&mut errors, "remote", &params.remote);
        let page = match blank_to_none(&params.page) {
            None => 1,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => {
                    push_error(
                        &mut errors,
                        "page",
                        "Numéro de page invalide (entier à partir de 1).",
                    );
                    1
                }
            },
        };
        let limit = match blank_to_none(&params.limit) {
            None => DEFAULT_LIMIT,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => n.min(MAX_LIMIT),
                _ => {
                    push_error(
                        &mut errors,
                        "limit",
                        "Nombre de résultats invalide (entier de 1 à 50).",
                    );
                    DEFAULT_LIMIT
                }
            },
        };
        match place {
            Some(place) if errors.is_empty() => Ok(Self {
                place,
                incident,
                audience,
                expertcyber,
                remote,
                page,
                limit,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// One page of results, with the snapshot they come from.
pub struct SearchOutcome {
    pub location: Location,
    pub total: usize,
    pub page: usize,
    pub limit: usize,
    pub snapshot: Arc<Snapshot>,
    pub matches: Vec<Match>,
}

/// Runs a validated search, reading the change counters first unless they are fresh
/// (blocking: call it inside `web::block`).
pub fn run(
    state: &Infra,
    index: &super::index::DirectoryIndex,
    request: &SearchRequest,
) -> Result<SearchOutcome, AppError> {
    let published = index.refresh(&state.pool, &state.taxonomy)?;
    run_on(state, &published, request)
}

/// Runs a validated search on a directory and geography already in memory (no I/O).
pub fn run_on(
    state: &Infra,
    published: &Published,
    request: &SearchRequest,
) -> Result<SearchOutcome, AppError> {
    let location = published
        .geography
        .resolve(&state.departements, &request.place)?;
    let query = Query {
        latitude: location.latitude,
        longitude: location.longitude,
        departement: location.departement.clone(),
        incident: request
            .incident
            .as_deref()
            .and_then(|c| state.taxonomy.position(c)),
        audience: request.audience,
        labelled_on: request.expertcyber.then(|| state.clock.today()),
        insured_on: Some(state.clock.today()),
        include_remote: request.remote,
    };
    let offset = (request.page - 1).saturating_mul(request.limit);
    let page = published
        .directory
        .search_page(&query, offset, request.limit);
    Ok(SearchOutcome {
        location,
        total: page.total,
        page: request.page,
        limit: request.limit,
        snapshot: published.directory.clone(),
        matches: page.matches,
    })
}
