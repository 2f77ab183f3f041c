//! The message thread of a case: each message is a notice to the other side, with the link to
//! the thread and never its text. `case` names the case ("le dossier de référencement").

use serde::Serialize;

/// To each member of the organisation: staff wrote on its case.
#[derive(Serialize)]
pub struct CaseMessageToApplicant {
    pub name: String,
    pub provider_name: String,
    pub case: String,
    pub thread_url: String,
    pub attachment: bool,
}

/// To the staff member following the case (or every reviewer): the applicant wrote. `from`
/// starts the sentence ("L'organisation", "La victime"); `case` names the case with its
/// applicant ("le dossier de référencement d'Atelier Informatique").
#[derive(Serialize)]
pub struct StaffCaseMessage {
    pub name: String,
    pub from: String,
    pub case: String,
    pub thread_url: String,
    pub attachment: bool,
}

/// To the victim of an assistance request: staff wrote; the link is the tracking link's
/// thread, personal (erased with the request, as every email about it).
#[derive(Serialize)]
pub struct VictimCaseMessage {
    pub thread_url: String,
    pub attachment: bool,
}

templates! {
    CaseMessageToApplicant => "case_message",
    StaffCaseMessage => "staff_case_message",
    VictimCaseMessage => "victim_case_message",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    #[test]
    fn case_message() {
        assert_snapshot!(rendered(&CaseMessageToApplicant {
            name: "Camille Durand".into(),
            provider_name: "Atelier Informatique".into(),
            case: "la demande de label ExpertCyber".into(),
            thread_url: "https://cyberdir.example/espace/organisations/42/label/7/messagerie"
                .into(),
            attachment: true,
        }));
    }

    #[test]
    fn staff_case_message() {
        assert_snapshot!(rendered(&StaffCaseMessage {
            name: "Julien Moreau".into(),
            from: "L'organisation".into(),
            case: "le dossier de référencement d'Atelier Informatique".into(),
            thread_url: "https://cyberdir.example/instruction/dossiers/42/messagerie".into(),
            attachment: false,
        }));
    }

    #[test]
    fn victim_case_message() {
        assert_snapshot!(rendered(&VictimCaseMessage {
            thread_url: "https://cyberdir.example/suivi/4f2a9c/messagerie".into(),
            attachment: true,
        }));
    }
}
