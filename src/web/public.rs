//! Public pages: the search form with its results, and a provider's profile.

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};

use super::session::{MaybeUser, Viewer, viewer};
use super::{GEO_ATTRIBUTION, render};
use crate::directory::search::{self, SearchParams, SearchRequest};
use crate::domain::audience::Audience;
use crate::domain::provider::Provider;
use crate::error::{AppError, FieldErrors};
use crate::geo::location::Place;
use crate::geo::place::{self, PlaceChoice, Understood};
use crate::state::AppState;
use crate::web::kit::Choice;

/// The search form as submitted (GET, so results can be bookmarked and shared).
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct SearchForm {
    /// Commune name or postcode, as typed.
    pub lieu: Option<String>,
    /// INSEE code chosen in the suggestions (set by the script; optional).
    pub commune: Option<String>,
    pub incident: Option<String>,
    pub audience: Option<String>,
    pub expertcyber: Option<String>,
    pub remote: Option<String>,
    pub page: Option<String>,
}

#[derive(Serialize)]
struct LabelBadge {
    number: String,
    valid_until: String,
}

#[derive(Serialize)]
struct ProviderCard {
    id: String,
    name: String,
    legal_name: String,
    siret: String,
    address_line: String,
    postcode: String,
    city: String,
    phone: String,
    phone_link: String,
    email: String,
    website: Option<String>,
    description: String,
    zone: String,
    remote: bool,
    audiences: Vec<&'static str>,
    incidents: Vec<String>,
    label: Option<LabelBadge>,
    distance: Option<String>,
    covers_location: bool,
}

#[derive(Serialize)]
struct PlaceLink {
    label: String,
    href: String,
}

#[derive(Serialize, Default)]
struct Results {
    /// Several communes fit what was typed: the person chooses.
    place_choices: Vec<PlaceLink>,
    place: String,
    /// "près d'Ajaccio", "près du Mans".
    near: String,
    approximate: bool,
    total: usize,
    summary: String,
    cards: Vec<ProviderCard>,
    previous: Option<String>,
    next: Option<String>,
    page: usize,
    pages: usize,
    /// The département searched in, for the alerts that concern it.
    #[serde(skip)]
    departement: Option<String>,
}

#[derive(Serialize)]
struct SearchPage {
    title: String,
    lieu: String,
    commune: String,
    expertcyber: bool,
    remote: bool,
    incidents: Vec<Choice>,
    audiences: Vec<Choice>,
    errors: Vec<String>,
    lieu_error: Option<String>,
    /// The chosen incident type's advice and whom to call, as information.
    advice: Option<crate::content::advice::IncidentAdvice>,
    /// The live alerts that concern the search (the national ones before a search).
    alerts: Vec<crate::observatory::alerts::AlertView>,
    results: Option<Results>,
    attribution: &'static str,
    viewer: Option<Viewer>,
}

fn card(state: &AppState, p: &Provider, distance_km: Option<f64>, covers: bool) -> ProviderCard {
    let today = state.clock.today();
    ProviderCard {
        id: p.id.clone(),
        name: p.name.clone(),
        legal_name: p.legal_name.clone(),
        siret: p.siret.clone(),
        address_line: p.address_line.clone(),
        postcode: p.postcode.clone(),
        city: p.city.clone(),
        phone_link: p
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        website: p.website.clone(),
        description: p.description.clone(),
        zone: p.zone.describe_fr(),
        remote: p.remote,
        audiences: p.audiences.iter().map(|a| a.label()).collect(),
        incidents: p
            .incident_types
            .iter()
            .map(|c| {
                state
                    .taxonomy
                    .get(c)
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| c.clone())
            })
            .collect(),
        label: p
            .label
            .as_ref()
            .filter(|l| l.is_valid_on(today))
            .map(|l| LabelBadge {
                number: l.number.clone(),
                valid_until: crate::french::day_fr(l.valid_until),
            }),
        distance: distance_km.map(crate::french::km),
        covers_location: covers,
    }
}

/// Works out the place from what was typed (see `geo::place`): the search's place, or the
/// communes to choose from when several fit.
fn place_params(
    state: &AppState,
    form: &SearchForm,
) -> Result<Result<SearchParams, Vec<PlaceChoice>>, AppError> {
    let lieu = form.lieu.as_deref().unwrap_or_default();
    let chosen = form.commune.as_deref().unwrap_or_default();
    let mut params = SearchParams::default();
    match place::understand(state, lieu, chosen)? {
        Understood::Place(Place::Postcode(p)) => params.postcode = Some(p),
        Understood::Place(Place::Commune(c)) => params.commune = Some(c),
        Understood::Place(Place::Point { .. }) => {}
        Understood::Choices(choices) => return Ok(Err(choices)),
    }
    Ok(Ok(params))
}

fn page_link(form: &SearchForm, page: usize) -> String {
    let mut form = form.clone();
    form.page = Some(page.to_string());
    format!("/?{}", serde_urlencoded_form(&form))
}

fn serde_urlencoded_form(form: &SearchForm) -> String {
    let pairs = [
        ("lieu", &form.lieu),
        ("commune", &form.commune),
        ("incident", &form.incident),
        ("audience", &form.audience),
        ("expertcyber", &form.expertcyber),
        ("remote", &form.remote),
        ("page", &form.page),
    ];
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            url.append_pair(k, v);
        }
    }
    url.finish()
}

fn run_search(state: &AppState, form: &SearchForm) -> Result<Results, AppError> {
    let mut params = match place_params(state, form)? {
        Ok(params) => params,
        Err(choices) => {
            return Ok(Results {
                place_choices: choices
                    .into_iter()
                    .map(|c| {
                        let mut chosen = form.clone();
                        chosen.lieu = Some(format!("{} ({})", c.name, c.departement));
                        chosen.commune = Some(c.code);
                        chosen.page = None;
                        PlaceLink {
                            label: c.label,
                            href: format!("/?{}", serde_urlencoded_form(&chosen)),
                        }
                    })
                    .collect(),
                ..Results::default()
            });
        }
    };
    params.incident = form.incident.clone();
    params.audience = form.audience.clone();
    params.expertcyber = form.expertcyber.as_ref().map(|_| "true".to_owned());
    params.remote = form.remote.as_ref().map(|_| "true".to_owned());
    params.page = form.page.clone();
    let mut request = SearchRequest::parse(&params, state)?;
    let mut outcome = search::run(state, &state.directory, &request)?;
    // A page past the last (an old link, a typed URL) shows the last page, never "Page 99 sur 16".
    let last = outcome.total.div_ceil(outcome.limit).max(1);
    if request.page > last {
        request.page = last;
        outcome = search::run(state, &state.directory, &request)?;
    }
    let place = match (
        &outcome.location.commune,
        &outcome.location.departement_name,
    ) {
        (Some(c), Some(d)) => format!("{c} ({d})"),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => String::new(),
    };
    let pages = outcome.total.div_ceil(outcome.limit).max(1);
    let summary = match outcome.total {
        0 => "Aucun prestataire ne correspond à ces critères.".to_owned(),
        1 => "1 prestataire trouvé.".to_owned(),
        n => format!("{n} prestataires trouvés."),
    };
    Ok(Results {
        place_choices: Vec::new(),
        departement: outcome.location.departement.clone(),
        near: format!("près {}", crate::french::de(&place)),
        place,
        approximate: outcome.location.approximate,
        total: outcome.total,
        summary,
        cards: outcome
            .matches
            .iter()
            .map(|m| {
                card(
                    state,
                    outcome.snapshot.provider(m),
                    Some(m.distance_km),
                    m.covers,
                )
            })
            .collect(),
        previous: (outcome.page > 1).then(|| page_link(form, outcome.page - 1)),
        next: (outcome.page < pages).then(|| page_link(form, outcome.page + 1)),
        page: outcome.page,
        pages,
    })
}

/// `/`: the search form, and the results when a place was given.
#[get("/")]
pub async fn home(
    state: web::Data<AppState>,
    form: web::Query<SearchForm>,
    user: MaybeUser,
) -> PageResult {
    let form = form.into_inner();
    let inner = state.clone().into_inner();
    let searched = form.lieu.is_some() || form.commune.is_some();
    let search_form = form.clone();
    let outcome = web::block(move || {
        let advice = search_form.incident.as_deref().and_then(|code| {
            crate::content::advice::advice_for_incident(
                &inner.taxonomy,
                &inner.content().library,
                code,
                search_form.audience.as_deref().and_then(Audience::parse),
            )
        });
        let found = searched.then(|| run_search(&inner, &search_form));
        let situation = crate::observatory::alerts::Situation {
            incident_type: search_form.incident.as_deref(),
            audience: search_form
                .audience
                .as_deref()
                .and_then(crate::domain::audience::Audience::parse),
            departement: match &found {
                Some(Ok(results)) => results.departement.as_deref(),
                _ => None,
            },
        };
        let alerts = if searched {
            crate::observatory::alerts::concerning(&inner, &situation)?
        } else {
            crate::observatory::alerts::national(&inner)?
        };
        Ok::<_, AppError>((advice, alerts, found))
    })
    .await
    .map_err(crate::http::problem::blocking_failed)
    .and_then(|r| r);
    let (advice, alerts, outcome) = match outcome {
        Ok((advice, alerts, found)) => (advice, alerts, Ok(found)),
        Err(e) => (None, Vec::new(), Err(e)),
    };
    let (results, errors) = match outcome {
        Ok(None) => (None, FieldErrors::new()),
        Ok(Some(Ok(results))) => (Some(results), FieldErrors::new()),
        Ok(Some(Err(AppError::Validation(errors)))) => (None, errors),
        Ok(Some(Err(AppError::NotFound(message)))) => {
            let mut errors = FieldErrors::new();
            errors.insert("lieu".into(), vec![message]);
            (None, errors)
        }
        Ok(Some(Err(other))) => return Err(PageError::from(other)),
        Err(e) => return Err(PageError::from(e)),
    };
    let selected = |value: &str, current: &Option<String>| current.as_deref() == Some(value);
    let lieu_error = ["lieu", "postcode", "commune"]
        .iter()
        .filter_map(|f| errors.get(*f))
        .flatten()
        .next()
        .cloned();
    let other_errors = errors
        .iter()
        .filter(|(f, _)| !["lieu", "postcode", "commune"].contains(&f.as_str()))
        .flat_map(|(_, messages)| messages.clone())
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SearchPage {
        // RGAA: a page showing errors says so first in its title.
        title: match (&results, errors.is_empty()) {
            (_, false) => super::titled(&state, "Erreur : recherche incomplète"),
            (Some(r), true) if !r.place_choices.is_empty() => {
                super::titled(&state, "Précisez la commune")
            }
            (Some(r), true) => super::titled(&state, &format!("Prestataires {}", r.near)),
            (None, true) => super::titled(&state, "Trouver un prestataire en cybersécurité"),
        },
        alerts,
        lieu: form.lieu.clone().unwrap_or_default(),
        commune: form.commune.clone().unwrap_or_default(),
        expertcyber: form.expertcyber.is_some(),
        remote: form.remote.is_some(),
        incidents: crate::web::kit::incident_choices(state.taxonomy.all(), |code| {
            selected(code, &form.incident)
        }),
        audiences: Audience::ALL
            .iter()
            .map(|a| Choice {
                value: a.code().to_owned(),
                label: a.label().to_owned(),
                selected: selected(a.code(), &form.audience),
            })
            .collect(),
        lieu_error,
        advice,
        errors: other_errors,
        results,
        attribution: GEO_ATTRIBUTION,
        viewer: viewer(user.0.as_ref()),
    };
    Ok(render(&state, status, "pages/search", &page))
}

#[derive(Serialize)]
struct ProfilePage {
    title: String,
    provider: ProviderCard,
    rating: crate::assistance::survey::PublicRating,
    attribution: &'static str,
    viewer: Option<Viewer>,
}

/// `/prestataires/{id}`: a provider's public profile.
#[get("/prestataires/{id}")]
pub async fn provider_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    user: MaybeUser,
) -> PageResult {
    let id = path.into_inner();
    let inner = state.clone().into_inner();
    let found = web::block(move || -> Result<Option<_>, AppError> {
        let snapshot = crate::directory::published(&inner, &inner.directory)?
            .directory
            .clone();
        let Some(card) = snapshot.get(&id).map(|p| card(&inner, p, None, true)) else {
            return Ok(None);
        };
        let rating = crate::assistance::survey::public_rating(&inner, &id)?;
        Ok(Some((card, rating)))
    })
    .await
    .map_err(crate::http::problem::blocking_failed)
    .and_then(|r| r);
    match found {
        Ok(Some((provider, rating))) => Ok(render(
            &state,
            StatusCode::OK,
            "pages/provider",
            &ProfilePage {
                title: super::titled(&state, &provider.name),
                provider,
                rating,
                attribution: GEO_ATTRIBUTION,
                viewer: viewer(user.0.as_ref()),
            },
        )),
        Ok(None) => Err(PageError::from(AppError::not_found(
            "Ce prestataire n'existe pas ou n'est plus référencé.",
        ))),
        Err(e) => Err(PageError::from(e)),
    }
}
