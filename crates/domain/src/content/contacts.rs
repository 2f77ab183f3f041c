//! The registry of every organisation a victim may be sent to: one place to fix a number.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audience::Audience;

/// How the victim reaches a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A telephone number (`tel:`).
    Tel,
    /// A page on the web (`https://`).
    Web,
    /// A text message (`sms:`).
    Sms,
    /// A person or place of the victim's own: their bank, insurer, host (no link).
    Place,
}

impl Channel {
    /// The scheme its link must use; none for a place (whose link, if any, is a page).
    pub fn scheme(self) -> Option<&'static str> {
        match self {
            Self::Tel => Some("tel:"),
            Self::Web => Some("https://"),
            Self::Sms => Some("sms:"),
            Self::Place => None,
        }
    }
}

/// One contact, as checked against its official source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The registry's id (the key of its table), e.g. `perceval`.
    #[serde(default)]
    pub id: String,
    /// What the victim sees.
    pub name: String,
    /// What it is for, in one line.
    pub what: String,
    pub channel: Channel,
    /// `tel:+33…`, `sms:…` or `https://` of the right page; none for a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// What the link says (the number, for a telephone).
    pub display: String,
    /// When it answers.
    pub hours: String,
    pub cost: String,
    /// An emergency line (17, 112, 114): shown only when a person is in danger or an attack
    /// is under way on an organisation.
    #[serde(default)]
    pub emergency: bool,
    pub audiences: Vec<Audience>,
    /// The official page where the number, link and hours were checked.
    pub source: String,
    pub checked_on: NaiveDate,
}

impl Contact {
    pub fn serves(&self, audience: Audience) -> bool {
        self.audiences.contains(&audience)
    }
}

/// Every contact, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contacts(BTreeMap<String, Contact>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    contact: BTreeMap<String, Contact>,
}

impl Contacts {
    /// Reads `contacts.toml`; the message names the line when the text is not a registry.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| super::toml_message(text, &e))?;
        Ok(Self(
            file.contact
                .into_iter()
                .map(|(id, mut contact)| {
                    contact.id.clone_from(&id);
                    (id, contact)
                })
                .collect(),
        ))
    }

    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.0.get(id)
    }

    pub fn all(&self) -> impl Iterator<Item = &Contact> {
        self.0.values()
    }
}
