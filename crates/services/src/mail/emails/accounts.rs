//! Account emails: sign-up and password reset.

use serde::Serialize;

/// To the owner of an address someone tried to sign up with.
#[derive(Serialize)]
pub struct AccountExists {
    pub name: String,
    pub reset_url: String,
}

/// To a new account, to confirm its address.
#[derive(Serialize)]
pub struct AccountVerify {
    pub name: String,
    pub verify_url: String,
    /// How long the link is valid.
    pub hours: i64,
}

/// The one-time link to choose a new password.
#[derive(Serialize)]
pub struct PasswordReset {
    pub name: String,
    pub reset_url: String,
    /// How long the link is valid.
    pub minutes: i64,
}

/// To a person an admin invited: the link to choose a password.
#[derive(Serialize)]
pub struct StaffInvitation {
    pub name: String,
    /// The admin who invited them.
    pub inviter: String,
    /// The role, in French.
    pub role: String,
    pub url: String,
    /// How long the link is valid.
    pub days: i64,
}

templates! {
    StaffInvitation => "staff_invitation",
    AccountExists => "account_exists",
    AccountVerify => "account_verify",
    PasswordReset => "password_reset",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    #[test]
    fn account_exists() {
        assert_snapshot!(rendered(&AccountExists {
            name: "Camille Durand".into(),
            reset_url: "https://cyberdir.example/mot-de-passe-oublie".into(),
        }));
    }

    #[test]
    fn account_verify() {
        assert_snapshot!(rendered(&AccountVerify {
            name: "Camille Durand".into(),
            verify_url: "https://cyberdir.example/compte/verification?token=Zm9vYmFyYmF6".into(),
            hours: 48,
        }));
    }

    #[test]
    fn staff_invitation() {
        assert_snapshot!(rendered(&StaffInvitation {
            name: "Dominique Martin".into(),
            inviter: "Camille Durand".into(),
            role: "Équipe d'instruction".into(),
            url: "https://cyberdir.example/mot-de-passe/nouveau?token=cXV4cXV1eA".into(),
            days: 7,
        }));
    }

    #[test]
    fn password_reset() {
        assert_snapshot!(rendered(&PasswordReset {
            name: "Camille Durand".into(),
            reset_url: "https://cyberdir.example/mot-de-passe/nouveau?token=cXV4cXV1eA".into(),
            minutes: 60,
        }));
    }
}
