//! Accounts, sessions, roles and CSRF protection.

pub mod accounts;
pub mod invitations;
pub mod password;
pub mod tokens;
pub mod users;

pub use crate::domain::actor::Role;

/// Header carrying the session's CSRF token on API calls that are not JSON (uploads).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Session lifetime.
pub const SESSION_HOURS: i64 = 24;
