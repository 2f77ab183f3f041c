//! Who acts: the signed-in user as services see it (no session or CSRF detail), and the roles.

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
    /// Writes and reviews the advice (fiches, contacts, the diagnostic's texts).
    Editor,
    /// Answers victims in the chat: a police officer, a gendarme or a member of the platform's
    /// staff (the force and the supervisor role are the operator's settings).
    Operator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Provider,
        Self::Staff,
        Self::Auditor,
        Self::Admin,
        Self::Editor,
        Self::Operator,
    ];

    /// The roles that do staff work, as stored: they receive staff notices.
    pub const REVIEWERS: [&'static str; 2] = ["staff", "admin"];

    /// The French name of the role, as shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Provider => "Prestataire",
            Self::Staff => "Équipe d'instruction",
            Self::Auditor => "Auditeur",
            Self::Admin => "Administrateur",
            Self::Editor => "Éditeur de contenus",
            Self::Operator => "Opérateur de l'échange (police, gendarmerie, plateforme)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Staff => "staff",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff work includes admins (who manage the platform as a whole).
    pub fn is_staff(self) -> bool {
        Self::REVIEWERS.contains(&self.as_str())
    }
}

/// The user on whose behalf a service acts; built by the web layer from the session, with the
/// organisations the user belongs to as of this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub memberships: Vec<Membership>,
}

/// Membership of an organisation (a provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub provider_id: String,
    /// The owner manages the members.
    pub owner: bool,
}

impl Actor {
    /// Whoever runs `cyberdir` on the server: with the database in hand, an administrator.
    pub fn command_line() -> Actor {
        Actor {
            id: "cli".to_owned(),
            email: String::new(),
            display_name: "ligne de commande".to_owned(),
            role: Role::Admin,
            memberships: Vec::new(),
        }
    }

    /// The actor's membership of the organisation, if any.
    pub fn membership(&self, provider_id: &str) -> Option<&Membership> {
        self.memberships
            .iter()
            .find(|m| m.provider_id == provider_id)
    }

    pub fn is_member_of(&self, provider_id: &str) -> bool {
        self.membership(provider_id).is_some()
    }

    pub fn require_staff(&self) -> Result<(), Refused> {
        if self.role.is_staff() {
            Ok(())
        } else {
            Err(Refused("Réservé aux équipes du groupement."))
        }
    }

    pub fn require_admin(&self) -> Result<(), Refused> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Refused("Réservé aux administrateurs."))
        }
    }
}

/// A step refused to the one who asks, with the reason in French (a 403 over HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub &'static str);
