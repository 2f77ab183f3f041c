//! Assistance request emails: to the victim (`name` is theirs), to the provider (`name` is its
//! contact's or a member's) and to staff. The victim's contact reaches a provider only once it
//! accepted (`AssistanceContact`).

use serde::Serialize;

/// To the victim: the request is registered, with its tracking link and, while they wait, the
/// first steps and contacts of the threat's fiche (the same as on every page).
#[derive(Serialize)]
pub struct AssistanceReceived {
    pub name: String,
    pub incident_label: String,
    pub tracking_url: Option<String>,
    pub advice: Option<FicheAdvice>,
    /// An urgent request offered to the nearest providers at once: the time (Paris) after
    /// which staff take it over.
    pub urgent_until: Option<String>,
}

/// What a fiche réflexe says to do now and whom to call, for an email.
#[derive(Serialize)]
pub struct FicheAdvice {
    pub steps: Vec<NumberedStep>,
    pub contacts: Vec<FicheContact>,
    /// What to do if someone is in danger: the only place an email gives an emergency number.
    pub danger: Vec<String>,
    /// The fiche's page.
    pub url: String,
}

/// A step with its number, as a plain-text email writes it.
#[derive(Serialize)]
pub struct NumberedStep {
    pub number: usize,
    pub text: String,
}

impl NumberedStep {
    pub fn all(steps: Vec<String>) -> Vec<Self> {
        steps
            .into_iter()
            .enumerate()
            .map(|(n, text)| Self {
                number: n + 1,
                text,
            })
            .collect()
    }
}

#[derive(Serialize)]
pub struct FicheContact {
    pub name: String,
    /// The number or address as read.
    pub display: String,
    pub href: Option<String>,
}

/// To the provider: a request is offered, with signed accept and decline links.
#[derive(Serialize)]
pub struct AssistanceOffer {
    pub name: String,
    pub incident_label: String,
    pub audience_label: &'static str,
    /// Postcode, département, or a placeholder.
    pub place: String,
    pub description: String,
    pub accept_url: String,
    pub decline_url: String,
    pub request_url: String,
    /// How long the provider has to answer, in words.
    pub delay: String,
    /// An urgent request, offered at the same time to `others` other providers.
    pub urgent: bool,
    pub others: usize,
}

/// To the provider who accepted: the victim's contact.
#[derive(Serialize)]
pub struct AssistanceContact {
    pub name: String,
    pub incident_label: String,
    pub victim_name: String,
    pub victim_email: String,
    /// Empty when the victim gave none.
    pub victim_phone: String,
    pub description: String,
    pub request_url: String,
}

/// To the victim: a provider accepted, with its contact.
#[derive(Serialize)]
pub struct AssistanceAccepted {
    pub name: String,
    pub incident_label: String,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
    pub provider_name: String,
    pub provider_phone: String,
    pub provider_email: String,
    /// Empty when the provider has none.
    pub provider_website: String,
}

/// To the provider who did not answer in time.
#[derive(Serialize)]
pub struct AssistanceTimedOut {
    pub name: String,
    pub incident_label: String,
}

/// To the providers an urgent request was offered to at once, when another accepted first.
#[derive(Serialize)]
pub struct AssistanceTaken {
    pub name: String,
    pub incident_label: String,
}

/// To the victim who cancelled.
#[derive(Serialize)]
pub struct AssistanceCancelConfirmed {
    pub name: String,
    pub incident_label: String,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
}

/// To the provider whose request the victim cancelled.
#[derive(Serialize)]
pub struct AssistanceCancelled {
    pub name: String,
    pub incident_label: String,
}

/// To the victim: no provider yet, staff took over; while they wait, the fiche's first steps.
#[derive(Serialize)]
pub struct AssistanceSearching {
    pub name: String,
    pub incident_label: String,
    pub advice: Option<FicheAdvice>,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
    /// An urgent request at night: the chat where a police officer or a gendarme answers.
    pub chat_url: Option<String>,
}

/// To the victim: the provider who had accepted was suspended or removed; another is sought.
#[derive(Serialize)]
pub struct AssistanceProviderWithdrawn {
    pub name: String,
    pub incident_label: String,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
    pub provider_name: String,
    /// While they wait again, the fiche's first steps.
    pub advice: Option<FicheAdvice>,
}

/// To each staff member: a request found no provider.
#[derive(Serialize)]
pub struct StaffAssistanceEscalated {
    pub name: String,
    pub incident_label: String,
    pub place: String,
    pub why: String,
    pub queue_url: String,
}

/// To the victim: staff closed the request, with a message.
#[derive(Serialize)]
pub struct AssistanceClosed {
    pub name: String,
    pub incident_label: String,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
    pub message: String,
}

/// To the victim: the satisfaction survey after the intervention.
#[derive(Serialize)]
pub struct AssistanceSurvey {
    pub name: String,
    pub incident_label: String,
    /// The victim's tracking page (none for a request made before links were derived).
    pub tracking_url: Option<String>,
    pub provider_name: String,
    pub survey_url: String,
}

templates! {
    AssistanceProviderWithdrawn => "assistance_provider_withdrawn",
    AssistanceReceived => "assistance_received",
    AssistanceOffer => "assistance_offer",
    AssistanceContact => "assistance_contact",
    AssistanceAccepted => "assistance_accepted",
    AssistanceTimedOut => "assistance_timed_out",
    AssistanceTaken => "assistance_taken",
    AssistanceCancelConfirmed => "assistance_cancel_confirmed",
    AssistanceCancelled => "assistance_cancelled",
    AssistanceSearching => "assistance_searching",
    StaffAssistanceEscalated => "staff_assistance_escalated",
    AssistanceClosed => "assistance_closed",
    AssistanceSurvey => "assistance_survey",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    const REQUEST: &str = "0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1b";
    const PROVIDER: &str = "0190f3c2-5b7e-7a41-9c3d-2f8e6a1b4c5d";

    fn victim() -> String {
        "Marie Petit".into()
    }

    fn member() -> String {
        "Camille Durand".into()
    }

    fn incident() -> String {
        "Hameçonnage (phishing)".into()
    }

    fn description() -> String {
        "J'ai cliqué sur un lien dans un SMS de « livraison » et saisi mes coordonnées bancaires.\nDeux paiements inconnus apparaissent depuis hier.".into()
    }

    fn request_url() -> String {
        format!("https://cyberdir.example/espace/organisations/{PROVIDER}/demandes/{REQUEST}")
    }

    #[test]
    fn assistance_received() {
        assert_snapshot!(rendered(&AssistanceReceived {
            name: victim(),
            incident_label: incident(),
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            advice: Some(FicheAdvice {
                steps: NumberedStep::all(vec![
                    "Ne cliquez plus sur le lien et fermez la page.".into(),
                    "Changez le mot de passe saisi, depuis un appareil sain.".into(),
                ]),
                contacts: vec![FicheContact {
                    name: "Opposition carte bancaire (serveur interbancaire)".into(),
                    display: "0 892 705 705".into(),
                    href: Some("tel:+33892705705".into()),
                }],
                danger: vec!["Si quelqu'un menace votre sécurité, appelez le 17.".into()],
                url: "https://cyberdir.example/fiches/hameconnage".into(),
            }),
            urgent_until: None,
        }));
    }

    #[test]
    fn assistance_received_urgent() {
        assert_snapshot!(rendered(&AssistanceReceived {
            name: victim(),
            incident_label: "Rançongiciel".into(),
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            advice: None,
            urgent_until: Some("14:35".into()),
        }));
    }

    #[test]
    fn assistance_offer() {
        let link = |action: &str| {
            format!(
                "https://cyberdir.example/affectations/0190f4a2-0b1c-7d2e-8f3a-4b5c6d7e8f90.{action}.1767290400.c2lnbmF0dXJl"
            )
        };
        assert_snapshot!(rendered(&AssistanceOffer {
            name: member(),
            incident_label: incident(),
            audience_label: "Particulier",
            place: "76000".into(),
            description: description(),
            accept_url: link("accept"),
            decline_url: link("decline"),
            request_url: request_url(),
            delay: "2 heures".into(),
            urgent: false,
            others: 0,
        }));
    }

    #[test]
    fn assistance_offer_urgent() {
        assert_snapshot!(rendered(&AssistanceOffer {
            name: member(),
            incident_label: "Rançongiciel".into(),
            audience_label: "Collectivité",
            place: "76000".into(),
            description: description(),
            accept_url:
                "https://cyberdir.example/affectations/0190f4a2.accept.1767290400.c2lnbmF0dXJl"
                    .into(),
            decline_url:
                "https://cyberdir.example/affectations/0190f4a2.decline.1767290400.c2lnbmF0dXJl"
                    .into(),
            request_url: request_url(),
            delay: "30 minutes".into(),
            urgent: true,
            others: 2,
        }));
    }

    #[test]
    fn assistance_taken() {
        assert_snapshot!(rendered(&AssistanceTaken {
            name: member(),
            incident_label: "Rançongiciel".into(),
        }));
    }

    fn assistance_contact(victim_phone: &str) -> String {
        rendered(&AssistanceContact {
            name: member(),
            incident_label: incident(),
            victim_name: victim(),
            victim_email: "marie.petit@example.fr".into(),
            victim_phone: victim_phone.into(),
            description: description(),
            request_url: request_url(),
        })
    }

    #[test]
    fn assistance_contact_with_phone() {
        assert_snapshot!(assistance_contact("06 12 34 56 78"));
    }

    #[test]
    fn assistance_contact_without_phone() {
        assert_snapshot!(assistance_contact(""));
    }

    fn assistance_accepted(provider_website: &str) -> String {
        rendered(&AssistanceAccepted {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
            provider_name: "Cyber Secours Normandie".into(),
            provider_phone: "02 35 12 34 56".into(),
            provider_email: "contact@cybersecours-normandie.fr".into(),
            provider_website: provider_website.into(),
        })
    }

    #[test]
    fn assistance_accepted_with_website() {
        assert_snapshot!(assistance_accepted("https://cybersecours-normandie.fr"));
    }

    #[test]
    fn assistance_accepted_without_website() {
        assert_snapshot!(assistance_accepted(""));
    }

    #[test]
    fn assistance_timed_out() {
        assert_snapshot!(rendered(&AssistanceTimedOut {
            name: member(),
            incident_label: incident(),
        }));
    }

    #[test]
    fn assistance_cancel_confirmed() {
        assert_snapshot!(rendered(&AssistanceCancelConfirmed {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
        }));
    }

    #[test]
    fn assistance_cancelled() {
        assert_snapshot!(rendered(&AssistanceCancelled {
            name: member(),
            incident_label: incident(),
        }));
    }

    #[test]
    fn assistance_searching() {
        assert_snapshot!(rendered(&AssistanceSearching {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
            advice: None,
            chat_url: None,
        }));
    }

    #[test]
    fn assistance_searching_at_night_opens_the_chat() {
        assert_snapshot!(rendered(&AssistanceSearching {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: "Rançongiciel".into(),
            advice: None,
            chat_url: Some("https://cyberdir.example/echange/0f1e2d3c".into()),
        }));
    }

    #[test]
    fn assistance_provider_withdrawn() {
        assert_snapshot!(rendered(&AssistanceProviderWithdrawn {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
            provider_name: "Cyber Secours Normandie".into(),
            advice: None,
        }));
    }

    #[test]
    fn staff_assistance_escalated() {
        assert_snapshot!(rendered(&StaffAssistanceEscalated {
            name: "Julien Moreau".into(),
            incident_label: incident(),
            place: "département 76".into(),
            why: "Aucun prestataire disponible dans la zone.".into(),
            queue_url: format!("https://cyberdir.example/instruction/demandes/{REQUEST}"),
        }));
    }

    #[test]
    fn assistance_closed() {
        assert_snapshot!(rendered(&AssistanceClosed {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
            message: "Votre banque a bloqué les paiements : déposez plainte en ligne sur le site officiel.".into(),
        }));
    }

    #[test]
    fn assistance_survey() {
        assert_snapshot!(rendered(&AssistanceSurvey {
            tracking_url: Some("https://cyberdir.example/suivi/dHJhY2tpbmctdG9rZW4".into()),
            name: victim(),
            incident_label: incident(),
            provider_name: "Cyber Secours Normandie".into(),
            survey_url: "https://cyberdir.example/avis/YXZpcy10b2tlbg".into(),
        }));
    }
}
