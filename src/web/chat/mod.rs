//! The chat with a police officer or a gendarme: the victim's pages (`victim`), the operators'
//! console (`operator`), what supervisors manage (`supervisor`), and the event streams both
//! sides read (`stream`).

mod operator;
mod stream;
mod supervisor;
pub(crate) mod victim;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(victim::configure)
        .configure(operator::configure)
        .configure(supervisor::configure);
}

/// Whether the page's script sent the form (it reads the answer as JSON); a form without it is
/// redirected back to the page.
fn from_script(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get("Accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}
