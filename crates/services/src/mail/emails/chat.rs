//! The emails of the chat with a police officer or a gendarme, to the victim who gave an
//! address: the message left while nobody was on duty, and the summary at the end.

use serde::Serialize;

/// The victim left a message while nobody was on duty.
#[derive(Serialize)]
pub struct ChatMessageLeft {
    /// The chat's page (its secret address).
    pub chat_url: String,
}

/// What to do next, the contacts, and the transcript, when the operator ends the chat.
#[derive(Serialize)]
pub struct ChatSummary {
    pub what_next: String,
    pub disposition_label: String,
    /// The operator's words for the victim, if any.
    pub detail: Option<String>,
    pub contacts: Vec<SummaryContact>,
    /// A professional was proposed: the request form, filled in from the diagnostic.
    pub request_url: Option<String>,
    pub transcript: Vec<TranscriptLine>,
}

#[derive(Serialize)]
pub struct SummaryContact {
    pub name: String,
    pub display: String,
    pub href: Option<String>,
}

#[derive(Serialize)]
pub struct TranscriptLine {
    pub who: &'static str,
    pub time: String,
    pub body: String,
}

templates! {
    ChatMessageLeft => "chat_message_left",
    ChatSummary => "chat_summary",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    #[test]
    fn chat_message_left() {
        assert_snapshot!(rendered(&ChatMessageLeft {
            chat_url: "https://cyberdir.example/echange/0f1e2d3c".into(),
        }));
    }

    #[test]
    fn chat_summary() {
        assert_snapshot!(rendered(&ChatSummary {
            what_next: "Déposez plainte en ligne avec les preuves que vous avez gardées (captures d'écran, messages, relevés).".into(),
            disposition_label: "Plainte à déposer en ligne".into(),
            detail: None,
            contacts: vec![SummaryContact {
                name: "Plainte en ligne".into(),
                display: "plainte-en-ligne.masecurite.interieur.gouv.fr".into(),
                href: Some("https://plainte-en-ligne.masecurite.interieur.gouv.fr/".into()),
            }],
            request_url: None,
            transcript: vec![
                TranscriptLine {
                    who: "Vous",
                    time: "22:41".into(),
                    body: "On me menace de publier des photos si je ne paie pas.".into(),
                },
                TranscriptLine {
                    who: "Votre interlocuteur",
                    time: "22:43".into(),
                    body: "Ne payez pas et ne répondez plus. Gardez les messages.".into(),
                },
            ],
        }));
    }
}
