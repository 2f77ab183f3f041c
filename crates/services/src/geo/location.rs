//! Turns what a victim gives (postcode, commune code, coordinates) into a point and a département.

use std::collections::HashMap;

use diesel::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::geo::{self, CommuneRow};
use crate::db::schema::{communes, postcodes};
use crate::domain::departements::{Departement, Departements};
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
            postcode_fallback(deps, postcode)
        }
        Place::Commune(code) => {
            if let Some(commune) = geo::commune(conn, code)? {
                return Ok(Location::of_commune(&commune, deps));
            }
            commune_fallback(deps, code)
        }
        Place::Point {
            latitude,
            longitude,
        } => {
            let nearest = nearest_commune(conn, *latitude, *longitude)?;
            at_point(deps, nearest.as_ref(), *latitude, *longitude)
        }
    }
}

fn postcode_fallback(deps: &Departements, postcode: &str) -> Result<Location, AppError> {
    departement_of_postcode(postcode)
        .and_then(|code| deps.get(&code))
        .map(Location::of_prefecture)
        .ok_or_else(|| AppError::not_found(format!("Code postal inconnu : {postcode}.")))
}

fn commune_fallback(deps: &Departements, code: &str) -> Result<Location, AppError> {
    departement_of_commune(code)
        .and_then(|dep| deps.get(dep))
        .map(Location::of_prefecture)
        .ok_or_else(|| AppError::not_found(format!("Commune inconnue : {code}.")))
}

fn at_point(
    deps: &Departements,
    nearest: Option<&CommuneRow>,
    latitude: f64,
    longitude: f64,
) -> Result<Location, AppError> {
    let mut location = match nearest {
        Some(c) => Location::of_commune(c, deps),
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

/// The boxes, in degrees around the point, in which the nearest commune is looked for.
const NEAREST_COMMUNE_BOXES: [f64; 3] = [0.05, 0.2, 1.0];

/// The imported geography in memory, so that a search resolves its place without the database.
/// Built from one version of the `geography` change counter; answers exactly like [`resolve`].
pub struct Geography {
    pub version: crate::db::counters::Version,
    /// Every commune, by code.
    communes: Vec<CommuneRow>,
    by_code: HashMap<String, usize>,
    /// Each postcode's most populous commune (then the smallest code), as
    /// `communes_of_postcode(..).first()` picks it.
    best_by_postcode: HashMap<String, usize>,
    /// Commune positions as [lon, lat], for the nearest commune to a point.
    positions: RTree<GeomWithData<[f64; 2], usize>>,
}

impl Geography {
    /// No imported data: every place falls back to its département's prefecture.
    pub fn empty(version: crate::db::counters::Version) -> Self {
        Self::from_rows(version, Vec::new(), Vec::new())
    }

    pub fn load(
        conn: &mut DbConnection,
        version: crate::db::counters::Version,
    ) -> QueryResult<Self> {
        let rows = communes::table
            .order(communes::code)
            .select(CommuneRow::as_select())
            .load(conn)?;
        let links = postcodes::table
            .select((postcodes::postcode, postcodes::commune_code))
            .load::<(String, String)>(conn)?;
        Ok(Self::from_rows(version, rows, links))
    }

    fn from_rows(
        version: crate::db::counters::Version,
        communes: Vec<CommuneRow>,
        links: Vec<(String, String)>,
    ) -> Self {
        let by_code: HashMap<String, usize> = communes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        let mut best_by_postcode: HashMap<String, usize> = HashMap::new();
        for (postcode, commune_code) in links {
            let Some(&candidate) = by_code.get(&commune_code) else {
                continue; // the SQL join drops a link to a missing commune too
            };
            best_by_postcode
                .entry(postcode)
                .and_modify(|best| {
                    let (a, b) = (&communes[candidate], &communes[*best]);
                    if (a.population, std::cmp::Reverse(&a.code))
                        > (b.population, std::cmp::Reverse(&b.code))
                    {
                        *best = candidate;
                    }
                })
                .or_insert(candidate);
        }
        let positions = RTree::bulk_load(
            communes
                .iter()
                .enumerate()
                .map(|(i, c)| GeomWithData::new([c.longitude, c.latitude], i))
                .collect(),
        );
        Self {
            version,
            communes,
            by_code,
            best_by_postcode,
            positions,
        }
    }

    /// Like [`resolve`], from memory.
    pub fn resolve(&self, deps: &Departements, place: &Place) -> Result<Location, AppError> {
        match place {
            Place::Postcode(postcode) => match self.best_by_postcode.get(postcode) {
                Some(&i) => Ok(Location::of_commune(&self.communes[i], deps)),
                None => postcode_fallback(deps, postcode),
            },
            Place::Commune(code) => match self.by_code.get(code) {
                Some(&i) => Ok(Location::of_commune(&self.communes[i], deps)),
                None => commune_fallback(deps, code),
            },
            Place::Point {
                latitude,
                longitude,
            } => at_point(
                deps,
                self.nearest_commune(*latitude, *longitude),
                *latitude,
                *longitude,
            ),
        }
    }

    /// Same boxes and distance as the database version; equally near communes: smallest code.
    fn nearest_commune(&self, latitude: f64, longitude: f64) -> Option<&CommuneRow> {
        for delta in NEAREST_COMMUNE_BOXES {
            let area = AABB::from_corners(
                [longitude - delta, latitude - delta],
                [longitude + delta, latitude + delta],
            );
            let nearest = self
                .positions
                .locate_in_envelope(&area)
                .map(|hit| {
                    let c = &self.communes[hit.data];
                    (
                        distance_km(latitude, longitude, c.latitude, c.longitude),
                        hit.data,
                    )
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((_, i)) = nearest {
                return Some(&self.communes[i]);
            }
        }
        None
    }
}

/// The imported commune nearest to a point, looking in growing boxes (none beyond ~100 km).
fn nearest_commune(
    conn: &mut DbConnection,
    latitude: f64,
    longitude: f64,
) -> Result<Option<CommuneRow>, AppError> {
    for delta in NEAREST_COMMUNE_BOXES {
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
