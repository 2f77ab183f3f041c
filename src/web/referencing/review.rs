//! One application as staff review it, and their decisions.

use super::review_words::{action_button, action_done, action_help, event_label};
use super::*;
use crate::referencing::Asked;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::StaffUser;

#[derive(Serialize)]
struct ActionFormView {
    slug: String,
    button: &'static str,
    help: &'static str,
    danger: bool,
    primary: bool,
    reason_required: bool,
    reason: String,
    error: Option<String>,
    /// What the confirmation asks (the page's `data-confirm`, the modal's text).
    confirm: Option<crate::web::kit::Confirmation>,
}

#[derive(Serialize)]
struct EventLine {
    date: String,
    date_iso: String,
    actor: String,
    action: String,
    change: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize)]
struct DocumentLine {
    label: String,
    filename: String,
    href: String,
    size: String,
    uploaded: String,
    valid_until: Option<String>,
    issued_on: Option<String>,
    outdated: bool,
}

#[derive(Serialize)]
struct MemberLine {
    name: String,
    email: String,
    owner: bool,
}

#[derive(Serialize)]
struct RemovedHolderLine {
    id: String,
    name: String,
    removed_on: Option<String>,
    reason: Option<String>,
}

/// The review page of one application.
#[derive(Serialize)]
struct ReviewPage<'a> {
    id: &'a str,
    name: String,
    status: &'static str,
    status_label: String,
    version: i32,
    info: Option<String>,
    error: Option<String>,
    profile: ReviewProfile<'a>,
    documents: Vec<DocumentLine>,
    missing_documents: Vec<&'static str>,
    charter: ReviewCharter<'a>,
    pending_change_request: bool,
    members: Vec<MemberLine>,
    actions: Vec<ActionFormView>,
    trail: Vec<EventLine>,
    removed_holders: Vec<RemovedHolderLine>,
    case: crate::web::cases::CaseSection,
    /// The profile's changes since the last decision, oldest first.
    changes: Vec<super::case_work::ChangeLine>,
}

#[derive(Serialize)]
struct ReviewProfile<'a> {
    legal_name: &'a str,
    siret: &'a str,
    address_line: &'a str,
    postcode: &'a str,
    city: &'a str,
    commune_code: Option<&'a str>,
    phone: &'a str,
    email: &'a str,
    website: Option<&'a str>,
    description: &'a str,
    audiences: Vec<&'static str>,
    incidents: Vec<String>,
    remote: bool,
    zone: String,
    public_href: Option<String>,
}

#[derive(Serialize)]
struct ReviewCharter<'a> {
    version: &'a str,
    accepted: bool,
}

/// What a failed action leaves on the re-rendered page.
#[derive(Default)]
struct Outcome {
    info: Option<String>,
    error: Option<String>,
    /// The action that failed, what was typed, and the message next to the field.
    failed: Option<(Action, String, Option<String>)>,
    /// A note that could not be saved: what was typed and why.
    note: Option<(String, String)>,
}

fn application_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    data: Loaded,
    outcome: Outcome,
) -> PageResult {
    let (app, events, members, removed_holders, work) = data;
    let case = crate::web::cases::case_section(
        crate::web::cases::CaseKind::Referencing,
        &app.profile.id,
        work,
        &user.actor.id,
        crate::web::cases::CaseFailure {
            conflict: None,
            note: outcome.note,
        },
    );
    let removed_holders: Vec<RemovedHolderLine> = removed_holders
        .into_iter()
        .map(|h| RemovedHolderLine {
            id: h.id,
            name: h.name,
            removed_on: h.removed_at.map(date_fr),
            reason: h.reason,
        })
        .collect();
    let id = app.profile.id.clone();
    let name = if app.profile.name.is_empty() {
        "(sans nom commercial)".to_owned()
    } else {
        app.profile.name.clone()
    };
    let actions: Vec<ActionFormView> = available(app.status, Party::Staff)
        .into_iter()
        .map(|a| {
            let (reason, error) = match &outcome.failed {
                Some((failed, reason, error)) if *failed == a => (reason.clone(), error.clone()),
                _ => (String::new(), None),
            };
            ActionFormView {
                slug: a.slug().to_owned(),
                button: action_button(a),
                help: action_help(a),
                danger: matches!(a, Action::Reject | Action::Suspend | Action::Remove),
                primary: matches!(a, Action::StartReview | Action::Approve | Action::Reinstate),
                reason_required: reason_required(a),
                confirm: needs_confirmation(a)
                    .then(|| confirmation(&app.profile.id, a, &ActionForm::default())),
                reason,
                error,
            }
        })
        .collect();
    let changes = super::case_work::changes_since_decision(&events);
    let trail: Vec<EventLine> = events
        .into_iter()
        .rev()
        .map(|e| {
            let (action, reason) = if e.action == "accept-charter" {
                (
                    format!(
                        "{} (version {})",
                        event_label(&e.action),
                        e.reason.unwrap_or_default()
                    ),
                    None,
                )
            } else {
                (event_label(&e.action), e.reason)
            };
            let change = match e.from_state.as_deref() {
                Some(from) if from != e.to_state => Some(format!(
                    "{} → {}",
                    stored_state_label(from),
                    stored_state_label(&e.to_state)
                )),
                None => Some(format!("→ {}", stored_state_label(&e.to_state))),
                _ => None,
            };
            EventLine {
                date: datetime_fr(e.created_at),
                date_iso: iso(e.created_at),
                actor: e.actor.unwrap_or_else(|| "—".into()),
                action,
                change,
                reason,
            }
        })
        .collect();
    let documents: Vec<DocumentLine> = app
        .documents
        .iter()
        .map(|d| DocumentLine {
            label: document_label(&d.kind).to_owned(),
            filename: d.filename.clone(),
            href: format!("/instruction/dossiers/{id}/documents/{}", d.id),
            size: size_fr(d.size_bytes),
            uploaded: date_fr(d.uploaded_at),
            valid_until: d.valid_until.map(crate::french::day_fr),
            issued_on: d.issued_on.map(crate::french::day_fr),
            outdated: d.outdated,
        })
        .collect();
    let missing_documents: Vec<&str> = [
        referencing::documents::KBIS,
        referencing::documents::INSURANCE,
    ]
    .into_iter()
    .filter(|k| !app.documents.iter().any(|d| d.kind == *k))
    .map(document_label)
    .collect();
    let members: Vec<MemberLine> = members
        .into_iter()
        .map(|m| MemberLine {
            name: m.display_name,
            email: m.email,
            owner: m.is_owner,
        })
        .collect();
    let p = &app.profile;
    let incidents: Vec<String> = p
        .incident_types
        .iter()
        .map(|c| {
            state
                .taxonomy
                .get(c)
                .map(|t| t.label.clone())
                .unwrap_or_else(|| c.clone())
        })
        .collect();
    let title = if outcome.error.is_some() {
        format!("Erreur : dossier {name}")
    } else {
        format!("Dossier {name}")
    };
    Ok(page(
        state,
        status,
        "pages/referencing/review",
        &title,
        Some(user),
        ReviewPage {
            profile: ReviewProfile {
                legal_name: &p.legal_name,
                siret: &p.siret,
                address_line: &p.address_line,
                postcode: &p.postcode,
                city: &p.city,
                commune_code: p.commune_code.as_deref(),
                phone: &p.phone,
                email: &p.email,
                website: p
                    .website
                    .as_deref()
                    .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
                description: &p.description,
                audiences: p.audiences.iter().map(|a| a.label()).collect(),
                incidents,
                remote: p.remote,
                zone: p.zone.describe_fr(),
                public_href: (app.status == ReferencingStatus::Approved)
                    .then(|| format!("/prestataires/{id}")),
            },
            id: &id,
            name,
            status: app.status.as_str(),
            status_label: state_label(app.status),
            version: app.version,
            info: outcome.info,
            error: outcome.error,
            documents,
            missing_documents,
            charter: ReviewCharter {
                version: &app.charter.current_version,
                accepted: app.charter.accepted,
            },
            pending_change_request: app.pending_change_request.is_some(),
            members,
            actions,
            trail,
            removed_holders,
            case,
            changes,
        },
    ))
}

/// What the review page shows of one file: the application, its trail, its members, and the
/// organisations staff removed that held its SIRET.
type Loaded = (
    referencing::views::ApplicationView,
    Vec<crate::audit::EventView>,
    Vec<referencing::views::MemberView>,
    Vec<referencing::siret_history::RemovedHolder>,
    crate::cases::CaseWork,
);

fn load_application(state: &AppState, user: &CurrentUser, id: &str) -> Result<Loaded, AppError> {
    let app = referencing::application(state, &state.charter, user, id)?;
    let events = referencing::events(state, user, id)?;
    let members = referencing::members(state, user, id)?;
    let removed = referencing::siret_history::removed_holders(state, user, id)?;
    let work = crate::web::cases::work(state, user, crate::web::cases::CaseKind::Referencing, id)?;
    Ok((app, events, members, removed, work))
}

#[get("/instruction/dossiers/{id}")]
pub async fn application_get(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let (inner, viewer) = (data_of(&state), user.clone());
    match blocking(move || load_application(&inner, &viewer, &id)).await {
        Ok(data) => {
            let info = query.info.as_deref().and_then(|info| {
                Action::from_slug(info)
                    .map(action_done)
                    .or_else(|| crate::web::cases::said(info))
                    .map(str::to_owned)
            });
            application_page(
                &state,
                &user,
                StatusCode::OK,
                data,
                Outcome {
                    info,
                    ..Outcome::default()
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// A supporting document, shown in the browser's PDF viewer.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The version of the application the page showed.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub reason: String,
    /// `oui` once staff confirmed a refusal, suspension or removal.
    #[serde(default)]
    pub confirme: String,
}

/// The actions staff confirm on a page of their own first: they tell the organisation at
/// once and take it out of the directory or the queue.
fn needs_confirmation(action: Action) -> bool {
    matches!(action, Action::Reject | Action::Suspend | Action::Remove)
}

/// The confirmation page of a refusal, suspension or removal (`kit::Confirmation`).
fn confirmation(id: &str, action: Action, form: &ActionForm) -> crate::web::kit::Confirmation {
    use crate::web::kit::{Confirmation, Detail};
    Confirmation {
        question: format!("{} ce dossier ?", action_button(action)),
        consequence: format!(
            "{} L'organisation en est informée par courriel dès que vous confirmez.",
            action_help(action)
        ),
        details: vec![Detail {
            label: "Motif communiqué au prestataire".into(),
            value: form.reason.trim().to_owned(),
        }],
        action: format!("/instruction/dossiers/{id}/actions/{}", action.slug()),
        fields: vec![
            Detail {
                label: "version".into(),
                value: form.version.clone(),
            },
            Detail {
                label: "reason".into(),
                value: form.reason.clone(),
            },
        ],
        confirm_label: format!("Confirmer : {}", action_button(action).to_lowercase()),
        cancel_href: format!("/instruction/dossiers/{id}#decision"),
    }
}

#[post("/instruction/dossiers/{id}/actions/{action}")]
pub async fn act_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (id, slug) = path.into_inner();
    let Some(action) =
        Action::from_slug(&slug).filter(|a| !matches!(a, Action::Submit | Action::Withdraw))
    else {
        return Err(PageError::from(AppError::not_found(
            "Cette action n'existe pas.",
        )));
    };
    // A blank reason is said beside its field first (by the step), not after a confirmation.
    if needs_confirmation(action)
        && !crate::web::kit::confirmed(&form.confirme)
        && !form.reason.trim().is_empty()
    {
        return Ok(confirmation(&id, action, &form).page(&state, &user));
    }
    let version = form.version.trim().parse::<i32>().ok();
    let (inner, actor, target, reason) = (
        data_of(&state),
        user.clone(),
        id.clone(),
        form.reason.clone(),
    );
    let result = blocking(move || {
        crate::workflow::referencing_act(
            &inner,
            &inner.directory,
            &inner.charter,
            &actor,
            Asked {
                id: &target,
                action,
                reason: Some(&reason),
                expected_version: version,
            },
        )
    })
    .await;
    let (status, outcome) = match result {
        Ok(_) => {
            return done(&format!("/instruction/dossiers/{id}"), action.slug());
        }
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Outcome {
                    info: None,
                    error: Some(message.clone()),
                    failed: Some((action, form.reason, Some(message))),
                    note: None,
                },
            )
        }
        Err(AppError::Conflict(message)) => (
            StatusCode::CONFLICT,
            Outcome {
                info: None,
                error: Some(message),
                failed: Some((action, form.reason, None)),
                note: None,
            },
        ),
        Err(other) => return Err(PageError::from(other)),
    };
    show_again(&state, &user, id, status, outcome).await
}

/// The review page again, with what a failed step leaves on it.
async fn show_again(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: String,
    status: StatusCode,
    outcome: Outcome,
) -> PageResult {
    let (inner, viewer) = (data_of(state), user.clone());
    match blocking(move || load_application(&inner, &viewer, &id)).await {
        Ok(data) => application_page(state, user, status, data, outcome),
        Err(e) => Err(PageError::from(e)),
    }
}

/// The review page again after a follow-up step failed: its message at the top, or the note
/// typed with its message beside the field.
pub(super) async fn rerender(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: String,
    status: StatusCode,
    error: Option<String>,
    note: Option<(String, String)>,
) -> PageResult {
    let outcome = Outcome {
        error,
        note,
        ..Outcome::default()
    };
    show_again(state, user, id, status, outcome).await
}
