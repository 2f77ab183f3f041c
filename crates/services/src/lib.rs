//! cyberdir's feature services: each workflow's steps, rules applied to the database in one
//! transaction, its emails and scheduled work, and the in-memory views they keep. Below the web
//! crate (`cyberdir`), above the database (`cyberdir-db`) and the pure rules (`cyberdir-domain`):
//! nothing here can reach a page or an API handler.

pub mod assistance;
pub mod audit;
pub mod auth;
pub mod background;
pub mod cache;
pub mod cases;
pub mod chat;
pub mod clock;
pub mod config;
pub mod content;
pub mod csv_export;
pub use cyberdir_db as db;
pub mod diagnostic;
pub mod directory;
pub mod editorial;
pub use cyberdir_domain as domain;
pub mod error;
pub mod french;
pub mod geo;
pub mod hsds;
pub mod infra;
pub mod jobs;
pub mod json;
pub mod label;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod monitoring;
pub mod observatory;
pub mod partners;
pub mod referencing;
pub mod seed;
pub mod setup;
pub mod signed;
pub mod templates;
pub mod uploads;
pub mod workflow;

pub use crate::infra::{Infra, StartupError};
