//! The matching engine: which providers cover a point, nearest first.
//!
//! Radius zones go into an R-tree of their coverage boxes, so a query only looks at providers
//! whose box contains the point; département zones are looked up by the point's département;
//! national zones always match. Distances are great-circle (haversine).

use std::collections::HashMap;

use chrono::NaiveDate;
use geo::{Distance, Haversine, Point};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::audience::Audience;
use super::zone::Zone;

/// Up to 128 incident types, one bit each (bit = the type's position in the taxonomy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncidentSet(u128);

impl IncidentSet {
    pub const CAPACITY: usize = 128;

    pub fn insert(&mut self, bit: usize) {
        if bit < Self::CAPACITY {
            self.0 |= 1 << bit;
        }
    }

    pub fn contains(self, bit: usize) -> bool {
        bit < Self::CAPACITY && self.0 & (1 << bit) != 0
    }
}

/// What the engine needs to know of one published provider.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub latitude: f64,
    pub longitude: f64,
    pub zone: Zone,
    pub audiences: Vec<Audience>,
    pub incidents: IncidentSet,
    pub remote: bool,
    /// The last day of a currently valid ExpertCyber label, if any.
    pub label_valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Query {
    pub latitude: f64,
    pub longitude: f64,
    /// The point's département, for département-list zones.
    pub departement: Option<String>,
    pub incident: Option<usize>,
    pub audience: Option<Audience>,
    /// When set, only providers whose label is valid on that day.
    pub labelled_on: Option<NaiveDate>,
    /// Also return remote-help providers whose zone does not cover the point.
    pub include_remote: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Position of the candidate in the order given to [`MatchingIndex::build`].
    pub entry: usize,
    pub distance_km: f64,
    /// False for remote-help providers included although their zone does not cover the point.
    pub covers: bool,
}

struct Entry {
    candidate: Candidate,
    audience_mask: u8,
}

pub struct MatchingIndex {
    entries: Vec<Entry>,
    radius_tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    by_departement: HashMap<String, Vec<usize>>,
    national: Vec<usize>,
    remote: Vec<usize>,
}

const KM_PER_DEGREE_LAT: f64 = 110.574;
const KM_PER_DEGREE_LON_AT_EQUATOR: f64 = 111.320;

pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// A [lon, lat] box that surely contains every point within `radius_km` of the centre.
fn coverage_box(lat: f64, lon: f64, radius_km: f64) -> Rectangle<[f64; 2]> {
    let margin = 1.05;
    let dlat = radius_km / KM_PER_DEGREE_LAT * margin + 0.01;
    let cos = lat.to_radians().cos().abs().max(0.01);
    let dlon = (radius_km / (KM_PER_DEGREE_LON_AT_EQUATOR * cos) * margin + 0.01).min(180.0);
    Rectangle::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat])
}

impl MatchingIndex {
    pub fn build(candidates: Vec<Candidate>) -> Self {
        let mut boxes = Vec::new();
        let mut by_departement: HashMap<String, Vec<usize>> = HashMap::new();
        let mut national = Vec::new();
        let mut remote = Vec::new();
        let mut entries = Vec::with_capacity(candidates.len());
        for (i, candidate) in candidates.into_iter().enumerate() {
            match &candidate.zone {
                Zone::Radius { radius_km } => boxes.push(GeomWithData::new(
                    coverage_box(
                        candidate.latitude,
                        candidate.longitude,
                        f64::from(*radius_km),
                    ),
                    i,
                )),
                Zone::Departements { departements } => {
                    for code in departements {
                        by_departement.entry(code.clone()).or_default().push(i);
                    }
                }
                Zone::National => national.push(i),
            }
            if candidate.remote {
                remote.push(i);
            }
            let audience_mask = candidate.audiences.iter().fold(0, |m, a| m | a.bit());
            entries.push(Entry {
                candidate,
                audience_mask,
            });
        }
        Self {
            entries,
            radius_tree: RTree::bulk_load(boxes),
            by_departement,
            national,
            remote,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every matching provider: those covering the point first, nearest first, ties by entry order.
    pub fn search(&self, query: &Query) -> Vec<Match> {
        let mut found: Vec<Match> = Vec::new();
        let point = [query.longitude, query.latitude];
        for hit in self.radius_tree.locate_all_at_point(&point) {
            let entry = hit.data;
            let candidate = &self.entries[entry].candidate;
            if let Zone::Radius { radius_km } = candidate.zone {
                let d = self.distance_to(entry, query);
                if d <= f64::from(radius_km) && self.passes_filters(entry, query) {
                    found.push(Match {
                        entry,
                        distance_km: d,
                        covers: true,
                    });
                }
            }
        }
        let listed = query
            .departement
            .as_ref()
            .and_then(|d| self.by_departement.get(d))
            .into_iter()
            .flatten();
        for &entry in listed.chain(self.national.iter()) {
            if self.passes_filters(entry, query) {
                found.push(Match {
                    entry,
                    distance_km: self.distance_to(entry, query),
                    covers: true,
                });
            }
        }
        if query.include_remote {
            for &entry in &self.remote {
                if !self.covers(entry, query) && self.passes_filters(entry, query) {
                    found.push(Match {
                        entry,
                        distance_km: self.distance_to(entry, query),
                        covers: false,
                    });
                }
            }
        }
        found.sort_by(|a, b| {
            b.covers
                .cmp(&a.covers)
                .then(a.distance_km.total_cmp(&b.distance_km))
                .then(a.entry.cmp(&b.entry))
        });
        found
    }

    /// Whether the entry's zone covers the query point (the rule the index accelerates).
    pub fn covers(&self, entry: usize, query: &Query) -> bool {
        match &self.entries[entry].candidate.zone {
            Zone::Radius { radius_km } => self.distance_to(entry, query) <= f64::from(*radius_km),
            Zone::Departements { departements } => query
                .departement
                .as_ref()
                .is_some_and(|d| departements.contains(d)),
            Zone::National => true,
        }
    }

    fn distance_to(&self, entry: usize, query: &Query) -> f64 {
        let c = &self.entries[entry].candidate;
        distance_km(c.latitude, c.longitude, query.latitude, query.longitude)
    }

    fn passes_filters(&self, entry: usize, query: &Query) -> bool {
        let e = &self.entries[entry];
        query
            .incident
            .is_none_or(|bit| e.candidate.incidents.contains(bit))
            && query
                .audience
                .is_none_or(|a| e.audience_mask & a.bit() != 0)
            && query
                .labelled_on
                .is_none_or(|day| e.candidate.label_valid_until.is_some_and(|end| end >= day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(lat: f64, lon: f64, zone: Zone) -> Candidate {
        let mut incidents = IncidentSet::default();
        incidents.insert(0);
        Candidate {
            latitude: lat,
            longitude: lon,
            zone,
            audiences: vec![Audience::Particulier],
            incidents,
            remote: false,
            label_valid_until: None,
        }
    }

    fn query(lat: f64, lon: f64, dep: &str) -> Query {
        Query {
            latitude: lat,
            longitude: lon,
            departement: Some(dep.to_owned()),
            incident: None,
            audience: None,
            labelled_on: None,
            include_remote: false,
        }
    }

    const RENNES: (f64, f64) = (48.1147, -1.6794);
    const SAINT_BRIEUC: (f64, f64) = (48.5136, -2.7653);
    const NANTES: (f64, f64) = (47.2184, -1.5536);

    #[test]
    fn distance_rennes_nantes_is_about_99_km() {
        let d = distance_km(RENNES.0, RENNES.1, NANTES.0, NANTES.1);
        assert!((d - 99.7).abs() < 1.5, "{d}");
    }

    #[test]
    fn radius_zone_covers_only_within_radius() {
        let index = MatchingIndex::build(vec![
            candidate(
                SAINT_BRIEUC.0,
                SAINT_BRIEUC.1,
                Zone::Radius { radius_km: 50 },
            ),
            candidate(
                SAINT_BRIEUC.0,
                SAINT_BRIEUC.1,
                Zone::Radius { radius_km: 100 },
            ),
        ]);
        // Rennes is ~90 km from Saint-Brieuc.
        let hits = index.search(&query(RENNES.0, RENNES.1, "35"));
        assert_eq!(hits.iter().map(|m| m.entry).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn departement_and_national_zones() {
        let index = MatchingIndex::build(vec![
            candidate(
                NANTES.0,
                NANTES.1,
                Zone::Departements {
                    departements: vec!["44".into(), "35".into()],
                },
            ),
            candidate(43.3, 5.4, Zone::National),
            candidate(
                NANTES.0,
                NANTES.1,
                Zone::Departements {
                    departements: vec!["44".into()],
                },
            ),
        ]);
        let hits = index.search(&query(RENNES.0, RENNES.1, "35"));
        assert_eq!(hits.iter().map(|m| m.entry).collect::<Vec<_>>(), vec![0, 1]);
        assert!(hits[0].distance_km < hits[1].distance_km);
    }

    #[test]
    fn filters_and_remote() {
        let mut labelled = candidate(RENNES.0, RENNES.1, Zone::Radius { radius_km: 10 });
        labelled.label_valid_until = NaiveDate::from_ymd_opt(2027, 1, 1);
        let mut far_remote = candidate(43.3, 5.4, Zone::Radius { radius_km: 10 });
        far_remote.remote = true;
        let index = MatchingIndex::build(vec![
            candidate(RENNES.0, RENNES.1, Zone::Radius { radius_km: 10 }),
            labelled,
            far_remote,
        ]);
        let mut q = query(RENNES.0, RENNES.1, "35");
        assert_eq!(index.search(&q).len(), 2);
        q.include_remote = true;
        let hits = index.search(&q);
        assert_eq!(hits.len(), 3);
        assert!(!hits[2].covers && hits[2].entry == 2);
        q.labelled_on = NaiveDate::from_ymd_opt(2026, 12, 1);
        assert_eq!(
            index.search(&q).iter().map(|m| m.entry).collect::<Vec<_>>(),
            vec![1]
        );
        q.labelled_on = NaiveDate::from_ymd_opt(2027, 1, 2);
        assert!(index.search(&q).is_empty());
        q.labelled_on = None;
        q.incident = Some(5);
        assert!(index.search(&q).is_empty());
        q.incident = Some(0);
        q.audience = Some(Audience::Collectivite);
        assert!(index.search(&q).is_empty());
    }

    #[test]
    fn index_agrees_with_brute_force_on_a_grid() {
        // Providers on a grid over Brittany with radii 5..95 km; every query point must get
        // exactly the providers within their radius, in distance order.
        let mut candidates = Vec::new();
        for i in 0..30 {
            for j in 0..20 {
                let lat = 47.0 + f64::from(i) * 0.07;
                let lon = -4.5 + f64::from(j) * 0.15;
                let radius_km = 5 + ((i * 7 + j * 13) % 10) * 10;
                candidates.push(candidate(lat, lon, Zone::Radius { radius_km }));
            }
        }
        let index = MatchingIndex::build(candidates.clone());
        for (lat, lon) in [(48.11, -1.68), (47.5, -3.9), (48.9, -2.2), (46.5, -1.0)] {
            let q = query(lat, lon, "35");
            let got: Vec<usize> = index.search(&q).iter().map(|m| m.entry).collect();
            let mut expected: Vec<(f64, usize)> = candidates
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let d = distance_km(c.latitude, c.longitude, lat, lon);
                    let Zone::Radius { radius_km } = c.zone else {
                        return None;
                    };
                    (d <= f64::from(radius_km)).then_some((d, i))
                })
                .collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(
                got,
                expected.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
            );
        }
    }
}
