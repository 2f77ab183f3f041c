//! The matching engine: which providers cover a point, nearest first.
//!
//! Radius zones go into an R-tree of their coverage boxes, so a query only looks at providers
//! whose box contains the point; département zones are looked up by the point's département;
//! national zones always match. Distances are great-circle (haversine).
//!
//! Speed comes from three choices, none of which changes a result:
//! - the filters (incident, audience, label) run first, on a compact copy of what they need
//!   ([`Hot`]), stored contiguously per zone kind;
//! - positions are unit vectors: comparing dot products orders points like the great-circle
//!   distance, and a radius test is `dot >= cos(radius / R)`. Where two dot products are within
//!   [`DOT_TOLERANCE`] of each other or of a radius threshold, the engine decides with the
//!   haversine distance, exactly as it did before it used dot products;
//! - [`MatchingIndex::search_page`] only orders what the requested page needs (a selection,
//!   then a sort of the page) and computes kilometres for those matches only.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
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
    /// The last day its insurance certificate covers (none on file: not limited by it).
    pub insured_until: Option<NaiveDate>,
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
    /// When set, providers whose insurance certificate ended before that day are left out
    /// (the public search and the matching give today).
    pub insured_on: Option<NaiveDate>,
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

/// One page of results in the engine's order, and how many matches there are in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPage {
    pub total: usize,
    pub matches: Vec<Match>,
}

/// Two dot products of unit vectors closer than this are treated as possibly equal: the
/// haversine distance decides. Rounding in a dot product is ~1e-15, so this leaves a wide
/// margin; it is ~4 mm of arc at 100 km, hence only a handful of matches ever need it.
const DOT_TOLERANCE: f64 = 1e-11;

/// No label: compares below every day.
const NO_LABEL: i32 = i32::MIN;
/// No end on file: compares above every day.
const NO_END: i32 = i32::MAX;

/// What the filters and the distance test read, packed in one cache line.
#[derive(Debug, Clone, Copy)]
struct Hot {
    incidents: u128,
    unit: [f64; 3],
    /// Last day of a valid label (days from the common era), or [`NO_LABEL`].
    label_until: i32,
    /// Last day the insurance covers (days from the common era), or [`NO_END`].
    insured_until: i32,
    entry: u32,
    audience_mask: u8,
}

/// A radius provider: its filters and its coverage threshold on the dot product.
#[derive(Debug, Clone, Copy)]
struct RadiusHot {
    hot: Hot,
    /// `cos(radius / R)`: the point is covered when its dot product is at least this.
    min_dot: f64,
    radius_km: f64,
}

/// A match before its distance is known: `dot` orders like the distance (larger is nearer).
#[derive(Debug, Clone, Copy)]
struct Scored {
    dot: f64,
    entry: u32,
}

/// Nearer first (larger dot), then entry order.
fn by_dot(a: &Scored, b: &Scored) -> Ordering {
    b.dot.total_cmp(&a.dot).then(a.entry.cmp(&b.entry))
}

/// The filters of one query, resolved to masks once.
struct Filters {
    incidents: u128,
    audience_mask: u8,
    /// Day (from the common era) the label must still be valid on, or `NO_LABEL`.
    labelled_on: i32,
    /// Day (from the common era) the insurance must still cover, or `NO_LABEL` (any).
    insured_on: i32,
}

impl Filters {
    fn of(query: &Query) -> Self {
        Self {
            incidents: query
                .incident
                .filter(|&bit| bit < IncidentSet::CAPACITY)
                .map_or(0, |bit| 1u128 << bit),
            audience_mask: query.audience.map_or(0, Audience::bit),
            labelled_on: query.labelled_on.map_or(NO_LABEL, |d| d.num_days_from_ce()),
            insured_on: query.insured_on.map_or(NO_LABEL, |d| d.num_days_from_ce()),
        }
    }

    /// An unknown incident bit (≥ 128) matches no provider, as `IncidentSet::contains` says.
    fn impossible(query: &Query) -> bool {
        query
            .incident
            .is_some_and(|bit| bit >= IncidentSet::CAPACITY)
    }

    #[inline]
    fn pass(&self, hot: &Hot) -> bool {
        hot.incidents & self.incidents == self.incidents
            && hot.audience_mask & self.audience_mask == self.audience_mask
            && (self.labelled_on == NO_LABEL || hot.label_until >= self.labelled_on)
            && hot.insured_until >= self.insured_on
    }
}

pub struct MatchingIndex {
    /// Each entry's position, for kilometres (only computed for the returned page).
    coordinates: Vec<(f64, f64)>,
    radius: Vec<RadiusHot>,
    radius_tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    by_departement: HashMap<String, Vec<Hot>>,
    national: Vec<Hot>,
    remote: Vec<Hot>,
}

const KM_PER_DEGREE_LAT: f64 = 110.574;
const KM_PER_DEGREE_LON_AT_EQUATOR: f64 = 111.320;

pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// The radius `distance_km` uses, so that radius thresholds agree with it.
fn earth_radius_km() -> f64 {
    Haversine.radius() / 1000.0
}

fn unit_vector(latitude: f64, longitude: f64) -> [f64; 3] {
    let (lat, lon) = (latitude.to_radians(), longitude.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

#[inline]
fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
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
    /// Indexes the candidates; more than `u32::MAX` of them is not supported (the extra ones
    /// are left out).
    pub fn build(candidates: Vec<Candidate>) -> Self {
        let earth_radius_km = earth_radius_km();
        let mut boxes = Vec::new();
        let mut radius = Vec::new();
        let mut by_departement: HashMap<String, Vec<Hot>> = HashMap::new();
        let mut national = Vec::new();
        let mut remote = Vec::new();
        let mut coordinates = Vec::with_capacity(candidates.len());
        for (i, candidate) in candidates.into_iter().enumerate() {
            let Ok(entry) = u32::try_from(i) else {
                break;
            };
            let hot = Hot {
                incidents: candidate.incidents.0,
                unit: unit_vector(candidate.latitude, candidate.longitude),
                label_until: candidate
                    .label_valid_until
                    .map_or(NO_LABEL, |d| d.num_days_from_ce()),
                insured_until: candidate
                    .insured_until
                    .map_or(NO_END, |d| d.num_days_from_ce()),
                entry,
                audience_mask: candidate.audiences.iter().fold(0, |m, a| m | a.bit()),
            };
            coordinates.push((candidate.latitude, candidate.longitude));
            match candidate.zone {
                Zone::Radius { radius_km } => {
                    let radius_km = f64::from(radius_km);
                    let slot = u32::try_from(radius.len()).unwrap_or(u32::MAX);
                    boxes.push(GeomWithData::new(
                        coverage_box(candidate.latitude, candidate.longitude, radius_km),
                        slot,
                    ));
                    radius.push(RadiusHot {
                        hot,
                        min_dot: (radius_km / earth_radius_km).cos(),
                        radius_km,
                    });
                }
                Zone::Departements { mut departements } => {
                    // A code listed twice must not yield the provider twice.
                    departements.sort_unstable();
                    departements.dedup();
                    for code in departements {
                        by_departement.entry(code).or_default().push(hot);
                    }
                }
                Zone::National => national.push(hot),
            }
            if candidate.remote {
                remote.push(hot);
            }
        }
        Self {
            coordinates,
            radius,
            radius_tree: RTree::bulk_load(boxes),
            by_departement,
            national,
            remote,
        }
    }

    pub fn len(&self) -> usize {
        self.coordinates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.coordinates.is_empty()
    }

    /// Every matching provider: those covering the point first, nearest first, ties by entry order.
    pub fn search(&self, query: &Query) -> Vec<Match> {
        self.search_page(query, 0, usize::MAX).matches
    }

    /// The matches at positions `offset..offset + limit` of [`search`](Self::search)'s order,
    /// and the number of matches in all; only that page is sorted and measured in kilometres.
    pub fn search_page(&self, query: &Query, offset: usize, limit: usize) -> SearchPage {
        if Filters::impossible(query) {
            return SearchPage::default();
        }
        let filters = Filters::of(query);
        let point = unit_vector(query.latitude, query.longitude);
        let mut covering: Vec<Scored> = Vec::new();

        for hit in self
            .radius_tree
            .locate_all_at_point(&[query.longitude, query.latitude])
        {
            let Some(r) = self.radius.get(hit.data as usize) else {
                continue;
            };
            if !filters.pass(&r.hot) {
                continue;
            }
            let d = dot(&r.hot.unit, &point);
            let inside = if (d - r.min_dot).abs() <= DOT_TOLERANCE {
                // On the edge: the haversine distance decides, as it always did.
                self.distance_to(r.hot.entry, query) <= r.radius_km
            } else {
                d > r.min_dot
            };
            if inside {
                covering.push(Scored {
                    dot: d,
                    entry: r.hot.entry,
                });
            }
        }
        let listed = query
            .departement
            .as_ref()
            .and_then(|d| self.by_departement.get(d))
            .map_or(&[][..], Vec::as_slice);
        for hot in listed.iter().chain(&self.national) {
            if filters.pass(hot) {
                covering.push(Scored {
                    dot: dot(&hot.unit, &point),
                    entry: hot.entry,
                });
            }
        }

        let mut remote_only: Vec<Scored> = Vec::new();
        let mut remote_only_count = 0;
        if query.include_remote {
            // Remote-only matches come after every covering one: when the page ends within the
            // covering matches, only their number is needed.
            let page_needs_them = offset.saturating_add(limit) > covering.len();
            // The covering matches passed the same filters: a remote provider that passes them
            // and is not among them does not cover the point.
            let mut is_covering = vec![0u64; self.len().div_ceil(64)];
            for s in &covering {
                is_covering[s.entry as usize / 64] |= 1 << (s.entry % 64);
            }
            for hot in &self.remote {
                let covered = is_covering[hot.entry as usize / 64] & (1 << (hot.entry % 64)) != 0;
                if !covered && filters.pass(hot) {
                    remote_only_count += 1;
                    if page_needs_them {
                        remote_only.push(Scored {
                            dot: dot(&hot.unit, &point),
                            entry: hot.entry,
                        });
                    }
                }
            }
        }

        let total = covering.len() + remote_only_count;
        let end = offset.saturating_add(limit).min(total);
        let mut matches = Vec::with_capacity(end.saturating_sub(offset));
        if offset < end {
            let covering_end = end.min(covering.len());
            for (distance_km, entry) in self.first_in_order(&mut covering, covering_end, query) {
                matches.push((distance_km, entry, true));
            }
            let remote_end = end - covering_end;
            for (distance_km, entry) in self.first_in_order(&mut remote_only, remote_end, query) {
                matches.push((distance_km, entry, false));
            }
        }
        SearchPage {
            total,
            matches: matches
                .into_iter()
                .skip(offset)
                .map(|(distance_km, entry, covers)| Match {
                    entry: entry as usize,
                    distance_km,
                    covers,
                })
                .collect(),
        }
    }

    /// The first `k` of `found` by (haversine distance, entry), with their distances.
    ///
    /// Selects by dot product, then keeps every match whose dot product is within the
    /// tolerance of the k-th one: any match left out is then surely farther than all k kept,
    /// and sorting the kept ones by their haversine distance gives exactly the full sort's
    /// first k.
    fn first_in_order(&self, found: &mut [Scored], k: usize, query: &Query) -> Vec<(f64, u32)> {
        if k == 0 {
            return Vec::new();
        }
        let mut kept = found.len();
        if k < found.len() {
            found.select_nth_unstable_by(k - 1, by_dot);
            let bound = found[k - 1].dot - DOT_TOLERANCE;
            kept = k;
            for i in k..found.len() {
                if found[i].dot >= bound {
                    found.swap(kept, i);
                    kept += 1;
                }
            }
        }
        let mut measured: Vec<(f64, u32)> = found[..kept]
            .iter()
            .map(|s| (self.distance_to(s.entry, query), s.entry))
            .collect();
        measured.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        measured.truncate(k);
        measured
    }

    fn distance_to(&self, entry: u32, query: &Query) -> f64 {
        let (latitude, longitude) = self.coordinates[entry as usize];
        distance_km(latitude, longitude, query.latitude, query.longitude)
    }
}

#[cfg(test)]
mod tests;
