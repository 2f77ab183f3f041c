//! The partners' pages: the module their sites embed (`module`, shown on the `surface` of a
//! partner) and the staff's management of partners, keys, figures and integration (`staff`).

mod context;
mod list;
pub mod module;
mod module_chat;
pub mod staff;
pub mod surface;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(module::configure)
        .configure(module_chat::configure)
        .configure(list::configure)
        .configure(staff::configure);
}
