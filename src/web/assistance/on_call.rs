//! The provider declares its on-call hours ("astreinte") on its requests page: at night, urgent
//! requests are offered only to providers on call then.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, post, web};
use serde::Deserialize;

use super::{blocking, failed};
use crate::assistance::availability::{self, OnCallInput};
use crate::assistance::views::OnCallDay;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::kit::done;
use crate::web::page_error::PageResult;
use crate::web::session::{ProviderMember, check_form};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(set_on_call);
}

/// Each day's start and end, Monday first (`start_0`, `end_0`, … `end_6`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OnCallForm {
    pub csrf_token: String,
    pub start_0: String,
    pub end_0: String,
    pub start_1: String,
    pub end_1: String,
    pub start_2: String,
    pub end_2: String,
    pub start_3: String,
    pub end_3: String,
    pub start_4: String,
    pub end_4: String,
    pub start_5: String,
    pub end_5: String,
    pub start_6: String,
    pub end_6: String,
}

impl OnCallForm {
    fn input(&self) -> OnCallInput {
        let day = |start: &str, end: &str| OnCallDay {
            day: String::new(),
            start: start.to_owned(),
            end: end.to_owned(),
        };
        OnCallInput {
            days: vec![
                day(&self.start_0, &self.end_0),
                day(&self.start_1, &self.end_1),
                day(&self.start_2, &self.end_2),
                day(&self.start_3, &self.end_3),
                day(&self.start_4, &self.end_4),
                day(&self.start_5, &self.end_5),
                day(&self.start_6, &self.end_6),
            ],
        }
    }
}

#[post("/espace/organisations/{id}/astreinte")]
async fn set_on_call(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    form: web::Form<OnCallForm>,
) -> PageResult {
    let user = user.0;
    let provider_id = path.into_inner();
    check_form(&req, &state, &user, &form.csrf_token).map_err(failed)?;
    let input = form.input();
    let inner = state.clone().into_inner();
    let (who, pid) = (user.clone(), provider_id.clone());
    match blocking(move || availability::set_on_call(&inner, &who, &pid, &input)).await {
        Ok(_) => done(&super::provider::base(&provider_id), "astreinte"),
        Err(AppError::Validation(errors)) => {
            super::provider::show_requests(
                &state,
                &user,
                &provider_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}
