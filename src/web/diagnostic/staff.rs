//! `/instruction/diagnostic`: the tree in force, read-only, for staff; an admin publishes a new
//! version by pasting its file, checked first (every problem listed, nothing changed).

use crate::web::page_error::{PageError, PageResult};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Serialize;

use crate::diagnostic::staff::{self, Overview};
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{InfoQuery, blocking, datetime_fr, with_query};
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::{PageUser, check_form, data_of, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview_page).service(publish);
}

/// The largest tree file accepted from the page.
const TREE_FILE_LIMIT: usize = 512 * 1024;

fn overview_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    overview: Overview,
    info: Option<String>,
    errors: Vec<String>,
) -> PageResult {
    Ok(page(
        state,
        status,
        "pages/diagnostic/staff",
        if errors.is_empty() {
            "Diagnostic"
        } else {
            "Erreur : diagnostic"
        },
        Some(user),
        TreesPage {
            published: datetime_fr(overview.published_at),
            longest_path: overview.longest_path,
            questions: &overview.questions,
            outcomes: &overview.outcomes,
            versions: overview
                .versions
                .iter()
                .map(|(v, at, by)| VersionLine {
                    version: v,
                    published: datetime_fr(*at),
                    by: match by.as_deref() {
                        None => "livrée avec le service",
                        Some("cli") => "ligne de commande",
                        Some(_) => "un administrateur",
                    },
                })
                .collect(),
            is_admin: user.role == crate::domain::actor::Role::Admin,
            info,
            errors,
            version: &overview.version,
        },
    ))
}

/// `pages/diagnostic/staff`: the diagnostic's trees, for staff.
#[derive(Serialize)]
struct TreesPage<'a> {
    version: &'a str,
    published: String,
    longest_path: usize,
    questions: &'a [crate::diagnostic::staff::QuestionLine],
    outcomes: &'a [crate::diagnostic::staff::OutcomeLine],
    versions: Vec<VersionLine<'a>>,
    is_admin: bool,
    info: Option<String>,
    errors: Vec<String>,
}

/// A published version of the trees.
#[derive(Serialize)]
struct VersionLine<'a> {
    version: &'a str,
    published: String,
    /// Who published it, in words.
    by: &'static str,
}

#[get("/instruction/diagnostic")]
async fn overview_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let info = query
        .info
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| format!("La version {v} est publiée : elle est en vigueur."));
    let (inner, actor) = (data_of(&state), user.actor.clone());
    match blocking(move || staff::overview(&inner, &inner.diagnostic, &actor)).await {
        Ok(overview) => overview_view(&state, &user, StatusCode::OK, overview, info, Vec::new()),
        Err(e) => Err(PageError::from(e)),
    }
}

/// An admin publishes the file chosen on the page (`file`), checked first.
#[post("/instruction/diagnostic")]
async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    payload: Multipart,
) -> PageResult {
    let user = user.0;
    let mut form = crate::http::multipart::read(payload, TREE_FILE_LIMIT, &state.uploads).await?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    check_form(&req, &state, &user, &token)?;
    let text = match (form.refuse_too_large(), form.file) {
        (Err(e), _) => Err(e),
        (Ok(()), Some((_, bytes))) if !bytes.is_empty() => String::from_utf8(bytes)
            .map_err(|_| AppError::field("file", "Le fichier doit être un texte UTF-8 (TOML).")),
        _ => Err(AppError::field(
            "file",
            "Choisissez le fichier de l'arbre (TOML).",
        )),
    };
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let published = match text {
        Ok(text) => {
            blocking(move || staff::publish(&inner, &inner.diagnostic, &actor, &text)).await
        }
        Err(e) => Err(e),
    };
    match published {
        Ok(version) => Ok(see_other(&with_query(
            "/instruction/diagnostic",
            &[("info", &version)],
        ))),
        Err(AppError::Validation(errors)) => {
            let messages: Vec<String> = errors.into_values().flatten().collect();
            let (inner, actor) = (data_of(&state), user.actor.clone());
            match blocking(move || staff::overview(&inner, &inner.diagnostic, &actor)).await {
                Ok(overview) => overview_view(
                    &state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    overview,
                    None,
                    messages,
                ),
                Err(e) => Err(PageError::from(e)),
            }
        }
        Err(e) => Err(PageError::from(e)),
    }
}
