//! What a person typed as a place, understood without guessing: a postcode, a commune chosen in
//! the suggestions, or a name — "Saint-Denis", "Saint-Denis (93)", "Rennes (35000)". When
//! several communes fit (a name shared across départements, a postcode shared by several
//! communes) the person is asked which one; it is never resolved silently to one of them.

use serde::Serialize;

use super::communes::{self, CommuneView};
use super::location::Place;
use crate::domain::codes::{is_commune_code, is_postcode};
use crate::domain::text::fold;
use crate::error::AppError;
use crate::infra::Infra;

/// At most this many communes are offered to choose from.
const MAX_CHOICES: i64 = 12;

/// A commune offered when the place is ambiguous.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceChoice {
    /// INSEE code.
    pub code: String,
    pub name: String,
    pub departement: String,
    pub departement_name: String,
    pub postcode: Option<String>,
    /// "Saint-Denis (Seine-Saint-Denis, 93)".
    pub label: String,
}

#[derive(Debug, Clone)]
pub enum Understood {
    Place(Place),
    /// Several communes fit: ask which.
    Choices(Vec<PlaceChoice>),
}

fn choices(state: &Infra, communes: Vec<CommuneView>) -> Understood {
    Understood::Choices(
        communes
            .into_iter()
            .take(MAX_CHOICES as usize)
            .map(|c| {
                let departement_name = state
                    .departements
                    .get(&c.departement)
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                PlaceChoice {
                    label: format!("{} ({departement_name}, {})", c.name, c.departement),
                    postcode: c.postcodes.first().cloned(),
                    code: c.code,
                    name: c.name,
                    departement: c.departement,
                    departement_name,
                }
            })
            .collect(),
    )
}

fn one_or_choices(state: &Infra, mut found: Vec<CommuneView>) -> Option<Understood> {
    match found.len() {
        0 => None,
        1 => found
            .pop()
            .map(|c| Understood::Place(Place::Commune(c.code))),
        _ => Some(choices(state, found)),
    }
}

/// Understands `lieu` (as typed) or `chosen` (a commune code picked from suggestions or from
/// the choices offered). A field error on `lieu` when nothing fits.
pub fn understand(state: &Infra, lieu: &str, chosen: &str) -> Result<Understood, AppError> {
    let (lieu, chosen) = (lieu.trim(), chosen.trim());
    if is_commune_code(chosen) {
        return Ok(Understood::Place(Place::Commune(chosen.to_owned())));
    }
    if lieu.is_empty() {
        return Err(AppError::field(
            "lieu",
            "Indiquez votre commune ou votre code postal.",
        ));
    }
    if is_postcode(lieu) {
        let served = communes::of_postcode(state, lieu)?;
        return Ok(match served.len() {
            // Unknown to the imported data: the search falls back to the département.
            0 | 1 => Understood::Place(Place::Postcode(lieu.to_owned())),
            _ => choices(state, served),
        });
    }
    let (name, hint) = match lieu.rsplit_once('(') {
        Some((name, rest)) => (name.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (lieu, None),
    };
    let folded = fold(name);
    let found = communes::autocomplete(state, name, 200)?;
    let (exact, partial): (Vec<_>, Vec<_>) =
        found.into_iter().partition(|c| fold(&c.name) == folded);
    let candidates = if exact.is_empty() { partial } else { exact };
    let fitting: Vec<CommuneView> = match hint.filter(|h| !h.is_empty()) {
        Some(h) if is_postcode(h) => candidates
            .into_iter()
            .filter(|c| c.postcodes.iter().any(|p| p == h))
            .collect(),
        Some(h) => candidates
            .into_iter()
            .filter(|c| c.departement.eq_ignore_ascii_case(h))
            .collect(),
        None => candidates,
    };
    one_or_choices(state, fitting).ok_or_else(|| {
        AppError::field(
            "lieu",
            format!(
                "Aucune commune ne correspond à « {lieu} ». Vérifiez l'orthographe ou saisissez le code postal."
            ),
        )
    })
}

/// The commune's first postcode (for a form that asks for a postcode).
pub fn postcode_of(state: &Infra, place: &Place) -> Result<Option<String>, AppError> {
    match place {
        Place::Postcode(p) => Ok(Some(p.clone())),
        Place::Commune(code) => {
            let mut conn = state.pool.get()?;
            Ok(
                crate::db::geo::postcodes_of(&mut conn, std::slice::from_ref(code))?
                    .remove(code)
                    .and_then(|mut p| (!p.is_empty()).then(|| p.remove(0))),
            )
        }
        Place::Point { .. } => Ok(None),
    }
}
