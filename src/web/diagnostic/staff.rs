//! `/instruction/diagnostic`: the tree in force, read-only, for staff; an admin publishes a new
//! version by pasting its file, checked first (every problem listed, nothing changed).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::extract::CurrentUser;
use crate::diagnostic::staff::{self, Overview};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::{
    InfoQuery, area_error_page as error_page, blocking, datetime_fr, refuse_unless_staff,
    with_query,
};
use crate::web::page;
use crate::web::session::{PageUser, check_form, data_of, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // A tree file is larger than the default form limit.
    cfg.service(overview_page).service(
        web::resource("/instruction/diagnostic")
            .app_data(web::FormConfig::default().limit(TREE_FORM_LIMIT))
            .route(web::post().to(publish)),
    );
}

fn overview_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    overview: Overview,
    info: Option<String>,
    (text, errors): (String, Vec<String>),
) -> HttpResponse {
    page(
        state,
        status,
        "pages/diagnostic/staff",
        if errors.is_empty() {
            "Diagnostic"
        } else {
            "Erreur : diagnostic"
        },
        Some(user),
        json!({
            "version": overview.version,
            "published": datetime_fr(overview.published_at),
            "longest_path": overview.longest_path,
            "questions": overview.questions,
            "outcomes": overview.outcomes,
            "versions": overview.versions.iter().map(|(v, at, by)| json!({
                "version": v,
                "published": datetime_fr(*at),
                "by": match by.as_deref() { None => "livrée avec le service", Some("cli") => "ligne de commande", Some(_) => "un administrateur" },
            })).collect::<Vec<_>>(),
            "is_admin": user.role == crate::domain::actor::Role::Admin,
            "info": info,
            "text": text,
            "errors": errors,
        }),
    )
}

#[get("/instruction/diagnostic")]
async fn overview_page(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let info = query
        .info
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| format!("La version {v} est publiée : elle est en vigueur."));
    let (inner, actor) = (data_of(&state), user.actor.clone());
    match blocking(move || staff::overview(&inner, &actor)).await {
        Ok(overview) => overview_view(
            &state,
            &user,
            StatusCode::OK,
            overview,
            info,
            (String::new(), Vec::new()),
        ),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    pub csrf_token: String,
    pub tree: String,
}

/// The largest tree file accepted from the page.
const TREE_FORM_LIMIT: usize = 512 * 1024;

async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<PublishForm>,
) -> HttpResponse {
    let user = user.0;
    let form = form.into_inner();
    if let Err(e) = check_form(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let (inner, actor, text) = (data_of(&state), user.actor.clone(), form.tree.clone());
    match blocking(move || staff::publish(&inner, &actor, &text)).await {
        Ok(version) => see_other(&with_query(
            "/instruction/diagnostic",
            &[("info", &version)],
        )),
        Err(AppError::Validation(errors)) => {
            let messages: Vec<String> = errors.into_values().flatten().collect();
            let (inner, actor) = (data_of(&state), user.actor.clone());
            match blocking(move || staff::overview(&inner, &actor)).await {
                Ok(overview) => overview_view(
                    &state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    overview,
                    None,
                    (form.tree, messages),
                ),
                Err(e) => error_page(&state, &user, &e),
            }
        }
        Err(e) => error_page(&state, &user, &e),
    }
}
