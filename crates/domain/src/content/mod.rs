//! Reviewed content: the registry of contacts, the fiches (réflexes for each threat, pratiques
//! and mémos for prevention) and the quizzes. Every page, email and answer that gives advice
//! draws it from here; [`check`] says whether a library may be published. Pure: the files are
//! given, never read here.

pub mod check;
pub mod contacts;
pub mod editorial;
pub mod fiche;
pub mod quiz;
pub mod search;

use std::collections::BTreeMap;

pub use check::{ContentError, check};
pub use contacts::{Channel, Contact, Contacts};
pub use fiche::{Fiche, Kind};
pub use quiz::Quiz;

/// Everything published, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    pub contacts: Contacts,
    /// By slug.
    pub fiches: BTreeMap<String, Fiche>,
    /// By theme.
    pub quizzes: BTreeMap<String, Quiz>,
    /// The slug of each incident type's fiche réflexe.
    reflexes: BTreeMap<String, String>,
}

/// One file of the library: its path under `fixtures/content/` and its text.
pub struct File<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

impl Library {
    /// Reads the files of a library (`contacts.toml`, `fiches/*.md`, `quiz/*.toml`); every file
    /// that cannot be read is named, with the reason in French.
    pub fn read<'a>(files: impl IntoIterator<Item = File<'a>>) -> Result<Self, Vec<ContentError>> {
        let mut library = Self::default();
        let mut errors = Vec::new();
        let mut failed = |path: &str, reason: String| {
            errors.push(ContentError {
                at: path.to_owned(),
                reason,
            });
        };
        for File { path, text } in files {
            if path == "contacts.toml" {
                match Contacts::parse(text) {
                    Ok(contacts) => library.contacts = contacts,
                    Err(reason) => failed(path, reason),
                }
            } else if let Some(name) = path
                .strip_prefix("fiches/")
                .and_then(|p| p.strip_suffix(".md"))
            {
                match Fiche::parse(text) {
                    Ok(fiche) if fiche.meta.slug != name => failed(
                        path,
                        format!(
                            "le slug « {} » doit être le nom du fichier (« {name} »)",
                            fiche.meta.slug
                        ),
                    ),
                    Ok(fiche) => {
                        library.fiches.insert(name.to_owned(), fiche);
                    }
                    Err(reason) => failed(path, reason),
                }
            } else if let Some(name) = path
                .strip_prefix("quiz/")
                .and_then(|p| p.strip_suffix(".toml"))
            {
                match Quiz::parse(text) {
                    Ok(quiz) => {
                        library.quizzes.insert(name.to_owned(), quiz);
                    }
                    Err(reason) => failed(path, reason),
                }
            }
        }
        for fiche in library.fiches.values() {
            if fiche.meta.kind == Kind::Reflexe {
                for incident in &fiche.meta.incidents {
                    library
                        .reflexes
                        .entry(incident.clone())
                        .or_insert_with(|| fiche.meta.slug.clone());
                }
            }
        }
        if errors.is_empty() {
            Ok(library)
        } else {
            Err(errors)
        }
    }

    /// The fiche réflexe of an incident type.
    pub fn reflexe_for(&self, incident: &str) -> Option<&Fiche> {
        self.fiches.values().find(|f| {
            f.meta.kind == Kind::Reflexe && f.meta.incidents.iter().any(|i| i == incident)
        })
    }

    /// A fiche's contacts from the registry, in its order; those serving `audience` when given.
    pub fn contacts_of<'a>(
        &'a self,
        fiche: &'a Fiche,
        audience: Option<crate::audience::Audience>,
    ) -> impl Iterator<Item = &'a Contact> {
        fiche
            .meta
            .contacts
            .iter()
            .filter_map(|id| self.contacts.get(id))
            .filter(move |c| audience.is_none_or(|a| c.serves(a)))
    }

    pub fn fiche(&self, slug: &str) -> Option<&Fiche> {
        self.fiches.get(slug)
    }
}

/// A TOML error in French words, with its line.
pub(crate) fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|span| {
        text.get(..span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1
    });
    match line {
        Some(line) => format!("{} (ligne {line})", e.message()),
        None => e.message().to_owned(),
    }
}

/// The library shipped in `fixtures/content/`, read from disk (tests only: the service embeds
/// it).
#[cfg(test)]
pub(crate) fn shipped_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/content");
    let read = |path: &std::path::Path| std::fs::read_to_string(path).unwrap();
    let mut files = vec![(
        "contacts.toml".to_owned(),
        read(&root.join("contacts.toml")),
    )];
    for dir in ["fiches", "quiz"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for name in names {
            files.push((format!("{dir}/{name}"), read(&root.join(dir).join(&name))));
        }
    }
    files
}

#[cfg(test)]
pub(crate) fn read_files(files: &[(String, String)]) -> Library {
    Library::read(files.iter().map(|(path, text)| File { path, text })).unwrap()
}
