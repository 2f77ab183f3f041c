//! What the review page says of each staff decision: its button, its help, the message once
//! done, and the trail's actions in French.

use crate::domain::referencing::Action;

/// What the staff's buttons say.
pub(super) fn action_button(action: Action) -> &'static str {
    match action {
        Action::StartReview => "Commencer l'instruction",
        Action::RequestChanges => "Demander des modifications",
        Action::Approve => "Approuver",
        Action::Reject => "Refuser",
        Action::Suspend => "Suspendre",
        Action::Reinstate => "Rétablir",
        Action::Remove => "Retirer",
        Action::Submit => "Déposer",
        Action::Withdraw => "Abandonner",
    }
}

/// What each decision does, next to its button.
pub(super) fn action_help(action: Action) -> &'static str {
    match action {
        Action::StartReview => "Le prestataire est informé que son dossier est à l'étude.",
        Action::RequestChanges => "Le dossier est rendu au prestataire pour qu'il le complète.",
        Action::Approve => "Le prestataire est publié dans l'annuaire.",
        Action::Reject => "Décision définitive : le dossier est clos.",
        Action::Suspend => {
            "Le prestataire n'apparaît plus dans l'annuaire jusqu'à son rétablissement."
        }
        Action::Reinstate => "Le prestataire est de nouveau publié dans l'annuaire.",
        Action::Remove => "Le prestataire est définitivement retiré de l'annuaire.",
        Action::Submit | Action::Withdraw => "",
    }
}

/// The message shown after a successful decision (`?info=<action>`).
pub(super) fn action_done(action: Action) -> &'static str {
    match action {
        Action::StartReview => {
            "L'instruction a commencé : le prestataire en est informé par courriel."
        }
        Action::RequestChanges => {
            "Les modifications sont demandées : le prestataire a reçu votre motif par courriel."
        }
        Action::Approve => "Le dossier est approuvé : le prestataire est publié dans l'annuaire.",
        Action::Reject => "Le dossier est refusé : le prestataire a reçu votre motif par courriel.",
        Action::Suspend => "Le prestataire est suspendu : il n'apparaît plus dans l'annuaire.",
        Action::Reinstate => "Le prestataire est rétabli et de nouveau publié.",
        Action::Remove => "Le prestataire est retiré de l'annuaire.",
        Action::Submit | Action::Withdraw => "C'est fait.",
    }
}

/// The trail's actions in French.
pub(super) fn event_label(action: &str) -> String {
    match action {
        "create" => "Création du dossier",
        "upload-kbis" => "Dépôt de l'extrait Kbis",
        "upload-insurance" => "Dépôt de l'attestation d'assurance",
        "accept-charter" => "Acceptation de la charte",
        "submit" => "Dépôt de la demande",
        "withdraw" => "Abandon de la demande",
        "start-review" => "Début de l'instruction",
        "request-changes" => "Demande de modifications",
        "approve" => "Approbation",
        "reject" => "Refus",
        "suspend" => "Suspension",
        "reinstate" => "Rétablissement",
        "remove" => "Retrait",
        "change-request" => "Demande de modification du profil",
        "profile-edit" => "Modification du profil",
        "change-request-approved" => "Modification du profil approuvée",
        "change-request-rejected" => "Modification du profil refusée",
        "invite" => "Invitation d'un membre",
        "join" => "Arrivée d'un membre",
        "message-staff" => "Message de l'équipe d'instruction",
        "message-applicant" => "Message de l'organisation",
        other => other,
    }
    .to_owned()
}
