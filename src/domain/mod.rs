//! Pure rules, no I/O.

pub mod assistance;
pub mod audience;
pub mod label_application;
pub mod matching;
pub mod provider;
pub mod referencing;
pub mod siret;
pub mod taxonomy;
pub mod text;
pub mod zone;
