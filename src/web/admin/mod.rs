//! Administration pages.

pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(users::users_get).service(users::user_post);
}
