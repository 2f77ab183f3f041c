//! `/instruction/diagnostic`: the tree in force, read-only, for staff. A new version is written
//! and reviewed by the editors (`/contenus/documents/diagnostic/tree.toml`).

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::Serialize;

use crate::diagnostic::staff;
use crate::state::AppState;
use crate::web::kit::{blocking, datetime_fr};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{StaffUser, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview_page);
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
    /// Editors change the tree through their review.
    is_editor: bool,
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
async fn overview_page(state: web::Data<AppState>, user: StaffUser) -> PageResult {
    let user = user.0;
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let overview = blocking(move || staff::overview(&inner, &inner.diagnostic, &actor)).await?;
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/diagnostic/staff",
        "Diagnostic",
        Some(&user),
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
                        Some(_) => "relue et publiée par les éditeurs",
                    },
                })
                .collect(),
            is_editor: crate::web::session::Viewer::of(&user).is_editor,
            version: &overview.version,
        },
    ))
}
