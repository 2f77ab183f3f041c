//! The intervention zone as HSDS service areas.

use serde::Serialize;

use super::{Context, Listed, id};
use crate::zone::Zone;

/// A part of the zone.
#[derive(Serialize)]
pub struct ServiceArea {
    id: String,
    service_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extent_type: Option<&'static str>,
}

/// The zone as service areas: a radius as a GeoJSON polygon, each département by its code and
/// name, national as France.
pub(super) fn service_areas(listed: &Listed, ctx: &Context, service_id: &str) -> Vec<ServiceArea> {
    let p = listed.provider;
    let area = |key: &str, name: String| ServiceArea {
        id: id("service_area", key),
        service_id: service_id.to_owned(),
        name,
        description: None,
        uri: None,
        extent: None,
        extent_type: None,
    };
    match &p.zone {
        Zone::Radius { radius_km } => vec![ServiceArea {
            extent: serde_json::to_string(&circle(p.latitude, p.longitude, f64::from(*radius_km)))
                .ok(),
            extent_type: Some("geojson"),
            ..area(&p.id, format!("{radius_km} km autour de {}", p.city))
        }],
        Zone::Departements { departements } => departements
            .iter()
            .map(|code| {
                let name = (ctx.departement_name)(code).unwrap_or_else(|| code.clone());
                ServiceArea {
                    description: Some(format!(
                        "Département {code} (code officiel géographique de l'INSEE)"
                    )),
                    uri: Some(format!(
                        "https://www.insee.fr/fr/metadonnees/cog/departement/DEP{code}-{}",
                        name.to_lowercase().replace(' ', "-")
                    )),
                    ..area(&format!("{}:{code}", p.id), format!("{name} ({code})"))
                }
            })
            .collect(),
        Zone::National => vec![ServiceArea {
            description: Some("Toute la France, outre-mer compris".to_owned()),
            ..area(&p.id, "France".to_owned())
        }],
    }
}

/// A GeoJSON polygon.
#[derive(Debug, Serialize)]
pub struct Polygon {
    #[serde(rename = "type")]
    kind: &'static str,
    pub coordinates: [Vec<[f64; 2]>; 1],
}

/// A circle of `radius_km` around a point, as a GeoJSON polygon of 32 sides (closed ring).
pub fn circle(latitude: f64, longitude: f64, radius_km: f64) -> Polygon {
    const SIDES: usize = 32;
    let lat_step = radius_km / 111.32;
    let lon_step = radius_km / (111.32 * latitude.to_radians().cos().max(0.01));
    let round = |v: f64| (v * 1e5).round() / 1e5;
    let mut ring: Vec<[f64; 2]> = (0..SIDES)
        .map(|i| {
            let angle = (i as f64) * std::f64::consts::TAU / SIDES as f64;
            [
                round(longitude + lon_step * angle.cos()),
                round(latitude + lat_step * angle.sin()),
            ]
        })
        .collect();
    ring.push(ring[0]);
    Polygon {
        kind: "Polygon",
        coordinates: [ring],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_radius_is_a_closed_polygon_at_that_distance() {
        let polygon = circle(48.11, -1.68, 30.0);
        let ring = &polygon.coordinates[0];
        assert_eq!(ring.len(), 33);
        assert_eq!(ring[0], ring[32]);
        for &[lon, lat] in ring {
            let dy = (lat - 48.11) * 111.32;
            let dx = (lon + 1.68) * 111.32 * 48.11_f64.to_radians().cos();
            assert!(((dx * dx + dy * dy).sqrt() - 30.0).abs() < 0.5);
        }
    }
}
