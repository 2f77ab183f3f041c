//! The incident taxonomy (fixtures/incident_types.json, compiled into the binary).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audience::Audience;
use super::matching::IncidentSet;

const FIXTURE: &str = include_str!("../../../fixtures/incident_types.json");

/// A service a victim can be redirected to (Pharos, 33700, Perceval, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Redirection {
    pub name: String,
    /// The number or address as read aloud.
    pub contact: String,
    /// A `tel:`, `sms:`, `mailto:` or `https://` link, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// What it is for (a contact of the registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// When it answers (a contact of the registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

/// The link schemes a redirection may use: nothing that runs script or leaves the official web.
pub fn is_safe_link(href: &str) -> bool {
    ["tel:", "sms:", "mailto:", "https://"]
        .iter()
        .any(|scheme| href.starts_with(scheme))
        && !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<')
}

/// A category as read on a page (categories are codes in the taxonomy).
pub fn category_label(code: &str) -> String {
    match code {
        "escroquerie" => "Escroqueries".into(),
        "compte_et_identite" => "Comptes et identité".into(),
        "logiciel_malveillant" => "Logiciels malveillants".into(),
        "harcelement_et_contenus" => "Harcèlement et contenus".into(),
        "donnees" => "Données".into(),
        "materiel_et_reseau" => "Matériel et réseaux".into(),
        "site_et_service" => "Sites et services en ligne".into(),
        other => {
            let mut chars = other.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars)
                    .collect::<String>()
                    .replace('_', " "),
                None => String::new(),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentType {
    /// Stable code, e.g. `rancongiciel`.
    pub code: String,
    /// French label shown to victims.
    pub label: String,
    pub category: String,
    /// The audiences this threat concerns.
    pub audiences: Vec<Audience>,
    /// False when only advice and redirection apply.
    pub provider_can_help: bool,
    /// What to do now, from the type's fiche réflexe (filled at start-up, see [`Taxonomy::advise`]).
    #[serde(default)]
    pub advice: String,
    /// Whom to turn to, from the fiche's contacts.
    #[serde(default)]
    pub redirections: Vec<Redirection>,
    /// The slug of the type's fiche réflexe (`/fiches/{slug}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiche: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("fixtures/incident_types.json is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("fixtures/incident_types.json: {0}")]
    Invalid(String),
}

/// The taxonomy in its published order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    types: Vec<IncidentType>,
}

impl Taxonomy {
    pub fn from_fixture() -> Result<Self, TaxonomyError> {
        Self::parse(FIXTURE)
    }

    pub fn parse(json: &str) -> Result<Self, TaxonomyError> {
        let types: Vec<IncidentType> = serde_json::from_str(json)?;
        if types.len() > IncidentSet::CAPACITY {
            return Err(TaxonomyError::Invalid(format!(
                "{} types, at most {} supported",
                types.len(),
                IncidentSet::CAPACITY
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for t in &types {
            if !seen.insert(t.code.as_str()) {
                return Err(TaxonomyError::Invalid(format!("duplicate code {}", t.code)));
            }
            if let Some(r) = t
                .redirections
                .iter()
                .find(|r| r.href.as_deref().is_some_and(|h| !is_safe_link(h)))
            {
                return Err(TaxonomyError::Invalid(format!(
                    "{}: the link of {} is not tel:, sms:, mailto: or https://",
                    t.code, r.name
                )));
            }
        }
        Ok(Self { types })
    }

    /// Gives each type the advice of its fiche réflexe: the steps as one text, the contacts, the
    /// fiche's slug. The fiches are the one source: the fixture holds no advice.
    pub fn advise(
        &mut self,
        fiche_of: impl Fn(&IncidentType) -> Option<(String, Vec<Redirection>, String)>,
    ) {
        for t in &mut self.types {
            if let Some((advice, redirections, slug)) = fiche_of(t) {
                t.advice = advice;
                t.redirections = redirections;
                t.fiche = Some(slug);
            }
        }
    }

    pub fn all(&self) -> &[IncidentType] {
        &self.types
    }

    /// The categories, each once, in the order their first type is published.
    pub fn categories(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for t in &self.types {
            if !seen.contains(&t.category.as_str()) {
                seen.push(&t.category);
            }
        }
        seen
    }

    /// The type's position, which is also its bit in an [`IncidentSet`].
    pub fn position(&self, code: &str) -> Option<usize> {
        self.types.iter().position(|t| t.code == code)
    }

    pub fn get(&self, code: &str) -> Option<&IncidentType> {
        self.types.iter().find(|t| t.code == code)
    }

    pub fn set_of<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> IncidentSet {
        let mut set = IncidentSet::default();
        for code in codes {
            if let Some(bit) = self.position(code) {
                set.insert(bit);
            }
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_has_the_core_threats() {
        let taxonomy = Taxonomy::from_fixture().unwrap();
        assert!((40..=50).contains(&taxonomy.all().len()));
        for code in [
            "rancongiciel",
            "hameconnage",
            "piratage_compte",
            "faux_support_technique",
            "defiguration_site",
            "deni_de_service",
            "fuite_de_donnees",
            "sextorsion",
            "usurpation_identite",
        ] {
            assert!(taxonomy.get(code).is_some(), "{code} missing");
        }
        assert!(taxonomy.all().iter().all(|t| !t.audiences.is_empty()));
        assert!(!taxonomy.get("sextorsion").unwrap().provider_can_help);
    }
}
