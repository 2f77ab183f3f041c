//! The whole library as open data: one ZIP with the fiches in Markdown, their metadata and lists
//! in JSON, the contacts registry (TOML and JSON), the quizzes, and the licence. Built once per
//! library.

use std::io::Write;

use serde::Serialize;
use zip::write::SimpleFileOptions;

use super::Content;
use crate::domain::content::fiche::Meta;
use crate::domain::content::{Contact, Quiz};
use crate::error::AppError;

/// A fiche in `fiches.json`.
#[derive(Serialize)]
struct FicheRecord<'a> {
    #[serde(flatten)]
    meta: &'a Meta,
    intro: &'a [String],
    signs: &'a [String],
    steps: &'a [String],
    evidence: &'a [String],
    never: &'a [String],
    prevention: &'a [String],
    danger: &'a [String],
    markdown: String,
}

#[derive(Serialize)]
struct Index<'a> {
    licence: &'static str,
    licence_url: &'static str,
    fiches: Vec<FicheRecord<'a>>,
    contacts: Vec<&'a Contact>,
    quizzes: Vec<&'a Quiz>,
}

const README: &str = "# Fiches réflexes et conseils : données ouvertes\n\n\
Les fiches (réflexes, pratiques, mémos), le registre des contacts et les quiz, tels qu'ils sont publiés.\n\n\
- `fiches/*.md` : chaque fiche en Markdown, avec son en-tête TOML (entre deux lignes `+++`).\n\
- `fiches.json` : les fiches, leur en-tête et leurs listes (signes, étapes, preuves, ce qu'il ne faut pas faire, prévention, danger), les contacts et les quiz.\n\
- `contacts.toml` : le registre des contacts (numéros et liens vérifiés auprès de leurs sources officielles, indiquées pour chacun).\n\
- `quiz/*.toml` : les quiz de prévention.\n\
- `pdf/*.pdf` : chaque fiche en PDF, et le kit de sensibilisation (les fiches pratiques et les mémos en un seul fichier).\n\n\
Licence Ouverte 2.0 (Etalab) : vous pouvez réutiliser ces contenus, y compris commercialement, en citant la source et la date de la version.\n";

const LICENCE: &str = "Licence Ouverte / Open Licence version 2.0 (Etalab)\nhttps://www.etalab.gouv.fr/licence-ouverte-open-licence/\n\n\
Réutilisation libre sous réserve de mentionner la paternité de l'information : sa source et la date de sa dernière mise à jour.\n\
Les fiches adaptées de Cybermalveillance.gouv.fr portent leur attribution dans leur en-tête.\n";

/// The ZIP of the library.
pub fn build(content: &Content) -> Result<Vec<u8>, AppError> {
    let library = &content.library;
    let index = Index {
        licence: "Licence Ouverte 2.0",
        licence_url: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        fiches: library
            .fiches
            .values()
            .map(|f| FicheRecord {
                meta: &f.meta,
                intro: f.intro(),
                signs: f.signs(),
                steps: f.steps(),
                evidence: f.evidence(),
                never: f.never(),
                prevention: f.prevention(),
                danger: f.danger(),
                markdown: f.markdown.clone(),
            })
            .collect(),
        contacts: library.contacts.all().collect(),
        quizzes: library.quizzes.values().collect(),
    };
    let json = serde_json::to_vec_pretty(&index).map_err(|e| AppError::Internal(e.to_string()))?;
    let fail = |e: std::io::Error| AppError::Internal(format!("archive des fiches : {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), AppError> {
        zip.start_file(name, options)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        zip.write_all(bytes).map_err(fail)
    };
    add("README.md", README.as_bytes())?;
    add("LICENCE.txt", LICENCE.as_bytes())?;
    add("fiches.json", &json)?;
    for (path, text) in &content.files {
        add(path, text.as_bytes())?;
    }
    for (slug, pdf) in &content.pdfs {
        add(&format!("pdf/{slug}.pdf"), pdf)?;
    }
    add(&format!("pdf/{}.pdf", super::KIT), &content.kit)?;
    let cursor = zip
        .finish()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(cursor.into_inner())
}
