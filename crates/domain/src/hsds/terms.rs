//! The taxonomy terms cyberdir publishes (incident types under their categories, audiences,
//! attributes), each rendered once, and the attributes that carry them.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::value::RawValue;

use super::{Context, Listed, id};
use crate::audience::Audience;
use crate::provider::Provider;
use crate::taxonomy::{Taxonomy, category_label};

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

/// A taxonomy term: incident types (their category as parent), audiences and attributes.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub taxonomy: &'static str,
    /// The taxonomy's own record (`/taxonomies/{id}`).
    pub taxonomy_id: String,
    pub language: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// A taxonomy cyberdir publishes terms in, as HSDS's `taxonomy` record.
#[derive(Debug, Clone, Serialize)]
pub struct TaxonomyRecord {
    pub id: String,
    pub name: &'static str,
    pub description: &'static str,
}

/// The three taxonomies, in the order the terms come.
pub fn taxonomies() -> Vec<TaxonomyRecord> {
    [
        (
            INCIDENT_TAXONOMY,
            "Les types d'incidents de cybersécurité, regroupés par catégorie de menace : ce qu'un prestataire sait traiter.",
        ),
        (
            AUDIENCE_TAXONOMY,
            "Les publics qu'un prestataire aide : particuliers, entreprises et associations, collectivités et administrations.",
        ),
        (
            ATTRIBUTE_TAXONOMY,
            "Ce qui distingue un prestataire : l'intervention à distance, le label ExpertCyber.",
        ),
    ]
    .into_iter()
    .map(|(name, description)| TaxonomyRecord {
        id: taxonomy_id(name),
        name,
        description,
    })
    .collect()
}

/// A taxonomy's stable id.
pub fn taxonomy_id(name: &str) -> String {
    id("taxonomy", name)
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
            taxonomy_id: taxonomy_id(taxonomy),
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
pub(super) fn service_attributes<'a>(
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
pub(super) fn organization_attributes<'a>(
    listed: &Listed,
    ctx: &Context<'a>,
    organization_id: &str,
) -> Vec<Attribute<'a>> {
    let Some(label) = &listed.provider.label else {
        return Vec::new();
    };
    let (Some(_), Some(term)) = (
        label.valid_through(),
        ctx.terms.get(ATTRIBUTE_TAXONOMY, LABEL[0]),
    ) else {
        return Vec::new();
    };
    // The label's own end date, never the grace limit a renewal under examination holds it
    // to: that one is said as what it is.
    let renewal = if label.renewal_until.is_some() {
        " ; renouvellement en cours"
    } else {
        ""
    };
    vec![attribute(
        organization_id,
        "organization",
        term,
        Some(format!(
            "{} ; valide du {} au {}{renewal} ; vérification : {}/labels/{}",
            label.number, label.valid_from, label.valid_until, ctx.base_url, label.number
        )),
    )]
}
