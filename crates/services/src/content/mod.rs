//! The reviewed content (contacts, fiches, quizzes): the library shipped in
//! `fixtures/content/`, checked at start-up, and each fiche rendered once to HTML.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_embed::RustEmbed;

pub mod advice;
pub mod archive;
pub mod pdf;
pub mod store;

use crate::domain::content::{self, ContentError, File, Library};
use crate::domain::taxonomy::Taxonomy;

#[derive(RustEmbed)]
#[folder = "../../fixtures/content/"]
struct Shipped;

/// The library in force and each fiche's page body, rendered once.
pub struct Content {
    pub library: Library,
    /// By slug: the fiche's `##` sections as clean HTML.
    pub html: BTreeMap<String, Vec<SectionHtml>>,
    /// Whole pages the web layer rendered for visitors without a session, by its key: a
    /// published fiche never changes, so its page is rendered once.
    pub pages: crate::cache::AnswerCache<bytes::Bytes>,
    /// Each fiche as a PDF, by slug, and the awareness kit: made when the version is published.
    pub pdfs: BTreeMap<String, bytes::Bytes>,
    pub kit: bytes::Bytes,
    /// The library's files as published (`contacts.toml`, `fiches/*.md`, `quiz/*.toml`).
    pub files: Vec<(String, String)>,
    /// The open-data archive, built on its first download.
    archive: std::sync::OnceLock<bytes::Bytes>,
    /// The change counter it was read at (`shipped` before the database is read): what is
    /// kept from it elsewhere is kept under this name.
    pub revision: String,
    /// The incident types with their fiche's steps and contacts (`GET /api/v1/incident-types`).
    pub incident_types: Vec<crate::domain::taxonomy::IncidentType>,
}

/// The awareness kit's file name (without `.pdf`).
pub const KIT: &str = "kit-de-sensibilisation";

/// One `##` section of a fiche, rendered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionHtml {
    pub heading: String,
    /// The section's anchor on the page.
    pub id: String,
    /// Its body (without the heading) as clean HTML.
    pub html: String,
}

impl Content {
    /// The open-data archive (see [`archive`]), built once.
    pub fn archive(&self) -> Result<bytes::Bytes, crate::error::AppError> {
        if let Some(built) = self.archive.get() {
            return Ok(built.clone());
        }
        let built = bytes::Bytes::from(archive::build(self)?);
        Ok(self.archive.get_or_init(|| built).clone())
    }

    /// Reads and checks `files`: what prevents their use, in French, one line per problem.
    pub fn read(
        files: Vec<(String, String)>,
        taxonomy: &Taxonomy,
        revision: String,
    ) -> Result<Self, String> {
        read_checked(&files, taxonomy)
            .map(|library| Self::new(library, files, taxonomy, revision))
            .map_err(|errors| {
                errors
                    .iter()
                    .map(|e| format!("{} : {}", e.at, e.reason))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
    }

    pub fn new(
        library: Library,
        files: Vec<(String, String)>,
        taxonomy: &Taxonomy,
        revision: String,
    ) -> Self {
        let mut advised = taxonomy.clone();
        advise(&mut advised, &library);
        let html = library
            .fiches
            .iter()
            .map(|(slug, fiche)| (slug.clone(), sections(&fiche.markdown)))
            .collect();
        let pdfs = library
            .fiches
            .iter()
            .map(|(slug, fiche)| (slug.clone(), pdf::fiche(fiche, &library).into()))
            .collect();
        let kit = pdf::kit(&library).into();
        Self {
            pdfs,
            kit,
            library,
            html,
            pages: crate::cache::AnswerCache::new(),
            files: files
                .into_iter()
                .filter(|(path, _)| path != "README.md")
                .collect(),
            archive: std::sync::OnceLock::new(),
            revision,
            incident_types: advised.all().to_vec(),
        }
    }
}

/// A fiche's Markdown cut at its `##` headings, each part rendered.
pub fn sections(markdown: &str) -> Vec<SectionHtml> {
    let mut parts: Vec<(String, String)> = Vec::new();
    for line in markdown.lines() {
        match line.strip_prefix("## ") {
            Some(heading) => parts.push((heading.trim().to_owned(), String::new())),
            None => {
                if parts.is_empty() {
                    parts.push((String::new(), String::new()));
                }
                if let Some((_, body)) = parts.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    parts
        .into_iter()
        .filter(|(heading, body)| !(heading.is_empty() && body.trim().is_empty()))
        .map(|(heading, body)| SectionHtml {
            id: crate::domain::text::slug(&heading),
            heading,
            html: render(&body),
        })
        .collect()
}

/// The files of the shipped library, as `(path, text)`.
pub fn shipped_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Shipped::iter()
        .filter_map(|path| {
            let file = Shipped::get(&path)?;
            let text = String::from_utf8(file.data.into_owned()).ok()?;
            Some((path.into_owned(), text))
        })
        .collect();
    files.sort();
    files
}

/// Reads and checks a library's files: what prevents its publication, in French.
pub fn read_checked(
    files: &[(String, String)],
    taxonomy: &Taxonomy,
) -> Result<Library, Vec<ContentError>> {
    let library = Library::read(files.iter().map(|(path, text)| File { path, text }))?;
    let errors = content::check(&library, taxonomy);
    if errors.is_empty() {
        Ok(library)
    } else {
        Err(errors)
    }
}

/// The shipped library, checked: the service does not start with advice that fails the rules.
pub fn shipped(taxonomy: &Taxonomy) -> Result<Arc<Content>, String> {
    Content::read(shipped_files(), taxonomy, "shipped".into()).map(Arc::new)
}

/// Gives each incident type the advice and contacts of its fiche réflexe, so that the API's
/// incident types say what the pages say.
pub fn advise(taxonomy: &mut Taxonomy, library: &Library) {
    taxonomy.advise(|t| {
        let fiche = library.reflexe_for(&t.code)?;
        let contacts = library
            .contacts_of(fiche, None)
            .map(crate::domain::diagnostic::outcome::redirection_of)
            .collect();
        Some((fiche.steps().join(" "), contacts, fiche.meta.slug.clone()))
    });
}

/// A fiche's Markdown as HTML, keeping only text formatting, lists, headings and links
/// (`https:` and `tel:` only): a fiche's text is never trusted to carry markup of its own.
pub fn render(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(markdown));
    ammonia::Builder::default()
        .url_schemes(["https", "tel"].into())
        .link_rel(Some("noopener"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_unsafe_links_are_removed() {
        let html = render(
            "## Titre\n\n1. [Appeler](tel:+33805805817) <script>alert(1)</script>\n2. [piège](javascript:alert(1)) [http](http://exemple.fr)\n",
        );
        assert!(html.contains("<h2>Titre</h2>"), "{html}");
        assert!(
            html.contains(r#"<a href="tel:+33805805817" rel="noopener">Appeler</a>"#),
            "{html}"
        );
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("http://"), "{html}");
    }

    #[test]
    fn the_shipped_library_is_embedded_and_passes() {
        let taxonomy = Taxonomy::from_fixture().unwrap();
        let content = shipped(&taxonomy).unwrap();
        assert_eq!(content.library.fiches.len(), content.html.len());
        assert!(content.library.contacts.get("perceval").is_some());
        let steps = &content.html["rancongiciel"][2];
        assert_eq!(steps.heading, "Que faire maintenant");
        assert_eq!(steps.id, "que-faire-maintenant");
        assert!(steps.html.starts_with("<ol>"), "{}", steps.html);
    }
}
