//! Public verification of a label number: anyone can check the label a provider shows them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::{blocking, day_fr};
use crate::domain::label::LabelStatus;
use crate::label::labels::verify;
use crate::state::AppState;
use crate::web::page;
use crate::web::session::MaybeUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(verification_page);
}

#[get("/labels/{number}")]
async fn verification_page(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
) -> HttpResponse {
    let number = path.into_inner();
    let inner = state.clone().into_inner();
    let asked = number.clone();
    match blocking(move || verify(&inner, &asked)).await {
        Ok(found) => {
            let valid = found.status == LabelStatus::Valid;
            page(
                &state,
                StatusCode::OK,
                "pages/label/verify",
                &format!("Label ExpertCyber {}", found.number),
                user.0.as_ref(),
                super::context::Verified {
                    found: true,
                    valid,
                    valid_from: day_fr(found.valid_from),
                    valid_until: day_fr(found.valid_until),
                    number: found.number,
                    provider_name: found.provider_name,
                    siret: found.siret,
                    status: found.status,
                    status_label: found.status_label,
                },
            )
        }
        Err(e) => {
            let status = crate::http::problem::status_of(&e);
            page(
                &state,
                status,
                "pages/label/verify",
                "Label ExpertCyber introuvable",
                user.0.as_ref(),
                super::context::NotVerified {
                    found: false,
                    message: e.to_string(),
                    number,
                },
            )
        }
    }
}
