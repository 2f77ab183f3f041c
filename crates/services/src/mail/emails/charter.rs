//! Charter emails.

use serde::Serialize;

/// To each member of a referenced provider: a new charter version awaits acceptance.
#[derive(Serialize)]
pub struct CharterNewVersion {
    pub name: String,
    pub provider_name: String,
    pub version: String,
    pub charter_url: String,
    /// `dd/mm/yyyy`.
    pub deadline: String,
}

templates! {
    CharterNewVersion => "charter_new_version",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    #[test]
    fn charter_new_version() {
        assert_snapshot!(rendered(&CharterNewVersion {
            name: "Camille Durand".into(),
            provider_name: "Cyber Secours Normandie".into(),
            version: "2026-01".into(),
            charter_url:
                "https://cyberdir.example/espace/organisations/0190f3c2-5b7e-7a41-9c3d-2f8e6a1b4c5d"
                    .into(),
            deadline: "04/02/2026".into(),
        }));
    }
}
