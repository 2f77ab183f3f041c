//! The professionals near the victim, for an incident type and an audience: on the
//! diagnostic's result (from the journey) and in the module's search. A place that matches
//! several communes offers them; a search is counted to the journey it comes from.

use serde::{Deserialize, Serialize};

use crate::diagnostic::journeys::{self, Ending, Journey};
use crate::directory::search::{self, SearchParams, SearchRequest};
use crate::error::AppError;
use crate::geo::place::{self, Understood};
use crate::state::AppState;
use crate::web::partners::surface::Surface;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceQuery {
    pub lieu: String,
    pub commune: String,
}

/// A commune the place typed may be, as a link that searches there.
#[derive(Debug, Serialize)]
struct PlaceLink {
    label: String,
    href: String,
}

/// A professional near the place.
#[derive(Debug, Serialize)]
struct Card {
    id: String,
    name: String,
    city: String,
    distance: String,
    phone: String,
    labelled: bool,
    request_link: String,
}

/// Providers near the victim for the outcome's incident type, or the communes to choose from.
#[derive(Serialize, Default)]
pub(crate) struct Nearby {
    place: String,
    choices: Vec<PlaceLink>,
    cards: Vec<Card>,
    total: usize,
    /// The postcode the request form is filled with.
    postcode: Option<String>,
    /// A search ran (with or without results).
    searched: bool,
    pub(crate) error: Option<String>,
    /// The département of the place, for the alerts that concern it.
    #[serde(skip)]
    pub(crate) departement: Option<String>,
}

/// How many providers the result page shows before "see all".
const NEARBY_SHOWN: usize = 5;

/// What the victim looks for near the place given: from a journey's outcome, or from the
/// module's search.
pub(crate) struct Looking {
    pub incident: Option<String>,
    pub audience: Option<String>,
    /// The journey it comes from, which the search and the request are counted to.
    pub journey: Option<String>,
    /// The page that asks, for the links choosing among communes.
    pub here: String,
}

impl Looking {
    pub(crate) fn of_journey(surface: &Surface, journey: &Journey) -> Self {
        Looking {
            incident: journey
                .evaluation
                .outcome
                .as_ref()
                .and_then(|o| o.incident_type.clone()),
            audience: journey.evaluation.audience.map(|a| a.code().to_owned()),
            journey: Some(journey.id.clone()),
            here: format!("{}/{}/resultat", surface.diagnostic(), journey.id),
        }
    }
}

pub(crate) fn nearby(
    state: &AppState,
    surface: &Surface,
    looking: &Looking,
    query: &PlaceQuery,
) -> Result<Option<Nearby>, AppError> {
    if query.lieu.trim().is_empty() && query.commune.trim().is_empty() {
        return Ok(None);
    }
    let place = match place::understand(state, &query.lieu, &query.commune) {
        Ok(Understood::Place(place)) => place,
        Ok(Understood::Choices(choices)) => {
            return Ok(Some(Nearby {
                choices: choices
                    .iter()
                    .map(|c| PlaceLink {
                        label: c.label.clone(),
                        href: crate::web::kit::with_query(
                            &looking.here,
                            &[
                                ("lieu", &format!("{} ({})", c.name, c.departement)),
                                ("commune", &c.code),
                                ("incident", looking.incident.as_deref().unwrap_or_default()),
                                ("public", looking.audience.as_deref().unwrap_or_default()),
                            ],
                        ) + "#professionnels",
                    })
                    .collect(),
                ..Nearby::default()
            }));
        }
        Err(AppError::Validation(errors)) => {
            return Ok(Some(Nearby {
                error: errors.into_values().flatten().next(),
                ..Nearby::default()
            }));
        }
        Err(e) => return Err(e),
    };
    let mut params = SearchParams {
        incident: looking.incident.clone(),
        audience: looking.audience.clone(),
        remote: Some("true".into()),
        limit: Some(NEARBY_SHOWN.to_string()),
        ..SearchParams::default()
    };
    match &place {
        crate::geo::location::Place::Postcode(p) => params.postcode = Some(p.clone()),
        crate::geo::location::Place::Commune(c) => params.commune = Some(c.clone()),
        crate::geo::location::Place::Point { .. } => {}
    }
    let request = SearchRequest::parse(&params, state)?;
    let found = match search::run(state, &state.directory, &request) {
        Ok(found) => found,
        Err(AppError::NotFound(message)) => {
            return Ok(Some(Nearby {
                error: Some(message),
                ..Nearby::default()
            }));
        }
        Err(e) => return Err(e),
    };
    if let Some(journey) = &looking.journey {
        journeys::went_further(
            state,
            journey,
            Ending::Search,
            found.location.departement.as_deref(),
        )?;
    }
    let postcode = place::postcode_of(state, &place)?;
    let request_form = surface.request_form();
    let request_link = |provider: Option<&str>| {
        let mut pairs = match &looking.journey {
            Some(journey) => vec![("parcours", journey.as_str())],
            None => vec![
                ("incident", looking.incident.as_deref().unwrap_or_default()),
                ("public", looking.audience.as_deref().unwrap_or_default()),
            ],
        };
        if let Some(p) = postcode.as_deref() {
            pairs.push(("lieu", p));
        }
        if let Some(p) = provider {
            pairs.push(("prestataire", p));
        }
        crate::web::kit::with_query(&request_form, &pairs)
    };
    let cards = found
        .matches
        .iter()
        .map(|m| {
            let p = found.snapshot.provider(m);
            Card {
                id: p.id.clone(),
                name: p.name.clone(),
                city: p.city.clone(),
                distance: crate::french::km(m.distance_km),
                phone: p.phone.clone(),
                labelled: p
                    .label
                    .as_ref()
                    .is_some_and(|l| l.is_valid_on(state.clock.today())),
                request_link: request_link(Some(&p.id)),
            }
        })
        .collect();
    let place = match (&found.location.commune, &found.location.departement_name) {
        (Some(c), _) => c.clone(),
        (None, Some(d)) => d.clone(),
        _ => String::new(),
    };
    Ok(Some(Nearby {
        departement: found.location.departement.clone(),
        place: format!("près {}", crate::french::de(&place)),
        choices: Vec::new(),
        cards,
        total: found.total,
        postcode,
        searched: true,
        error: None,
    }))
}
