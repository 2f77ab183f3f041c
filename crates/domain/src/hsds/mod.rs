//! The directory as Open Referral HSDS 3.0 records: one organisation, one service, one
//! location and one service-at-location per listed provider, with ids that never change
//! (UUIDv5 of the provider's id in cyberdir's namespace), the incident types and audiences as
//! taxonomy terms, the ExpertCyber label and remote help as attributes, and the intervention
//! zone as service areas. Only public facts: never a member's address or phone, never a victim.
//! The mapping is documented in `docs/hsds.md`.
//!
//! Records are typed and borrow the provider's text, and each taxonomy term is rendered once
//! (`TermTable`): the bulk export of 100,000 providers writes gigabytes of them.

mod areas;
mod terms;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use uuid::Uuid;

use areas::service_areas;
pub use areas::{Polygon, ServiceArea, circle};
pub use terms::{
    ATTRIBUTE_TAXONOMY, AUDIENCE_TAXONOMY, Attribute, INCIDENT_TAXONOMY, Rendered, TaxonomyRecord,
    Term, TermTable, service_terms, taxonomies, taxonomy_id, terms,
};
use terms::{organization_attributes, service_attributes};

use crate::provider::Provider;
pub const VERSION: &str = "3.0";

/// cyberdir's namespace for HSDS ids (fixed forever: changing it changes every id).
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1b_9a7e_2f4d_4c83_9e1a_7b6d_0c2e_8f41);

/// The org-id.guide list that French companies' SIRET numbers belong to.
pub const ORG_ID_SCHEME: &str = "FR-RCS";

/// The stable id of a record: `kind` (organization, service…) and cyberdir's key.
pub fn id(kind: &str, key: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes()).to_string()
}

/// A provider as listed in the open data: approved (`active`), suspended (`temporarily
/// closed`), or removed or withdrawn (`inactive`, from its last change: those who sync with
/// `modified_after` learn that it left).
pub struct Listed<'a> {
    pub provider: &'a Provider,
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
    use crate::provider::ReferencingStatus as S;
    match listed.provider.status {
        S::Suspended => "temporarily closed",
        S::Removed | S::Withdrawn => "inactive",
        _ => "active",
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
}
