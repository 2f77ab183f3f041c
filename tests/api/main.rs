//! The integration tests: one binary (linking the crate once), one module per subject.

mod common;

mod accounts;
mod assistance;
mod assistance_pages;
mod backoffice_pages;
mod charter;
mod cli;
mod geo;
mod health;
mod journey;
mod label_pages;
mod labels;
mod migrations;
mod outbox;
mod pages;
mod portal_pages;
mod referencing;
mod search;
