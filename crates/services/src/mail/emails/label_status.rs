//! Emails about a granted label: suspended, reinstated, withdrawn, expired, or about to expire.
//! `name` is the recipient's, `provider_name` the organisation's; dates are `dd/mm/yyyy`.

use serde::Serialize;

/// To each member: the label is suspended.
#[derive(Serialize)]
pub struct LabelSuspended {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub reason: String,
    pub verification_url: String,
}

/// To each member: the suspension is lifted.
#[derive(Serialize)]
pub struct LabelReinstated {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub valid_until: String,
    pub verification_url: String,
}

/// To each member: the label is withdrawn.
#[derive(Serialize)]
pub struct LabelWithdrawn {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub reason: String,
    pub verification_url: String,
}

/// To each member: the label expired.
#[derive(Serialize)]
pub struct LabelExpired {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub valid_until: String,
    pub verification_url: String,
}

/// To each member: the label expires in `days` days.
#[derive(Serialize)]
pub struct LabelExpiryReminder {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub days: i64,
    pub valid_until: String,
    pub portal_url: String,
}

templates! {
    LabelSuspended => "label_suspended",
    LabelReinstated => "label_reinstated",
    LabelWithdrawn => "label_withdrawn",
    LabelExpired => "label_expired",
    LabelExpiryReminder => "label_expiry_reminder",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    const NUMBER: &str = "EC-2026-0042";

    fn name() -> String {
        "Camille Durand".into()
    }

    fn provider_name() -> String {
        "Cyber Secours Normandie".into()
    }

    fn verification_url() -> String {
        format!("https://cyberdir.example/labels/{NUMBER}")
    }

    #[test]
    fn label_suspended() {
        assert_snapshot!(rendered(&LabelSuspended {
            name: name(),
            provider_name: provider_name(),
            number: NUMBER.into(),
            reason: "Le référencement du prestataire est suspendu.".into(),
            verification_url: verification_url(),
        }));
    }

    #[test]
    fn label_reinstated() {
        assert_snapshot!(rendered(&LabelReinstated {
            name: name(),
            provider_name: provider_name(),
            number: NUMBER.into(),
            valid_until: "31/03/2029".into(),
            verification_url: verification_url(),
        }));
    }

    #[test]
    fn label_withdrawn() {
        assert_snapshot!(rendered(&LabelWithdrawn {
            name: name(),
            provider_name: provider_name(),
            number: NUMBER.into(),
            reason: "Le prestataire est retiré de l'annuaire.".into(),
            verification_url: verification_url(),
        }));
    }

    #[test]
    fn label_expired() {
        assert_snapshot!(rendered(&LabelExpired {
            name: name(),
            provider_name: provider_name(),
            number: NUMBER.into(),
            valid_until: "31/03/2029".into(),
            verification_url: verification_url(),
        }));
    }

    #[test]
    fn label_expiry_reminder() {
        assert_snapshot!(rendered(&LabelExpiryReminder {
            name: name(),
            provider_name: provider_name(),
            number: NUMBER.into(),
            days: 30,
            valid_until: "31/03/2029".into(),
            portal_url:
                "https://cyberdir.example/espace/organisations/0190f3c2-5b7e-7a41-9c3d-2f8e6a1b4c5d/label"
                    .into(),
        }));
    }
}
