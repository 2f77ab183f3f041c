//! Where the victim's pages are shown: on the site, or inside a partner's module, framed by the
//! partner's website. The same handlers serve both; the surface gives their addresses, their
//! channel for the observatory, and how a page is sent: in the module, with the light layout,
//! the form token instead of a cookie, and `frame-ancestors` naming exactly the partner's origins.

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
use serde::Serialize;

use crate::error::AppError;
use crate::observatory::facts::Channel;
use crate::partners::{ModulePartner, forms};
use crate::state::AppState;
use crate::web::{page, render_error};

#[derive(Clone, Debug)]
pub enum Surface {
    Site,
    Module(Arc<ModulePartner>),
}

impl Surface {
    /// The diagnostic's first page; its journeys live under it.
    pub fn diagnostic(&self) -> String {
        match self {
            Self::Site => "/diagnostic".into(),
            Self::Module(p) => format!("/module/{}/diagnostic", p.id),
        }
    }

    /// The assistance request form.
    pub fn request_form(&self) -> String {
        match self {
            Self::Site => "/demande-assistance".into(),
            Self::Module(p) => format!("/module/{}/demande", p.id),
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            Self::Site => Channel::SITE,
            Self::Module(p) => Channel::module(&p.id),
        }
    }

    pub fn partner(&self) -> Option<&ModulePartner> {
        match self {
            Self::Site => None,
            Self::Module(p) => Some(p),
        }
    }

    /// Whether professionals are found and requests taken here (not in a diagnostic-only
    /// module, which sends to the site for that).
    pub fn offers_help(&self) -> bool {
        self.partner().is_none_or(|p| p.scope.offers_help())
    }

    /// Checks a form posted in the module (nothing to check on the site's anonymous journey).
    pub fn check_form(&self, state: &AppState, token: &str) -> Result<Option<String>, AppError> {
        match self {
            Self::Site => Ok(None),
            Self::Module(p) => forms::check(state, &p.id, token).map(Some),
        }
    }

    /// Sends a page: on the site as every page; in the module with its layout, a fresh form
    /// token, and the partner's origins as the only ones allowed to frame it.
    pub fn page(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &str,
        title: &str,
        body: impl serde::Serialize,
    ) -> HttpResponse {
        let Self::Module(partner) = self else {
            return page(state, status, template, title, None, body);
        };
        let token = match forms::issue(state, &partner.id) {
            Ok(token) => token,
            Err(e) => return render_error(state, &e),
        };
        let body = InModule {
            body,
            module: module_data(state, partner, &token),
        };
        framed(
            page(state, status, template, title, None, body),
            &partner.origins,
        )
    }

    /// A handler's error, shown where the victim is (in the module, or on the site).
    pub fn failed(&self, error: AppError) -> crate::web::page_error::PageError {
        crate::web::page_error::PageError {
            error,
            back: None,
            surface: Some(self.clone()),
        }
    }

    /// An error in the module is a page of the module, not of the site.
    pub fn error(&self, state: &AppState, error: &AppError) -> HttpResponse {
        match self {
            Self::Site => render_error(state, error),
            Self::Module(_) => {
                if crate::http::problem::status_of(error).is_server_error() {
                    tracing::error!(%error, "module page error");
                }
                self.page(
                    state,
                    crate::http::problem::status_of(error),
                    "pages/partners/module_message",
                    "Erreur",
                    ModuleMessage {
                        heading: "Nous n'avons pas pu afficher cette page",
                        message: crate::web::message_of(error),
                    },
                )
            }
        }
    }
}

/// A page's own data with what the module's layout and forms need beside it.
#[derive(Serialize)]
struct InModule<T> {
    #[serde(flatten)]
    body: T,
    module: ModuleData,
}

/// What the module's layout and forms need.
#[derive(Serialize)]
pub struct ModuleData {
    id: String,
    name: String,
    home: String,
    token: String,
    origins: String,
    theme: String,
    site: String,
    diagnostic: bool,
    help: bool,
}

/// The module's message page (an error shown inside the partner's frame).
#[derive(Serialize)]
struct ModuleMessage {
    heading: &'static str,
    message: String,
}

fn module_data(state: &AppState, partner: &ModulePartner, token: &str) -> ModuleData {
    ModuleData {
        id: partner.id.clone(),
        name: partner.name.clone(),
        home: format!("/module/{}", partner.id),
        token: token.to_owned(),
        origins: partner.origins.join(" "),
        theme: format!("/module/{}/theme.css?v={}", partner.id, partner.version),
        site: state.config.base_url.clone(),
        diagnostic: partner.scope.offers_diagnostic(),
        help: partner.scope.offers_help(),
    }
}

/// The policy of a module page: the site's, with `frame-ancestors` naming `origins` (none:
/// any site may frame it — only for the neutral message of an unknown partner).
/// An origin stored before origins were checked as strictly is left out, never written into
/// the header; when none is left, no site may frame the page.
pub fn policy(origins: &[String]) -> String {
    let clean: Vec<&str> = origins
        .iter()
        .map(String::as_str)
        .filter(|o| crate::domain::partner::is_clean_origin(o))
        .collect();
    let ancestors = if origins.is_empty() {
        "*".to_owned()
    } else if clean.is_empty() {
        "'none'".to_owned()
    } else {
        clean.join(" ")
    };
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// `response` allowed in frames of `origins`.
pub fn framed(mut response: HttpResponse, origins: &[String]) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&policy(origins)) {
        response
            .headers_mut()
            .insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}
