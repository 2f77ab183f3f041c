//! Where an email of the outbox stands.

use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stored as text (see `db::stored`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its (next) delivery attempt.
    Pending,
    Sent,
    /// Given up after its delivery window, or refused for good by the receiving server.
    Failed,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 3] = [Self::Pending, Self::Sent, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Why a message could not be delivered, in French for staff, from the delivery's last error
/// (the receiving server's reply, or what stopped the worker from reaching it). The technical
/// text stays available beside it.
pub fn failure_fr(last_error: &str) -> &'static str {
    let error = last_error.to_ascii_lowercase();
    let reply = reply_code(&error);
    if error.starts_with("invalid recipient address") {
        "L'adresse est mal écrite : corrigez-la puis renvoyez le courriel."
    } else if matches!(reply, Some(550 | 551 | 553))
        || error.contains("5.1.1")
        || error.contains("user unknown")
    {
        "Cette adresse n'existe pas : le serveur du destinataire l'a refusée. Vérifiez-la auprès de la personne, corrigez-la puis renvoyez le courriel."
    } else if matches!(reply, Some(552)) || error.contains("5.2.2") || error.contains("quota") {
        "La boîte du destinataire est pleine : renvoyez le courriel plus tard, ou contactez la personne autrement."
    } else if matches!(reply, Some(554)) || error.contains("5.7.") {
        "Le serveur du destinataire a refusé le message (filtrage ou règle anti-spam) : contactez la personne autrement, ou renvoyez-le plus tard."
    } else if reply.is_some_and(|c| (400..500).contains(&c)) {
        "Le serveur du destinataire a demandé de réessayer plus tard, pendant 24 heures, sans accepter le message : renvoyez-le."
    } else if reply.is_some_and(|c| (500..600).contains(&c)) {
        "Le serveur du destinataire a refusé le message : vérifiez l'adresse, puis renvoyez-le."
    } else {
        "Le serveur d'envoi n'a pas pu être joint pendant 24 heures : le message n'est pas parti. Renvoyez-le une fois l'envoi rétabli."
    }
}

/// The SMTP reply code an error quotes: lettre's `permanent error (550): …`, or a reply
/// written as the server sent it, `550 5.1.1 …`.
fn reply_code(error: &str) -> Option<u16> {
    let code = match error.find("error (") {
        Some(at) => error.get(at + 7..at + 10)?,
        None => error.get(..3)?,
    };
    code.parse::<u16>().ok().filter(|c| (400..600).contains(c))
}

#[cfg(test)]
mod tests {
    use super::failure_fr;

    #[test]
    fn each_failure_is_explained_in_french() {
        let unknown = failure_fr(
            "permanent error (550): 5.1.1 <inconnu@exemple.fr>: Recipient address rejected: User unknown",
        );
        assert!(unknown.starts_with("Cette adresse n'existe pas"));
        assert!(
            failure_fr("552 5.2.2 Mailbox full").starts_with("La boîte du destinataire est pleine")
        );
        assert!(
            failure_fr("permanent error (554): 5.7.1 Message rejected as spam")
                .contains("anti-spam")
        );
        assert!(failure_fr("transient error (451): 4.7.1 Try again later").contains("plus tard"));
        assert!(
            failure_fr("invalid recipient address: missing domain")
                .starts_with("L'adresse est mal écrite")
        );
        assert!(
            failure_fr("Connection error: Connection refused (os error 111)")
                .starts_with("Le serveur d'envoi n'a pas pu être joint")
        );
        // Digits in an address are not a reply code.
        assert!(
            failure_fr("Connection error: timed out sending to user450@exemple.fr")
                .starts_with("Le serveur d'envoi")
        );
    }
}
