//! The départements of France with their prefectures (fixtures/departements.json, compiled in),
//! so that the service knows where things are before any geography import.

use serde::{Deserialize, Serialize};

const FIXTURE: &str = include_str!("../../../fixtures/departements.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departement {
    pub code: String,
    pub name: String,
    pub region: String,
    pub prefecture: String,
    pub prefecture_code: String,
    pub prefecture_postcode: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Departement {
    /// The région as a code for URLs and files ("Île-de-France" -> `ile-de-france`).
    pub fn region_code(&self) -> String {
        region_code(&self.region)
    }
}

/// A région's name as a code: folded, words joined by hyphens.
pub fn region_code(name: &str) -> String {
    crate::text::fold(name).replace(' ', "-")
}

#[derive(Debug, Clone)]
pub struct Departements {
    list: Vec<Departement>,
}

impl Departements {
    pub fn from_fixture() -> Result<Self, serde_json::Error> {
        Ok(Self {
            list: serde_json::from_str(FIXTURE)?,
        })
    }

    pub fn all(&self) -> &[Departement] {
        &self.list
    }

    /// The régions, each once, as (code, name), in alphabetical order of their code.
    pub fn regions(&self) -> Vec<(String, String)> {
        let mut regions: Vec<(String, String)> = self
            .list
            .iter()
            .map(|d| (d.region_code(), d.region.clone()))
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }

    pub fn get(&self, code: &str) -> Option<&Departement> {
        self.list.iter().find(|d| d.code == code)
    }

    /// The département whose prefecture is nearest (a fallback when no commune data exists).
    pub fn nearest(&self, latitude: f64, longitude: f64) -> Option<&Departement> {
        self.list.iter().min_by(|a, b| {
            let da = crate::matching::distance_km(latitude, longitude, a.latitude, a.longitude);
            let db = crate::matching::distance_km(latitude, longitude, b.latitude, b.longitude);
            da.total_cmp(&db)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_covers_all_departements() {
        let deps = Departements::from_fixture().unwrap();
        assert_eq!(deps.all().len(), 101);
        assert_eq!(deps.get("2A").unwrap().prefecture, "Ajaccio");
        assert_eq!(deps.get("35").unwrap().prefecture_postcode, "35000");
        assert_eq!(deps.nearest(48.2, -1.6).unwrap().code, "35");
        let regions = deps.regions();
        assert_eq!(regions.len(), 18);
        assert!(regions.contains(&("ile-de-france".into(), "Île-de-France".into())));
        assert!(
            regions
                .iter()
                .any(|(code, _)| code == "provence-alpes-cote-d-azur")
        );
    }
}
