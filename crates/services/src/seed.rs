//! `cyberdir seed --demo`: a deterministic, realistic directory of ~1,200 referenced providers
//! spread over France like the real network (denser in cities, every département covered,
//! ~200 ExpertCyber-labelled), placed on real communes when the geography is imported and
//! around the prefectures otherwise.

use crate::domain::label::LabelStatus;
use std::collections::HashSet;

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::{communes, postcodes};
use crate::db::{DbConnection, providers, referencing};
use crate::domain::audience::Audience;
use crate::domain::departements::Departements;
use crate::domain::matching::distance_km;
use crate::domain::provider::{LabelSummary, Provider, ReferencingStatus};
use crate::domain::siret::luhn_check_digit;
use crate::domain::taxonomy::Taxonomy;
use crate::domain::zone::Zone;

pub const DEMO_SIZE: usize = 1200;
pub const DEMO_LABELLED: usize = 200;
/// Providers placed in each département before the rest follow population.
const PER_DEPARTEMENT: usize = 3;

const NAMES: &str = include_str!("../../../fixtures/demo_names.json");

#[derive(Deserialize)]
struct NameLists {
    name_prefixes: Vec<String>,
    name_roots: Vec<String>,
    name_suffixes: Vec<String>,
    legal_forms: Vec<String>,
    last_names: Vec<String>,
    street_types: Vec<String>,
    street_names: Vec<String>,
    description_openers: Vec<String>,
    description_services: Vec<String>,
}

/// SplitMix64: small, fast, and the same sequence on every platform and version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// Where a provider can be placed.
#[derive(Debug, Clone)]
struct Place {
    commune_code: Option<String>,
    city: String,
    postcode: String,
    departement: String,
    latitude: f64,
    longitude: f64,
    weight: f64,
    /// Spread around the point, in degrees.
    jitter: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the directory already holds {0} providers; the demo set only fills an empty directory"
    )]
    NotEmpty(i64),
    #[error("fixtures/demo_names.json is not valid: {0}")]
    Names(#[from] serde_json::Error),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

/// Places from the imported communes (population-weighted), or the prefectures otherwise.
fn places(conn: &mut DbConnection, deps: &Departements) -> QueryResult<Vec<Place>> {
    // Cities split in arrondissements are represented by their arrondissements.
    let parents: HashSet<String> = communes::table
        .filter(communes::parent_code.is_not_null())
        .select(communes::parent_code)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let rows: Vec<(String, String, String, i32, f64, f64, String)> = communes::table
        .inner_join(postcodes::table)
        .select((
            communes::code,
            communes::name,
            communes::departement_code,
            communes::population,
            communes::latitude,
            communes::longitude,
            postcodes::postcode,
        ))
        .order((communes::code, postcodes::postcode))
        .load(conn)?;
    let mut seen = HashSet::new();
    let from_communes: Vec<Place> = rows
        .into_iter()
        .filter(|r| !parents.contains(&r.0) && deps.get(&r.2).is_some())
        .filter(|r| seen.insert(r.0.clone()))
        .map(
            |(code, name, dep, population, latitude, longitude, postcode)| Place {
                commune_code: Some(code),
                city: name,
                postcode,
                departement: dep,
                latitude,
                longitude,
                weight: f64::from(population.max(0)),
                jitter: 0.01,
            },
        )
        .collect();
    if !from_communes.is_empty() {
        return Ok(from_communes);
    }
    // Without geography: around the prefectures, big metropolitan areas weighing more.
    const BIG: [&str; 21] = [
        "75", "13", "69", "59", "33", "31", "92", "93", "94", "06", "44", "67", "34", "35", "38",
        "76", "62", "78", "91", "95", "77",
    ];
    Ok(deps
        .all()
        .iter()
        .map(|d| Place {
            commune_code: None,
            city: d.prefecture.clone(),
            postcode: d.prefecture_postcode.clone(),
            departement: d.code.clone(),
            latitude: d.latitude,
            longitude: d.longitude,
            weight: if BIG.contains(&d.code.as_str()) {
                5.0
            } else {
                1.0
            },
            jitter: 0.08,
        })
        .collect())
}

/// Chooses where each provider goes: a few in every département's main places, the rest
/// following population.
fn allocate(rng: &mut Rng, places: &[Place], deps: &Departements, total: usize) -> Vec<usize> {
    let mut chosen = Vec::with_capacity(total);
    for dep in deps.all() {
        let mut local: Vec<usize> = (0..places.len())
            .filter(|&i| places[i].departement == dep.code)
            .collect();
        local.sort_by(|&a, &b| {
            places[b]
                .weight
                .total_cmp(&places[a].weight)
                .then(a.cmp(&b))
        });
        if local.is_empty() {
            continue;
        }
        for k in 0..PER_DEPARTEMENT {
            chosen.push(local[k % local.len().min(PER_DEPARTEMENT)]);
        }
    }
    let mut cumulative = Vec::with_capacity(places.len());
    let mut sum = 0.0;
    for p in places {
        // Small villages rarely host an IT-security firm.
        sum += if p.weight >= 2000.0 || p.commune_code.is_none() {
            p.weight
        } else {
            0.0
        };
        cumulative.push(sum);
    }
    while chosen.len() < total && sum > 0.0 {
        let target = rng.unit() * sum;
        let i = cumulative
            .partition_point(|&c| c <= target)
            .min(places.len() - 1);
        chosen.push(i);
    }
    chosen.truncate(total);
    chosen
}

fn siret(rng: &mut Rng) -> String {
    let head = format!("{}{}", 1 + rng.below(9), rng.digits(7));
    let siren = format!("{head}{}", luhn_check_digit(&head));
    let body = format!("{siren}000{}", 1 + rng.below(9));
    format!("{body}{}", luhn_check_digit(&body))
}

fn phone(rng: &mut Rng, dep: &str) -> String {
    let prefix = match dep {
        "971" => "0590".to_owned(),
        "972" => "0596".to_owned(),
        "973" => "0594".to_owned(),
        "974" => "0262".to_owned(),
        "976" => "0269".to_owned(),
        "75" | "77" | "78" | "91" | "92" | "93" | "94" | "95" => format!("01{}", rng.digits(2)),
        "22" | "29" | "35" | "56" | "44" | "49" | "53" | "72" | "85" | "14" | "50" | "61"
        | "27" | "76" | "28" | "18" | "36" | "37" | "41" | "45" => format!("02{}", rng.digits(2)),
        "2A" | "2B" | "13" | "83" | "84" | "06" | "04" | "05" | "30" | "34" | "69" | "38"
        | "73" | "74" | "01" | "07" | "26" | "42" | "43" | "63" => format!("04{}", rng.digits(2)),
        "33" | "31" | "64" | "40" | "47" | "24" | "17" | "79" | "86" | "16" | "87" | "19"
        | "23" | "65" | "32" | "82" | "81" | "46" | "09" | "11" | "66" | "12" | "48" | "15"
        | "03" => {
            format!("05{}", rng.digits(2))
        }
        _ => format!("03{}", rng.digits(2)),
    };
    let rest = rng.digits(6);
    format!(
        "{} {} {} {} {}",
        &prefix[..2],
        &prefix[2..4],
        &rest[..2],
        &rest[2..4],
        &rest[4..]
    )
}

fn slug(name: &str) -> String {
    deunicode::deunicode(name)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Builds the demo providers (pure: no database).
fn generate(
    places: &[Place],
    deps: &Departements,
    taxonomy: &Taxonomy,
    today: NaiveDate,
    size: usize,
) -> Result<Vec<Provider>, SeedError> {
    let names: NameLists = serde_json::from_str(NAMES)?;
    let mut rng = Rng(0x00C7_BE2D_1200);
    let slots = allocate(&mut rng, places, deps, size);
    let helpable: Vec<&str> = taxonomy
        .all()
        .iter()
        .filter(|t| t.provider_can_help)
        .map(|t| t.code.as_str())
        .collect();
    let mut used_names = HashSet::new();
    let mut out = Vec::with_capacity(slots.len());
    for (n, &slot) in slots.iter().enumerate() {
        let place = &places[slot];
        let mut name = if rng.chance(0.15) {
            format!(
                "{} {}",
                rng.pick(&names.last_names),
                rng.pick(&names.name_roots)
            )
        } else {
            format!(
                "{}{}",
                rng.pick(&names.name_prefixes),
                rng.pick(&names.name_roots).to_lowercase()
            )
        };
        if rng.chance(0.3) {
            name = format!("{name} {}", rng.pick(&names.name_suffixes));
        }
        if !used_names.insert(name.clone()) {
            name = format!("{name} {}", place.city);
            used_names.insert(name.clone());
        }
        let legal_name = format!("{} {}", name.to_uppercase(), rng.pick(&names.legal_forms));
        let mut audiences = Vec::new();
        for (audience, p) in [
            (Audience::Particulier, 0.7),
            (Audience::Entreprise, 0.85),
            (Audience::Collectivite, 0.4),
        ] {
            if rng.chance(p) {
                audiences.push(audience);
            }
        }
        if audiences.is_empty() {
            audiences.push(Audience::Entreprise);
        }
        let wanted = 6 + rng.below(helpable.len().saturating_sub(5));
        let mut incident_types: Vec<String> = helpable
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 3 || rng.below(helpable.len()) < wanted)
            .map(|(_, c)| (*c).to_owned())
            .collect();
        incident_types.sort();
        let roll = rng.unit();
        let zone = if roll < 0.6 {
            Zone::Radius {
                radius_km: *rng.pick(&[10, 20, 30, 30, 50, 50, 80, 100]),
            }
        } else if roll < 0.88 {
            let mut near: Vec<_> = deps.all().iter().collect();
            near.sort_by(|a, b| {
                distance_km(place.latitude, place.longitude, a.latitude, a.longitude).total_cmp(
                    &distance_km(place.latitude, place.longitude, b.latitude, b.longitude),
                )
            });
            let mut departements: Vec<String> = std::iter::once(place.departement.clone())
                .chain(near.iter().map(|d| d.code.clone()))
                .take(1 + rng.below(4))
                .collect();
            departements.sort();
            departements.dedup();
            Zone::Departements { departements }
        } else {
            Zone::National
        };
        let latitude = place.latitude + (rng.unit() - 0.5) * 2.0 * place.jitter;
        let longitude = place.longitude + (rng.unit() - 0.5) * 2.0 * place.jitter;
        let site = slug(&name);
        let description = format!(
            "{} {}",
            rng.pick(&names.description_openers),
            rng.pick(&names.description_services)
        );
        let mut id_bytes = [0u8; 16];
        id_bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        id_bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
        out.push(Provider {
            id: uuid::Builder::from_random_bytes(id_bytes)
                .into_uuid()
                .to_string(),
            siret: siret(&mut rng),
            address_line: format!(
                "{} {} {}",
                1 + rng.below(120),
                rng.pick(&names.street_types),
                rng.pick(&names.street_names)
            ),
            postcode: place.postcode.clone(),
            commune_code: place.commune_code.clone(),
            city: place.city.clone(),
            latitude,
            longitude,
            phone: phone(&mut rng, &place.departement),
            email: format!("contact@{site}.fr"),
            website: rng.chance(0.75).then(|| format!("https://www.{site}.fr")),
            description,
            audiences,
            incident_types,
            remote: rng.chance(0.55),
            zone,
            status: ReferencingStatus::Approved,
            label: None,
            legal_name,
            name,
        });
        debug_assert!(out.len() == n + 1);
    }
    assign_labels(&mut rng, &mut out, today);
    Ok(out)
}

/// ~200 labels with validity spread over two years; a few suspended or expired.
fn assign_labels(rng: &mut Rng, providers: &mut [Provider], today: NaiveDate) {
    let mut order: Vec<usize> = (0..providers.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for (k, &i) in order.iter().take(DEMO_LABELLED).enumerate() {
        let (status, age_days) = match k {
            0..=5 => (LabelStatus::Suspended, 100 + rng.below(500)),
            6..=9 => (LabelStatus::Expired, 731 + rng.below(200)),
            // Every 12th valid label in its last 90 days, to have renewals to show.
            _ if k % 12 == 0 => (LabelStatus::Valid, 640 + rng.below(89)),
            _ => (LabelStatus::Valid, rng.below(640)),
        };
        let valid_from = today - Days::new(age_days as u64);
        let valid_until = crate::domain::label::valid_through(valid_from).unwrap_or(valid_from);
        providers[i].label = Some(LabelSummary {
            number: format!("EC-{}-{:04}", valid_from.format("%Y"), k + 1),
            status,
            valid_from,
            valid_until,
            renewal_until: None,
        });
    }
}

/// What a demo set is made of.
pub struct DemoSet<'a> {
    pub deps: &'a Departements,
    pub taxonomy: &'a Taxonomy,
    pub charter_version: &'a str,
    pub now: NaiveDateTime,
    /// How many providers (`DEMO_SIZE` for the demo; more for a benchmark's directory).
    pub size: usize,
}

/// The states of the files the demo's staff find in their queue, one provider each (never a
/// labelled one): a newcomer sees every screen of the review populated.
pub const DEMO_FILES_IN_REVIEW: [ReferencingStatus; 10] = [
    ReferencingStatus::Submitted,
    ReferencingStatus::Submitted,
    ReferencingStatus::Submitted,
    ReferencingStatus::InReview,
    ReferencingStatus::InReview,
    ReferencingStatus::ChangesRequested,
    ReferencingStatus::ChangesRequested,
    ReferencingStatus::Draft,
    ReferencingStatus::Rejected,
    ReferencingStatus::Suspended,
];

/// Puts the last unlabelled providers of the demo set in the states of
/// [`DEMO_FILES_IN_REVIEW`].
fn files_in_review(demo: &mut [Provider]) {
    let unlabelled = demo.iter_mut().rev().filter(|p| p.label.is_none());
    for (provider, status) in unlabelled.zip(DEMO_FILES_IN_REVIEW) {
        provider.status = status;
    }
}

/// Fills an empty directory with the demo set, `progress` told how many providers are
/// written after each thousand; returns how many providers were created.
pub fn seed_demo(
    conn: &mut DbConnection,
    set: &DemoSet,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, SeedError> {
    let existing = providers::count(conn)?;
    if existing > 0 {
        return Err(SeedError::NotEmpty(existing));
    }
    let places = places(conn, set.deps)?;
    let today = crate::french::paris_date(set.now);
    let mut demo = generate(&places, set.deps, set.taxonomy, today, set.size)?;
    if set.size == DEMO_SIZE {
        files_in_review(&mut demo);
    }
    // All or nothing: a half-seeded directory could not be seeded again.
    conn.transaction(|conn| {
        for (n, p) in demo.iter().enumerate() {
            providers::insert(conn, p, set.now)?;
            // Referenced providers have accepted the charter in force.
            referencing::accept_charter(conn, &p.id, set.charter_version, "demo", set.now)?;
            if (n + 1).is_multiple_of(1_000) {
                progress(n + 1);
            }
        }
        Ok::<_, SeedError>(())
    })?;
    if !demo.len().is_multiple_of(1_000) {
        progress(demo.len());
    }
    Ok(demo.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::siret::parse_siret;

    fn fixture_places(deps: &Departements) -> Vec<Place> {
        deps.all()
            .iter()
            .map(|d| Place {
                commune_code: None,
                city: d.prefecture.clone(),
                postcode: d.prefecture_postcode.clone(),
                departement: d.code.clone(),
                latitude: d.latitude,
                longitude: d.longitude,
                weight: 1.0,
                jitter: 0.08,
            })
            .collect()
    }

    #[test]
    fn demo_set_is_deterministic_and_plausible() {
        let deps = Departements::from_fixture().unwrap();
        let taxonomy = Taxonomy::from_fixture().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let places = fixture_places(&deps);
        let a = generate(&places, &deps, &taxonomy, today, DEMO_SIZE).unwrap();
        let b = generate(&places, &deps, &taxonomy, today, DEMO_SIZE).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), DEMO_SIZE);
        assert!(a.iter().all(|p| parse_siret(&p.siret).is_ok()));
        let ids: HashSet<_> = a.iter().map(|p| &p.id).collect();
        assert_eq!(ids.len(), DEMO_SIZE);
        let covered: HashSet<_> = a.iter().map(|p| p.postcode.clone()).collect();
        assert!(
            deps.all()
                .iter()
                .all(|d| covered.contains(&d.prefecture_postcode))
        );
        let labelled = a.iter().filter(|p| p.label.is_some()).count();
        assert_eq!(labelled, DEMO_LABELLED);
        let valid = a
            .iter()
            .filter(|p| p.label.as_ref().is_some_and(|l| l.is_valid_on(today)))
            .count();
        assert!((180..=DEMO_LABELLED).contains(&valid), "{valid}");
        let zones: HashSet<&str> = a.iter().map(|p| p.zone.kind()).collect();
        assert_eq!(zones.len(), 3);
    }
}
