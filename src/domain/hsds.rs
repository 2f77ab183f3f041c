//! The directory as Open Referral HSDS 3.0 records: one organisation, one service, one
//! location and one service-at-location per listed provider, with ids that never change
//! (UUIDv5 of the provider's id in cyberdir's namespace), the incident types and audiences as
//! taxonomy terms, the ExpertCyber label and remote help as attributes, and the intervention
//! zone as service areas. Only public facts: never a member's address or phone, never a victim.
//! The mapping is documented in `docs/hsds.md`.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};
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
    pub taxonomy: &'a Taxonomy,
    /// A département's name by its code.
    pub departement_name: &'a dyn Fn(&str) -> Option<String>,
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

/// A taxonomy term, for incident types (their category as parent), audiences and attributes.
pub fn term(
    taxonomy: &str,
    code: &str,
    name: &str,
    description: &str,
    parent: Option<&str>,
) -> Value {
    let mut term = json!({
        "id": id("taxonomy_term", &format!("{taxonomy}:{code}")),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy,
        "language": "fr",
    });
    if let Some(parent) = parent {
        term["parent_id"] = json!(id("taxonomy_term", &format!("{taxonomy}:{parent}")));
    }
    term
}

/// Every published term: the 49 incident types under their categories, and the audiences.
pub fn terms(taxonomy: &Taxonomy) -> Vec<Value> {
    let mut all: Vec<Value> = taxonomy
        .categories()
        .into_iter()
        .map(|c| {
            let label = category_label(c);
            term(
                INCIDENT_TAXONOMY,
                c,
                &label,
                &format!("Catégorie de menaces : {label}"),
                None,
            )
        })
        .collect();
    all.extend(taxonomy.all().iter().map(|t| {
        term(
            INCIDENT_TAXONOMY,
            &t.code,
            &t.label,
            &t.advice,
            Some(&t.category),
        )
    }));
    all.extend(Audience::ALL.iter().map(|a| {
        term(
            AUDIENCE_TAXONOMY,
            a.code(),
            a.label(),
            &format!("Public aidé : {}", a.label()),
            None,
        )
    }));
    all
}

fn attribute(link: &str, entity: &str, term: Value, value: Option<String>) -> Value {
    let term_id = term["id"].as_str().unwrap_or_default().to_owned();
    let mut attribute = json!({
        "id": id("attribute", &format!("{link}:{term_id}")),
        "link_id": link,
        "link_type": "taxonomy_term",
        "link_entity": entity,
        "taxonomy_term_id": term_id,
        "taxonomy_term": term,
    });
    if let Some(value) = value {
        attribute["value"] = json!(value);
    }
    attribute
}

/// The service's attributes: incident types, audiences, remote help, and the label.
fn service_attributes(listed: &Listed, ctx: &Context, service_id: &str) -> Vec<Value> {
    let p = listed.provider;
    let mut attributes: Vec<Value> = p
        .incident_types
        .iter()
        .filter_map(|code| ctx.taxonomy.get(code))
        .map(|t| {
            attribute(
                service_id,
                "service",
                term(
                    INCIDENT_TAXONOMY,
                    &t.code,
                    &t.label,
                    &t.advice,
                    Some(&t.category),
                ),
                None,
            )
        })
        .collect();
    attributes.extend(p.audiences.iter().map(|a| {
        attribute(
            service_id,
            "service",
            term(
                AUDIENCE_TAXONOMY,
                a.code(),
                a.label(),
                &format!("Public aidé : {}", a.label()),
                None,
            ),
            None,
        )
    }));
    attributes.push(attribute(
        service_id,
        "service",
        term(
            ATTRIBUTE_TAXONOMY,
            "intervention_a_distance",
            "Intervention à distance",
            "Le prestataire peut intervenir à distance.",
            None,
        ),
        Some(p.remote.to_string()),
    ));
    attributes
}

/// The organisation's attributes: the ExpertCyber label, with its number, validity and the
/// public page that verifies it.
fn organization_attributes(listed: &Listed, ctx: &Context, organization_id: &str) -> Vec<Value> {
    let Some(label) = &listed.provider.label else {
        return Vec::new();
    };
    let Some(through) = label.valid_through() else {
        return Vec::new();
    };
    vec![attribute(
        organization_id,
        "organization",
        term(
            ATTRIBUTE_TAXONOMY,
            "label_expertcyber",
            "Label ExpertCyber",
            "Label de l'État attestant l'expertise en sécurité numérique et la qualité de l'assistance.",
            None,
        ),
        Some(format!(
            "{} ; valide du {} au {} ; vérification : {}/labels/{}",
            label.number, label.valid_from, through, ctx.base_url, label.number
        )),
    )]
}

/// The zone as service areas: a radius as a GeoJSON polygon, each département by its code and
/// name, national as France.
fn service_areas(listed: &Listed, ctx: &Context, service_id: &str) -> Vec<Value> {
    let p = listed.provider;
    match &p.zone {
        Zone::Radius { radius_km } => vec![json!({
            "id": id("service_area", &p.id),
            "service_id": service_id,
            "name": format!("{radius_km} km autour de {}", p.city),
            "extent": circle(p.latitude, p.longitude, f64::from(*radius_km)).to_string(),
            "extent_type": "geojson",
        })],
        Zone::Departements { departements } => departements
            .iter()
            .map(|code| {
                let name = (ctx.departement_name)(code).unwrap_or_else(|| code.clone());
                json!({
                    "id": id("service_area", &format!("{}:{code}", p.id)),
                    "service_id": service_id,
                    "name": format!("{name} ({code})"),
                    "description": format!("Département {code} (code officiel géographique de l'INSEE)"),
                    "uri": format!("https://www.insee.fr/fr/metadonnees/cog/departement/DEP{code}-{}", name.to_lowercase().replace(' ', "-")),
                })
            })
            .collect(),
        Zone::National => vec![json!({
            "id": id("service_area", &p.id),
            "service_id": service_id,
            "name": "France",
            "description": "Toute la France, outre-mer compris",
        })],
    }
}

/// A circle of `radius_km` around a point, as a GeoJSON polygon of 32 sides (closed ring).
pub fn circle(latitude: f64, longitude: f64, radius_km: f64) -> Value {
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
    json!({ "type": "Polygon", "coordinates": [ring] })
}

fn phones(listed: &Listed, owner: (&str, &str)) -> Vec<Value> {
    let p = listed.provider;
    if p.phone.is_empty() {
        return Vec::new();
    }
    vec![json!({
        "id": id("phone", &format!("{}:{}", owner.0, p.id)),
        owner.0: owner.1,
        "number": p.phone,
        "type": "voice",
        "description": "Standard du prestataire",
    })]
}

/// How much of an organisation: the list's record, the nested one (in a service), or the
/// detail record with its services and locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    List,
    Nested,
    Detail,
}

/// The organisation.
pub fn organization(listed: &Listed, ctx: &Context, depth: Depth) -> Value {
    let p = listed.provider;
    let organization_id = id("organization", &p.id);
    let mut o = json!({
        "id": organization_id,
        "name": p.name,
        "alternate_name": p.legal_name,
        "description": p.description,
        "email": p.email,
        "uri": format!("{}/prestataires/{}", ctx.base_url, p.id),
    });
    if let Some(website) = &p.website {
        o["website"] = json!(website);
    }
    if depth == Depth::List {
        return o;
    }
    o["organization_identifiers"] = json!([{
        "id": id("organization_identifier", &p.id),
        "organization_id": organization_id,
        "identifier_scheme": "FR-SIRET",
        "identifier_type": "SIRET",
        "identifier": p.siret,
    }]);
    o["phones"] = json!(phones(listed, ("organization_id", &organization_id)));
    o["attributes"] = json!(organization_attributes(listed, ctx, &organization_id));
    if depth == Depth::Detail {
        o["services"] = json!([service(listed, ctx, false)]);
        o["locations"] = json!([location(listed)]);
    }
    o
}

/// The service: the provider's assistance offer. `nested` adds its organisation, areas,
/// phones, attributes and where it is offered (the detail record).
pub fn service(listed: &Listed, ctx: &Context, nested: bool) -> Value {
    let p = listed.provider;
    let service_id = id("service", &p.id);
    let mut s = json!({
        "id": service_id,
        "organization_id": id("organization", &p.id),
        "name": format!("Assistance aux victimes de cybermalveillance – {}", p.name),
        "description": p.description,
        "email": p.email,
        "status": status(listed),
        "last_modified": utc(listed.modified),
        "url": format!("{}/prestataires/{}", ctx.base_url, p.id),
    });
    if let Some(reviewed) = listed.reviewed {
        s["assured_date"] = json!(reviewed.to_string());
    }
    if nested {
        s["organization"] = organization(listed, ctx, Depth::Nested);
        s["service_areas"] = json!(service_areas(listed, ctx, &service_id));
        s["phones"] = json!(phones(listed, ("service_id", &service_id)));
        s["attributes"] = json!(service_attributes(listed, ctx, &service_id));
        s["languages"] = json!([{ "id": id("language", &p.id), "service_id": service_id, "name": "français", "code": "fr" }]);
    }
    s
}

/// The detail record of `kind` (`organization`, `service_at_location`, else `service`).
pub fn detail(kind: &str, listed: &Listed, ctx: &Context) -> Value {
    match kind {
        "organization" => organization(listed, ctx, Depth::Detail),
        "service_at_location" => service_at_location(listed, ctx, true),
        _ => service(listed, ctx, true),
    }
}

/// The provider's address, as a physical location.
pub fn location(listed: &Listed) -> Value {
    let p = listed.provider;
    let location_id = id("location", &p.id);
    json!({
        "id": location_id,
        "location_type": "physical",
        "organization_id": id("organization", &p.id),
        "name": p.name,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "addresses": [{
            "id": id("address", &p.id),
            "location_id": location_id,
            "address_1": p.address_line,
            "city": p.city,
            "state_province": p.postcode.get(..2).unwrap_or_default(),
            "postal_code": p.postcode,
            "country": "FR",
            "address_type": "physical",
        }],
    })
}

/// Where the service is offered: `full` nests the service and the location.
pub fn service_at_location(listed: &Listed, ctx: &Context, full: bool) -> Value {
    let p = listed.provider;
    let mut sal = json!({
        "id": id("service_at_location", &p.id),
        "service_id": id("service", &p.id),
        "location_id": id("location", &p.id),
    });
    if full {
        sal["service"] = service(listed, ctx, false);
        sal["location"] = location(listed);
    }
    sal
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
        let ring = polygon["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 33);
        assert_eq!(ring[0], ring[32]);
        for point in ring {
            let (lon, lat) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
            let dy = (lat - 48.11) * 111.32;
            let dx = (lon + 1.68) * 111.32 * 48.11_f64.to_radians().cos();
            assert!(((dx * dx + dy * dy).sqrt() - 30.0).abs() < 0.5);
        }
    }
}
