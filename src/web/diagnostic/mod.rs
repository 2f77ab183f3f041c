//! The diagnostic's pages: the victim's journey (`victim`) and the staff's view of the tree in
//! force with publication of a new version by an admin (`staff`).

pub(crate) mod nearby;
mod staff;
pub(crate) mod victim;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(victim::configure).configure(staff::configure);
}
