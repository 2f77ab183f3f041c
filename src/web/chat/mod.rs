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
