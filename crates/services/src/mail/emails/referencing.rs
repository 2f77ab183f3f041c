//! Referencing emails: the application workflow, change requests to a referenced profile, and
//! invitations to an organisation. `name` is the recipient's, `provider_name` the organisation's.

use serde::Serialize;

/// To the person invited to join an organisation (who may have no account yet).
#[derive(Serialize)]
pub struct OrganisationInvitation {
    pub inviter_name: String,
    pub provider_name: String,
    pub accept_url: String,
    /// How long the invitation is valid.
    pub days: i64,
}

/// To each member: the application was submitted.
#[derive(Serialize)]
pub struct ApplicationReceived {
    pub name: String,
    pub provider_name: String,
    pub application_url: String,
}

/// To each member: the application was withdrawn.
#[derive(Serialize)]
pub struct ApplicationWithdrawn {
    pub name: String,
    pub provider_name: String,
}

/// To each member: staff started the review.
#[derive(Serialize)]
pub struct ApplicationInReview {
    pub name: String,
    pub provider_name: String,
    pub application_url: String,
}

/// To each member: staff asked for changes.
#[derive(Serialize)]
pub struct ApplicationChangesRequested {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
    pub application_url: String,
}

/// To each member: the provider is referenced.
#[derive(Serialize)]
pub struct ApplicationApproved {
    pub name: String,
    pub provider_name: String,
    pub profile_url: String,
    pub application_url: String,
}

/// To each member: the application was rejected.
#[derive(Serialize)]
pub struct ApplicationRejected {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
    pub application_url: String,
}

/// To each member: the referencing is suspended.
#[derive(Serialize)]
pub struct ProviderSuspended {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
    pub application_url: String,
}

/// To each member: the suspension is lifted.
#[derive(Serialize)]
pub struct ProviderReinstated {
    pub name: String,
    pub provider_name: String,
    pub profile_url: String,
}

/// To each member: the provider is removed from the directory.
#[derive(Serialize)]
pub struct ProviderRemoved {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
}

/// To each staff member: an application (or a resubmission) awaits review.
#[derive(Serialize)]
pub struct StaffApplicationSubmitted {
    pub name: String,
    pub provider_name: String,
    /// Submitted again after changes were requested.
    pub resubmitted: bool,
    pub review_url: String,
}

/// To each member: a document ends soon (or ended): send the next one.
#[derive(Serialize)]
pub struct DocumentRenewal {
    pub name: String,
    pub provider_name: String,
    pub document: String,
    pub valid_until: String,
    pub lapsed: bool,
    pub documents_url: String,
}

/// To each staff member: an application they had received was withdrawn.
#[derive(Serialize)]
pub struct StaffApplicationWithdrawn {
    pub name: String,
    pub provider_name: String,
    pub review_url: String,
}

/// To each staff member: a referenced provider asks to change reviewed fields.
#[derive(Serialize)]
pub struct StaffChangeRequest {
    pub name: String,
    pub provider_name: String,
    /// French labels of the fields to change.
    pub fields: Vec<&'static str>,
    pub review_url: String,
}

/// To each member: the change request was approved and applied.
#[derive(Serialize)]
pub struct ChangeRequestApproved {
    pub name: String,
    pub provider_name: String,
    pub fields: Vec<&'static str>,
    pub profile_url: String,
}

/// To each member: the change request was rejected.
#[derive(Serialize)]
pub struct ChangeRequestRejected {
    pub name: String,
    pub provider_name: String,
    pub fields: Vec<&'static str>,
    pub reason: String,
    pub application_url: String,
}

templates! {
    DocumentRenewal => "document_renewal",
    StaffApplicationWithdrawn => "staff_application_withdrawn",
    OrganisationInvitation => "organisation_invitation",
    ApplicationReceived => "application_received",
    ApplicationWithdrawn => "application_withdrawn",
    ApplicationInReview => "application_in_review",
    ApplicationChangesRequested => "application_changes_requested",
    ApplicationApproved => "application_approved",
    ApplicationRejected => "application_rejected",
    ProviderSuspended => "provider_suspended",
    ProviderReinstated => "provider_reinstated",
    ProviderRemoved => "provider_removed",
    StaffApplicationSubmitted => "staff_application_submitted",
    StaffChangeRequest => "staff_change_request",
    ChangeRequestApproved => "change_request_approved",
    ChangeRequestRejected => "change_request_rejected",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    const ID: &str = "0190f3c2-5b7e-7a41-9c3d-2f8e6a1b4c5d";

    fn name() -> String {
        "Camille Durand".into()
    }

    fn provider_name() -> String {
        "Cyber Secours Normandie".into()
    }

    fn application_url() -> String {
        format!("https://cyberdir.example/espace/organisations/{ID}")
    }

    fn profile_url() -> String {
        format!("https://cyberdir.example/prestataires/{ID}")
    }

    fn review_url() -> String {
        format!("https://cyberdir.example/instruction/dossiers/{ID}")
    }

    fn reason() -> String {
        "Le numéro SIRET ne correspond pas à la raison sociale.\nMerci de joindre un extrait Kbis de moins de trois mois.".into()
    }

    fn fields() -> Vec<&'static str> {
        vec!["Raison sociale", "Adresse", "Code postal", "Commune"]
    }

    #[test]
    fn organisation_invitation() {
        assert_snapshot!(rendered(&OrganisationInvitation {
            inviter_name: "Léa Martin".into(),
            provider_name: provider_name(),
            accept_url: "https://cyberdir.example/espace/invitations?token=aW52aXRhdGlvbg".into(),
            days: 7,
        }));
    }

    #[test]
    fn application_received() {
        assert_snapshot!(rendered(&ApplicationReceived {
            name: name(),
            provider_name: provider_name(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn application_withdrawn() {
        assert_snapshot!(rendered(&ApplicationWithdrawn {
            name: name(),
            provider_name: provider_name(),
        }));
    }

    #[test]
    fn application_in_review() {
        assert_snapshot!(rendered(&ApplicationInReview {
            name: name(),
            provider_name: provider_name(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn application_changes_requested() {
        assert_snapshot!(rendered(&ApplicationChangesRequested {
            name: name(),
            provider_name: provider_name(),
            reason: reason(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn application_approved() {
        assert_snapshot!(rendered(&ApplicationApproved {
            name: name(),
            provider_name: provider_name(),
            profile_url: profile_url(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn application_rejected() {
        assert_snapshot!(rendered(&ApplicationRejected {
            name: name(),
            provider_name: provider_name(),
            reason: "Les prestations décrites ne relèvent pas de l'assistance aux victimes.".into(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn provider_suspended() {
        assert_snapshot!(rendered(&ProviderSuspended {
            name: name(),
            provider_name: provider_name(),
            reason: "Plusieurs victimes signalent des interventions facturées sans devis.".into(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn provider_reinstated() {
        assert_snapshot!(rendered(&ProviderReinstated {
            name: name(),
            provider_name: provider_name(),
            profile_url: profile_url(),
        }));
    }

    #[test]
    fn provider_removed() {
        assert_snapshot!(rendered(&ProviderRemoved {
            name: name(),
            provider_name: provider_name(),
            reason: "Cessation d'activité constatée au registre du commerce.".into(),
        }));
    }

    #[test]
    fn staff_application_submitted() {
        assert_snapshot!(rendered(&StaffApplicationSubmitted {
            name: "Julien Moreau".into(),
            provider_name: provider_name(),
            resubmitted: false,
            review_url: review_url(),
        }));
    }

    #[test]
    fn staff_application_submitted_again() {
        assert_snapshot!(rendered(&StaffApplicationSubmitted {
            name: "Julien Moreau".into(),
            provider_name: provider_name(),
            resubmitted: true,
            review_url: review_url(),
        }));
    }

    #[test]
    fn document_renewal() {
        assert_snapshot!(rendered(&DocumentRenewal {
            name: "Camille Durand".into(),
            provider_name: provider_name(),
            document: "Attestation d'assurance de responsabilité civile professionnelle".into(),
            valid_until: "31/12/2026".into(),
            lapsed: false,
            documents_url: "https://cyberdir.example/espace/organisations/42#documents".into(),
        }));
    }

    #[test]
    fn staff_application_withdrawn() {
        assert_snapshot!(rendered(&StaffApplicationWithdrawn {
            name: "Julien Moreau".into(),
            provider_name: provider_name(),
            review_url: review_url(),
        }));
    }

    #[test]
    fn staff_change_request() {
        assert_snapshot!(rendered(&StaffChangeRequest {
            name: "Julien Moreau".into(),
            provider_name: provider_name(),
            fields: fields(),
            review_url: review_url(),
        }));
    }

    #[test]
    fn change_request_approved() {
        assert_snapshot!(rendered(&ChangeRequestApproved {
            name: name(),
            provider_name: provider_name(),
            fields: fields(),
            profile_url: profile_url(),
        }));
    }

    #[test]
    fn change_request_rejected() {
        assert_snapshot!(rendered(&ChangeRequestRejected {
            name: name(),
            provider_name: provider_name(),
            fields: fields(),
            reason: reason(),
            application_url: application_url(),
        }));
    }
}
