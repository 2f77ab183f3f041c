//! The integration tests: one binary (linking the crate once), one module per subject.

// Test code: an unexpected value fails the run, which is what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod accessibility;
mod accounts;
mod assistance;
mod assistance_list;
mod assistance_pages;
mod assistance_rules;
mod assistance_urgent;
mod audit_drafts;
mod back_office_browser;
mod case_messages;
mod case_work;
mod charter;
mod chat;
mod chat_browser;
mod chat_nodes;
mod cli;
mod content;
mod content_editorial;
mod diagnostic;
mod diagnostic_browser;
mod diagnostic_pages;
mod directory;
mod directory_pages;
mod edges;
mod geo;
mod hardening;
mod health;
mod hsds;
mod invitations;
mod journey;
mod label_granted_pages;
mod label_pages;
mod label_rules;
mod labels;
mod metrics;
mod migrations;
mod observatory;
mod observatory_alerts;
mod observatory_public;
mod observatory_reference;
mod outbox;
mod partner_figures;
mod partners;
mod partners_browser;
mod partners_module;
mod referencing;
mod referencing_pages;
mod referencing_rules;
mod review_pages;
mod staff_lists;
mod victim_privacy;
