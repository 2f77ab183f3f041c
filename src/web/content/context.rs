//! The typed contexts of the fiches' pages.

use serde::Serialize;

use crate::content::SectionHtml;
use crate::domain::content::Contact;
use crate::web::kit::Choice;

#[derive(Serialize)]
pub(super) struct ListPage {
    pub count: usize,
    pub fiches: Vec<FicheCard>,
    /// A search or a filter is applied (the page says how many match).
    pub filtered: bool,
    pub q: String,
    pub audiences: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub threats: Vec<Choice>,
    /// The quizzes, by title: (address, title).
    pub quizzes: Vec<QuizLink>,
}

#[derive(Serialize)]
pub(super) struct QuizLink {
    pub href: String,
    pub title: String,
}

#[derive(Serialize)]
pub(super) struct FicheCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub kind: &'static str,
    pub threats: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct FichePage<'a> {
    pub slug: &'a str,
    /// The fiche's title (`title` is the page's, with the service's name).
    pub heading: &'a str,
    pub summary: &'a str,
    pub kind: &'static str,
    pub reflexe: bool,
    pub audiences: Vec<&'static str>,
    pub sections: &'a [SectionHtml],
    /// The section after which the contacts are shown.
    pub contacts_after: &'static str,
    pub contacts: Vec<ContactCard>,
    pub talk_to_a_person: bool,
    pub sources: Vec<SourceLine<'a>>,
    pub licence: &'a str,
    pub attribution: Option<&'a str>,
    pub reviewed_on: String,
    pub reviewed_iso: String,
    pub quiz: Option<String>,
    /// An editor's preview of a version not published.
    pub preview: bool,
}

#[derive(Serialize)]
pub(crate) struct SourceLine<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// A contact of the registry as a victim reads it.
#[derive(Serialize)]
pub struct ContactCard {
    pub name: String,
    pub what: String,
    pub href: Option<String>,
    pub display: String,
    pub hours: String,
    pub cost: String,
    pub phone: bool,
}

impl ContactCard {
    pub fn of(c: &Contact) -> Self {
        Self {
            name: c.name.clone(),
            what: c.what.clone(),
            href: c.href.clone(),
            display: c.display.clone(),
            hours: c.hours.clone(),
            cost: c.cost.clone(),
            phone: c.href.as_deref().is_some_and(|h| h.starts_with("tel:")),
        }
    }
}
