//! Members of an organisation: inviting one, and the invitation's landing page.

use super::*;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;

/// `pages/referencing/invitation`: joining an organisation by its invitation.
#[derive(Serialize)]
struct InvitationPage<'a> {
    token: &'a str,
    missing: bool,
    /// The address signed in, which the invitation must be for.
    email: &'a str,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub email: String,
}

#[post("/espace/organisations/{id}/invitations")]
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<InviteForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let form = form.into_inner();
    check_post(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, email) = (id.clone(), form.email.clone());
    match blocking(move || referencing::invite(&inner, &who, &target, &email)).await {
        Ok(()) => done(&organisation_path(&id), "invitation"),
        Err(AppError::Validation(errors)) => {
            let mut outcome = Outcome::errors(rename_fields(errors, &[("email", "invite_email")]));
            outcome.invite_email = form.email;
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[get("/espace/invitations")]
pub async fn invitation_page(
    state: web::Data<AppState>,
    user: ProviderMember,
    query: web::Query<TokenQuery>,
) -> PageResult {
    let user = user.0;
    let token = query.token.clone().unwrap_or_default();
    invitation(&state, &user, StatusCode::OK, &token, None)
}

fn invitation(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    token: &str,
    error: Option<String>,
) -> PageResult {
    let title = if error.is_some() {
        "Erreur : rejoindre une organisation"
    } else {
        "Rejoindre une organisation"
    };
    Ok(page(
        state,
        status,
        "pages/referencing/invitation",
        title,
        Some(user),
        InvitationPage {
            token: token.trim(),
            missing: token.trim().is_empty(),
            email: &user.email,
            error,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub token: String,
}

#[post("/espace/invitations")]
pub async fn accept_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    form: web::Form<InvitationForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_post(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let who = user.clone();
    let token = form.token.trim().to_owned();
    let result = blocking(move || referencing::accept_invitation(&inner, &who, &token)).await;
    match result {
        Ok(joined) => done(&organisation_path(&joined.provider_id), "rejoint"),
        Err(AppError::Validation(errors)) => {
            let message: Vec<String> = errors.into_values().flatten().collect();
            invitation(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.token,
                Some(message.join(" ")),
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}
