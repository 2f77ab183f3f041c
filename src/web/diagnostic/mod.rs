//! The diagnostic's pages: the victim's journey (`victim`), its result (`result`) and the staff's view of the tree in
//! force (`staff`; a new version is the editors', `web::content::editorial`).

pub(crate) mod nearby;
pub(crate) mod result;
mod staff;
pub(crate) mod victim;

pub(crate) use result::outcome_preview;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(victim::configure)
        .configure(result::configure)
        .configure(staff::configure);
}
