//! Pure rules, no I/O.

pub mod audience;
pub mod matching;
pub mod provider;
pub mod referencing;
pub mod siret;
pub mod taxonomy;
pub mod text;
pub mod zone;
