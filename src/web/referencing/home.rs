//! The provider's organisations (`/espace`) and the creation of a new one.

use super::*;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;

#[get("/espace")]
pub async fn home(
    state: web::Data<AppState>,
    user: ProviderMember,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let info = info_message(query.info.as_deref());
    home_page(&state, &user, StatusCode::OK, info, "", None).await
}

#[derive(Serialize)]
struct OrganisationItem {
    url: String,
    name: String,
    legal_name: String,
    status: &'static str,
    status_label: String,
}

async fn home_page(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    info: Option<&str>,
    name: &str,
    error: Option<String>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let who = user.clone();
    let loaded =
        blocking(move || referencing::members::organisations_of(&inner, &inner.charter, &who))
            .await;
    let applications = loaded?;
    let organisations: Vec<OrganisationItem> = applications
        .iter()
        .map(|a| OrganisationItem {
            url: organisation_path(&a.profile.id),
            name: if a.profile.name.is_empty() {
                "Organisation sans nom commercial".into()
            } else {
                a.profile.name.clone()
            },
            legal_name: a.profile.legal_name.clone(),
            status: a.status.as_str(),
            status_label: a.status_label.clone(),
        })
        .collect();
    let title = if error.is_some() {
        "Erreur : mon espace prestataire"
    } else {
        "Mon espace prestataire"
    };
    Ok(page(
        state,
        status,
        "pages/referencing/home",
        title,
        Some(user),
        HomePage {
            organisations,
            info,
            name,
            error,
        },
    ))
}

/// `pages/referencing/home`: the provider's organisations.
#[derive(Serialize)]
struct HomePage<'a> {
    organisations: Vec<OrganisationItem>,
    info: Option<&'a str>,
    /// The organisation's name as typed, when its creation was refused.
    name: &'a str,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub name: String,
}

#[post("/espace/organisations")]
pub async fn create_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    form: web::Form<CreateForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let who = user.clone();
    let input = ProfileInput {
        name: Some(form.name.clone()),
        ..Default::default()
    };
    match blocking(move || referencing::create_draft(&inner, &inner.charter, &who, &input)).await {
        Ok(view) => done(&organisation_path(&view.profile.id), "cree"),
        Err(AppError::Validation(errors)) => {
            let message = errors.values().flatten().cloned().collect::<Vec<_>>();
            home_page(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form.name,
                Some(message.join(" ")),
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
