//! An outcome as the victim reads it: the tree's situation-specific steps and contacts, then
//! the fiche of the threat (its steps, contacts, evidence, what never to do, what to do in
//! danger). Trees published before the fiches take the incident type's advice and the tree's
//! own lists instead.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Advice, Outcome, OutcomeContact, Tree, Urgency};
use crate::audience::Audience;
use crate::content::{Contact, Fiche, Library};
use crate::taxonomy::{IncidentType, Redirection, Taxonomy};

/// The fiche an outcome's advice comes from.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FicheLink {
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OutcomeView {
    /// The outcome's id in the tree.
    pub id: String,
    /// The incident type's code; none when the answers could not name it.
    pub incident_type: Option<String>,
    pub category: Option<String>,
    pub title: String,
    pub audience: Audience,
    pub urgency: Urgency,
    /// The urgency in words.
    pub urgency_label: &'static str,
    /// What to do now, in order.
    pub now: Vec<String>,
    /// What evidence to keep.
    pub evidence: Vec<String>,
    /// What never to do.
    pub never: Vec<String>,
    /// Whom to turn to, most urgent first.
    pub redirections: Vec<Redirection>,
    /// Whether a referenced professional can help.
    pub professional: bool,
    /// The fiche the advice comes from.
    pub fiche: Option<FicheLink>,
    /// What to do if a person is in danger.
    pub danger: Vec<String>,
    /// A person (the chat with a police officer or gendarme) should be talked to.
    pub talk_to_a_person: bool,
}

/// A contact of the registry as a redirection.
pub fn redirection_of(contact: &Contact) -> Redirection {
    Redirection {
        name: contact.name.clone(),
        contact: contact.display.clone(),
        href: contact.href.clone(),
        what: Some(contact.what.clone()),
        hours: Some(contact.hours.clone()),
    }
}

/// The fiche of an outcome: the one it names, else its incident type's fiche réflexe.
pub fn fiche_of<'a>(
    library: &'a Library,
    outcome: &Outcome,
    incident: Option<&IncidentType>,
) -> Option<&'a Fiche> {
    match &outcome.fiche {
        Some(slug) => library.fiche(slug),
        None => incident.and_then(|t| library.reflexe_for(&t.code)),
    }
}

/// The evidence and "never" lists for an incident type: its own, else its category's.
pub fn advice_for<'a>(tree: &'a Tree, incident: &IncidentType) -> Option<&'a Advice> {
    tree.advice
        .get(&incident.code)
        .or_else(|| tree.advice.get(&incident.category))
}

pub fn outcome_view(
    tree: &Tree,
    taxonomy: &Taxonomy,
    library: &Library,
    id: &str,
    outcome: &Outcome,
    audience: Audience,
) -> OutcomeView {
    let incident = outcome.incident.as_deref().and_then(|c| taxonomy.get(c));
    let fiche = fiche_of(library, outcome, incident);
    let mut now = outcome.now.clone();
    let mut redirections: Vec<Redirection> = Vec::new();
    let mut add = |r: Redirection| {
        if !redirections.iter().any(|known| known.name == r.name) {
            redirections.push(r);
        }
    };
    for contact in &outcome.contacts {
        match contact {
            OutcomeContact::Registry(id) => {
                if let Some(c) = library.contacts.get(id).filter(|c| c.serves(audience)) {
                    add(redirection_of(c));
                }
            }
            OutcomeContact::Inline(c)
                if c.audiences.is_empty() || c.audiences.contains(&audience) =>
            {
                add(c.redirection())
            }
            OutcomeContact::Inline(_) => {}
        }
    }
    let (advice, danger) = match (fiche, incident) {
        (Some(f), _) => {
            // The situation's own steps first; the checker keeps them out of the fiche's.
            now.extend_from_slice(f.steps());
            for c in library.contacts_of(f, Some(audience)) {
                add(redirection_of(c));
            }
            let advice = Advice {
                evidence: f.evidence().to_vec(),
                never: f.never().to_vec(),
            };
            (advice, f.danger().to_vec())
        }
        (None, Some(t)) => {
            now.push(t.advice.clone());
            for r in &t.redirections {
                add(r.clone());
            }
            (advice_for(tree, t).cloned().unwrap_or_default(), Vec::new())
        }
        (None, None) => (outcome.advice.clone().unwrap_or_default(), Vec::new()),
    };
    OutcomeView {
        id: id.to_owned(),
        incident_type: incident.map(|t| t.code.clone()),
        category: incident.map(|t| t.category.clone()),
        title: outcome
            .title
            .clone()
            .or_else(|| incident.map(|t| t.label.clone()))
            .unwrap_or_default(),
        audience,
        urgency: outcome.urgency,
        urgency_label: outcome.urgency.label_fr(),
        now,
        evidence: advice.evidence,
        never: advice.never,
        redirections,
        professional: incident.map_or(outcome.professional.unwrap_or(false), |t| {
            t.provider_can_help
        }),
        fiche: fiche.map(|f| FicheLink {
            slug: f.meta.slug.clone(),
            title: f.meta.title.clone(),
        }),
        danger,
        talk_to_a_person: fiche.is_some_and(|f| f.meta.talk_to_a_person)
            || outcome.urgency == Urgency::Immediate,
    }
}
