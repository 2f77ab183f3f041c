//! The diagnostic: a versioned tree of single-choice questions that leads a victim to an
//! outcome (the incident type, how urgent it is, what to do, who to call). The tree is written
//! in TOML (`fixtures/diagnostic/`), checked by [`check`] before it is used, and walked by
//! [`walk`]. Pure: no I/O.

pub mod check;
pub mod outcome;
pub mod walk;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audience::Audience;
use super::taxonomy::Redirection;

pub use check::{TreeError, check};
pub use outcome::{OutcomeView, outcome_view};
pub use walk::{Answers, Step, WalkError, walk};

/// The tree as written. Questions and outcomes are keyed by their id; the order of a question's
/// choices is the order shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// The published version, e.g. `2026-12-01`; a published version never changes.
    pub version: String,
    /// The first question (who is affected).
    pub start: String,
    #[serde(rename = "question")]
    pub questions: BTreeMap<String, Question>,
    #[serde(rename = "outcome")]
    pub outcomes: BTreeMap<String, Outcome>,
    /// What evidence to keep and what never to do, by incident category or by incident type (a
    /// type's own list replaces its category's).
    #[serde(default)]
    pub advice: BTreeMap<String, Advice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question as asked.
    pub text: String,
    /// A sentence under the question, when the choices need explaining.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Unique within its question; `ne_sais_pas` is "Je ne sais pas".
    pub id: String,
    pub label: String,
    /// The question this answer leads to…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// …or the outcome it ends with (exactly one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The audience this answer sets (the first question's choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// Offered only to these audiences (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<Audience>,
}

impl Choice {
    pub fn offered_to(&self, audience: Option<Audience>) -> bool {
        self.audiences.is_empty() || audience.is_some_and(|a| self.audiences.contains(&a))
    }
}

/// How soon the victim must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Act now: the attack is ongoing or money can still be stopped.
    Immediate,
    /// Act today.
    Prompt,
    /// No emergency: follow the advice calmly.
    Standard,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Prompt => "prompt",
            Self::Standard => "standard",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Immediate, Self::Prompt, Self::Standard]
            .into_iter()
            .find(|u| u.code() == code)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Immediate => "Urgent : agissez maintenant",
            Self::Prompt => "À faire aujourd'hui",
            Self::Standard => "Pas d'urgence immédiate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The incident type (a code of the taxonomy); none when it cannot be named yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    pub urgency: Urgency,
    /// The heading; by default the incident type's label. Required without an incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// First steps for this situation, shown before the incident type's advice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub now: Vec<String>,
    /// Whom to call for this situation, before the fiche's contacts: ids of the contacts
    /// registry (`fixtures/content/contacts.toml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<OutcomeContact>,
    /// Why the outcome is urgent: `immediate` exactly when one of these is stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<Because>,
    /// The fiche whose advice the outcome gives, when it is not its incident type's fiche
    /// réflexe (required without an incident type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiche: Option<String>,
    /// Without an incident type: whether a professional can help all the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professional: Option<bool>,
    /// Without an incident type: the evidence to keep and what never to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
}

/// A contact an outcome adds for its situation: an id of the contacts registry; trees published
/// before the registry wrote their contacts in full, and are still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum OutcomeContact {
    Registry(String),
    Inline(Contact),
}

/// What makes a situation urgent (act now). Anything else waits for the day or is calm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Because {
    /// An attack is under way on an organisation (ransomware spreading, a site down).
    AttackUnderWay,
    /// Money was sent in the last hours: a recall of funds may still succeed.
    MoneyJustSent,
    /// Card details were entered or given: the card must be blocked now.
    CardDetailsEntered,
    /// A person is in danger.
    PersonInDanger,
}

impl Because {
    pub const ALL: [Self; 4] = [
        Self::AttackUnderWay,
        Self::MoneyJustSent,
        Self::CardDetailsEntered,
        Self::PersonInDanger,
    ];

    /// As written in the tree.
    pub fn code(self) -> &'static str {
        match self {
            Self::AttackUnderWay => "attack_under_way",
            Self::MoneyJustSent => "money_just_sent",
            Self::CardDetailsEntered => "card_details_entered",
            Self::PersonInDanger => "person_in_danger",
        }
    }
}

/// A redirection given for one situation, possibly to some audiences only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    /// The number or address as read aloud.
    pub contact: String,
    /// `tel:`, `sms:`, `mailto:` or `https://` link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<Audience>,
}

impl Contact {
    pub fn redirection(&self) -> Redirection {
        Redirection {
            name: self.name.clone(),
            contact: self.contact.clone(),
            href: self.href.clone(),
            what: None,
            hours: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    /// What to keep as evidence.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// What never to do.
    #[serde(default)]
    pub never: Vec<String>,
}

/// Reads a tree written in TOML; the message names the line when the text is not a tree.
pub fn parse(text: &str) -> Result<Tree, TreeError> {
    toml::from_str(text).map_err(|e| TreeError {
        at: "fichier".into(),
        reason: e.message().to_owned()
            + &e.span()
                .map(|span| format!(" (ligne {})", line_of(text, span.start)))
                .unwrap_or_default(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

/// The tree shipped with this build.
pub const SHIPPED: &str = include_str!("../../../../fixtures/diagnostic/tree.toml");

#[cfg(test)]
mod tests;
