//! The directory as Open Referral HSDS 3.0 records: one organisation, one service, one
//! location and one service-at-location per listed provider, with ids that never change
//! (UUIDv5 of the provider's id in cyberdir's namespace), the incident types and audiences as
//! taxonomy terms, the ExpertCyber label and remote help as attributes, and the intervention
//! zone as service areas. Only public facts: never a member's address or phone, never a victim.
//! The mapping is documented in `docs/hsds.md`.
//!
//! Records are typed and borrow the provider's text, and each taxonomy term is rendered once
//! (`TermTable`): the bulk export of 100,000 providers writes gigabytes of them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::domain::audience::Audience;
use crate::domain::provider::Provider;
use crate::domain::taxonomy::{Taxonomy, category_label};
use crate::domain::zone::Zone;

pub const VERSION: &str = "3.0";

/// cyberdir's namespace for HSDS ids (fixed forever: changing it changes every id).
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1b_9a7e_2f4d_4c83_9e1a_7b6d_0c2e_8f41);

/// The taxonomies cyberdir publishes its terms in.
pub const INCIDENT_TAXONOMY: &str = "cyberdir-incidents";
pub const AUDIENCE_TAXONOMY: &str = "cyberdir-publics";
pub const ATTRIBUTE_TAXONOMY: &str = "cyberdir-attributs";

/// The attribute terms: code, name, description.
const REMOTE: [&str; 3] = [
    "intervention_a_distance",
    "Intervention à distance",
    "Le prestataire peut intervenir à distance.",
];
const LABEL: [&str; 3] = [
    "label_expertcyber",
    "Label ExpertCyber",
    "Label de l'État attestant l'expertise en sécurité numérique et la qualité de l'assistance.",
];

/// The org-id.guide list that French companies' SIRET numbers belong to.
pub const ORG_ID_SCHEME: &str = "FR-RCS";

/// The stable id of a record: `kind` (organization, service…) and cyberdir's key.
pub fn id(kind: &str, key: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes()).to_string()
}

/// A provider as listed in the open data: approved, or suspended (`temporarily closed`).
pub struct Listed<'a> {
    pub provider: &'a Provider,
    pub suspended: bool,
    /// Its last change.
    pub modified: NaiveDateTime,
    /// The last time staff reviewed it.
    pub reviewed: Option<NaiveDate>,
}

/// What the mapping needs besides the provider.
pub struct Context<'a> {
    /// The published terms, rendered.
    pub terms: &'a TermTable,
    /// A département's name by its code.
    pub departement_name: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The service's public address (profiles, label verification).
    pub base_url: &'a str,
}

fn utc(at: NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn status(listed: &Listed) -> &'static str {
    if listed.suspended {
        "temporarily closed"
    } else {
        "active"
    }
}

/// A taxonomy term: incident types (their category as parent), audiences and attributes.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub taxonomy: &'static str,
    pub language: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

impl Term {
    fn new(
        taxonomy: &'static str,
        code: &str,
        name: &str,
        description: &str,
        parent: Option<&str>,
    ) -> Term {
        Term {
            id: id("taxonomy_term", &format!("{taxonomy}:{code}")),
            code: code.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            taxonomy,
            language: "fr",
            parent_id: parent.map(|p| id("taxonomy_term", &format!("{taxonomy}:{p}"))),
        }
    }
}

/// Every published term: the 49 incident types under their categories, the audiences, and
/// the attributes' terms.
pub fn terms(taxonomy: &Taxonomy) -> Vec<Term> {
    let mut all: Vec<Term> = taxonomy
        .categories()
        .into_iter()
        .map(|c| {
            let label = category_label(c);
            let description = format!("Catégorie de menaces : {label}");
            Term::new(INCIDENT_TAXONOMY, c, &label, &description, None)
        })
        .collect();
    all.extend(taxonomy.all().iter().map(|t| {
        Term::new(
            INCIDENT_TAXONOMY,
            &t.code,
            &t.label,
            &t.advice,
            Some(&t.category),
        )
    }));
    all.extend(Audience::ALL.iter().map(|a| {
        let description = format!("Public aidé : {}", a.label());
        Term::new(AUDIENCE_TAXONOMY, a.code(), a.label(), &description, None)
    }));
    all.extend([REMOTE, LABEL].map(|[code, name, description]| {
        Term::new(ATTRIBUTE_TAXONOMY, code, name, description, None)
    }));
    all
}

/// A term and its JSON, rendered once.
pub struct Rendered {
    pub term: Term,
    json: Box<RawValue>,
}

/// The published terms by taxonomy and code, each rendered once: every attribute carries its
/// term whole, and a term reads the same in every record.
pub struct TermTable {
    by_taxonomy: HashMap<&'static str, HashMap<String, Rendered>>,
}

impl TermTable {
    pub fn new(taxonomy: &Taxonomy) -> TermTable {
        let mut by_taxonomy: HashMap<&'static str, HashMap<String, Rendered>> = HashMap::new();
        for term in terms(taxonomy) {
            let Ok(json) = serde_json::value::to_raw_value(&term) else {
                continue;
            };
            by_taxonomy
                .entry(term.taxonomy)
                .or_default()
                .insert(term.code.clone(), Rendered { term, json });
        }
        TermTable { by_taxonomy }
    }

    pub fn get(&self, taxonomy: &str, code: &str) -> Option<&Rendered> {
        self.by_taxonomy.get(taxonomy)?.get(code)
    }
}

/// The terms a provider's service is classed under: its incident types, then its audiences.
pub fn service_terms<'t>(
    provider: &Provider,
    terms: &'t TermTable,
) -> impl Iterator<Item = &'t Rendered> {
    let incidents = provider
        .incident_types
        .iter()
        .filter_map(|code| terms.get(INCIDENT_TAXONOMY, code));
    let audiences = provider
        .audiences
        .iter()
        .filter_map(|a| terms.get(AUDIENCE_TAXONOMY, a.code()));
    incidents.chain(audiences)
}

#[derive(Serialize)]
pub struct Attribute<'a> {
    id: String,
    link_id: String,
    link_type: &'static str,
    link_entity: &'static str,
    taxonomy_term_id: &'a str,
    taxonomy_term: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

fn attribute<'a>(
    link: &str,
    entity: &'static str,
    term: &'a Rendered,
    value: Option<String>,
) -> Attribute<'a> {
    Attribute {
        id: id("attribute", &format!("{link}:{}", term.term.id)),
        link_id: link.to_owned(),
        link_type: "taxonomy_term",
        link_entity: entity,
        taxonomy_term_id: &term.term.id,
        taxonomy_term: &term.json,
        value,
    }
}

/// The service's attributes: incident types, audiences, and remote help.
fn service_attributes<'a>(
    listed: &Listed,
    ctx: &Context<'a>,
    service_id: &str,
) -> Vec<Attribute<'a>> {
    let p = listed.provider;
    let mut attributes: Vec<Attribute> = service_terms(p, ctx.terms)
        .map(|term| attribute(service_id, "service", term, None))
        .collect();
    if let Some(remote) = ctx.terms.get(ATTRIBUTE_TAXONOMY, REMOTE[0]) {
        attributes.push(attribute(
            service_id,
            "service",
            remote,
            Some(p.remote.to_string()),
        ));
    }
    attributes
}

/// The organisation's attributes: the ExpertCyber label, with its number, validity and the
/// public page that verifies it.
fn organization_attributes<'a>(
    listed: &Listed,
    ctx: &Context<'a>,
    organization_id: &str,
) -> Vec<Attribute<'a>> {
    let Some(label) = &listed.provider.label else {
        return Vec::new();
    };
    let (Some(through), Some(term)) = (
        label.valid_through(),
        ctx.terms.get(ATTRIBUTE_TAXONOMY, LABEL[0]),
    ) else {
        return Vec::new();
    };
    vec![attribute(
        organization_id,
        "organization",
        term,
        Some(format!(
            "{} ; valide du {} au {} ; vérification : {}/labels/{}",
            label.number, label.valid_from, through, ctx.base_url, label.number
        )),
    )]
}

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
fn service_areas(listed: &Listed, ctx: &Context, service_id: &str) -> Vec<ServiceArea> {
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

#[derive(Serialize)]
pub struct Phone<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<String>,
    number: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
}

/// Who a phone belongs to.
enum Owner<'a> {
    Organization(&'a str),
    Service(&'a str),
}

fn phones<'a>(listed: &Listed<'a>, owner: Owner) -> Vec<Phone<'a>> {
    let p = listed.provider;
    if p.phone.is_empty() {
        return Vec::new();
    }
    let (key, organization_id, service_id) = match owner {
        Owner::Organization(id) => ("organization_id", Some(id.to_owned()), None),
        Owner::Service(id) => ("service_id", None, Some(id.to_owned())),
    };
    vec![Phone {
        id: id("phone", &format!("{key}:{}", p.id)),
        organization_id,
        service_id,
        number: &p.phone,
        kind: "voice",
        description: "Standard du prestataire",
    }]
}

#[derive(Serialize)]
pub struct Identifier<'a> {
    id: String,
    organization_id: String,
    identifier_scheme: &'static str,
    identifier_type: &'static str,
    identifier: &'a str,
}

/// How much of an organisation: the list's record, the nested one (in a service), or the
/// detail record with its services and locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    List,
    Nested,
    Detail,
}

#[derive(Serialize)]
pub struct Organization<'a> {
    id: String,
    name: &'a str,
    alternate_name: &'a str,
    description: &'a str,
    email: &'a str,
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_identifiers: Option<[Identifier<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phones: Option<Vec<Phone<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<Vec<Attribute<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    services: Option<[Service<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location<'a>; 1]>,
}

/// The organisation.
pub fn organization<'a>(listed: &Listed<'a>, ctx: &Context<'a>, depth: Depth) -> Organization<'a> {
    let p = listed.provider;
    let organization_id = id("organization", &p.id);
    let mut o = Organization {
        id: organization_id.clone(),
        name: &p.name,
        alternate_name: &p.legal_name,
        description: &p.description,
        email: &p.email,
        uri: format!("{}/prestataires/{}", ctx.base_url, p.id),
        website: p.website.as_deref(),
        organization_identifiers: None,
        phones: None,
        attributes: None,
        services: None,
        locations: None,
    };
    if depth == Depth::List {
        return o;
    }
    o.organization_identifiers = Some([Identifier {
        id: id("organization_identifier", &p.id),
        organization_id: organization_id.clone(),
        // org-id.guide's list for French companies (its FR-INSEE is deprecated in favour of
        // it); its example identifiers are SIRET numbers.
        identifier_scheme: ORG_ID_SCHEME,
        identifier_type: "SIRET",
        identifier: &p.siret,
    }]);
    o.phones = Some(phones(listed, Owner::Organization(&organization_id)));
    o.attributes = Some(organization_attributes(listed, ctx, &organization_id));
    if depth == Depth::Detail {
        o.services = Some([service(listed, ctx, false)]);
        o.locations = Some([location(listed)]);
    }
    o
}

#[derive(Serialize)]
pub struct Language {
    id: String,
    service_id: String,
    name: &'static str,
    code: &'static str,
}

#[derive(Serialize)]
pub struct Service<'a> {
    id: String,
    organization_id: String,
    name: String,
    description: &'a str,
    email: &'a str,
    status: &'static str,
    last_modified: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    assured_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Box<Organization<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_areas: Option<Vec<ServiceArea>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phones: Option<Vec<Phone<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<Vec<Attribute<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    languages: Option<[Language; 1]>,
}

/// The service: the provider's assistance offer. `nested` adds its organisation, areas,
/// phones, attributes and languages (the detail record).
pub fn service<'a>(listed: &Listed<'a>, ctx: &Context<'a>, nested: bool) -> Service<'a> {
    let p = listed.provider;
    let service_id = id("service", &p.id);
    let mut s = Service {
        id: service_id.clone(),
        organization_id: id("organization", &p.id),
        name: format!("Assistance aux victimes de cybermalveillance – {}", p.name),
        description: &p.description,
        email: &p.email,
        status: status(listed),
        last_modified: utc(listed.modified),
        url: format!("{}/prestataires/{}", ctx.base_url, p.id),
        assured_date: listed.reviewed.map(|d| d.to_string()),
        organization: None,
        service_areas: None,
        phones: None,
        attributes: None,
        languages: None,
    };
    if nested {
        s.organization = Some(Box::new(organization(listed, ctx, Depth::Nested)));
        s.service_areas = Some(service_areas(listed, ctx, &service_id));
        s.phones = Some(phones(listed, Owner::Service(&service_id)));
        s.attributes = Some(service_attributes(listed, ctx, &service_id));
        s.languages = Some([Language {
            id: id("language", &p.id),
            service_id,
            name: "français",
            code: "fr",
        }]);
    }
    s
}

#[derive(Serialize)]
pub struct Address<'a> {
    id: String,
    location_id: String,
    address_1: &'a str,
    city: &'a str,
    state_province: &'a str,
    postal_code: &'a str,
    country: &'static str,
    address_type: &'static str,
}

#[derive(Serialize)]
pub struct Location<'a> {
    id: String,
    location_type: &'static str,
    organization_id: String,
    name: &'a str,
    latitude: f64,
    longitude: f64,
    addresses: [Address<'a>; 1],
}

/// The provider's address, as a physical location.
pub fn location<'a>(listed: &Listed<'a>) -> Location<'a> {
    let p = listed.provider;
    let location_id = id("location", &p.id);
    Location {
        id: location_id.clone(),
        location_type: "physical",
        organization_id: id("organization", &p.id),
        name: &p.name,
        latitude: p.latitude,
        longitude: p.longitude,
        addresses: [Address {
            id: id("address", &p.id),
            location_id,
            address_1: &p.address_line,
            city: &p.city,
            state_province: p.postcode.get(..2).unwrap_or_default(),
            postal_code: &p.postcode,
            country: "FR",
            address_type: "physical",
        }],
    }
}

#[derive(Serialize)]
pub struct ServiceAtLocation<'a> {
    id: String,
    service_id: String,
    location_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<Service<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location<'a>>,
}

/// Where the service is offered: `full` nests the service and the location.
pub fn service_at_location<'a>(
    listed: &Listed<'a>,
    ctx: &Context<'a>,
    full: bool,
) -> ServiceAtLocation<'a> {
    let p = listed.provider;
    ServiceAtLocation {
        id: id("service_at_location", &p.id),
        service_id: id("service", &p.id),
        location_id: id("location", &p.id),
        service: full.then(|| service(listed, ctx, false)),
        location: full.then(|| location(listed)),
    }
}

/// A detail record of any kind.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Detail<'a> {
    Organization(Organization<'a>),
    Service(Service<'a>),
    ServiceAtLocation(ServiceAtLocation<'a>),
}

/// The detail record of `kind` (`organization`, `service_at_location`, else `service`).
pub fn detail<'a>(kind: &str, listed: &Listed<'a>, ctx: &Context<'a>) -> Detail<'a> {
    match kind {
        "organization" => Detail::Organization(organization(listed, ctx, Depth::Detail)),
        "service_at_location" => Detail::ServiceAtLocation(service_at_location(listed, ctx, true)),
        _ => Detail::Service(service(listed, ctx, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct_per_kind() {
        assert_eq!(id("service", "p1"), id("service", "p1"));
        assert_ne!(id("service", "p1"), id("organization", "p1"));
        assert_ne!(id("service", "p1"), id("service", "p2"));
        // Fixed forever: a changed namespace would change every published id.
        assert_eq!(
            id("organization", "demo-0001"),
            Uuid::new_v5(&NAMESPACE, b"organization:demo-0001").to_string()
        );
        assert_eq!(
            Uuid::parse_str(&id("x", "y")).map(|u| u.get_version_num()),
            Ok(5)
        );
    }

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
