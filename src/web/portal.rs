//! Provider portal ("espace prestataire"): the organisations of the signed-in provider, and for
//! each its referencing application (profile, documents, charter, submission, members, history).
//!
//! Every page works without JavaScript; every form carries the session's CSRF token and answers
//! with a 303 back to the organisation page and a short message on success, or the same page
//! with the submitted values and French messages beside the fields on error. Times are shown in
//! Paris time.

use std::collections::BTreeSet;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use chrono::NaiveDateTime;

use super::time::{date_fr, paris};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::page;
use super::session::{PageUser, check_form, see_other};
use crate::AppState;
use crate::auth::Role;
use crate::auth::extract::CurrentUser;
use crate::domain::audience::Audience;
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::referencing::label;
use crate::domain::zone::Zone;
use crate::error::{AppError, FieldErrors};
use crate::referencing::profile::{self, ProfileInput};
use crate::referencing::views::{ApplicationView, EventView, MemberView};
use crate::referencing::{self, Access, documents};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(create_organisation)
        .service(invitation_page)
        .service(accept_invitation)
        .service(organisation_page)
        .service(save_profile)
        .service(upload_document)
        .service(download_document)
        .service(accept_charter)
        .service(act)
        .service(invite);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

use super::shared::blocking;

/// An error as a French page, with the signed-in user's menu and a way back to the portal.
fn error_page(state: &AppState, user: &CurrentUser, error: &AppError) -> HttpResponse {
    let status = error.status_code();
    if status.is_server_error() {
        tracing::error!(%error, cause = ?error, "portal page error");
    }
    let title = match status {
        StatusCode::FORBIDDEN => "Accès refusé",
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::CONFLICT => "Action impossible",
        StatusCode::PAYLOAD_TOO_LARGE => "Fichier trop volumineux",
        StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
        s if s.is_client_error() => "Requête invalide",
        _ => "Erreur",
    };
    let details: Vec<&String> = match error {
        AppError::Validation(errors) => errors.values().flatten().collect(),
        _ => Vec::new(),
    };
    page(
        state,
        status,
        "pages/portal/error",
        title,
        Some(user),
        json!({
            "heading": title,
            "message": error.to_string(),
            "details": details,
            "is_provider": user.role == Role::Provider,
        }),
    )
}

/// The portal is for provider accounts; staff have their own pages.
fn require_provider(user: &CurrentUser) -> Result<(), AppError> {
    if user.role == Role::Provider {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "L'espace prestataire est réservé aux comptes prestataires.",
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InfoQuery {
    pub info: Option<String>,
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

/// `23/11/2026 10:00` (Paris time).
fn datetime_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%d/%m/%Y %H:%M").to_string()
}

/// For `<time datetime>`.
fn iso_utc(utc: NaiveDateTime) -> String {
    utc.format("%Y-%m-%dT%H:%MZ").to_string()
}

fn size_fr(bytes: i32) -> String {
    let bytes = f64::from(bytes.max(0));
    if bytes < 1024.0 {
        format!("{bytes} octets")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{} Ko", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} Mo", bytes / (1024.0 * 1024.0)).replace('.', ",")
    }
}

fn document_label(kind: &str) -> &'static str {
    match kind {
        documents::KBIS => "Extrait Kbis",
        documents::INSURANCE => "Attestation d'assurance de responsabilité civile professionnelle",
        _ => "Document",
    }
}

/// The same, short enough for a select on a phone.
fn document_choice(kind: &str) -> &'static str {
    match kind {
        documents::INSURANCE => "Attestation d'assurance (RC pro)",
        other => document_label(other),
    }
}

fn category_label(code: &str) -> String {
    match code {
        "escroquerie" => "Escroqueries".into(),
        "compte_et_identite" => "Comptes et identité".into(),
        "logiciel_malveillant" => "Logiciels malveillants".into(),
        "harcelement_et_contenus" => "Harcèlement et contenus".into(),
        "donnees" => "Données".into(),
        "materiel_et_reseau" => "Matériel et réseaux".into(),
        "site_et_service" => "Sites et services en ligne".into(),
        other => {
            let mut chars = other.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars)
                    .collect::<String>()
                    .replace('_', " "),
                None => String::new(),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The list of organisations

#[get("/espace")]
pub async fn home(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Err(e) = require_provider(&user) {
        return error_page(&state, &user, &e);
    }
    let info = info_message(query.info.as_deref());
    home_page(&state, &user, StatusCode::OK, info, "", None).await
}

#[derive(Serialize)]
struct OrganisationItem {
    url: String,
    name: String,
    legal_name: String,
    status: &'static str,
    status_label: String,
}

async fn home_page(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    info: Option<&str>,
    name: &str,
    error: Option<String>,
) -> HttpResponse {
    let inner = state.clone().into_inner();
    let who = user.clone();
    let loaded = blocking(move || {
        let ids = {
            let mut conn = inner.pool.get()?;
            crate::db::accounts::organisations_of(&mut conn, &who.id)?
        };
        ids.iter()
            .map(|id| referencing::application(&inner, &who, id))
            .collect::<Result<Vec<ApplicationView>, AppError>>()
    })
    .await;
    let applications = match loaded {
        Ok(list) => list,
        Err(e) => return error_page(state, user, &e),
    };
    let organisations: Vec<OrganisationItem> = applications
        .iter()
        .map(|a| OrganisationItem {
            url: organisation_path(&a.profile.id),
            name: if a.profile.name.is_empty() {
                "Organisation sans nom commercial".into()
            } else {
                a.profile.name.clone()
            },
            legal_name: a.profile.legal_name.clone(),
            status: a.status.as_str(),
            status_label: a.status_label.clone(),
        })
        .collect();
    let title = if error.is_some() {
        "Erreur : mon espace prestataire"
    } else {
        "Mon espace prestataire"
    };
    page(
        state,
        status,
        "pages/portal/home",
        title,
        Some(user),
        json!({
            "organisations": organisations,
            "info": info,
            "name": name,
            "error": error,
        }),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub name: String,
}

#[post("/espace/organisations")]
pub async fn create_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<CreateForm>,
) -> HttpResponse {
    let user = user.0;
    let form = form.into_inner();
    if let Err(e) =
        require_provider(&user).and_then(|()| check_form(&req, &state, &user, &form.csrf_token))
    {
        return error_page(&state, &user, &e);
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let input = ProfileInput {
        name: Some(form.name.clone()),
        ..Default::default()
    };
    match blocking(move || referencing::create_draft(&inner, &who, &input)).await {
        Ok(view) => see_other(&format!(
            "{}?info=cree",
            organisation_path(&view.profile.id)
        )),
        Err(AppError::Validation(errors)) => {
            let message = errors.values().flatten().cloned().collect::<Vec<_>>();
            home_page(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form.name,
                Some(message.join(" ")),
            )
            .await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// The organisation page

/// Everything the organisation page shows.
struct Loaded {
    application: ApplicationView,
    provider: Provider,
    owner: bool,
    events: Vec<EventView>,
    members: Vec<MemberView>,
}

fn load_all(state: &AppState, user: &CurrentUser, id: &str) -> Result<Loaded, AppError> {
    let (provider, owner) = {
        let mut conn = state.pool.get()?;
        let (provider, _, access) = referencing::load(&mut conn, user, id)?;
        (provider, access == Access::Member { owner: true })
    };
    Ok(Loaded {
        application: referencing::application(state, user, id)?,
        events: referencing::events(state, user, id)?,
        members: referencing::members(state, user, id)?,
        provider,
        owner,
    })
}

/// What a form post adds to the page when it has to be shown again.
#[derive(Default)]
struct Outcome {
    status: Option<StatusCode>,
    info: Option<&'static str>,
    alert: Option<String>,
    /// Messages per field of the page (`siret`, `document_file`, `invite_email`, ...).
    errors: FieldErrors,
    summary_title: Option<&'static str>,
    profile: Option<ProfileValues>,
    invite_email: String,
    document_kind: String,
}

impl Outcome {
    fn errors(errors: FieldErrors) -> Self {
        Self {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            errors,
            ..Default::default()
        }
    }

    fn alert(error: &AppError) -> Self {
        Self {
            status: Some(error.status_code()),
            alert: Some(error.to_string()),
            ..Default::default()
        }
    }
}

/// Renames the service's field names to the ids of the page's inputs.
fn rename_fields(errors: FieldErrors, rename: &[(&str, &str)]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, messages) in errors {
        let key = rename
            .iter()
            .find(|(from, _)| *from == field)
            .map_or(field.clone(), |(_, to)| (*to).to_owned());
        out.entry(key).or_default().extend(messages);
    }
    out
}

/// Page order of the fields, for the error summary.
const FIELD_ORDER: [&str; 23] = [
    "legal_name",
    "name",
    "siret",
    "address_line",
    "postcode",
    "city",
    "phone",
    "email",
    "website",
    "description",
    "audiences",
    "incident_types",
    "remote",
    "zone",
    "documents.kbis",
    "documents.insurance",
    "document_kind",
    "document_file",
    "charter",
    "version",
    "withdraw_confirm",
    "invite_email",
    "token",
];

/// (field, message) pairs in the order of the page.
fn in_page_order(errors: FieldErrors) -> Vec<(String, String)> {
    let mut pairs: Vec<(usize, String, String)> = errors
        .into_iter()
        .flat_map(|(field, messages)| {
            let order = FIELD_ORDER
                .iter()
                .position(|f| *f == field)
                .unwrap_or(FIELD_ORDER.len());
            messages.into_iter().map(move |m| (order, field.clone(), m))
        })
        .collect();
    pairs.sort_by_key(|(order, _, _)| *order);
    pairs.into_iter().map(|(_, f, m)| (f, m)).collect()
}

#[get("/espace/organisations/{id}")]
pub async fn organisation_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let outcome = Outcome {
        info: info_message(query.info.as_deref()),
        ..Default::default()
    };
    show_organisation(&state, &user.0, path.into_inner(), outcome).await
}

async fn show_organisation(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: String,
    outcome: Outcome,
) -> HttpResponse {
    if let Err(e) = require_provider(user) {
        return error_page(state, user, &e);
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || load_all(&inner, &who, &id)).await {
        Ok(loaded) => render_organisation(state, user, &loaded, outcome),
        Err(e) => error_page(state, user, &e),
    }
}

fn editable(status: ReferencingStatus) -> bool {
    matches!(
        status,
        ReferencingStatus::Draft
            | ReferencingStatus::ChangesRequested
            | ReferencingStatus::Approved
    )
}

fn status_help(status: ReferencingStatus) -> &'static str {
    match status {
        ReferencingStatus::Draft => {
            "Complétez le profil, déposez les deux documents et acceptez la charte, puis déposez votre demande. Vous pouvez enregistrer votre travail et y revenir plus tard."
        }
        ReferencingStatus::Submitted => {
            "Votre demande est déposée : l'équipe d'instruction va l'examiner. Vous recevrez un courriel à chaque étape."
        }
        ReferencingStatus::InReview => {
            "L'équipe d'instruction examine votre demande. Vous recevrez un courriel dès qu'elle aura pris sa décision."
        }
        ReferencingStatus::ChangesRequested => {
            "L'équipe d'instruction vous demande de compléter ou de corriger votre dossier, puis de le déposer à nouveau."
        }
        ReferencingStatus::Approved => {
            "Votre organisation est référencée : son profil est publié dans l'annuaire."
        }
        ReferencingStatus::Rejected => "Votre demande de référencement a été refusée.",
        ReferencingStatus::Suspended => {
            "Votre référencement est suspendu : votre profil n'apparaît plus dans l'annuaire."
        }
        ReferencingStatus::Removed => "Votre organisation a été retirée de l'annuaire.",
        ReferencingStatus::Withdrawn => "Vous avez abandonné cette demande.",
    }
}

/// Staff actions: the provider sees "l'équipe d'instruction", not a reviewer's name.
fn staff_action(action: &str) -> bool {
    matches!(
        action,
        "start-review"
            | "request-changes"
            | "approve"
            | "reject"
            | "suspend"
            | "reinstate"
            | "remove"
            | "change-request-approved"
            | "change-request-rejected"
    )
}

fn action_fr(event: &EventView) -> String {
    let resubmitted = event.from_state.as_deref() == Some("changes_requested");
    match event.action.as_str() {
        "create" => "Création de l'organisation".into(),
        "upload-kbis" => "Dépôt de l'extrait Kbis".into(),
        "upload-insurance" => "Dépôt de l'attestation d'assurance".into(),
        "accept-charter" => match &event.reason {
            Some(version) => format!("Acceptation de la charte d'engagement (version {version})"),
            None => "Acceptation de la charte d'engagement".into(),
        },
        "submit" if resubmitted => "Demande déposée à nouveau".into(),
        "submit" => "Demande déposée".into(),
        "withdraw" => "Demande abandonnée".into(),
        "start-review" => "Début de l'instruction".into(),
        "request-changes" => "Modifications demandées".into(),
        "approve" => "Référencement accordé".into(),
        "reject" => "Demande refusée".into(),
        "suspend" => "Référencement suspendu".into(),
        "reinstate" => "Référencement rétabli".into(),
        "remove" => "Retrait de l'annuaire".into(),
        "change-request" => "Demande de modification du profil".into(),
        "change-request-approved" => "Modification du profil validée".into(),
        "change-request-rejected" => "Modification du profil refusée".into(),
        "invite" => "Invitation d'un nouveau membre".into(),
        "join" => "Arrivée d'un membre".into(),
        _ => "Étape du dossier".into(),
    }
}

#[derive(Serialize)]
struct TimelineItem {
    date: String,
    datetime: String,
    what: String,
    by: Option<String>,
    change: Option<String>,
    reason: Option<String>,
}

fn timeline(events: &[EventView]) -> Vec<TimelineItem> {
    events
        .iter()
        .map(|e| {
            let by = if staff_action(&e.action) {
                Some("l'équipe d'instruction".to_owned())
            } else {
                e.actor.clone()
            };
            let from = e
                .from_state
                .as_deref()
                .map(crate::db::providers::parse_status);
            let to = crate::db::providers::parse_status(&e.to_state);
            let change = match from {
                Some(from) if from != to => Some(format!("{} → {}", label(from), label(to))),
                None => Some(format!("état : {}", label(to))),
                _ => None,
            };
            TimelineItem {
                date: datetime_fr(e.created_at),
                datetime: iso_utc(e.created_at),
                what: action_fr(e),
                by,
                change,
                reason: if e.action == "accept-charter" {
                    None
                } else {
                    e.reason.clone()
                },
            }
        })
        .rev()
        .collect()
}

/// The staff's last written reason, when the state is the result of it.
fn staff_reason(status: ReferencingStatus, events: &[EventView]) -> Option<Value> {
    let (action, heading) = match status {
        ReferencingStatus::ChangesRequested => (
            "request-changes",
            "Modifications demandées par l'équipe d'instruction",
        ),
        ReferencingStatus::Rejected => ("reject", "Motif du refus"),
        ReferencingStatus::Suspended => ("suspend", "Motif de la suspension"),
        ReferencingStatus::Removed => ("remove", "Motif du retrait"),
        _ => return None,
    };
    let event = events.iter().rev().find(|e| e.action == action)?;
    Some(json!({
        "heading": heading,
        "text": event.reason.clone()?,
        "date": datetime_fr(event.created_at),
        "datetime": iso_utc(event.created_at),
    }))
}

// --- The profile form ------------------------------------------------------------------------

/// The profile form's values, as stored or as submitted.
#[derive(Debug, Clone, Default)]
struct ProfileValues {
    legal_name: String,
    name: String,
    siret: String,
    address_line: String,
    postcode: String,
    city: String,
    phone: String,
    email: String,
    website: String,
    description: String,
    audiences: Vec<String>,
    incident_types: Vec<String>,
    remote: bool,
    zone_kind: String,
    radius_km: String,
    departements: String,
}

impl ProfileValues {
    fn of(application: &ApplicationView) -> Self {
        let p = &application.profile;
        let (zone_kind, radius_km, departements) = match &p.zone {
            Zone::Radius { radius_km: 0 } => ("radius", String::new(), String::new()),
            Zone::Radius { radius_km } => ("radius", radius_km.to_string(), String::new()),
            Zone::Departements { departements } => {
                ("departements", String::new(), departements.join(", "))
            }
            Zone::National => ("national", String::new(), String::new()),
        };
        Self {
            legal_name: p.legal_name.clone(),
            name: p.name.clone(),
            siret: p.siret.clone(),
            address_line: p.address_line.clone(),
            postcode: p.postcode.clone(),
            city: p.city.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            website: p.website.clone().unwrap_or_default(),
            description: p.description.clone(),
            audiences: p.audiences.iter().map(|a| a.code().to_owned()).collect(),
            incident_types: p.incident_types.clone(),
            remote: p.remote,
            zone_kind: zone_kind.into(),
            radius_km,
            departements,
        }
    }

    /// From an `application/x-www-form-urlencoded` body (checkboxes repeat their name).
    fn parse(pairs: &[(String, String)]) -> Self {
        let mut v = Self::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "legal_name" => v.legal_name = value,
                "name" => v.name = value,
                "siret" => v.siret = value,
                "address_line" => v.address_line = value,
                "postcode" => v.postcode = value,
                "city" => v.city = value,
                "phone" => v.phone = value,
                "email" => v.email = value,
                "website" => v.website = value,
                "description" => v.description = value,
                "audiences" => v.audiences.push(value),
                "incident_types" => v.incident_types.push(value),
                "remote" => v.remote = !value.is_empty(),
                "zone_kind" => v.zone_kind = value,
                "radius_km" => v.radius_km = value,
                "departements" => v.departements = value,
                _ => {}
            }
        }
        v
    }

    /// The zone as the service expects it, or `None` when no choice was made.
    fn zone(&self) -> Option<Value> {
        match self.zone_kind.as_str() {
            "radius" => {
                // Anything but a whole number is sent as 0, which the service refuses with a
                // French message about the allowed range.
                let km = self.radius_km.trim().parse::<u32>().unwrap_or(0);
                Some(json!({"kind": "radius", "radius_km": km}))
            }
            "departements" => {
                let mut list: Vec<String> = self
                    .departements
                    .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                    .map(|d| d.trim().to_ascii_uppercase())
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        if d.len() == 1 && d.bytes().all(|b| b.is_ascii_digit()) {
                            format!("0{d}")
                        } else {
                            d
                        }
                    })
                    .collect();
                list.sort();
                list.dedup();
                Some(json!({"kind": "departements", "departements": list}))
            }
            "national" => Some(json!({"kind": "national"})),
            _ => None,
        }
    }

    /// The fields that differ from `current`, so that a published profile's change request
    /// names only what really changes.
    fn changes_from(&self, current: &ApplicationView) -> ProfileInput {
        let now = Self::of(current);
        let text = |sent: &str, stored: &str| {
            (sent.trim() != stored.trim()).then(|| sent.trim().to_owned())
        };
        let set = |list: &[String]| list.iter().cloned().collect::<BTreeSet<String>>();
        let postcode = text(&self.postcode, &now.postcode);
        let zone = self.zone().filter(|sent| {
            let unchanged = serde_json::to_value(&current.profile.zone).ok().as_ref() == Some(sent);
            // An unreadable radius is always sent, so that it is reported.
            let unreadable = self.zone_kind == "radius"
                && !self.radius_km.trim().is_empty()
                && self.radius_km.trim().parse::<u32>().is_err();
            !unchanged || unreadable
        });
        ProfileInput {
            legal_name: text(&self.legal_name, &now.legal_name),
            name: text(&self.name, &now.name),
            siret: text(&self.siret, &now.siret),
            address_line: text(&self.address_line, &now.address_line),
            // A new postcode: the commune is found again from it.
            commune_code: postcode
                .as_ref()
                .filter(|_| current.profile.commune_code.is_some())
                .map(|_| String::new()),
            postcode,
            city: text(&self.city, &now.city),
            phone: text(&self.phone, &now.phone),
            email: text(&self.email, &now.email),
            website: text(&self.website, &now.website),
            description: text(&self.description, &now.description),
            audiences: (set(&self.audiences) != set(&now.audiences))
                .then(|| self.audiences.clone()),
            incident_types: (set(&self.incident_types) != set(&now.incident_types))
                .then(|| self.incident_types.clone()),
            remote: (self.remote != now.remote).then_some(self.remote),
            zone,
        }
    }
}

#[derive(Serialize)]
struct InputField {
    id: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: Option<&'static str>,
    help: Option<&'static str>,
    optional: bool,
    reviewed: bool,
    textarea: bool,
    error: Option<String>,
    describedby: String,
    /// A CSS class narrowing the input to the length of its content.
    width: &'static str,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct ChoiceGroup {
    label: String,
    choices: Vec<Choice>,
}

fn describedby(id: &str, help: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if help {
        ids.push(format!("{id}-help"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

fn first_error(errors: &FieldErrors, field: &str) -> Option<String> {
    errors
        .get(field)
        .filter(|m| !m.is_empty())
        .map(|m| m.join(" "))
}

/// The template data of the profile form.
fn profile_form(
    state: &AppState,
    values: &ProfileValues,
    errors: &FieldErrors,
    approved: bool,
) -> Value {
    let field =
        |id: &'static str,
         label: &'static str,
         value: &str,
         (kind, autocomplete, inputmode): (&'static str, &'static str, Option<&'static str>),
         help: Option<&'static str>,
         (optional, reviewed, textarea): (bool, bool, bool)| {
            let error = first_error(errors, id);
            InputField {
                id,
                label,
                value: value.to_owned(),
                kind,
                autocomplete,
                inputmode,
                help,
                optional,
                reviewed: reviewed && approved,
                textarea,
                describedby: describedby(id, help.is_some(), error.is_some()),
                width: match id {
                    "postcode" => "portal-short",
                    "siret" | "phone" => "portal-medium",
                    _ => "",
                },
                error,
            }
        };
    let text = ("text", "off", None);
    let identity = vec![
        field(
            "legal_name",
            "Raison sociale",
            &values.legal_name,
            ("text", "organization", None),
            Some("Telle qu'elle figure sur l'extrait Kbis."),
            (false, true, false),
        ),
        field(
            "name",
            "Nom commercial",
            &values.name,
            text,
            Some("Le nom affiché dans l'annuaire."),
            (false, false, false),
        ),
        field(
            "siret",
            "Numéro SIRET",
            &values.siret,
            ("text", "off", Some("numeric")),
            Some("14 chiffres, ex. 732 829 320 00074."),
            (false, true, false),
        ),
    ];
    let address = vec![
        field(
            "address_line",
            "Adresse",
            &values.address_line,
            ("text", "street-address", None),
            None,
            (false, true, false),
        ),
        field(
            "postcode",
            "Code postal",
            &values.postcode,
            ("text", "postal-code", Some("numeric")),
            None,
            (false, true, false),
        ),
        field(
            "city",
            "Commune",
            &values.city,
            ("text", "address-level2", None),
            None,
            (false, true, false),
        ),
    ];
    let contact = vec![
        field(
            "phone",
            "Téléphone",
            &values.phone,
            ("tel", "tel", None),
            Some("Ex. 02 99 12 34 56."),
            (false, false, false),
        ),
        field(
            "email",
            "Adresse électronique de contact",
            &values.email,
            ("email", "email", None),
            None,
            (false, false, false),
        ),
        field(
            "website",
            "Site internet",
            &values.website,
            ("url", "url", None),
            Some("Ex. https://www.exemple.fr"),
            (true, false, false),
        ),
    ];
    let description = field(
        "description",
        "Description de votre activité",
        &values.description,
        text,
        Some("20 à 2 000 caractères : vos services, vos spécialités, vos horaires."),
        (false, false, true),
    );
    let audiences: Vec<Choice> = Audience::ALL
        .iter()
        .map(|a| Choice {
            id: format!("audiences_{}", a.code()),
            value: a.code().to_owned(),
            label: a.label().to_owned(),
            checked: values.audiences.iter().any(|v| v == a.code()),
        })
        .collect();
    let mut incident_groups: Vec<ChoiceGroup> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    for t in state.taxonomy.all() {
        if !categories.contains(&t.category.as_str()) {
            categories.push(&t.category);
        }
    }
    for category in categories {
        incident_groups.push(ChoiceGroup {
            label: category_label(category),
            choices: state
                .taxonomy
                .all()
                .iter()
                .filter(|t| t.category == category)
                .map(|t| Choice {
                    id: format!("incident_types_{}", t.code),
                    value: t.code.clone(),
                    label: t.label.clone(),
                    checked: values.incident_types.iter().any(|v| v == &t.code),
                })
                .collect(),
        });
    }
    let zone_error = first_error(errors, "zone");
    let zone_kind = if ["radius", "departements", "national"].contains(&values.zone_kind.as_str()) {
        values.zone_kind.as_str()
    } else {
        "radius"
    };
    json!({
        "approved": approved,
        "identity": identity,
        "address": address,
        "contact": contact,
        "description": description,
        "audiences": audiences,
        "audiences_error": first_error(errors, "audiences"),
        "incident_groups": incident_groups,
        "incident_types_error": first_error(errors, "incident_types"),
        "remote": values.remote,
        "zone_radius": zone_kind == "radius",
        "zone_departements": zone_kind == "departements",
        "zone_national": zone_kind == "national",
        "radius_km": values.radius_km,
        "departements": values.departements,
        "zone_error": zone_error,
        "radius_invalid": zone_error.is_some() && zone_kind == "radius",
        "departements_invalid": zone_error.is_some() && zone_kind == "departements",
    })
}

/// The profile as text, when it cannot be edited.
fn profile_summary(state: &AppState, application: &ApplicationView) -> Vec<Value> {
    let p = &application.profile;
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "non renseigné".to_owned()
        } else {
            s.to_owned()
        }
    };
    let incidents: Vec<String> = p
        .incident_types
        .iter()
        .map(|c| {
            state
                .taxonomy
                .get(c)
                .map_or_else(|| c.clone(), |t| t.label.clone())
        })
        .collect();
    let audiences: Vec<&str> = p.audiences.iter().map(|a| a.label()).collect();
    let zone = match p.zone {
        Zone::Radius { radius_km: 0 } => "non renseignée".to_owned(),
        ref z => z.describe_fr(),
    };
    [
        ("Raison sociale", or_dash(&p.legal_name)),
        ("Nom commercial", or_dash(&p.name)),
        ("SIRET", or_dash(&p.siret)),
        (
            "Adresse",
            or_dash(
                format!("{}, {} {}", p.address_line, p.postcode, p.city).trim_matches([' ', ',']),
            ),
        ),
        ("Téléphone", or_dash(&p.phone)),
        ("Adresse électronique", or_dash(&p.email)),
        ("Site internet", or_dash(p.website.as_deref().unwrap_or(""))),
        ("Description", or_dash(&p.description)),
        ("Publics accompagnés", or_dash(&audiences.join(", "))),
        ("Types d'incident", or_dash(&incidents.join(", "))),
        (
            "Assistance à distance",
            if p.remote { "oui" } else { "non" }.to_owned(),
        ),
        ("Zone d'intervention", zone),
    ]
    .into_iter()
    .map(|(label, value)| json!({"label": label, "value": value}))
    .collect()
}

/// The requested values of a pending change request, in French.
fn pending_change(application: &ApplicationView) -> Option<Value> {
    let request = application.pending_change_request.as_ref()?;
    let items: Vec<Value> = request
        .changes
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter_map(|(field, value)| {
                    let label = match field.as_str() {
                        "legal_name" => "Raison sociale",
                        "siret" => "SIRET",
                        "address_line" => "Adresse",
                        "postcode" => "Code postal",
                        "city" => "Commune",
                        "zone" => "Zone d'intervention",
                        _ => return None,
                    };
                    let value = match value {
                        Value::String(s) => s.clone(),
                        other => serde_json::from_value::<Zone>(other.clone())
                            .map(|z| z.describe_fr())
                            .unwrap_or_default(),
                    };
                    Some(json!({"label": label, "value": value}))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(json!({
        "date": date_fr(request.requested_at),
        "items": items,
    }))
}

fn render_organisation(
    state: &AppState,
    user: &CurrentUser,
    loaded: &Loaded,
    outcome: Outcome,
) -> HttpResponse {
    let application = &loaded.application;
    let status = application.status;
    let id = &application.profile.id;
    let base = organisation_path(id);
    let can_edit = editable(status);
    let approved = status == ReferencingStatus::Approved;
    let errors = &outcome.errors;
    let actions = &application.available_actions;
    let can_submit = actions.iter().any(|a| a == "submit");
    let can_withdraw = actions.iter().any(|a| a == "withdraw");

    // Where each message of the summary leads.
    let anchor = |field: &str| -> String {
        match field {
            "audiences" => "#audiences_particulier".into(),
            "incident_types" => state
                .taxonomy
                .all()
                .first()
                .map_or("#profil".into(), |t| format!("#incident_types_{}", t.code)),
            "zone" => "#zone_kind_radius".into(),
            "remote" => "#remote".into(),
            "commune_code" => "#postcode".into(),
            "documents.kbis" | "documents.insurance" if can_edit => "#document_kind".into(),
            "documents.kbis" | "documents.insurance" => "#documents".into(),
            "charter" | "version" => "#charte".into(),
            f if FIELD_ORDER.contains(&f) && can_edit => format!("#{f}"),
            f if FIELD_ORDER[..14].contains(&f) => "#profil".into(),
            f => format!("#{f}"),
        }
    };
    let summary_items: Vec<Value> = in_page_order(errors.clone())
        .into_iter()
        .map(|(field, message)| json!({"href": anchor(&field), "message": message}))
        .collect();
    let summary = (!summary_items.is_empty()).then(|| {
        json!({
            "title": outcome.summary_title.unwrap_or("Le formulaire contient des erreurs :"),
            "items": summary_items,
        })
    });

    let values = outcome
        .profile
        .clone()
        .unwrap_or_else(|| ProfileValues::of(application));
    let has_kbis = application
        .documents
        .iter()
        .any(|d| d.kind == documents::KBIS);
    let has_insurance = application
        .documents
        .iter()
        .any(|d| d.kind == documents::INSURANCE);
    let missing: Vec<String> = in_page_order(profile::missing_for_submission(&loaded.provider))
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    let checklist = can_submit.then(|| {
        json!({
            "ready": missing.is_empty() && has_kbis && has_insurance && application.charter.accepted,
            "items": [
                {"label": "Profil complet", "done": missing.is_empty(), "href": "#profil", "details": missing},
                {"label": "Extrait Kbis déposé", "done": has_kbis, "href": "#documents", "details": []},
                {"label": "Attestation d'assurance déposée", "done": has_insurance, "href": "#documents", "details": []},
                {"label": "Charte d'engagement acceptée", "done": application.charter.accepted, "href": "#charte", "details": []},
            ],
        })
    });

    let kind = if outcome.document_kind.is_empty() {
        if has_kbis && !has_insurance {
            documents::INSURANCE
        } else {
            documents::KBIS
        }
    } else {
        outcome.document_kind.as_str()
    };
    let document_kind_error = first_error(errors, "document_kind");
    let document_file_error = first_error(errors, "document_file");
    let kinds: Vec<Value> = [documents::KBIS, documents::INSURANCE]
        .iter()
        .map(|k| json!({"value": k, "label": document_choice(k), "selected": *k == kind}))
        .collect();
    let upload = can_edit.then(|| {
        json!({
            "kinds": kinds,
            "kind_error": document_kind_error,
            "file_error": document_file_error,
            "max": "10 Mo",
        })
    });
    let document_list: Vec<Value> = application
        .documents
        .iter()
        .map(|d| {
            json!({
                "label": document_label(&d.kind),
                "filename": d.filename,
                "size": size_fr(d.size_bytes),
                "date": datetime_fr(d.uploaded_at),
                "url": format!("{base}/documents/{}", d.id),
            })
        })
        .collect();

    let charter = &state.charter;
    let members: Vec<Value> = loaded
        .members
        .iter()
        .map(|m| {
            json!({
                "name": m.display_name,
                "email": m.email,
                "owner": m.is_owner,
                "me": m.user_id == user.id,
            })
        })
        .collect();

    let display_name = if application.profile.name.is_empty() {
        "Organisation sans nom commercial".to_owned()
    } else {
        application.profile.name.clone()
    };
    let title = if outcome.errors.is_empty() && outcome.alert.is_none() {
        display_name.clone()
    } else {
        format!("Erreur : {display_name}")
    };
    page(
        state,
        outcome.status.unwrap_or(StatusCode::OK),
        "pages/portal/organisation",
        &title,
        Some(user),
        json!({
            "id": id,
            "base": base,
            "name": display_name,
            "legal_name": application.profile.legal_name,
            "status": status.as_str(),
            "status_label": application.status_label,
            "status_help": status_help(status),
            "public_url": approved.then(|| format!("/prestataires/{id}")),
            "staff_reason": staff_reason(status, &loaded.events),
            "info": outcome.info,
            "alert": outcome.alert,
            "summary": summary,
            "checklist": checklist,
            "editable": can_edit,
            "approved": approved,
            "form": can_edit.then(|| profile_form(state, &values, errors, approved)),
            "summary_profile": (!can_edit).then(|| profile_summary(state, application)),
            "pending_change": pending_change(application),
            "documents": document_list,
            "upload": upload,
            "charter": {
                "title": charter.title,
                "version": charter.version,
                "published_on": charter.published_on.format("%d/%m/%Y").to_string(),
                "commitments": charter.commitments,
                "accepted": application.charter.accepted,
                "error": first_error(errors, "charter").or_else(|| first_error(errors, "version")),
            },
            "actions": {
                "any": can_submit || can_withdraw,
                "submit": can_submit,
                "resubmit": status == ReferencingStatus::ChangesRequested,
                "withdraw": can_withdraw,
                "version": application.version,
                "withdraw_error": first_error(errors, "withdraw_confirm"),
            },
            "members": members,
            "can_invite": loaded.owner,
            "invite": {
                "email": outcome.invite_email,
                "error": first_error(errors, "invite_email"),
            },
            "timeline": timeline(&loaded.events),
        }),
    )
}

// --- Form posts ------------------------------------------------------------------------------

/// Checks the portal preconditions of a form post: a provider account and the session's token.
fn check_post(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    token: &str,
) -> Result<(), AppError> {
    require_provider(user)?;
    check_form(req, state, user, token)
}

#[post("/espace/organisations/{id}/profil")]
pub async fn save_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let user = user.0;
    let id = path.into_inner();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if let Err(e) = check_post(&req, &state, &user, token) {
        return error_page(&state, &user, &e);
    }
    let values = ProfileValues::parse(&pairs);
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, sent) = (id.clone(), values.clone());
    let result = blocking(move || {
        let current = referencing::application(&inner, &who, &target)?;
        let input = sent.changes_from(&current);
        referencing::update_profile(&inner, &who, &target, input)
    })
    .await;
    match result {
        Ok(outcome) => {
            let info = match (outcome.application.status, outcome.change_request) {
                (_, Some(_)) => "demande-modification",
                (ReferencingStatus::Approved, None) => "profil-publie",
                _ => "profil",
            };
            see_other(&format!("{}?info={info}", organisation_path(&id)))
        }
        Err(AppError::Validation(errors)) => {
            let mut outcome =
                Outcome::errors(rename_fields(errors, &[("commune_code", "postcode")]));
            outcome.profile = Some(values);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let mut outcome = Outcome::alert(&e);
            outcome.profile = Some(values);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

/// A text field of a multipart form is small.
const MAX_TEXT_FIELD: usize = 4096;
/// Beyond this, an oversized upload is cut off rather than read to its end.
const MAX_DRAINED: usize = 4 * documents::MAX_BYTES;

#[post("/espace/organisations/{id}/documents")]
pub async fn upload_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    mut payload: Multipart,
) -> HttpResponse {
    let user = user.0;
    let id = path.into_inner();
    let mut token = String::new();
    let mut kind = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    let mut read = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = match field {
            Ok(f) => f,
            Err(e) => {
                return error_page(
                    &state,
                    &user,
                    &AppError::BadRequest(format!("Envoi illisible : {e}")),
                );
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_owned();
        let limit = if name == "file" {
            documents::MAX_BYTES
        } else {
            MAX_TEXT_FIELD
        };
        let mut bytes = Vec::new();
        let mut overflow = false;
        while let Some(chunk) = field.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    return error_page(
                        &state,
                        &user,
                        &AppError::BadRequest(format!("Envoi interrompu : {e}")),
                    );
                }
            };
            read += chunk.len();
            if read > MAX_DRAINED {
                return error_page(
                    &state,
                    &user,
                    &AppError::PayloadTooLarge("Le document dépasse 10 Mo.".into()),
                );
            }
            if overflow || bytes.len() + chunk.len() > limit {
                // Read to the end, so that the browser gets the answer, but keep nothing.
                overflow = true;
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        too_large |= overflow && name == "file";
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "csrf_token" => token = text(),
            "kind" => kind = text(),
            "file" => file = Some((filename, bytes)),
            _ => {}
        }
    }
    if let Err(e) = check_post(&req, &state, &user, &token) {
        return error_page(&state, &user, &e);
    }
    let with_errors = |status: StatusCode, errors: FieldErrors, kind: String| Outcome {
        status: Some(status),
        errors,
        document_kind: kind,
        ..Default::default()
    };
    if too_large {
        let mut errors = FieldErrors::new();
        errors.insert(
            "document_file".into(),
            vec!["Le document dépasse 10 Mo : réduisez sa taille (par exemple en le numérisant en noir et blanc) et recommencez.".into()],
        );
        let outcome = with_errors(StatusCode::PAYLOAD_TOO_LARGE, errors, kind);
        return show_organisation(&state, &user, id, outcome).await;
    }
    let (filename, bytes) = match file {
        Some((name, bytes)) if !(name.is_empty() && bytes.is_empty()) => (name, bytes),
        _ => {
            let mut errors = FieldErrors::new();
            errors.insert(
                "document_file".into(),
                vec!["Choisissez le fichier PDF à déposer.".into()],
            );
            let outcome = with_errors(StatusCode::UNPROCESSABLE_ENTITY, errors, kind);
            return show_organisation(&state, &user, id, outcome).await;
        }
    };
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, sent_kind) = (id.clone(), kind.clone());
    let result =
        blocking(move || documents::upload(&inner, &who, &target, &sent_kind, &filename, bytes))
            .await;
    match result {
        Ok(_) => see_other(&format!("{}?info=document", organisation_path(&id))),
        Err(AppError::Validation(errors)) => {
            let errors = rename_fields(
                errors,
                &[("kind", "document_kind"), ("file", "document_file")],
            );
            let outcome = with_errors(StatusCode::UNPROCESSABLE_ENTITY, errors, kind);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::PayloadTooLarge(_)) => {
            let mut errors = FieldErrors::new();
            errors.insert("document_file".into(), vec![e.to_string()]);
            let outcome = with_errors(StatusCode::PAYLOAD_TOO_LARGE, errors, kind);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

/// `filename="..."` in ASCII, and `filename*` in UTF-8 (RFC 6266).
fn content_disposition(filename: &str) -> String {
    let ascii: String = deunicode::deunicode(filename)
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| !matches!(c, '"' | '\\' | ';'))
        .collect();
    let ascii = if ascii.trim().is_empty() {
        "document.pdf".to_owned()
    } else {
        ascii
    };
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[get("/espace/organisations/{id}/documents/{document}")]
pub async fn download_document(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let user = user.0;
    if let Err(e) = require_provider(&user) {
        return error_page(&state, &user, &e);
    }
    let (id, document) = path.into_inner();
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || documents::download(&inner, &who, &id, &document)).await {
        Ok(doc) => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header(("Content-Disposition", content_disposition(&doc.filename)))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Cache-Control", "private, no-store"))
            .body(doc.content),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CharterForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub version: String,
}

#[post("/espace/organisations/{id}/charte")]
pub async fn accept_charter(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<CharterForm>,
) -> HttpResponse {
    let user = user.0;
    let id = path.into_inner();
    let form = form.into_inner();
    if let Err(e) = check_post(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let target = id.clone();
    match blocking(move || referencing::accept_charter(&inner, &who, &target, &form.version)).await
    {
        Ok(_) => see_other(&format!("{}?info=charte", organisation_path(&id))),
        Err(AppError::Validation(errors)) => {
            let errors = rename_fields(errors, &[("version", "charter")]);
            show_organisation(&state, &user, id, Outcome::errors(errors)).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub confirm: String,
}

#[post("/espace/organisations/{id}/actions/{action}")]
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    use crate::domain::referencing::Action;
    let user = user.0;
    let (id, slug) = path.into_inner();
    let form = form.into_inner();
    if let Err(e) = check_post(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let (action, info) = match slug.as_str() {
        "submit" => (Action::Submit, "depose"),
        "withdraw" => (Action::Withdraw, "abandon"),
        _ => {
            return error_page(
                &state,
                &user,
                &AppError::not_found("Cette action n'existe pas."),
            );
        }
    };
    if action == Action::Withdraw && form.confirm != "oui" {
        let mut errors = FieldErrors::new();
        errors.insert(
            "withdraw_confirm".into(),
            vec!["Cochez la case pour confirmer l'abandon de la demande.".into()],
        );
        return show_organisation(&state, &user, id, Outcome::errors(errors)).await;
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let target = id.clone();
    let version = form.version.trim().parse::<i32>().ok();
    match blocking(move || referencing::act(&inner, &who, &target, action, None, version)).await {
        Ok(_) => see_other(&format!("{}?info={info}", organisation_path(&id))),
        Err(AppError::Validation(problems)) => {
            let mut outcome =
                Outcome::errors(rename_fields(problems, &[("commune_code", "postcode")]));
            if action == Action::Submit {
                outcome.summary_title = Some("Votre demande ne peut pas encore être déposée :");
            }
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub email: String,
}

#[post("/espace/organisations/{id}/invitations")]
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<InviteForm>,
) -> HttpResponse {
    let user = user.0;
    let id = path.into_inner();
    let form = form.into_inner();
    if let Err(e) = check_post(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, email) = (id.clone(), form.email.clone());
    match blocking(move || referencing::invite(&inner, &who, &target, &email)).await {
        Ok(()) => see_other(&format!("{}?info=invitation", organisation_path(&id))),
        Err(AppError::Validation(errors)) => {
            let mut outcome = Outcome::errors(rename_fields(errors, &[("email", "invite_email")]));
            outcome.invite_email = form.email;
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Invitations

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[get("/espace/invitations")]
pub async fn invitation_page(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<TokenQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Err(e) = require_provider(&user) {
        return error_page(&state, &user, &e);
    }
    let token = query.token.clone().unwrap_or_default();
    invitation(&state, &user, StatusCode::OK, &token, None)
}

fn invitation(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    token: &str,
    error: Option<String>,
) -> HttpResponse {
    let title = if error.is_some() {
        "Erreur : rejoindre une organisation"
    } else {
        "Rejoindre une organisation"
    };
    page(
        state,
        status,
        "pages/portal/invitation",
        title,
        Some(user),
        json!({
            "token": token.trim(),
            "missing": token.trim().is_empty(),
            "email": user.email,
            "error": error,
        }),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub token: String,
}

#[post("/espace/invitations")]
pub async fn accept_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<InvitationForm>,
) -> HttpResponse {
    let user = user.0;
    let form = form.into_inner();
    if let Err(e) = check_post(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let inner = state.clone().into_inner();
    let who = user.clone();
    let token = form.token.trim().to_owned();
    let result = blocking(move || referencing::accept_invitation(&inner, &who, &token)).await;
    match result {
        Ok(joined) => see_other(&format!(
            "{}?info=rejoint",
            organisation_path(&joined.provider_id)
        )),
        Err(AppError::Validation(errors)) => {
            let message: Vec<String> = errors.into_values().flatten().collect();
            invitation(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.token,
                Some(message.join(" ")),
            )
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn times_are_shown_in_paris_time() {
        assert_eq!(datetime_fr(at("2026-11-23 09:00")), "23/11/2026 10:00");
        assert_eq!(datetime_fr(at("2026-07-14 22:30")), "15/07/2026 00:30");
        // 2026: summer time from 29 March to 25 October, at 01:00 UTC.
        assert_eq!(datetime_fr(at("2026-03-29 00:59")), "29/03/2026 01:59");
        assert_eq!(datetime_fr(at("2026-03-29 01:00")), "29/03/2026 03:00");
        assert_eq!(datetime_fr(at("2026-10-25 00:59")), "25/10/2026 02:59");
        assert_eq!(datetime_fr(at("2026-10-25 01:00")), "25/10/2026 02:00");
    }

    #[test]
    fn departements_are_read_as_typed() {
        let values = ProfileValues {
            zone_kind: "departements".into(),
            departements: "35, 22;2a  56,35 5".into(),
            ..Default::default()
        };
        assert_eq!(
            values.zone(),
            Some(json!({"kind": "departements", "departements": ["05", "22", "2A", "35", "56"]}))
        );
        let radius = ProfileValues {
            zone_kind: "radius".into(),
            radius_km: "trente".into(),
            ..Default::default()
        };
        assert_eq!(
            radius.zone(),
            Some(json!({"kind": "radius", "radius_km": 0}))
        );
    }

    #[test]
    fn download_names_survive_accents() {
        assert_eq!(
            content_disposition("attestation été.pdf"),
            "attachment; filename=\"attestation ete.pdf\"; filename*=UTF-8''attestation%20%C3%A9t%C3%A9.pdf"
        );
        assert_eq!(
            content_disposition("\"évil\";.pdf"),
            "attachment; filename=\"evil.pdf\"; filename*=UTF-8''%22%C3%A9vil%22%3B.pdf"
        );
    }

    #[test]
    fn sizes_are_french() {
        assert_eq!(size_fr(80), "80 octets");
        assert_eq!(size_fr(2048), "2 Ko");
        assert_eq!(size_fr(3 * 1024 * 1024 / 2), "1,5 Mo");
    }
}
