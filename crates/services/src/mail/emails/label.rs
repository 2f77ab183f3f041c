//! Label application emails: to the provider's members at each step, to the assigned auditor,
//! and to staff. `name` is the recipient's, `provider_name` the organisation's; dates are
//! `dd/mm/yyyy`, fees whole euros (`450 €`).

use serde::Serialize;

/// To each staff member: a label application (or renewal) awaits the admissibility check.
#[derive(Serialize)]
pub struct StaffLabelApplicationSubmitted {
    pub name: String,
    pub provider_name: String,
    pub renewal: bool,
    pub review_url: String,
}

/// To each member: the application was submitted.
#[derive(Serialize)]
pub struct LabelApplicationReceived {
    pub name: String,
    pub provider_name: String,
    pub renewal: bool,
    pub application_url: String,
    pub fee: String,
}

/// To each member: the application is incomplete.
#[derive(Serialize)]
pub struct LabelApplicationIncomplete {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
    pub application_url: String,
}

/// To each member: the application is admissible.
#[derive(Serialize)]
pub struct LabelApplicationAdmissible {
    pub name: String,
    pub provider_name: String,
    pub application_url: String,
    pub fee: String,
    /// The fee is still to be paid.
    pub fee_pending: bool,
}

/// To the auditor: an audit is assigned to them.
#[derive(Serialize)]
pub struct AuditorAssignment {
    pub name: String,
    pub provider_name: String,
    pub audit_date: String,
    pub audit_url: String,
}

/// To each member: the audit is scheduled.
#[derive(Serialize)]
pub struct LabelAuditScheduled {
    pub name: String,
    pub provider_name: String,
    pub audit_date: String,
    pub auditor_name: String,
    pub application_url: String,
}

/// To each staff member: the auditor recorded the audit.
#[derive(Serialize)]
pub struct StaffLabelAuditRecorded {
    pub name: String,
    pub provider_name: String,
    /// Major non-conformities: corrective actions are required.
    pub corrective: bool,
    pub review_url: String,
}

/// To each member: corrective actions are required before the deadline.
#[derive(Serialize)]
pub struct LabelCorrectiveActions {
    pub name: String,
    pub provider_name: String,
    pub deadline: String,
    pub application_url: String,
}

/// To each member: the audit passed, the decision is pending.
#[derive(Serialize)]
pub struct LabelAuditResult {
    pub name: String,
    pub provider_name: String,
    pub application_url: String,
}

/// To the auditor: corrective actions to verify.
#[derive(Serialize)]
pub struct AuditorCorrectionsToVerify {
    pub name: String,
    pub provider_name: String,
    pub audit_url: String,
}

/// To each staff member: corrective actions were submitted.
#[derive(Serialize)]
pub struct StaffLabelCorrectionsSubmitted {
    pub name: String,
    pub provider_name: String,
    pub review_url: String,
}

/// To each member: the label is granted (or renewed).
#[derive(Serialize)]
pub struct LabelGranted {
    pub name: String,
    pub provider_name: String,
    pub renewal: bool,
    pub number: String,
    pub valid_from: String,
    pub valid_until: String,
    pub verification_url: String,
}

/// To each member: the application is refused.
#[derive(Serialize)]
pub struct LabelApplicationRefused {
    pub name: String,
    pub provider_name: String,
    pub reason: String,
    pub application_url: String,
}

/// To each member: the application was withdrawn.
#[derive(Serialize)]
pub struct LabelApplicationWithdrawn {
    pub name: String,
    pub provider_name: String,
    pub application_url: String,
}

/// To each staff member: the corrective-action deadline passed, the application is refused.
#[derive(Serialize)]
pub struct StaffLabelDeadlinePassed {
    pub name: String,
    pub provider_name: String,
    pub deadline: String,
    pub review_url: String,
}

/// To each staff member: a label expired (its end date passed, or the time a renewal under
/// examination could hold it).
#[derive(Serialize)]
pub struct StaffLabelExpired {
    pub name: String,
    pub provider_name: String,
    pub number: String,
    pub valid_until: String,
    pub renewal_examined: bool,
    pub label_url: String,
}

/// To the auditor: the audit is no longer theirs, or is on hold while the provider is
/// suspended (`why` completes the sentence).
#[derive(Serialize)]
pub struct AuditorAuditCancelled {
    pub name: String,
    pub provider_name: String,
    pub audit_date: Option<String>,
    pub why: String,
    pub on_hold: bool,
}

/// To each staff member: the provider withdrew its application (`state` it was in).
#[derive(Serialize)]
pub struct StaffLabelApplicationWithdrawn {
    pub name: String,
    pub provider_name: String,
    pub state: String,
    pub review_url: String,
}

templates! {
    StaffLabelApplicationSubmitted => "staff_label_application_submitted",
    LabelApplicationReceived => "label_application_received",
    LabelApplicationIncomplete => "label_application_incomplete",
    LabelApplicationAdmissible => "label_application_admissible",
    AuditorAssignment => "auditor_assignment",
    LabelAuditScheduled => "label_audit_scheduled",
    StaffLabelAuditRecorded => "staff_label_audit_recorded",
    LabelCorrectiveActions => "label_corrective_actions",
    LabelAuditResult => "label_audit_result",
    AuditorCorrectionsToVerify => "auditor_corrections_to_verify",
    StaffLabelCorrectionsSubmitted => "staff_label_corrections_submitted",
    LabelGranted => "label_granted",
    LabelApplicationRefused => "label_application_refused",
    LabelApplicationWithdrawn => "label_application_withdrawn",
    StaffLabelDeadlinePassed => "staff_label_deadline_passed",
    StaffLabelExpired => "staff_label_expired",
    AuditorAuditCancelled => "auditor_audit_cancelled",
    StaffLabelApplicationWithdrawn => "staff_label_application_withdrawn",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    const PROVIDER: &str = "0190f3c2-5b7e-7a41-9c3d-2f8e6a1b4c5d";
    const APPLICATION: &str = "0190f3d8-1a2b-7c3d-8e4f-5a6b7c8d9e0f";

    fn name() -> String {
        "Camille Durand".into()
    }

    fn staff() -> String {
        "Julien Moreau".into()
    }

    fn auditor() -> String {
        "Sophie Lefèvre".into()
    }

    fn provider_name() -> String {
        "Cyber Secours Normandie".into()
    }

    fn application_url() -> String {
        format!("https://cyberdir.example/espace/organisations/{PROVIDER}/label/{APPLICATION}")
    }

    fn review_url() -> String {
        format!("https://cyberdir.example/instruction/label/{APPLICATION}")
    }

    fn audit_url() -> String {
        format!("https://cyberdir.example/audit/{APPLICATION}")
    }

    fn staff_label_application_submitted(renewal: bool) -> String {
        rendered(&StaffLabelApplicationSubmitted {
            name: staff(),
            provider_name: provider_name(),
            renewal,
            review_url: review_url(),
        })
    }

    #[test]
    fn staff_label_application_submitted_new() {
        assert_snapshot!(staff_label_application_submitted(false));
    }

    #[test]
    fn staff_label_application_submitted_renewal() {
        assert_snapshot!(staff_label_application_submitted(true));
    }

    fn label_application_received(renewal: bool) -> String {
        rendered(&LabelApplicationReceived {
            name: name(),
            provider_name: provider_name(),
            renewal,
            application_url: application_url(),
            fee: "450 €".into(),
        })
    }

    #[test]
    fn label_application_received_new() {
        assert_snapshot!(label_application_received(false));
    }

    #[test]
    fn label_application_received_renewal() {
        assert_snapshot!(label_application_received(true));
    }

    #[test]
    fn label_application_incomplete() {
        assert_snapshot!(rendered(&LabelApplicationIncomplete {
            name: name(),
            provider_name: provider_name(),
            reason:
                "L'attestation d'assurance responsabilité civile professionnelle est manquante."
                    .into(),
            application_url: application_url(),
        }));
    }

    fn label_application_admissible(fee_pending: bool) -> String {
        rendered(&LabelApplicationAdmissible {
            name: name(),
            provider_name: provider_name(),
            application_url: application_url(),
            fee: "450 €".into(),
            fee_pending,
        })
    }

    #[test]
    fn label_application_admissible_fee_pending() {
        assert_snapshot!(label_application_admissible(true));
    }

    #[test]
    fn label_application_admissible_fee_paid() {
        assert_snapshot!(label_application_admissible(false));
    }

    #[test]
    fn auditor_assignment() {
        assert_snapshot!(rendered(&AuditorAssignment {
            name: auditor(),
            provider_name: provider_name(),
            audit_date: "12/03/2026".into(),
            audit_url: audit_url(),
        }));
    }

    #[test]
    fn label_audit_scheduled() {
        assert_snapshot!(rendered(&LabelAuditScheduled {
            name: name(),
            provider_name: provider_name(),
            audit_date: "12/03/2026".into(),
            auditor_name: auditor(),
            application_url: application_url(),
        }));
    }

    fn staff_label_audit_recorded(corrective: bool) -> String {
        rendered(&StaffLabelAuditRecorded {
            name: staff(),
            provider_name: provider_name(),
            corrective,
            review_url: review_url(),
        })
    }

    #[test]
    fn staff_label_audit_recorded_corrective() {
        assert_snapshot!(staff_label_audit_recorded(true));
    }

    #[test]
    fn staff_label_audit_recorded_compliant() {
        assert_snapshot!(staff_label_audit_recorded(false));
    }

    #[test]
    fn label_corrective_actions() {
        assert_snapshot!(rendered(&LabelCorrectiveActions {
            name: name(),
            provider_name: provider_name(),
            deadline: "11/05/2026".into(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn label_audit_result() {
        assert_snapshot!(rendered(&LabelAuditResult {
            name: name(),
            provider_name: provider_name(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn auditor_corrections_to_verify() {
        assert_snapshot!(rendered(&AuditorCorrectionsToVerify {
            name: auditor(),
            provider_name: provider_name(),
            audit_url: audit_url(),
        }));
    }

    #[test]
    fn staff_label_corrections_submitted() {
        assert_snapshot!(rendered(&StaffLabelCorrectionsSubmitted {
            name: staff(),
            provider_name: provider_name(),
            review_url: review_url(),
        }));
    }

    fn label_granted(renewal: bool) -> String {
        rendered(&LabelGranted {
            name: name(),
            provider_name: provider_name(),
            renewal,
            number: "EC-2026-0042".into(),
            valid_from: "01/04/2026".into(),
            valid_until: "31/03/2029".into(),
            verification_url: "https://cyberdir.example/labels/EC-2026-0042".into(),
        })
    }

    #[test]
    fn label_granted_new() {
        assert_snapshot!(label_granted(false));
    }

    #[test]
    fn label_granted_renewal() {
        assert_snapshot!(label_granted(true));
    }

    #[test]
    fn label_application_refused() {
        assert_snapshot!(rendered(&LabelApplicationRefused {
            name: name(),
            provider_name: provider_name(),
            reason: "Les actions correctives n'ont pas été transmises avant la date limite.".into(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn label_application_withdrawn() {
        assert_snapshot!(rendered(&LabelApplicationWithdrawn {
            name: name(),
            provider_name: provider_name(),
            application_url: application_url(),
        }));
    }

    #[test]
    fn staff_label_deadline_passed() {
        assert_snapshot!(rendered(&StaffLabelDeadlinePassed {
            name: staff(),
            provider_name: provider_name(),
            deadline: "11/05/2026".into(),
            review_url: review_url(),
        }));
    }

    #[test]
    fn staff_label_expired() {
        assert_snapshot!(rendered(&StaffLabelExpired {
            name: staff(),
            provider_name: provider_name(),
            number: "EC-2026-0042".into(),
            valid_until: "29/11/2028".into(),
            renewal_examined: true,
            label_url: "https://cyberdir.example/instruction/labels/EC-2026-0042".into(),
        }));
    }

    #[test]
    fn auditor_audit_cancelled() {
        assert_snapshot!(rendered(&AuditorAuditCancelled {
            name: auditor(),
            provider_name: provider_name(),
            audit_date: Some("15/12/2026".into()),
            why: "l'audit a été confié à un autre auditeur".into(),
            on_hold: false,
        }));
        assert_snapshot!(rendered(&AuditorAuditCancelled {
            name: auditor(),
            provider_name: provider_name(),
            audit_date: Some("15/12/2026".into()),
            why: "le référencement du prestataire est suspendu".into(),
            on_hold: true,
        }));
    }

    #[test]
    fn staff_label_application_withdrawn() {
        assert_snapshot!(rendered(&StaffLabelApplicationWithdrawn {
            name: staff(),
            provider_name: provider_name(),
            state: "audit planifié".into(),
            review_url: review_url(),
        }));
    }
}
