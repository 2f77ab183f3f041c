//! Pure rules, no I/O: no database connection, no web framework, no clock read (the day is
//! always given). The crate graph keeps it so: this crate depends on none of the service's.

pub mod actor;
pub mod assistance;
pub mod audience;
pub mod chat;
pub mod codes;
pub mod content;
pub mod departements;
pub mod diagnostic;
pub mod hsds;
pub mod label;
pub mod label_application;
pub mod matching;
pub mod observatory;
pub mod on_call;
pub mod outbox;
pub mod partner;
pub mod profile_diff;
pub mod provider;
pub mod reason;
pub mod referencing;
pub mod siret;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod stored;
pub mod taxonomy;
pub mod text;
pub mod transitions;
pub mod zone;
