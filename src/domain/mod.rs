//! Pure rules, no I/O.

pub mod actor;
pub mod assistance;
pub mod audience;
pub mod codes;
pub mod diagnostic;
pub mod hsds;
pub mod label;
pub mod label_application;
pub mod matching;
pub mod observatory;
pub mod partner;
pub mod provider;
pub mod reason;
pub mod referencing;
pub mod siret;
pub mod taxonomy;
pub mod text;
pub mod transitions;
pub mod zone;
