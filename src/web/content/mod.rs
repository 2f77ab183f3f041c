//! The fiches as public pages (phone first, no JavaScript): `/fiches`, searched and filtered by
//! audience, kind, theme and threat, and `/fiches/{slug}` with the registry's contacts.

mod context;
pub mod editorial;
mod quiz;

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Deserialize;

use crate::content::store::Use;
use crate::domain::audience::Audience;
use crate::domain::content::search::{Filters, matching};
use crate::domain::content::{Fiche, Kind};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::Choice;
use crate::web::page;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::MaybeUser;
use context::{ContactCard, FicheCard, FichePage, ListPage, QuizLink, SourceLine};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The quiz before the fiche: `/fiches/quiz/{theme}` is not a fiche.
    cfg.service(fiches_page)
        .service(fiches_feed)
        .service(fiches_archive)
        .service(fiche_pdf)
        .service(quiz::quiz_page)
        .configure(editorial::configure)
        .service(fiche_page);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    public: String,
    #[serde(rename = "type")]
    kind: String,
    theme: String,
    menace: String,
}

/// Prevention themes, in the order of the kit.
const THEMES: [(&str, &str); 9] = [
    ("mots_de_passe", "Mots de passe"),
    ("reseaux_sociaux", "Réseaux sociaux"),
    ("appareils_mobiles", "Appareils mobiles"),
    ("sauvegardes", "Sauvegardes"),
    ("mises_a_jour", "Mises à jour"),
    ("usages_pro_perso", "Usages pro et perso"),
    ("hameconnage", "Hameçonnage"),
    ("rancongiciel", "Rançongiciel"),
    ("faux_support_technique", "Faux support technique"),
];

fn options<'a>(all: impl Iterator<Item = (&'a str, &'a str)>, chosen: &str) -> Vec<Choice> {
    all.map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == chosen,
    })
    .collect()
}

/// `/fiches`: the library, searched and filtered.
#[get("/fiches")]
async fn fiches_page(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
    user: MaybeUser,
) -> PageResult {
    let query = query.into_inner();
    let content = state.content();
    let filters = Filters {
        words: query.q.clone(),
        audience: Audience::parse(&query.public),
        kind: Kind::parse(&query.kind),
        theme: Some(query.theme.clone()).filter(|t| THEMES.iter().any(|(c, _)| c == t)),
        threat: Some(query.menace.clone()).filter(|m| state.taxonomy.get(m).is_some()),
    };
    let found: Vec<FicheCard> = matching(&content.library, &filters)
        .into_iter()
        .map(|f| card(f, &state))
        .collect();
    let filtered = !query.q.trim().is_empty()
        || filters.audience.is_some()
        || filters.kind.is_some()
        || filters.theme.is_some()
        || filters.threat.is_some();
    let audiences = Audience::ALL.iter().map(|a| (a.code(), a.label()));
    let kinds = Kind::ALL.iter().map(|k| (k.code(), k.label()));
    let threats = state
        .taxonomy
        .all()
        .iter()
        .map(|t| (t.code.as_str(), t.label.as_str()));
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/content/fiches",
        "Fiches réflexes et conseils",
        user.0.as_ref(),
        ListPage {
            count: found.len(),
            fiches: found,
            filtered,
            q: query.q.clone(),
            audiences: options(audiences, &query.public),
            kinds: options(kinds, &query.kind),
            themes: options(THEMES.into_iter(), &query.theme),
            threats: options(threats, &query.menace),
            quizzes: content
                .library
                .quizzes
                .iter()
                .map(|(theme, quiz)| QuizLink {
                    href: format!("/fiches/quiz/{theme}"),
                    title: quiz.title.clone(),
                })
                .collect(),
        },
    ))
}

/// `/fiches/bibliotheque.zip`: the whole library as open data (Licence Ouverte 2.0).
#[get("/fiches/bibliotheque.zip")]
async fn fiches_archive(state: web::Data<AppState>) -> PageResult {
    let zip = state.content().archive()?;
    state
        .content_store
        .count_use("bibliotheque.zip", Use::Archive);
    Ok(actix_web::HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(actix_web::http::header::ContentDisposition::attachment(
            "fiches-cyberdir.zip",
        ))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(zip))
}

/// `/fiches/{slug}.pdf`: a fiche to print or pass on, and `/fiches/kit-de-sensibilisation.pdf`
/// the awareness kit; made when the version was published.
#[get("/fiches/{slug:[a-z0-9-]+}.pdf")]
async fn fiche_pdf(
    state: web::Data<AppState>,
    path: web::Path<String>,
    user: MaybeUser,
) -> PageResult {
    let slug = path.into_inner();
    let content = state.content();
    let pdf = match content.pdfs.get(&slug) {
        Some(pdf) => pdf.clone(),
        None if slug == crate::content::KIT => content.kit.clone(),
        None => {
            return Err(no_such_fiche());
        }
    };
    if user.0.is_none() {
        state.content_store.count_use(&slug, Use::Pdf);
    }
    Ok(actix_web::HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(actix_web::http::header::ContentDisposition::attachment(
            format!("{slug}.pdf"),
        ))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(pdf))
}

/// `/fiches.atom`: the fiches, the last re-read first.
#[get("/fiches.atom")]
async fn fiches_feed(state: web::Data<AppState>) -> actix_web::HttpResponse {
    let content = state.content();
    let mut fiches: Vec<&Fiche> = content.library.fiches.values().collect();
    fiches.sort_by(|a, b| {
        (b.meta.reviewed_on, &a.meta.slug).cmp(&(a.meta.reviewed_on, &b.meta.slug))
    });
    let day = |f: &Fiche| f.meta.reviewed_on.and_time(chrono::NaiveTime::MIN);
    let entries = fiches
        .iter()
        .map(|f| crate::web::atom::Entry {
            title: format!("{} : {}", f.meta.kind.label(), f.meta.title),
            id: format!("urn:cyberdir:fiche:{}", f.meta.slug),
            link: format!("/fiches/{}", f.meta.slug),
            published: day(f),
            updated: day(f),
            summary: f.meta.summary.clone(),
        })
        .collect();
    crate::web::atom::response(crate::web::atom::render(
        &state,
        &crate::web::atom::Feed {
            title: "fiches réflexes et conseils",
            path: "/fiches.atom",
            page: "/fiches",
            updated: fiches.first().map(|f| day(f)),
            entries,
        },
    ))
}

fn card(f: &Fiche, state: &AppState) -> FicheCard {
    FicheCard {
        slug: f.meta.slug.clone(),
        title: f.meta.title.clone(),
        summary: f.meta.summary.clone(),
        kind: f.meta.kind.label(),
        threats: f
            .meta
            .incidents
            .iter()
            .filter_map(|c| state.taxonomy.get(c).map(|t| t.label.clone()))
            .collect(),
    }
}

/// `/fiches/{slug}`: one fiche, its contacts after what to do now.
#[get("/fiches/{slug}")]
async fn fiche_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    user: MaybeUser,
) -> PageResult {
    let slug = path.into_inner();
    let content = state.content();
    // A visitor without a session sees the same page as every other: rendered once.
    let anonymous = user.0.is_none();
    if anonymous && let Some(page) = content.pages.get(&slug) {
        state.content_store.count_use(&slug, Use::Page);
        return Ok(crate::web::html_page(StatusCode::OK, page));
    }
    let (Some(fiche), Some(sections)) = (content.library.fiche(&slug), content.html.get(&slug))
    else {
        return Err(no_such_fiche());
    };
    let body = fiche_body(fiche, sections, &content.library, false);
    if anonymous {
        state.content_store.count_use(&slug, Use::Page);
    }
    if !anonymous {
        return Ok(page(
            &state,
            StatusCode::OK,
            "pages/content/fiche",
            &fiche.meta.title,
            user.0.as_ref(),
            body,
        ));
    }
    match crate::web::page_html(&state, "pages/content/fiche", &fiche.meta.title, body) {
        Some(html) => {
            let html = bytes::Bytes::from(html);
            content.pages.put(slug, html.clone());
            Ok(crate::web::html_page(StatusCode::OK, html))
        }
        None => Err(PageError::from(AppError::Internal(
            "la fiche n'a pas pu être affichée".into(),
        ))),
    }
}

/// A fiche asked that the library does not hold.
fn no_such_fiche() -> PageError {
    PageError::from(AppError::not_found(
        "Cette fiche n'existe pas. Retrouvez toutes les fiches sur la page « Fiches réflexes et conseils ».",
    ))
}

/// A fiche's page as a victim reads it (`preview`: an editor's unpublished version, said so).
pub(crate) fn fiche_body<'a>(
    fiche: &'a Fiche,
    sections: &'a [crate::content::SectionHtml],
    library: &crate::domain::content::Library,
    preview: bool,
) -> FichePage<'a> {
    let meta = &fiche.meta;
    FichePage {
        slug: &meta.slug,
        heading: &meta.title,
        summary: &meta.summary,
        kind: meta.kind.label(),
        reflexe: meta.kind == Kind::Reflexe,
        audiences: meta.audiences.iter().map(|a| a.label()).collect(),
        sections,
        contacts_after: "que-faire-maintenant",
        contacts: library
            .contacts_of(fiche, None)
            .map(ContactCard::of)
            .collect(),
        talk_to_a_person: meta.talk_to_a_person,
        sources: meta
            .sources
            .iter()
            .map(|s| SourceLine {
                title: &s.title,
                url: &s.url,
            })
            .collect(),
        licence: &meta.licence,
        attribution: meta.attribution.as_deref(),
        reviewed_on: crate::french::day_fr(meta.reviewed_on),
        reviewed_iso: meta.reviewed_on.to_string(),
        quiz: library
            .quizzes
            .iter()
            .find(|(_, q)| q.fiche == meta.slug)
            .map(|(theme, _)| format!("/fiches/quiz/{theme}")),
        preview,
    }
}
