//! Reference geography (départements fixture, official imports, location lookup) and the
//! in-memory spatial index of published providers.

pub mod bundled;
pub mod communes;
pub mod import;
pub mod location;
pub mod place;
