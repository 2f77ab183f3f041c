//! The referencing pages, by feature: the provider's side in the portal (`/espace`: the
//! organisations, their profile form, documents, charter and submission, invitations) and the
//! staff's side (`/instruction`: the queue, one application and its decisions, change requests).
//!
//! Every page works without JavaScript; every form carries the session's CSRF token and answers
//! with a 303 and a short message on success, or the same page with the submitted values and
//! French messages beside the fields on error. Times are shown in Paris time.

mod actions;
mod case_work;
mod change_requests;
mod context;
mod documents;
mod home;
mod invitations;
mod organisation;
mod profile_form;
mod queue;
mod review;
mod review_words;

use organisation::{Outcome, rename_fields, show_organisation};
use profile_form::{ProfileValues, check_post, first_error, profile_form};

use std::collections::BTreeSet;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::EventView;
use crate::domain::audience::Audience;
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::referencing::{Action, Party, available, label, reason_required};
use crate::domain::text::capitalise;
use crate::domain::zone::Zone;
use crate::error::{AppError, FieldErrors};
use crate::http::download::{self, Disposition};
use crate::http::extract::CurrentUser;
use crate::referencing::profile::{self, ProfileInput};
use crate::referencing::views::{ApplicationView, MemberView};
use crate::referencing::{self, Access};
use crate::state::AppState;
use crate::web::kit::{
    Choice, InfoQuery, blocking, date_fr, datetime_fr, day_fr, first_message, iso, page_number,
    pagination, plural, size_fr, with_query,
};
use crate::web::page;
use crate::web::session::{check_form, check_origin, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home::home)
        .service(home::create_organisation)
        .service(invitations::invitation_page)
        .service(invitations::accept_invitation)
        .service(organisation::organisation_page)
        .service(profile_form::save_profile)
        .service(documents::upload_document)
        .service(documents::download_document)
        .service(actions::accept_charter)
        .service(actions::act)
        .service(invitations::invite)
        .service(queue::queue_get)
        .service(queue::queue_export)
        .service(review::application_get)
        .service(documents::document_get)
        .service(review::act_post)
        .service(case_work::follow_post)
        .service(case_work::note_post)
        .service(change_requests::change_requests_get)
        .service(change_requests::change_request_post);
}

/// The states in the order staff work through them (tabs and the filter's choices).
const STATES: [ReferencingStatus; 9] = [
    ReferencingStatus::Submitted,
    ReferencingStatus::InReview,
    ReferencingStatus::ChangesRequested,
    ReferencingStatus::Approved,
    ReferencingStatus::Suspended,
    ReferencingStatus::Rejected,
    ReferencingStatus::Removed,
    ReferencingStatus::Withdrawn,
    ReferencingStatus::Draft,
];

fn state_label(status: ReferencingStatus) -> String {
    capitalise(label(status))
}

/// A stored state in the words of the timeline (`en cours d'instruction`), or as stored.
fn state_word(stored: &str) -> String {
    ReferencingStatus::parse(stored).map_or_else(|| stored.to_owned(), |s| label(s).to_owned())
}

fn stored_state_label(stored: &str) -> String {
    ReferencingStatus::parse(stored)
        .map(state_label)
        .unwrap_or_else(|| stored.to_owned())
}

/// The message shown after a successful form, from the `info` of the redirect.
fn info_message(slug: Option<&str>) -> Option<&'static str> {
    Some(match slug? {
        "cree" => "Votre organisation est créée : complétez son profil ci-dessous.",
        "profil" => "Votre profil est enregistré.",
        "profil-publie" => "Vos modifications sont enregistrées et publiées dans l'annuaire.",
        "demande-modification" => {
            "Vos modifications de la raison sociale, du SIRET, de l'adresse ou de la zone d'intervention sont transmises à l'équipe d'instruction : elles seront publiées après validation. Vos autres modifications sont déjà publiées."
        }
        "document" => "Le document est déposé.",
        "charte" => "Vous avez accepté la charte d'engagement.",
        "depose" => {
            "Votre demande est déposée. L'équipe d'instruction va l'examiner ; vous recevrez un courriel à chaque étape."
        }
        "abandon" => "Votre demande est abandonnée.",
        "invitation" => "L'invitation est envoyée : le lien qu'elle contient est valable 7 jours.",
        "rejoint" => "Vous avez rejoint l'organisation.",
        _ => return None,
    })
}

fn organisation_path(id: &str) -> String {
    format!("/espace/organisations/{id}")
}

fn document_label(kind: &str) -> &'static str {
    referencing::documents::label(kind)
}

/// The same, short enough for a select on a phone.
fn document_choice(kind: &str) -> &'static str {
    match kind {
        referencing::documents::INSURANCE => "Attestation d'assurance (RC pro)",
        other => document_label(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_states_read_naturally() {
        assert_eq!(stored_state_label("in_review"), "En cours d'instruction");
        assert_eq!(stored_state_label("unknown"), "unknown");
    }
}
