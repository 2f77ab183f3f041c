//! A fiche as written: a TOML front matter between `+++` lines, then Markdown whose `##`
//! sections are read into lists (the steps, the evidence, …) so that every page, email and
//! answer takes them from here.

use chrono::NaiveDate;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audience::Audience;

/// A fiche réflexe answers a threat; fiches pratiques and mémos are for prevention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Reflexe,
    Pratique,
    Memo,
}

impl Kind {
    pub const ALL: [Self; 3] = [Self::Reflexe, Self::Pratique, Self::Memo];

    pub fn code(self) -> &'static str {
        match self {
            Self::Reflexe => "reflexe",
            Self::Pratique => "pratique",
            Self::Memo => "memo",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reflexe => "Fiche réflexe",
            Self::Pratique => "Fiche pratique",
            Self::Memo => "Mémo",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// The front matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub slug: String,
    pub kind: Kind,
    pub title: String,
    /// One sentence, for lists.
    pub summary: String,
    /// A fiche réflexe: the incident types it answers.
    #[serde(default)]
    pub incidents: Vec<String>,
    /// Prevention themes.
    #[serde(default)]
    pub themes: Vec<String>,
    pub audiences: Vec<Audience>,
    /// Ids of the contacts registry, in the order shown.
    #[serde(default)]
    pub contacts: Vec<String>,
    /// A person (the chat with a police officer or gendarme) should be talked to.
    #[serde(default)]
    pub talk_to_a_person: bool,
    pub sources: Vec<Source>,
    #[serde(default = "licence_ouverte")]
    pub licence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// The last day an editor re-read it.
    pub reviewed_on: NaiveDate,
}

fn licence_ouverte() -> String {
    "Licence Ouverte 2.0".into()
}

/// The `##` sections of a fiche réflexe, in the order they must come.
pub const EN_BREF: &str = "En bref";
pub const SIGNES: &str = "Les signes";
pub const MAINTENANT: &str = "Que faire maintenant";
pub const PREUVES: &str = "Les preuves à garder";
pub const JAMAIS: &str = "Ce qu'il ne faut pas faire";
pub const EVITER: &str = "Pour éviter que cela se reproduise";
pub const DANGER: &str = "Si vous êtes en danger";
pub const REFLEXE_SECTIONS: [&str; 7] =
    [EN_BREF, SIGNES, MAINTENANT, PREUVES, JAMAIS, EVITER, DANGER];

/// One `##` section: its paragraphs and its list's items, as text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<String>,
    /// The list is numbered.
    pub ordered: bool,
}

impl Section {
    /// Every sentence of the section (paragraphs and items), for the readability budget.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.paragraphs
            .iter()
            .chain(&self.items)
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fiche {
    pub meta: Meta,
    /// The Markdown after the front matter.
    pub markdown: String,
    pub sections: Vec<Section>,
    /// Every link written in the Markdown.
    pub links: Vec<String>,
    /// Title, summary and text folded (lower case, no accents), for the search.
    pub folded: String,
    /// The sections' lists, read once (pages and answers read them on every request).
    lists: Lists,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Lists {
    intro: Vec<String>,
    signs: Vec<String>,
    steps: Vec<String>,
    evidence: Vec<String>,
    never: Vec<String>,
    prevention: Vec<String>,
    danger: Vec<String>,
}

impl Fiche {
    /// Reads a fiche; the message says what is wrong, with the line when it is the front matter.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let rest = text
            .strip_prefix("+++\n")
            .or_else(|| text.strip_prefix("+++\r\n"))
            .ok_or("la fiche doit commencer par son en-tête, entre deux lignes « +++ »")?;
        let end = rest
            .find("\n+++")
            .ok_or("l'en-tête n'est pas fermé par une ligne « +++ »")?;
        // A blank first line stands for the opening `+++`, so that errors name the file's lines.
        let front = format!("\n{}", &rest[..=end]);
        let markdown = rest[end + 4..].trim_start_matches(['\r', '\n']).to_owned();
        let meta: Meta = toml::from_str(&front).map_err(|e| super::toml_message(&front, &e))?;
        let (sections, links) = sections_of(&markdown);
        let folded = crate::text::fold(&format!("{} {} {markdown}", meta.title, meta.summary));
        let section = |heading: &str| sections.iter().find(|s| same_words(&s.heading, heading));
        let items = |heading: &str| {
            section(heading)
                .map(|s| s.items.clone())
                .unwrap_or_default()
        };
        let lists = Lists {
            intro: section(EN_BREF)
                .map(|s| s.paragraphs.clone())
                .unwrap_or_default(),
            signs: items(SIGNES),
            steps: items(MAINTENANT),
            evidence: items(PREUVES),
            never: items(JAMAIS),
            prevention: items(EVITER),
            danger: section(DANGER)
                .map(|s| s.paragraphs.iter().chain(&s.items).cloned().collect())
                .unwrap_or_default(),
        };
        Ok(Self {
            meta,
            markdown,
            sections,
            links,
            folded,
            lists,
        })
    }

    pub fn section(&self, heading: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| same_words(&s.heading, heading))
    }

    /// What it is, in the victim's words.
    pub fn intro(&self) -> &[String] {
        &self.lists.intro
    }

    pub fn signs(&self) -> &[String] {
        &self.lists.signs
    }

    /// What to do now, in order.
    pub fn steps(&self) -> &[String] {
        &self.lists.steps
    }

    pub fn evidence(&self) -> &[String] {
        &self.lists.evidence
    }

    pub fn never(&self) -> &[String] {
        &self.lists.never
    }

    pub fn prevention(&self) -> &[String] {
        &self.lists.prevention
    }

    /// What to do if a person is in danger: the only place a fiche names 17 or 112.
    pub fn danger(&self) -> &[String] {
        &self.lists.danger
    }
}

/// Headings compared as a reader would: typographic apostrophes and spaces do not count.
pub fn same_words(a: &str, b: &str) -> bool {
    normalise(a) == normalise(b)
}

/// Lower case, straight apostrophes, single spaces, no final punctuation: for comparing
/// headings and finding a step written twice.
pub fn normalise(text: &str) -> String {
    text.replace('’', "'")
        .replace(['\u{a0}', '\u{202f}'], " ")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', ';', ':', '!'])
        .to_owned()
}

/// The `##` sections and every link of a fiche's Markdown.
fn sections_of(markdown: &str) -> (Vec<Section>, Vec<String>) {
    let mut sections: Vec<Section> = Vec::new();
    let mut links = Vec::new();
    let mut text = String::new();
    // Depth of lists: only the items of the first level are the section's items.
    let mut depth = 0usize;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => text.clear(),
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                sections.push(Section {
                    heading: text.trim().to_owned(),
                    ..Section::default()
                });
                text.clear();
            }
            Event::Start(Tag::List(first)) => {
                depth += 1;
                // Numbered only when every list of the section is.
                if depth == 1
                    && let Some(section) = sections.last_mut()
                {
                    section.ordered =
                        first.is_some() && (section.items.is_empty() || section.ordered);
                }
            }
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Item) if depth == 1 => text.clear(),
            Event::Start(Tag::Paragraph) if depth == 0 => text.clear(),
            Event::End(TagEnd::Paragraph) if depth == 1 => text.push(' '),
            Event::End(TagEnd::Item) if depth == 1 => {
                if let Some(section) = sections.last_mut()
                    && !text.trim().is_empty()
                {
                    section.items.push(text.trim().to_owned());
                }
                text.clear();
            }
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                if let Some(section) = sections.last_mut()
                    && !text.trim().is_empty()
                {
                    section.paragraphs.push(text.trim().to_owned());
                }
                text.clear();
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Text(t) | Event::Code(t) if depth <= 1 => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if depth <= 1 => text.push(' '),
            _ => {}
        }
    }
    (sections, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FICHE: &str = "+++
slug = \"essai\"
kind = \"reflexe\"
title = \"Essai\"
summary = \"Un essai.\"
incidents = [\"hameconnage\"]
audiences = [\"particulier\"]
contacts = [\"perceval\"]
sources = [{ title = \"Source\", url = \"https://example.gouv.fr\" }]
reviewed_on = \"2026-12-05\"
+++

## En bref

Ce qui arrive,
sur deux lignes.

## Que faire maintenant

1. Faites **opposition**.
2. Signalez-le sur [Perceval](https://www.service-public.fr/x).
   - un détail qui n'est pas une étape

## Ce qu’il ne faut pas faire

- Ne payez pas.
";

    #[test]
    fn a_fiche_reads_into_its_sections() {
        let fiche = Fiche::parse(FICHE).unwrap();
        assert_eq!(fiche.meta.slug, "essai");
        assert_eq!(fiche.meta.licence, "Licence Ouverte 2.0");
        assert_eq!(fiche.intro(), vec!["Ce qui arrive, sur deux lignes."]);
        assert_eq!(
            fiche.steps(),
            vec!["Faites opposition.", "Signalez-le sur Perceval."]
        );
        assert!(fiche.section(MAINTENANT).unwrap().ordered);
        // The typographic apostrophe of the heading is the same heading.
        assert_eq!(fiche.never(), vec!["Ne payez pas."]);
        assert_eq!(fiche.links, vec!["https://www.service-public.fr/x"]);
    }

    #[test]
    fn a_fiche_without_its_header_is_refused_in_french() {
        assert!(
            Fiche::parse("## En bref\n")
                .unwrap_err()
                .contains("en-tête")
        );
        let unknown = FICHE.replace("kind = \"reflexe\"", "kind = \"autre\"");
        assert!(
            Fiche::parse(&unknown).unwrap_err().contains("ligne 3"),
            "{}",
            Fiche::parse(&unknown).unwrap_err()
        );
    }
}
