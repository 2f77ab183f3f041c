//! Administration pages.

pub mod invitations;
pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(users::users_get)
        .service(users::users_export)
        .service(users::user_post)
        .service(invitations::invite_post);
}
