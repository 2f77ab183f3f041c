//! Admins invite the platform's people from `/admin/utilisateurs`: staff, auditors, editors,
//! chat operators and admins (`auth::invitations`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, post, web};
use serde::{Deserialize, Serialize};

use super::users::{Around, load_users, users_page};
use crate::auth::invitations::{self, INVITED_ROLES, Invitation};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::{Choice, blocking, with_query};
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::{AdminUser, check_form, data_of, see_other};

/// The invitation form: what was typed, the roles offered and the message beside each field.
#[derive(Serialize, Default)]
pub struct InviteView {
    pub email: String,
    pub name: String,
    pub roles: Vec<Choice>,
    pub errors: InviteErrors,
    /// Shown open (after an error), not folded.
    pub open: bool,
}

#[derive(Serialize, Default)]
pub struct InviteErrors {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
}

impl InviteView {
    pub fn empty() -> Self {
        Self::typed(&Invitation::default())
    }

    fn typed(invitation: &Invitation) -> Self {
        Self {
            email: invitation.email.clone(),
            name: invitation.name.clone(),
            roles: INVITED_ROLES
                .iter()
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: r.label().to_owned(),
                    selected: invitation.role == r.as_str(),
                })
                .collect(),
            ..Self::default()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub csrf_token: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[post("/admin/invitations")]
pub async fn invite_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AdminUser,
    form: web::Form<InviteForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let invitation = Invitation {
        email: form.email,
        name: form.name,
        role: form.role,
    };
    let (inner, admin, asked) = (data_of(&state), user.actor.clone(), invitation.clone());
    match blocking(move || invitations::invite(&inner, &admin, &asked)).await {
        Ok(email) => Ok(see_other(&with_query(
            "/admin/utilisateurs",
            &[("q", &email), ("info", "invite")],
        ))),
        Err(AppError::Validation(errors)) => {
            let first = |f: &str| errors.get(f).and_then(|m| m.first()).cloned();
            let mut invite = InviteView::typed(&invitation);
            invite.errors = InviteErrors {
                email: first("email"),
                name: first("name"),
                role: first("role"),
            };
            invite.open = true;
            let (inner, admin) = (data_of(&state), user.actor.clone());
            let data = blocking(move || load_users(&inner, &admin, &super::users::Asked::all(), 1))
                .await?;
            users_page(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                1,
                data,
                Around {
                    q: "",
                    role: None,
                    tri: "email".into(),
                    per_page: crate::web::listing::PAGE_SIZES[0],
                    invite,
                    info: None,
                    error: Some("L'invitation n'est pas envoyée : corrigez le formulaire.".into()),
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}
