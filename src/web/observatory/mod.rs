//! The observatory's pages: the staff dashboard (`staff`), drawn with server-side SVG
//! (`charts`), the public statistics with their open-data files (`public`), and the files'
//! revisions and corrections for staff (`files`).

mod alert_list;
mod alerts;
pub mod charts;
mod chats;
mod context;
mod files;
mod prevention;
mod public;
mod staff;
pub(crate) mod svg;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(staff::configure)
        .configure(public::configure)
        .configure(alert_list::configure)
        .configure(alerts::configure)
        .configure(files::configure)
        .configure(prevention::configure)
        .configure(chats::configure);
}
