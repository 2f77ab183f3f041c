//! `/contenus`: the editors' pages. The documents (fiches, contacts, quizzes, the diagnostic's
//! tree) with the fiches to re-read first, a document's versions and its edit form with a
//! preview as the victim will see it, a version's changes and its review by a second editor.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};

use crate::domain::content::Fiche;
use crate::editorial::{self, Decision, DocumentView, Overview, TreePreview, VersionView};
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::form::HtmlForm;
use crate::web::kit::{InfoQuery, blocking, with_query};
use crate::web::page;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::{EditorUser, check_form, data_of, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview_page)
        .service(new_document)
        .service(document_page)
        .service(download)
        .service(save)
        .service(version_page)
        .service(version_preview)
        .service(act);
}

/// What a redirect after an action says on the next page.
fn said(info: Option<&str>) -> Option<&'static str> {
    Some(match info? {
        "brouillon" => "Votre brouillon est enregistré.",
        "soumise" => "La version est envoyée en relecture : un autre éditeur doit la relire.",
        "retiree" => "La version est retirée.",
        "publiee" => "La version est publiée : elle est en vigueur partout.",
        "refusee" => "La version est renvoyée à son auteur, avec votre commentaire.",
        "republiee" => {
            "L'ancienne version est proposée à nouveau : un autre éditeur doit la relire."
        }
        _ => return None,
    })
}

#[derive(Serialize)]
struct OverviewPage<'a> {
    info: Option<&'static str>,
    #[serde(flatten)]
    overview: &'a Overview,
}

#[get("/contenus")]
async fn overview_page(
    state: web::Data<AppState>,
    user: EditorUser,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let overview = blocking(move || editorial::overview(&inner, &actor)).await?;
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/content/editorial/overview",
        "Contenus",
        Some(&user),
        OverviewPage {
            info: said(query.info.as_deref()),
            overview: &overview,
        },
    ))
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(default)]
    slug: String,
}

/// `/contenus/nouvelle?slug=…`: the form of a new fiche at its address.
#[get("/contenus/nouvelle")]
async fn new_document(_user: EditorUser, query: web::Query<NewQuery>) -> PageResult {
    let slug = crate::domain::text::slug(query.slug.trim());
    if slug.is_empty() {
        return Err(PageError::from(AppError::field(
            "slug",
            "Donnez l'adresse de la fiche : des lettres sans accent, des chiffres et des tirets.",
        )));
    }
    Ok(see_other(&format!("/contenus/documents/fiches/{slug}.md")))
}

#[derive(Serialize)]
struct DocumentPage<'a> {
    info: Option<&'static str>,
    #[serde(flatten)]
    document: &'a DocumentView,
    /// The text in the form: what was sent back with an error, the draft, or the text in force.
    body: &'a str,
    note: &'a str,
    errors: Vec<String>,
}

fn document_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    document: &DocumentView,
    sent: Option<(&str, &str)>,
    errors: Vec<String>,
    info: Option<&'static str>,
) -> HttpResponse {
    let blank;
    let (body, note) = sent.unwrap_or_else(|| {
        (
            document.draft_text.as_deref().unwrap_or(&document.text),
            document.draft.as_ref().map_or("", |d| d.note.as_str()),
        )
    });
    // A fiche not written yet starts from the sections every fiche réflexe has.
    let body = match document.path.strip_prefix("fiches/") {
        Some(name) if body.is_empty() => {
            let slug = name.trim_end_matches(".md");
            blank = editorial::new_fiche(slug, state.clock.today());
            blank.as_str()
        }
        _ => body,
    };
    page(
        state,
        status,
        "pages/content/editorial/document",
        &if errors.is_empty() {
            document.title.clone()
        } else {
            format!("Erreur : {}", document.title)
        },
        Some(user),
        DocumentPage {
            info,
            document,
            body,
            note,
            errors,
        },
    )
}

#[get("/contenus/documents/{path:.*}")]
async fn document_page(
    state: web::Data<AppState>,
    user: EditorUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, actor, path) = (data_of(&state), user.actor.clone(), path.into_inner());
    let document = blocking(move || editorial::document(&inner, &actor, &path)).await?;
    Ok(document_view(
        &state,
        &user,
        StatusCode::OK,
        &document,
        None,
        Vec::new(),
        said(query.info.as_deref()),
    ))
}

/// The text in force, as a file (the version an editor starts from outside the pages).
#[get("/contenus/telecharger/{path:.*}")]
async fn download(
    state: web::Data<AppState>,
    user: EditorUser,
    path: web::Path<String>,
) -> PageResult {
    let (inner, actor, path) = (data_of(&state), user.0.actor.clone(), path.into_inner());
    let name = path.rsplit('/').next().unwrap_or("contenu").to_owned();
    let text = blocking(move || editorial::text(&inner, &actor, &path)).await?;
    let kind = if name.ends_with(".md") {
        "text/markdown; charset=utf-8"
    } else {
        "application/toml; charset=utf-8"
    };
    Ok(crate::http::download::file(
        kind,
        crate::http::download::Disposition::Attachment,
        &name,
        "contenu.txt",
        text.into_bytes(),
    ))
}

#[derive(Deserialize)]
struct DraftForm {
    csrf_token: String,
    path: String,
    body: String,
    #[serde(default)]
    note: String,
    /// `apercu` shows the preview after saving; anything else saves.
    #[serde(default)]
    action: String,
}

/// Saves the editor's draft (nothing typed is lost), then shows the document, or the preview.
#[post("/contenus/brouillon")]
async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: EditorUser,
    form: HtmlForm<DraftForm>,
) -> PageResult {
    let (user, form) = (user.0, form.0);
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let (path, body, note) = (form.path.clone(), form.body.clone(), form.note.clone());
    let saved = blocking(move || editorial::save_draft(&inner, &actor, &path, &body, &note)).await;
    match saved {
        Ok(id) if form.action == "apercu" => {
            Ok(see_other(&format!("/contenus/versions/{id}/apercu")))
        }
        Ok(_) => Ok(see_other(&with_query(
            &format!("/contenus/documents/{}", form.path),
            &[("info", "brouillon")],
        ))),
        Err(AppError::Validation(errors)) => {
            let (inner, actor, path) = (data_of(&state), user.actor.clone(), form.path.clone());
            let document = blocking(move || editorial::document(&inner, &actor, &path)).await?;
            Ok(document_view(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                &document,
                Some((&form.body, &form.note)),
                errors.into_values().flatten().collect(),
                None,
            ))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Serialize)]
struct VersionPage<'a> {
    info: Option<&'static str>,
    #[serde(flatten)]
    version: &'a VersionView,
    is_fiche: bool,
    document_href: String,
    errors: Vec<String>,
    comment: &'a str,
}

fn version_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    version: &VersionView,
    errors: Vec<String>,
    comment: &str,
    info: Option<&'static str>,
) -> HttpResponse {
    let path = &version.summary.path;
    page(
        state,
        status,
        "pages/content/editorial/version",
        &format!("Version : {}", version.title),
        Some(user),
        VersionPage {
            info,
            version,
            is_fiche: path.starts_with("fiches/"),
            document_href: format!("/contenus/documents/{path}"),
            errors,
            comment,
        },
    )
}

#[get("/contenus/versions/{id}")]
async fn version_page(
    state: web::Data<AppState>,
    user: EditorUser,
    id: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let (inner, actor, id) = (data_of(&state), user.actor.clone(), id.into_inner());
    let version =
        blocking(move || editorial::version(&inner, &inner.diagnostic, &actor, &id)).await?;
    Ok(version_view(
        &state,
        &user,
        StatusCode::OK,
        &version,
        Vec::new(),
        "",
        said(query.info.as_deref()),
    ))
}

#[derive(Deserialize)]
struct PreviewQuery {
    /// A tree's outcome to show.
    issue: Option<String>,
}

/// `pages/content/editorial/tree_preview`: a tree version's outcomes, each to preview.
#[derive(Serialize)]
struct TreePreviewPage<'a> {
    version_href: String,
    outcomes: Vec<OutcomeLink<'a>>,
}

#[derive(Serialize)]
struct OutcomeLink<'a> {
    href: String,
    title: &'a str,
    urgency: &'static str,
}

/// A version as the victim will see it, before it is published: a fiche's page, or a tree's
/// outcomes and each outcome's result page.
#[get("/contenus/versions/{id}/apercu")]
async fn version_preview(
    state: web::Data<AppState>,
    user: EditorUser,
    id: web::Path<String>,
    query: web::Query<PreviewQuery>,
) -> PageResult {
    let user = user.0;
    let id = id.into_inner();
    let (inner, actor, asked) = (data_of(&state), user.actor.clone(), id.clone());
    let version =
        blocking(move || editorial::version(&inner, &inner.diagnostic, &actor, &asked)).await?;
    if version.is_tree {
        let (inner, actor, issue) = (
            data_of(&state),
            user.actor.clone(),
            query.into_inner().issue,
        );
        let preview =
            blocking(move || editorial::tree_preview(&inner, &actor, &id, issue.as_deref()))
                .await?;
        return Ok(match preview {
            TreePreview::Outcome(outcome) => {
                crate::web::diagnostic::outcome_preview(&state, &user, &outcome)
            }
            TreePreview::Outcomes(outcomes) => page(
                &state,
                StatusCode::OK,
                "pages/content/editorial/tree_preview",
                "Aperçu de l'arbre",
                Some(&user),
                TreePreviewPage {
                    version_href: format!("/contenus/versions/{}", version.summary.id),
                    outcomes: outcomes
                        .iter()
                        .map(|(issue, title, urgency)| OutcomeLink {
                            href: format!(
                                "/contenus/versions/{}/apercu?issue={issue}",
                                version.summary.id
                            ),
                            title,
                            urgency,
                        })
                        .collect(),
                },
            ),
        });
    }
    let fiche = match Fiche::parse(&version.body) {
        Ok(fiche) if version.summary.path.starts_with("fiches/") => fiche,
        Ok(_) => {
            return Err(PageError::from(AppError::not_found(
                "Seules les fiches et l'arbre du diagnostic ont un aperçu.",
            )));
        }
        Err(reason) => {
            return Ok(version_view(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                &version,
                vec![format!("Aperçu impossible : {reason}")],
                "",
                None,
            ));
        }
    };
    let sections = crate::content::sections(&fiche.markdown);
    let content = state.content();
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/content/fiche",
        &format!("Aperçu : {}", fiche.meta.title),
        Some(&user),
        super::fiche_body(&fiche, &sections, &content.library, true),
    ))
}

#[derive(Deserialize)]
struct ActForm {
    csrf_token: String,
    #[serde(default)]
    comment: String,
}

/// A step on a version: `soumettre`, `retirer` (its author), `publier`, `refuser` (another
/// editor), `republier` (an earlier version proposed again).
#[post("/contenus/versions/{id}/{action}")]
async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: EditorUser,
    path: web::Path<(String, String)>,
    form: HtmlForm<ActForm>,
) -> PageResult {
    let (user, form) = (user.0, form.0);
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (id, action) = path.into_inner();
    let (inner, actor, comment) = (data_of(&state), user.actor.clone(), form.comment.clone());
    let version_id = id.clone();
    let action_name = action.clone();
    let done = blocking(move || {
        let memory = &inner.diagnostic;
        match action_name.as_str() {
            "soumettre" => editorial::submit(&inner, memory, &actor, &version_id)
                .map(|()| (version_id, "soumise")),
            "retirer" => {
                editorial::withdraw(&inner, &actor, &version_id).map(|()| (version_id, "retiree"))
            }
            "publier" => editorial::review(
                &inner,
                memory,
                &actor,
                &version_id,
                Decision::Publish { comment: &comment },
            )
            .map(|_| (version_id, "publiee")),
            "refuser" => editorial::review(
                &inner,
                memory,
                &actor,
                &version_id,
                Decision::Reject { reason: &comment },
            )
            .map(|_| (version_id, "refusee")),
            "republier" => {
                editorial::republish(&inner, &actor, &version_id).map(|new| (new, "republiee"))
            }
            _ => Err(AppError::not_found("Cette action n'existe pas.")),
        }
    })
    .await;
    match done {
        Ok((id, info)) => Ok(see_other(&with_query(
            &format!("/contenus/versions/{id}"),
            &[("info", info)],
        ))),
        // A refused step is shown on the version's page, with every reason.
        Err(AppError::Validation(errors)) => {
            let (inner, actor) = (data_of(&state), user.actor.clone());
            let version =
                blocking(move || editorial::version(&inner, &inner.diagnostic, &actor, &id))
                    .await?;
            Ok(version_view(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                &version,
                errors.into_values().flatten().collect(),
                &form.comment,
                None,
            ))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
