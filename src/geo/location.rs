//! Turns what a victim gives (postcode, commune code, coordinates) into a point and a département.

use serde::Serialize;
use utoipa::ToSchema;

use super::departements::{Departement, Departements};
use crate::db::DbConnection;
use crate::db::geo::{self, CommuneRow};
use crate::domain::matching::distance_km;
use crate::domain::zone::{departement_of_commune, departement_of_postcode};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Postcode(String),
    Commune(String),
    Point { latitude: f64, longitude: f64 },
}

/// Where the search is centred.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Location {
    /// Commune name, when known.
    pub commune: Option<String>,
    /// Commune INSEE code, when known.
    pub commune_code: Option<String>,
    /// Département code.
    pub departement: Option<String>,
    pub departement_name: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// True when the place was not found in the imported geography and the département's
    /// prefecture stands in for it.
    pub approximate: bool,
}

impl Location {
    fn of_commune(c: &CommuneRow, deps: &Departements) -> Self {
        Self {
            commune: Some(c.name.clone()),
            commune_code: Some(c.code.clone()),
            departement_name: deps.get(&c.departement_code).map(|d| d.name.clone()),
            departement: Some(c.departement_code.clone()),
            latitude: c.latitude,
            longitude: c.longitude,
            approximate: false,
        }
    }

    fn of_prefecture(d: &Departement) -> Self {
        Self {
            commune: None,
            commune_code: None,
            departement: Some(d.code.clone()),
            departement_name: Some(d.name.clone()),
            latitude: d.latitude,
            longitude: d.longitude,
            approximate: true,
        }
    }
}

/// Resolves a place; a postcode or commune the imported data does not know falls back to its
/// département's prefecture. Unknown département -> 404.
pub fn resolve(
    conn: &mut DbConnection,
    deps: &Departements,
    place: &Place,
) -> Result<Location, AppError> {
    match place {
        Place::Postcode(postcode) => {
            if let Some(best) = geo::communes_of_postcode(conn, postcode)?.first() {
                return Ok(Location::of_commune(best, deps));
            }
            departement_of_postcode(postcode)
                .and_then(|code| deps.get(&code))
                .map(Location::of_prefecture)
                .ok_or_else(|| AppError::not_found(format!("Code postal inconnu : {postcode}.")))
        }
        Place::Commune(code) => {
            if let Some(commune) = geo::commune(conn, code)? {
                return Ok(Location::of_commune(&commune, deps));
            }
            departement_of_commune(code)
                .and_then(|dep| deps.get(dep))
                .map(Location::of_prefecture)
                .ok_or_else(|| AppError::not_found(format!("Commune inconnue : {code}.")))
        }
        Place::Point {
            latitude,
            longitude,
        } => {
            let (latitude, longitude) = (*latitude, *longitude);
            let nearest = nearest_commune(conn, latitude, longitude)?;
            let mut location = match nearest {
                Some(c) => Location::of_commune(&c, deps),
                None => deps
                    .nearest(latitude, longitude)
                    .map(Location::of_prefecture)
                    .ok_or_else(|| AppError::Internal("no département loaded".into()))?,
            };
            // The point itself is exact; only the commune/département is inferred.
            location.latitude = latitude;
            location.longitude = longitude;
            location.approximate = false;
            Ok(location)
        }
    }
}

/// The imported commune nearest to a point, looking in growing boxes (none beyond ~100 km).
fn nearest_commune(
    conn: &mut DbConnection,
    latitude: f64,
    longitude: f64,
) -> Result<Option<CommuneRow>, AppError> {
    for delta in [0.05, 0.2, 1.0] {
        let candidates = geo::communes_in_box(conn, latitude, longitude, delta)?;
        let nearest = candidates.into_iter().min_by(|a, b| {
            distance_km(latitude, longitude, a.latitude, a.longitude).total_cmp(&distance_km(
                latitude,
                longitude,
                b.latitude,
                b.longitude,
            ))
        });
        if nearest.is_some() {
            return Ok(nearest);
        }
    }
    Ok(None)
}
