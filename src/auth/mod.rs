//! Accounts, sessions, roles and CSRF protection.

pub mod accounts;
pub mod extract;
pub mod password;
pub mod tokens;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do; one role per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A member of one or more provider organisations.
    Provider,
    /// A reviewer of the public-interest group.
    Staff,
    /// An auditor of the certification body.
    Auditor,
    /// Manages users and roles.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Provider, Self::Staff, Self::Auditor, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Staff => "staff",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff work includes admins (who manage the platform as a whole).
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Staff | Self::Admin)
    }
}

/// Cookie holding the session token.
pub const SESSION_COOKIE: &str = "cyberdir_session";
/// Header carrying the session's CSRF token on API calls that are not JSON (uploads).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Session lifetime.
pub const SESSION_HOURS: i64 = 24;
