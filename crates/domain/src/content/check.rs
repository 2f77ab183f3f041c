//! What a library must satisfy before it is published (and at start-up, and by `cyberdir
//! content check`):
//! - every incident type has exactly one fiche réflexe; every contact a fiche or a quiz names
//!   exists;
//! - every link is `https://` or `tel:` (`sms:` for a contact reached by text message);
//! - no emergency number (17, 112, 114, or an emergency contact) on a fiche outside its "Si vous
//!   êtes en danger" section: emergency lines come only with urgent outcomes of the diagnostic;
//! - a fiche réflexe has its sections in order, the steps numbered, no item written twice in one
//!   list;
//! - plain French: no sentence over [`MAX_WORDS`] words, and at most [`MEAN_WORDS`] words a
//!   sentence on average over a fiche (the budget of the State's plain-language guides: one idea
//!   a sentence, 15 to 20 words).

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::fiche::{self, DANGER, Fiche, Kind, MAINTENANT, REFLEXE_SECTIONS, normalise};
use super::{Channel, Library};
use crate::taxonomy::Taxonomy;

/// The longest sentence allowed, in words.
pub const MAX_WORDS: usize = 25;
/// The longest average sentence over a fiche, in words.
pub const MEAN_WORDS: f64 = 16.0;
/// The emergency numbers, as written in a text.
const EMERGENCY_NUMBERS: [&str; 3] = ["17", "112", "114"];

/// One reason a library cannot be published, in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContentError {
    /// The file or item concerned.
    pub at: String,
    pub reason: String,
}

pub fn check(library: &Library, taxonomy: &Taxonomy) -> Vec<ContentError> {
    let mut errors = Vec::new();
    let mut error = |at: &str, reason: String| {
        errors.push(ContentError {
            at: at.to_owned(),
            reason,
        })
    };
    for contact in library.contacts.all() {
        let at = format!("contacts.toml [contact.{}]", contact.id);
        // A place (the victim's bank, a commissariat) may link to a page that explains it.
        let scheme = contact.channel.scheme().unwrap_or("https://");
        match &contact.href {
            Some(href) if !href.starts_with(scheme) || href.len() <= scheme.len() => error(
                &at,
                format!("le lien « {href} » doit commencer par « {scheme} »"),
            ),
            None if contact.channel != Channel::Place => {
                error(&at, "il manque le lien (href)".into())
            }
            _ => {}
        }
        if !contact.source.starts_with("https://") {
            error(
                &at,
                format!("la source « {} » doit être en https://", contact.source),
            );
        }
        if contact.audiences.is_empty() {
            error(&at, "indiquez au moins un public".into());
        }
    }
    for incident in taxonomy.all() {
        let fiches: Vec<&str> = library
            .fiches
            .values()
            .filter(|f| f.meta.kind == Kind::Reflexe && f.meta.incidents.contains(&incident.code))
            .map(|f| f.meta.slug.as_str())
            .collect();
        match fiches.as_slice() {
            [_] => {}
            [] => error(
                "fiches",
                format!(
                    "le type d'incident « {} » n'a pas de fiche réflexe",
                    incident.code
                ),
            ),
            many => error(
                "fiches",
                format!(
                    "le type d'incident « {} » a plusieurs fiches réflexes : {}",
                    incident.code,
                    many.join(", ")
                ),
            ),
        }
    }
    for fiche in library.fiches.values() {
        let at = format!("fiches/{}.md", fiche.meta.slug);
        for reason in fiche_errors(library, taxonomy, fiche) {
            error(&at, reason);
        }
    }
    for (theme, quiz) in &library.quizzes {
        let at = format!("quiz/{theme}.toml");
        if library.fiche(&quiz.fiche).is_none() {
            error(&at, format!("la fiche « {} » n'existe pas", quiz.fiche));
        }
        if quiz.questions.is_empty() {
            error(&at, "le quiz n'a pas de question".into());
        }
        for (n, q) in quiz.questions.iter().enumerate() {
            if q.answer >= q.choices.len() || q.choices.len() < 2 {
                error(
                    &at,
                    format!(
                        "question {} : la bonne réponse doit être l'un des choix",
                        n + 1
                    ),
                );
            }
        }
    }
    errors
}

fn fiche_errors(library: &Library, taxonomy: &Taxonomy, fiche: &Fiche) -> Vec<String> {
    let mut errors = Vec::new();
    let meta = &fiche.meta;
    if meta.audiences.is_empty() {
        errors.push("indiquez au moins un public".into());
    }
    if meta.sources.is_empty() {
        errors.push("indiquez au moins une source".into());
    }
    for code in &meta.incidents {
        if taxonomy.get(code).is_none() {
            errors.push(format!("le type d'incident « {code} » n'existe pas"));
        }
    }
    for id in &meta.contacts {
        match library.contacts.get(id) {
            None => errors.push(format!("le contact « {id} » n'existe pas dans le registre")),
            Some(contact) if contact.emergency => errors.push(format!(
                "le contact d'urgence « {id} » ne figure que dans les résultats urgents du diagnostic ou dans « {DANGER} »"
            )),
            Some(_) => {}
        }
    }
    let links = meta.sources.iter().map(|s| &s.url).chain(&fiche.links);
    for link in links {
        if !(link.starts_with("https://") || link.starts_with("tel:")) {
            errors.push(format!("le lien « {link} » doit être en https:// ou tel:"));
        }
    }
    if meta.kind == Kind::Reflexe {
        errors.extend(reflexe_sections(fiche));
    }
    for section in &fiche.sections {
        let mut seen = BTreeSet::new();
        for item in &section.items {
            if !seen.insert(normalise(item)) {
                errors.push(format!(
                    "« {} » : « {item} » est écrit deux fois",
                    section.heading
                ));
            }
        }
        if !fiche::same_words(&section.heading, DANGER) {
            for text in section.texts() {
                if let Some(number) = emergency_number(text) {
                    errors.push(format!(
                        "« {} » : le numéro d'urgence {number} n'a sa place que dans « {DANGER} »",
                        section.heading
                    ));
                }
            }
        }
    }
    errors.extend(readability(fiche));
    errors
}

/// The sections of a fiche réflexe: the known ones, in order, the steps numbered.
fn reflexe_sections(fiche: &Fiche) -> Vec<String> {
    let mut errors = Vec::new();
    let mut last = None;
    for section in &fiche.sections {
        match REFLEXE_SECTIONS
            .iter()
            .position(|h| fiche::same_words(h, &section.heading))
        {
            None => errors.push(format!(
                "la section « {} » n'est pas une section de fiche réflexe ({})",
                section.heading,
                REFLEXE_SECTIONS.join(", ")
            )),
            Some(at) if last.is_some_and(|l| at <= l) => errors.push(format!(
                "la section « {} » n'est pas à sa place ({})",
                section.heading,
                REFLEXE_SECTIONS.join(", ")
            )),
            Some(at) => last = Some(at),
        }
    }
    for required in &REFLEXE_SECTIONS[..6] {
        if fiche.section(required).is_none() {
            errors.push(format!("il manque la section « {required} »"));
        }
    }
    match fiche.section(MAINTENANT) {
        Some(steps) if !steps.ordered || steps.items.is_empty() => errors.push(format!(
            "« {MAINTENANT} » est une liste numérotée (1. 2. 3.)"
        )),
        _ => {}
    }
    errors
}

/// An emergency number written as a word of `text` ("17Cyber" is not one).
pub fn emergency_number(text: &str) -> Option<&'static str> {
    text.split(|c: char| !c.is_alphanumeric())
        .find_map(|word| EMERGENCY_NUMBERS.into_iter().find(|n| *n == word))
}

/// The sentences of a text (a colon or a semicolon ends one too), with their number of words.
fn sentences(text: &str) -> impl Iterator<Item = (&str, usize)> {
    text.split_inclusive(['.', '!', '?', ';', ':'])
        .map(|s| {
            let words = s
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            (s.trim(), words)
        })
        .filter(|(_, n)| *n > 0)
}

fn readability(fiche: &Fiche) -> Vec<String> {
    let mut errors = Vec::new();
    let mut lengths = Vec::new();
    let texts = std::iter::once(fiche.meta.summary.as_str())
        .chain(fiche.sections.iter().flat_map(|s| s.texts()));
    for text in texts {
        for (sentence, n) in sentences(text) {
            if n > MAX_WORDS {
                errors.push(format!(
                    "phrase de {n} mots (au plus {MAX_WORDS}) : « {sentence} »"
                ));
            }
            lengths.push(n);
        }
    }
    if !lengths.is_empty() {
        let mean = lengths.iter().sum::<usize>() as f64 / lengths.len() as f64;
        if mean > MEAN_WORDS {
            errors.push(format!(
                "phrases trop longues : {mean:.1} mots en moyenne (au plus {MEAN_WORDS})"
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests;
