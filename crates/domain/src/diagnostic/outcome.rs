//! An outcome as the victim reads it: the tree's situation-specific steps and contacts joined
//! with the incident type's advice and redirections (the taxonomy), and the tree's evidence and
//! "never do" lists for that type or its category.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Advice, Outcome, Tree, Urgency};
use crate::audience::Audience;
use crate::taxonomy::{IncidentType, Redirection, Taxonomy};

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
    id: &str,
    outcome: &Outcome,
    audience: Audience,
) -> OutcomeView {
    let incident = outcome.incident.as_deref().and_then(|c| taxonomy.get(c));
    let mut now = outcome.now.clone();
    let mut redirections: Vec<Redirection> = outcome
        .contacts
        .iter()
        .filter(|c| c.audiences.is_empty() || c.audiences.contains(&audience))
        .map(|c| c.redirection())
        .collect();
    let advice = match incident {
        Some(t) => {
            now.push(t.advice.clone());
            for r in &t.redirections {
                if !redirections.iter().any(|known| known.name == r.name) {
                    redirections.push(r.clone());
                }
            }
            advice_for(tree, t)
        }
        None => outcome.advice.as_ref(),
    }
    .cloned()
    .unwrap_or_default();
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
    }
}
