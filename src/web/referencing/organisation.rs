//! One organisation's page in the portal: its application, profile summary, documents,
//! members and history.

use super::context::*;
use super::*;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;

/// Everything the organisation page shows.
struct Loaded {
    application: ApplicationView,
    provider: Provider,
    owner: bool,
    events: Vec<EventView>,
    members: Vec<MemberView>,
}

fn load_all(state: &AppState, user: &CurrentUser, id: &str) -> Result<Loaded, AppError> {
    let (provider, access) = referencing::access(state, user, id)?;
    let owner = access == Access::Member { owner: true };
    Ok(Loaded {
        application: referencing::application(state, &state.charter, user, id)?,
        events: referencing::events(state, user, id)?,
        members: referencing::members(state, user, id)?,
        provider,
        owner,
    })
}

/// What a form post adds to the page when it has to be shown again.
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) status: Option<StatusCode>,
    pub(super) info: Option<&'static str>,
    pub(super) alert: Option<String>,
    /// Messages per field of the page (`siret`, `document_file`, `invite_email`, ...).
    pub(super) errors: FieldErrors,
    pub(super) summary_title: Option<&'static str>,
    pub(super) profile: Option<ProfileValues>,
    pub(super) invite_email: String,
    pub(super) document_kind: String,
    pub(super) document_valid_until: String,
    pub(super) document_issued_on: String,
}

impl Outcome {
    pub(super) fn errors(errors: FieldErrors) -> Self {
        Self {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            errors,
            ..Default::default()
        }
    }

    pub(super) fn alert(error: &AppError) -> Self {
        Self {
            status: Some(crate::http::problem::status_of(error)),
            alert: Some(error.to_string()),
            ..Default::default()
        }
    }
}

/// Renames the service's field names to the ids of the page's inputs.
pub(super) fn rename_fields(errors: FieldErrors, rename: &[(&str, &str)]) -> FieldErrors {
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
    user: ProviderMember,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let outcome = Outcome {
        info: info_message(query.info.as_deref()),
        ..Default::default()
    };
    show_organisation(&state, &user.0, path.into_inner(), outcome).await
}

pub(super) async fn show_organisation(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: String,
    outcome: Outcome,
) -> PageResult {
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || load_all(&inner, &who, &id)).await {
        Ok(loaded) => render_organisation(state, user, &loaded, outcome),
        Err(e) => Err(PageError::from(e)),
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
            | "message-staff"
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
        "profile-edit" => "Profil modifié".into(),
        "change-request-approved" => "Modification du profil validée".into(),
        "change-request-rejected" => "Modification du profil refusée".into(),
        "invite" => "Invitation d'un nouveau membre".into(),
        "join" => "Arrivée d'un membre".into(),
        "message-staff" => "Message de l'équipe d'instruction".into(),
        "message-applicant" => "Message envoyé à l'équipe d'instruction".into(),
        _ => "Étape du dossier".into(),
    }
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
            let to = state_word(&e.to_state);
            let change = match e.from_state.as_deref().map(state_word) {
                Some(from) if from != to => Some(format!("{from} → {to}")),
                None => Some(format!("état : {to}")),
                _ => None,
            };
            TimelineItem {
                date: datetime_fr(e.created_at),
                datetime: iso(e.created_at),
                what: action_fr(e),
                by,
                change,
                reason: if matches!(e.action.as_str(), "accept-charter" | "profile-edit") {
                    None
                } else {
                    e.reason.clone()
                },
                changes: if e.action == "profile-edit" {
                    e.reason
                        .as_deref()
                        .unwrap_or_default()
                        .lines()
                        .map(str::to_owned)
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .rev()
        .collect()
}

/// The staff's last written reason, when the state is the result of it.
fn staff_reason(status: ReferencingStatus, events: &[EventView]) -> Option<StaffReason> {
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
    Some(StaffReason {
        heading,
        text: event.reason.clone()?,
        date: datetime_fr(event.created_at),
        datetime: iso(event.created_at),
    })
}

/// The profile as text, when it cannot be edited.
fn profile_summary(state: &AppState, application: &ApplicationView) -> Vec<LabelledValue> {
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
    .map(|(label, value)| LabelledValue { label, value })
    .collect()
}

/// The requested values of a pending change request, in French.
fn pending_change(application: &ApplicationView) -> Option<PendingChange> {
    let request = application.pending_change_request.as_ref()?;
    let items: Vec<LabelledValue> = request
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
                    Some(LabelledValue { label, value })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(PendingChange {
        date: date_fr(request.requested_at),
        items,
    })
}

fn render_organisation(
    state: &AppState,
    user: &CurrentUser,
    loaded: &Loaded,
    outcome: Outcome,
) -> PageResult {
    let application = &loaded.application;
    let status = application.status;
    let id = &application.profile.id;
    let base = organisation_path(id);
    let can_edit = editable(status);
    let approved = status == ReferencingStatus::Approved;
    let errors = &outcome.errors;
    let can_submit = application.can(Action::Submit);
    let can_withdraw = application.can(Action::Withdraw);

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
    let summary_items: Vec<SummaryItem> = in_page_order(errors.clone())
        .into_iter()
        .map(|(field, message)| SummaryItem {
            href: anchor(&field),
            message,
        })
        .collect();
    let summary = (!summary_items.is_empty()).then(|| ErrorSummary {
        title: outcome
            .summary_title
            .unwrap_or("Le formulaire contient des erreurs :"),
        items: summary_items,
    });

    let values = outcome
        .profile
        .clone()
        .unwrap_or_else(|| ProfileValues::of(application));
    let has_kbis = application
        .documents
        .iter()
        .any(|d| d.kind == referencing::documents::KBIS);
    let has_insurance = application
        .documents
        .iter()
        .any(|d| d.kind == referencing::documents::INSURANCE);
    let missing: Vec<String> = in_page_order(profile::missing_for_submission(&loaded.provider))
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    let checklist = can_submit.then(|| {
        let item = |label, done, href, details| ChecklistItem {
            label,
            done,
            href,
            details,
        };
        let accepted = application.charter.accepted;
        Checklist {
            ready: missing.is_empty() && has_kbis && has_insurance && accepted,
            items: vec![
                item("Profil complet", missing.is_empty(), "#profil", missing),
                item("Extrait Kbis déposé", has_kbis, "#documents", vec![]),
                item(
                    "Attestation d'assurance déposée",
                    has_insurance,
                    "#documents",
                    vec![],
                ),
                item("Charte d'engagement acceptée", accepted, "#charte", vec![]),
            ],
        }
    });

    let kind = if outcome.document_kind.is_empty() {
        if has_kbis && !has_insurance {
            referencing::documents::INSURANCE
        } else {
            referencing::documents::KBIS
        }
    } else {
        outcome.document_kind.as_str()
    };
    let document_kind_error = first_error(errors, "document_kind");
    let document_file_error = first_error(errors, "document_file");
    let document_valid_until_error = first_error(errors, "document_valid_until");
    let document_issued_on_error = first_error(errors, "document_issued_on");
    let kinds: Vec<DocumentKind> = [
        referencing::documents::KBIS,
        referencing::documents::INSURANCE,
    ]
    .into_iter()
    .map(|k| DocumentKind {
        value: k,
        label: document_choice(k),
        selected: k == kind,
    })
    .collect();
    let upload = can_edit.then(|| Upload {
        kinds,
        kind_error: document_kind_error,
        file_error: document_file_error,
        valid_until: outcome.document_valid_until.clone(),
        valid_until_error: document_valid_until_error,
        issued_on: outcome.document_issued_on.clone(),
        issued_on_error: document_issued_on_error,
        kbis_months: state.config.kbis_max_age_months,
        max: "10 Mo",
    });
    let document_list: Vec<DocumentItem> = application
        .documents
        .iter()
        .map(|d| DocumentItem {
            label: document_label(&d.kind),
            filename: d.filename.clone(),
            size: size_fr(d.size_bytes),
            date: datetime_fr(d.uploaded_at),
            valid_until: d.valid_until.map(crate::french::day_fr),
            issued_on: d.issued_on.map(crate::french::day_fr),
            outdated: d.outdated,
            url: format!("{base}/documents/{}", d.id),
        })
        .collect();

    let charter = &state.charter;
    let members: Vec<MemberItem> = loaded
        .members
        .iter()
        .map(|m| MemberItem {
            name: m.display_name.clone(),
            email: m.email.clone(),
            owner: m.is_owner,
            me: m.user_id == user.id,
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
    Ok(page(
        state,
        outcome.status.unwrap_or(StatusCode::OK),
        "pages/referencing/organisation",
        &title,
        Some(user),
        OrganisationPage {
            id,
            base,
            name: display_name,
            legal_name: &application.profile.legal_name,
            status: status.as_str(),
            status_label: &application.status_label,
            status_help: status_help(status),
            public_url: approved.then(|| format!("/prestataires/{id}")),
            staff_reason: staff_reason(status, &loaded.events),
            info: outcome.info,
            alert: outcome.alert.clone(),
            summary,
            checklist,
            editable: can_edit,
            approved,
            form: can_edit.then(|| profile_form(state, &values, errors, approved)),
            summary_profile: (!can_edit).then(|| profile_summary(state, application)),
            pending_change: pending_change(application),
            documents: document_list,
            upload,
            charter: CharterBlock {
                title: &charter.title,
                version: &charter.version,
                published_on: day_fr(charter.published_on),
                commitments: &charter.commitments,
                accepted: application.charter.accepted,
                error: first_error(errors, "charter").or_else(|| first_error(errors, "version")),
            },
            actions: ActionsBlock {
                any: can_submit || can_withdraw,
                submit: can_submit,
                resubmit: status == ReferencingStatus::ChangesRequested,
                withdraw: can_withdraw,
                version: application.version,
                withdraw_error: first_error(errors, "withdraw_confirm"),
            },
            members,
            can_invite: loaded.owner,
            invite: InviteBlock {
                email: outcome.invite_email.clone(),
                error: first_error(errors, "invite_email"),
            },
            timeline: timeline(&loaded.events),
        },
    ))
}
