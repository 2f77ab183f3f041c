//! A page handler's error: handlers return `Result<HttpResponse, PageError>` and use `?` on
//! what the services answer; [`render`] (a middleware around every route) turns the error into
//! the French error page, with the signed-in user's menu and a way back to their own area (or
//! the way back the handler named). No handler builds an error page by hand.

use std::fmt;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};

use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::partners::surface::Surface;

/// Where an error page leads back to, for the user who met it: (address, words).
pub type Back = fn(&CurrentUser) -> (&'static str, &'static str);

/// What went wrong, and where the error page leads back to (the user's own area when `None`);
/// a victim's page inside a partner's module shows its error inside the module.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub back: Option<Back>,
    pub surface: Option<Surface>,
}

impl PageError {
    /// The same error, with the way back its page offers.
    pub fn back(mut self, back: Back) -> Self {
        self.back = Some(back);
        self
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError {
            error,
            back: None,
            surface: None,
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        crate::http::problem::status_of(&self.error)
    }

    /// The status only: the page itself needs the templates and the user, which [`render`]
    /// has.
    fn error_response(&self) -> HttpResponse<BoxBody> {
        HttpResponse::build(self.status_code()).finish()
    }
}

/// The page of an error a handler returned: the signed-in page (menu, way back) when the
/// request had a session, else the public error page.
pub fn page_of(state: &AppState, user: Option<&CurrentUser>, error: &PageError) -> HttpResponse {
    if let Some(surface @ Surface::Module(_)) = &error.surface {
        return surface.error(state, &error.error);
    }
    match user {
        Some(user) => match error.back {
            Some(back) => crate::web::kit::error_page(state, user, &error.error, back(user)),
            None => crate::web::kit::area_error_page(state, user, &error.error),
        },
        None => crate::web::render_error(state, &error.error),
    }
}

/// Middleware: a response carrying a [`PageError`] becomes its page.
pub async fn render(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let Some(error) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
    else {
        return Ok(res.map_into_left_body());
    };
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res.map_into_left_body());
    };
    let user = res.request().extensions().get::<CurrentUser>().cloned();
    let page = page_of(&state, user.as_ref(), error);
    Ok(res.into_response(page).map_into_right_body())
}

/// What a page handler answers: its page, or the error [`render`] shows.
pub type PageResult = Result<HttpResponse, PageError>;
