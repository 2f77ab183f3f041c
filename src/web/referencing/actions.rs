//! The provider's steps on its application: accepting the charter, submitting, withdrawing.

use super::*;
use crate::referencing::Asked;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;

#[derive(Debug, Default, Deserialize)]
pub struct CharterForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub version: String,
}

#[post("/espace/organisations/{id}/charte")]
pub async fn accept_charter(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<CharterForm>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let form = form.into_inner();
    check_post(&req, &state, &user, &form.csrf_token)?;
    let inner = state.clone().into_inner();
    let who = user.clone();
    let target = id.clone();
    match blocking(move || {
        referencing::accept_charter(&inner, &inner.charter, &who, &target, &form.version)
    })
    .await
    {
        Ok(_) => done(&organisation_path(&id), "charte"),
        Err(AppError::Validation(errors)) => {
            let errors = rename_fields(errors, &[("version", "charter")]);
            show_organisation(&state, &user, id, Outcome::errors(errors)).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub confirm: String,
}

#[post("/espace/organisations/{id}/actions/{action}")]
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    use crate::domain::referencing::Action;
    let user = user.0;
    let (id, slug) = path.into_inner();
    let form = form.into_inner();
    check_post(&req, &state, &user, &form.csrf_token)?;
    let (action, info) = match slug.as_str() {
        "submit" => (Action::Submit, "depose"),
        "withdraw" => (Action::Withdraw, "abandon"),
        _ => {
            return Err(PageError::from(AppError::not_found(
                "Cette action n'existe pas.",
            )));
        }
    };
    if action == Action::Withdraw && form.confirm != "oui" {
        let mut errors = FieldErrors::new();
        errors.insert(
            "withdraw_confirm".into(),
            vec!["Cochez la case pour confirmer l'abandon de la demande.".into()],
        );
        return show_organisation(&state, &user, id, Outcome::errors(errors)).await;
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let target = id.clone();
    let version = form.version.trim().parse::<i32>().ok();
    let acted = blocking(move || {
        crate::workflow::referencing_act(
            &inner,
            &inner.directory,
            &inner.charter,
            &who,
            Asked {
                id: &target,
                action,
                reason: None,
                expected_version: version,
            },
        )
    });
    match acted.await {
        Ok(_) => done(&organisation_path(&id), info),
        Err(AppError::Validation(problems)) => {
            let mut outcome =
                Outcome::errors(rename_fields(problems, &[("commune_code", "postcode")]));
            if action == Action::Submit {
                outcome.summary_title = Some("Votre demande ne peut pas encore être déposée :");
            }
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
