//! The advice for an incident type wherever it is known before (or without) the diagnostic: the
//! search page, the request form, the tracking page.

use serde::Serialize;

use crate::domain::content::Library;
use crate::domain::taxonomy::Taxonomy;

/// What to do and whom to call for an incident type, from its fiche réflexe (the search page,
/// the request form and the tracking page show it as soon as the incident type is known): the
/// same steps, contacts and lists as the diagnostic's outcome and the fiche's page.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentAdvice {
    pub label: String,
    /// What to do now, in order.
    pub now: Vec<String>,
    pub evidence: Vec<String>,
    pub never: Vec<String>,
    pub redirections: Vec<crate::domain::taxonomy::Redirection>,
    pub danger: Vec<String>,
    pub fiche: Option<crate::domain::diagnostic::outcome::FicheLink>,
    pub professional: bool,
}

/// The advice for an incident type, its contacts for `audience` when it is known.
pub fn advice_for_incident(
    taxonomy: &Taxonomy,
    library: &Library,
    code: &str,
    audience: Option<crate::domain::audience::Audience>,
) -> Option<IncidentAdvice> {
    let incident = taxonomy.get(code)?;
    let fiche = library.reflexe_for(code)?;
    let redirections = library
        .contacts_of(fiche, audience)
        .map(crate::domain::diagnostic::outcome::redirection_of)
        .collect();
    Some(IncidentAdvice {
        label: incident.label.clone(),
        now: fiche.steps().to_vec(),
        evidence: fiche.evidence().to_vec(),
        never: fiche.never().to_vec(),
        redirections,
        danger: fiche.danger().to_vec(),
        fiche: Some(crate::domain::diagnostic::outcome::FicheLink {
            slug: fiche.meta.slug.clone(),
            title: fiche.meta.title.clone(),
        }),
        professional: incident.provider_can_help,
    })
}
