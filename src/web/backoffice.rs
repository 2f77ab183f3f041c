//! The staff back office (`/instruction/...`): the queue of applications, one application with
//! its documents, trail and decisions, pending change requests, failed emails; and the admin
//! page of users (`/admin/utilisateurs`).
//!
//! Every page needs a staff (or admin) session; every form carries the session's CSRF token and
//! works without JavaScript. Times are shown in Paris time.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::time::{date_fr, paris, paris_midnight};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::page;
use super::session::{PageUser, check_form, data_of, see_other};
use crate::AppState;
use crate::api::users::{AdminUserView, UserChange, change_user};
use crate::auth::Role;
use crate::auth::extract::CurrentUser;
use crate::db::providers::parse_status;
use crate::db::referencing::{self as queries, QueueRow};
use crate::db::{accounts, outbox, providers};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::referencing::{Action, Actor, available, label, reason_required};
use crate::domain::zone::{Zone, departement_of_commune, departement_of_postcode};
use crate::error::{AppError, FieldErrors};
use crate::referencing::{self, documents};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(queue_get)
        .service(application_get)
        .service(document_get)
        .service(act_post)
        .service(change_requests_get)
        .service(change_request_post)
        .service(emails_get)
        .service(email_resend_post)
        .service(users_get)
        .service(user_post);
}

/// Applications per page of the queue.
const QUEUE_PAGE: usize = 20;
/// Failed emails per page.
const EMAIL_PAGE: i64 = 20;
/// Users per page.
const USER_PAGE: i64 = 50;

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

// ---------------------------------------------------------------------------------------------
// Shared helpers

use super::shared::blocking;

/// An error as a French page, keeping the signed-in menu.
fn error_page(state: &AppState, user: &CurrentUser, error: &AppError) -> HttpResponse {
    let back = if user.role.is_staff() {
        ("/instruction", "Revenir à la file d'instruction")
    } else {
        ("/", "Revenir à l'accueil")
    };
    super::shared::error_page(state, user, error, back)
}

/// Staff and admins only: others get a French 403 page.
fn refuse_unless_staff(state: &AppState, user: &CurrentUser) -> Option<HttpResponse> {
    if user.role.is_staff() {
        None
    } else {
        Some(error_page(
            state,
            user,
            &AppError::forbidden("Cette page est réservée à l'équipe d'instruction."),
        ))
    }
}

/// Admins only.
fn refuse_unless_admin(state: &AppState, user: &CurrentUser) -> Option<HttpResponse> {
    if user.role == Role::Admin {
        None
    } else {
        Some(error_page(
            state,
            user,
            &AppError::forbidden("Cette page est réservée aux administrateurs."),
        ))
    }
}

fn datetime_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%d/%m/%Y à %H:%M").to_string()
}

/// Machine-readable form of a date for `<time datetime>`.
fn iso(utc: NaiveDateTime) -> String {
    paris(utc).format("%Y-%m-%dT%H:%M").to_string()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn state_label(status: ReferencingStatus) -> String {
    capitalise(label(status))
}

fn state_of(stored: &str) -> Option<ReferencingStatus> {
    let parsed = parse_status(stored);
    (parsed.as_str() == stored).then_some(parsed)
}

fn stored_state_label(stored: &str) -> String {
    state_of(stored)
        .map(state_label)
        .unwrap_or_else(|| stored.to_owned())
}

/// French agreement: 0 and 1 take the singular.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n <= 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            url.append_pair(k, v);
        }
    }
    url.finish()
}

fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query = query_string(pairs);
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The first message of a validation error.
fn first_message(errors: &FieldErrors) -> String {
    errors
        .values()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_else(|| "Certaines données sont invalides.".to_owned())
}

#[derive(Serialize)]
struct Pagination {
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

fn pagination(
    page: usize,
    total: usize,
    per_page: usize,
    link: impl Fn(usize) -> String,
) -> Pagination {
    let pages = total.div_ceil(per_page).max(1);
    Pagination {
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
    }
}

fn page_number(raw: Option<&str>) -> usize {
    raw.and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf_token: String,
}

// ---------------------------------------------------------------------------------------------
// The queue

/// The queue's filters as submitted (GET, so a filtered queue can be bookmarked).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueForm {
    pub etat: Option<String>,
    pub departement: Option<String>,
    pub du: Option<String>,
    pub au: Option<String>,
    pub page: Option<String>,
}

impl QueueForm {
    fn value(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or_default()
    }

    /// A link to the queue with these filters, another state and a page.
    fn link(&self, etat: &str, page: usize) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        with_query(
            "/instruction",
            &[
                ("etat", etat),
                ("departement", Self::value(&self.departement)),
                ("du", Self::value(&self.du)),
                ("au", Self::value(&self.au)),
                ("page", &page),
            ],
        )
    }
}

/// The filters once checked.
struct QueueFilter {
    status: Option<ReferencingStatus>,
    departement: Option<String>,
    since: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
}

fn parse_day(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"));
    match parsed {
        Ok(day) => Some(day),
        Err(_) => {
            errors.insert(
                field.to_owned(),
                vec!["Date invalide : utilisez le format jj/mm/aaaa.".to_owned()],
            );
            None
        }
    }
}

fn check_queue_form(state: &AppState, form: &QueueForm) -> (QueueFilter, FieldErrors) {
    let mut errors = FieldErrors::new();
    let etat = QueueForm::value(&form.etat);
    let status = match etat {
        "" => None,
        s => match state_of(s) {
            Some(status) => Some(status),
            None => {
                errors.insert("etat".into(), vec!["État inconnu.".into()]);
                None
            }
        },
    };
    let typed = QueueForm::value(&form.departement);
    let departement = if typed.is_empty() {
        None
    } else {
        let code = typed.to_uppercase();
        let code = if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) {
            format!("0{code}")
        } else {
            code
        };
        let simple = |s: &str| {
            deunicode::deunicode(s)
                .to_lowercase()
                .replace(['-', ' ', '\''], "")
        };
        let found = state.departements.get(&code).or_else(|| {
            state
                .departements
                .all()
                .iter()
                .find(|d| simple(&d.name) == simple(typed))
        });
        match found {
            Some(d) => Some(d.code.clone()),
            None => {
                errors.insert(
                    "departement".into(),
                    vec![format!(
                        "Département inconnu : « {typed} ». Indiquez son numéro (35, 2A, 974…) ou son nom."
                    )],
                );
                None
            }
        }
    };
    let since = parse_day(QueueForm::value(&form.du), "du", &mut errors);
    let until = parse_day(QueueForm::value(&form.au), "au", &mut errors);
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        errors.insert(
            "au".into(),
            vec!["La date de fin précède la date de début.".into()],
        );
    }
    (
        QueueFilter {
            status,
            departement,
            since: since.map(paris_midnight),
            // Inclusive: up to the end of that day.
            until: until.and_then(|d| d.succ_opt()).map(paris_midnight),
        },
        errors,
    )
}

#[derive(Serialize)]
struct QueueLine {
    href: String,
    name: String,
    legal_name: String,
    city: String,
    departement: String,
    status: String,
    status_label: String,
    updated: String,
    updated_iso: String,
}

#[derive(Serialize)]
struct Tab {
    label: String,
    count: i64,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn departement_of(row: &QueueRow) -> Option<String> {
    row.commune_code
        .as_deref()
        .and_then(departement_of_commune)
        .map(str::to_owned)
        .or_else(|| departement_of_postcode(&row.postcode))
}

struct QueueData {
    counts: std::collections::BTreeMap<String, i64>,
    total: usize,
    lines: Vec<QueueRow>,
    pending_changes: usize,
    failed_emails: i64,
}

/// The same selection as the API's queue (`GET /api/v1/applications`).
/// Without a (valid) filter, only the counts of change requests and failed emails.
fn load_queue(
    state: &AppState,
    filter: Option<&QueueFilter>,
    page: usize,
) -> Result<QueueData, AppError> {
    let mut conn = state.pool.get()?;
    let pending_changes = queries::change_requests_by_status(&mut conn, "pending")?.len();
    let (failed_emails, _) = outbox::list_by_status(&mut conn, outbox::FAILED, 1, 0)?;
    let Some(filter) = filter else {
        return Ok(QueueData {
            counts: Default::default(),
            total: 0,
            lines: Vec::new(),
            pending_changes,
            failed_emails,
        });
    };
    let rows = queries::queue(&mut conn, None, filter.since, filter.until)?;
    let in_departement: Vec<QueueRow> = rows
        .into_iter()
        .filter(|r| {
            filter
                .departement
                .as_ref()
                .is_none_or(|d| departement_of(r).as_ref() == Some(d))
        })
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for r in &in_departement {
        *counts.entry(r.status.clone()).or_insert(0) += 1;
    }
    let selected: Vec<QueueRow> = in_departement
        .into_iter()
        .filter(|r| filter.status.is_none_or(|s| r.status == s.as_str()))
        .collect();
    let total = selected.len();
    let lines = selected
        .into_iter()
        .skip((page - 1).saturating_mul(QUEUE_PAGE))
        .take(QUEUE_PAGE)
        .collect();
    Ok(QueueData {
        counts,
        total,
        lines,
        pending_changes,
        failed_emails,
    })
}

#[get("/instruction")]
pub async fn queue_get(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Query<QueueForm>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let form = form.into_inner();
    let (filter, errors) = check_queue_form(&state, &form);
    let page_no = page_number(form.page.as_deref());
    let inner = data_of(&state);
    // Invalid filters show an empty list with the messages, not everything.
    let valid = errors.is_empty();
    let data = match blocking(move || load_queue(&inner, valid.then_some(&filter), page_no)).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, &user, &e),
    };
    let etat = QueueForm::value(&form.etat).to_owned();
    let all: i64 = data.counts.values().sum();
    let mut tabs = vec![Tab {
        label: "Tous".into(),
        count: all,
        href: form.link("", 1),
        current: etat.is_empty(),
    }];
    tabs.extend(STATES.iter().map(|s| Tab {
        label: state_label(*s),
        count: data.counts.get(s.as_str()).copied().unwrap_or(0),
        href: form.link(s.as_str(), 1),
        current: etat == s.as_str(),
    }));
    let lines: Vec<QueueLine> = data
        .lines
        .iter()
        .map(|r| {
            let status = parse_status(&r.status);
            QueueLine {
                href: format!("/instruction/dossiers/{}", r.id),
                name: if r.name.is_empty() {
                    "(sans nom commercial)".into()
                } else {
                    r.name.clone()
                },
                legal_name: r.legal_name.clone(),
                city: r.city.clone(),
                departement: departement_of(r).unwrap_or_default(),
                status: status.as_str().to_owned(),
                status_label: state_label(status),
                updated: date_fr(r.updated_at),
                updated_iso: iso(r.updated_at),
            }
        })
        .collect();
    let pages = pagination(page_no, data.total, QUEUE_PAGE, |p| form.link(&etat, p));
    let choices: Vec<Choice> = STATES
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: state_label(*s),
            selected: etat == s.as_str(),
        })
        .collect();
    let first = |f: &str| errors.get(f).and_then(|m| m.first()).cloned();
    let filtered = !etat.is_empty()
        || !QueueForm::value(&form.departement).is_empty()
        || !QueueForm::value(&form.du).is_empty()
        || !QueueForm::value(&form.au).is_empty();
    let summary = match data.total {
        0 if filtered => "Aucun dossier ne correspond à ces critères.".to_owned(),
        0 => "Aucun dossier.".to_owned(),
        n => plural(n, "dossier", "dossiers"),
    };
    let (status, title) = if valid {
        (StatusCode::OK, "File d'instruction".to_owned())
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Erreur : file d'instruction".to_owned(),
        )
    };
    page(
        &state,
        status,
        "pages/backoffice/queue",
        &title,
        Some(&user),
        json!({
            "tabs": tabs,
            "choices": choices,
            "etat_all": etat.is_empty(),
            "departement": QueueForm::value(&form.departement),
            "du": QueueForm::value(&form.du),
            "au": QueueForm::value(&form.au),
            "errors": {
                "etat": first("etat"),
                "departement": first("departement"),
                "du": first("du"),
                "au": first("au"),
            },
            "has_errors": !valid,
            "lines": lines,
            "summary": summary,
            "pagination": pages,
            "pending_changes": data.pending_changes,
            "pending_changes_text": plural(data.pending_changes, "demande de modification en attente", "demandes de modification en attente"),
            "failed_emails": data.failed_emails,
            "failed_emails_text": plural(usize::try_from(data.failed_emails).unwrap_or(0), "courriel en échec", "courriels en échec"),
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// One application

/// What the staff's buttons say.
fn action_button(action: Action) -> &'static str {
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
fn action_help(action: Action) -> &'static str {
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
fn action_done(action: Action) -> &'static str {
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
fn event_label(action: &str) -> String {
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
        "change-request-approved" => "Modification du profil approuvée",
        "change-request-rejected" => "Modification du profil refusée",
        "invite" => "Invitation d'un membre",
        "join" => "Arrivée d'un membre",
        other => other,
    }
    .to_owned()
}

fn document_label(kind: &str) -> &str {
    match kind {
        documents::KBIS => "Extrait Kbis",
        documents::INSURANCE => "Attestation d'assurance responsabilité civile professionnelle",
        other => other,
    }
}

fn size_fr(bytes: i32) -> String {
    let bytes = f64::from(bytes.max(0));
    if bytes < 1024.0 * 1024.0 {
        format!("{} Ko", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} Mo", bytes / 1024.0 / 1024.0).replace('.', ",")
    }
}

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
}

#[derive(Serialize)]
struct MemberLine {
    name: String,
    email: String,
    owner: bool,
}

/// What a failed action leaves on the re-rendered page.
#[derive(Default)]
struct Outcome {
    info: Option<String>,
    error: Option<String>,
    /// The action that failed, what was typed, and the message next to the field.
    failed: Option<(Action, String, Option<String>)>,
}

fn application_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    data: (
        referencing::views::ApplicationView,
        Vec<referencing::views::EventView>,
        Vec<referencing::views::MemberView>,
    ),
    outcome: Outcome,
) -> HttpResponse {
    let (app, events, members) = data;
    let id = app.profile.id.clone();
    let name = if app.profile.name.is_empty() {
        "(sans nom commercial)".to_owned()
    } else {
        app.profile.name.clone()
    };
    let actions: Vec<ActionFormView> = available(app.status, Actor::Staff)
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
                reason,
                error,
            }
        })
        .collect();
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
        })
        .collect();
    let missing_documents: Vec<&str> = [documents::KBIS, documents::INSURANCE]
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
    page(
        state,
        status,
        "pages/backoffice/application",
        &title,
        Some(user),
        json!({
            "id": id,
            "name": name,
            "status": app.status.as_str(),
            "status_label": state_label(app.status),
            "version": app.version,
            "info": outcome.info,
            "error": outcome.error,
            "profile": {
                "legal_name": p.legal_name,
                "siret": p.siret,
                "address_line": p.address_line,
                "postcode": p.postcode,
                "city": p.city,
                "commune_code": p.commune_code,
                "phone": p.phone,
                "email": p.email,
                "website": p.website.as_ref().filter(|w| w.starts_with("https://") || w.starts_with("http://")),
                "description": p.description,
                "audiences": p.audiences.iter().map(|a| a.label()).collect::<Vec<_>>(),
                "incidents": incidents,
                "remote": p.remote,
                "zone": p.zone.describe_fr(),
                "public_href": (app.status == ReferencingStatus::Approved).then(|| format!("/prestataires/{id}")),
            },
            "documents": documents,
            "missing_documents": missing_documents,
            "charter": {
                "version": app.charter.current_version,
                "accepted": app.charter.accepted,
            },
            "pending_change_request": app.pending_change_request.is_some(),
            "members": members,
            "actions": actions,
            "trail": trail,
        }),
    )
}

fn load_application(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<
    (
        referencing::views::ApplicationView,
        Vec<referencing::views::EventView>,
        Vec<referencing::views::MemberView>,
    ),
    AppError,
> {
    let app = referencing::application(state, user, id)?;
    let events = referencing::events(state, user, id)?;
    let members = referencing::members(state, user, id)?;
    Ok((app, events, members))
}

#[derive(Debug, Default, Deserialize)]
pub struct InfoQuery {
    pub info: Option<String>,
    pub page: Option<String>,
}

#[get("/instruction/dossiers/{id}")]
pub async fn application_get(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let id = path.into_inner();
    let (inner, viewer) = (data_of(&state), user.clone());
    match blocking(move || load_application(&inner, &viewer, &id)).await {
        Ok(data) => {
            let info = query
                .info
                .as_deref()
                .and_then(Action::from_slug)
                .map(|a| action_done(a).to_owned());
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
        Err(e) => error_page(&state, &user, &e),
    }
}

/// A supporting document, shown in the browser's PDF viewer.
#[get("/instruction/dossiers/{id}/documents/{document}")]
pub async fn document_get(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let (id, document_id) = path.into_inner();
    let (inner, viewer) = (data_of(&state), user.clone());
    match blocking(move || documents::download(&inner, &viewer, &id, &document_id)).await {
        Ok(doc) => {
            let filename: String = doc
                .filename
                .chars()
                .filter(|c| c.is_ascii() && !c.is_ascii_control() && !matches!(c, '"' | '\\'))
                .collect();
            let filename = if filename.trim().is_empty() {
                format!("{}.pdf", doc.kind)
            } else {
                filename
            };
            HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((
                    "Content-Disposition",
                    format!("inline; filename=\"{filename}\""),
                ))
                .insert_header(("X-Content-Type-Options", "nosniff"))
                .insert_header(("Cache-Control", "private, no-store"))
                .body(doc.content)
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The version of the application the page showed.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub reason: String,
}

#[post("/instruction/dossiers/{id}/actions/{action}")]
pub async fn act_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let form = form.into_inner();
    if let Err(e) = check_form(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let (id, slug) = path.into_inner();
    let Some(action) =
        Action::from_slug(&slug).filter(|a| !matches!(a, Action::Submit | Action::Withdraw))
    else {
        return error_page(
            &state,
            &user,
            &AppError::not_found("Cette action n'existe pas."),
        );
    };
    let version = form.version.trim().parse::<i32>().ok();
    let (inner, actor, target, reason) = (
        data_of(&state),
        user.clone(),
        id.clone(),
        form.reason.clone(),
    );
    let result =
        blocking(move || referencing::act(&inner, &actor, &target, action, Some(&reason), version))
            .await;
    let (status, outcome) = match result {
        Ok(_) => {
            return see_other(&format!(
                "/instruction/dossiers/{id}?info={}",
                action.slug()
            ));
        }
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Outcome {
                    info: None,
                    error: Some(message.clone()),
                    failed: Some((action, form.reason, Some(message))),
                },
            )
        }
        Err(AppError::Conflict(message)) => (
            StatusCode::CONFLICT,
            Outcome {
                info: None,
                error: Some(message),
                failed: Some((action, form.reason, None)),
            },
        ),
        Err(other) => return error_page(&state, &user, &other),
    };
    let (inner, viewer) = (data_of(&state), user.clone());
    match blocking(move || load_application(&inner, &viewer, &id)).await {
        Ok(data) => application_page(&state, &user, status, data, outcome),
        Err(e) => error_page(&state, &user, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Change requests

fn reviewed_field_label(field: &str) -> &'static str {
    match field {
        "legal_name" => "Raison sociale",
        "siret" => "SIRET",
        "address_line" => "Adresse",
        "postcode" => "Code postal",
        "commune_code" => "Commune (code INSEE)",
        "city" => "Commune",
        "zone" => "Zone d'intervention",
        _ => "Autre champ",
    }
}

fn current_value(provider: &Provider, field: &str) -> String {
    match field {
        "legal_name" => provider.legal_name.clone(),
        "siret" => provider.siret.clone(),
        "address_line" => provider.address_line.clone(),
        "postcode" => provider.postcode.clone(),
        "commune_code" => provider.commune_code.clone().unwrap_or_default(),
        "city" => provider.city.clone(),
        "zone" => provider.zone.describe_fr(),
        _ => String::new(),
    }
}

fn requested_value(field: &str, value: &Value) -> String {
    if field == "zone"
        && let Ok(zone) = serde_json::from_value::<Zone>(value.clone())
    {
        return zone.describe_fr();
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
struct FieldChange {
    label: &'static str,
    current: String,
    requested: String,
}

#[derive(Serialize)]
struct ChangeRequestLine {
    id: String,
    provider_href: String,
    provider_name: String,
    legal_name: String,
    status_label: String,
    requested: String,
    requested_iso: String,
    requested_by: String,
    fields: Vec<FieldChange>,
    reason: String,
    error: Option<String>,
}

fn load_change_requests(state: &AppState) -> Result<Vec<(ChangeRequestLine, String)>, AppError> {
    let mut conn = state.pool.get()?;
    let rows = queries::change_requests_by_status(&mut conn, "pending")?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let provider = providers::find(&mut conn, &row.provider_id)?.map(|(p, _)| p);
        let requested_by = accounts::user_by_id(&mut conn, &row.requested_by)?
            .map(|u| format!("{} ({})", u.display_name, u.email))
            .unwrap_or_default();
        let changes: Value = serde_json::from_str(&row.changes).unwrap_or(Value::Null);
        let fields = changes
            .as_object()
            .map(|map| {
                crate::referencing::profile::REVIEWED_FIELDS
                    .iter()
                    .filter_map(|f| map.get(*f).map(|v| (*f, v)))
                    .map(|(f, v)| FieldChange {
                        label: reviewed_field_label(f),
                        current: provider
                            .as_ref()
                            .map(|p| current_value(p, f))
                            .unwrap_or_default(),
                        requested: requested_value(f, v),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (provider_name, legal_name, status_label) = match &provider {
            Some(p) => (
                if p.name.is_empty() {
                    "(sans nom commercial)".to_owned()
                } else {
                    p.name.clone()
                },
                p.legal_name.clone(),
                state_label(p.status),
            ),
            None => (
                "(organisation supprimée)".to_owned(),
                String::new(),
                String::new(),
            ),
        };
        lines.push((
            ChangeRequestLine {
                id: row.id.clone(),
                provider_href: format!("/instruction/dossiers/{}", row.provider_id),
                provider_name,
                legal_name,
                status_label,
                requested: datetime_fr(row.requested_at),
                requested_iso: iso(row.requested_at),
                requested_by,
                fields,
                reason: String::new(),
                error: None,
            },
            row.id,
        ));
    }
    Ok(lines)
}

fn change_requests_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    lines: Vec<(ChangeRequestLine, String)>,
    info: Option<&str>,
    error: Option<String>,
    failed: Option<(String, String, Option<String>)>,
) -> HttpResponse {
    let lines: Vec<ChangeRequestLine> = lines
        .into_iter()
        .map(|(mut line, id)| {
            if let Some((failed_id, reason, message)) = &failed
                && *failed_id == id
            {
                line.reason = reason.clone();
                line.error = message.clone();
            }
            line
        })
        .collect();
    let title = if error.is_some() {
        "Erreur : demandes de modification"
    } else {
        "Demandes de modification"
    };
    page(
        state,
        status,
        "pages/backoffice/change_requests",
        title,
        Some(user),
        json!({
            "summary": match lines.len() {
                0 => "Aucune demande en attente.".to_owned(),
                n => plural(n, "demande en attente", "demandes en attente"),
            },
            "lines": lines,
            "info": info,
            "error": error,
        }),
    )
}

#[get("/instruction/modifications")]
pub async fn change_requests_get(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let inner = data_of(&state);
    let info = match query.info.as_deref() {
        Some("approuvee") => {
            Some("La modification est approuvée et publiée ; le prestataire en est informé.")
        }
        Some("refusee") => Some("La modification est refusée ; le prestataire a reçu votre motif."),
        _ => None,
    };
    match blocking(move || load_change_requests(&inner)).await {
        Ok(lines) => change_requests_page(&state, &user, StatusCode::OK, lines, info, None, None),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub reason: String,
}

#[post("/instruction/modifications/{id}/{decision}")]
pub async fn change_request_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let form = form.into_inner();
    if let Err(e) = check_form(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let (id, decision) = path.into_inner();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return error_page(
                &state,
                &user,
                &AppError::not_found("Cette décision n'existe pas."),
            );
        }
    };
    let (inner, actor, target) = (data_of(&state), user.clone(), id.clone());
    let reason = (!approve).then(|| form.reason.clone());
    let result = blocking(move || {
        referencing::decide_change_request(&inner, &actor, &target, approve, reason.as_deref())
    })
    .await;
    let (status, error, failed) = match result {
        Ok(_) => {
            return see_other(if approve {
                "/instruction/modifications?info=approuvee"
            } else {
                "/instruction/modifications?info=refusee"
            });
        }
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                message.clone(),
                Some((id, form.reason, Some(message))),
            )
        }
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, message, None),
        Err(other) => return error_page(&state, &user, &other),
    };
    let inner = data_of(&state);
    match blocking(move || load_change_requests(&inner)).await {
        Ok(lines) => change_requests_page(&state, &user, status, lines, None, Some(error), failed),
        Err(e) => error_page(&state, &user, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Failed emails

#[derive(Serialize)]
struct EmailLine {
    id: String,
    recipient: String,
    subject: String,
    attempts: i32,
    last_error: String,
    created: String,
    created_iso: String,
}

fn emails_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    (total, rows): (i64, Vec<outbox::OutboxRow>),
    info: Option<&str>,
    error: Option<String>,
) -> HttpResponse {
    let total = usize::try_from(total).unwrap_or(0);
    let lines: Vec<EmailLine> = rows
        .into_iter()
        .map(|r| EmailLine {
            id: r.id,
            recipient: r.recipient,
            subject: r.subject,
            attempts: r.attempts,
            last_error: r.last_error.unwrap_or_default(),
            created: datetime_fr(r.created_at),
            created_iso: iso(r.created_at),
        })
        .collect();
    let pages = pagination(page_number, total, EMAIL_PAGE as usize, |p| {
        with_query("/instruction/courriels", &[("page", &p.to_string())])
    });
    page(
        state,
        status,
        "pages/backoffice/emails",
        if error.is_some() {
            "Erreur : courriels en échec"
        } else {
            "Courriels en échec"
        },
        Some(user),
        json!({
            "summary": match total {
                0 => "Aucun courriel en échec.".to_owned(),
                n => plural(n, "courriel en échec", "courriels en échec"),
            },
            "lines": lines,
            "pagination": pages,
            "page": page_number,
            "info": info,
            "error": error,
        }),
    )
}

fn load_emails(state: &AppState, page: usize) -> Result<(i64, Vec<outbox::OutboxRow>), AppError> {
    let mut conn = state.pool.get()?;
    let page = i64::try_from(page).unwrap_or(1);
    Ok(outbox::list_by_status(
        &mut conn,
        outbox::FAILED,
        EMAIL_PAGE,
        (page - 1).saturating_mul(EMAIL_PAGE),
    )?)
}

#[get("/instruction/courriels")]
pub async fn emails_get(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let page_number = page_number(query.page.as_deref());
    let info = match query.info.as_deref() {
        Some("renvoye") => {
            Some("Le courriel est remis dans la file d'envoi : il partira dans quelques instants.")
        }
        _ => None,
    };
    let inner = data_of(&state);
    match blocking(move || load_emails(&inner, page_number)).await {
        Ok(data) => emails_page(&state, &user, StatusCode::OK, page_number, data, info, None),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The list page to come back to.
    #[serde(default)]
    pub page: String,
}

#[post("/instruction/courriels/{id}/renvoyer")]
pub async fn email_resend_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<ResendForm>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_staff(&state, &user) {
        return response;
    }
    let form = form.into_inner();
    if let Err(e) = check_form(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let id = path.into_inner();
    let inner = data_of(&state);
    // As the API's retry (`POST /api/v1/outbox/{id}/retry`).
    let result = blocking(move || {
        let mut conn = inner.pool.get()?;
        let now = inner.clock.now_naive();
        if outbox::requeue_failed(
            &mut conn,
            &id,
            now,
            now + Duration::hours(crate::mail::GIVE_UP_AFTER_HOURS),
        )? {
            return Ok(());
        }
        match outbox::find(&mut conn, &id)? {
            None => Err(AppError::not_found("Courriel introuvable.")),
            Some(_) => Err(AppError::Conflict(
                "Ce courriel n'est plus en échec : il a déjà été renvoyé.".into(),
            )),
        }
    })
    .await;
    let page_number = page_number(Some(&form.page));
    match result {
        Ok(()) => {
            let page = if page_number > 1 {
                page_number.to_string()
            } else {
                String::new()
            };
            see_other(&with_query(
                "/instruction/courriels",
                &[("info", "renvoye"), ("page", &page)],
            ))
        }
        Err(AppError::Conflict(message)) => {
            let inner = data_of(&state);
            match blocking(move || load_emails(&inner, page_number)).await {
                Ok(data) => emails_page(
                    &state,
                    &user,
                    StatusCode::CONFLICT,
                    page_number,
                    data,
                    None,
                    Some(message),
                ),
                Err(e) => error_page(&state, &user, &e),
            }
        }
        Err(e) => error_page(&state, &user, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Users (admins)

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Provider => "Prestataire",
        Role::Staff => "Équipe d'instruction",
        Role::Auditor => "Auditeur",
        Role::Admin => "Administrateur",
    }
}

#[derive(Serialize)]
struct UserLine {
    id: String,
    email: String,
    name: String,
    role_label: &'static str,
    verified: bool,
    disabled: bool,
    is_self: bool,
    roles: Vec<Choice>,
    created: String,
}

fn users_page(
    state: &AppState,
    admin: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    (total, rows): (i64, Vec<AdminUserView>),
    info: Option<&str>,
    error: Option<String>,
) -> HttpResponse {
    let total = usize::try_from(total).unwrap_or(0);
    let lines: Vec<UserLine> = rows
        .into_iter()
        .map(|u| UserLine {
            is_self: u.id == admin.id,
            roles: Role::ALL
                .iter()
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: role_label(*r).to_owned(),
                    selected: *r == u.role,
                })
                .collect(),
            role_label: role_label(u.role),
            id: u.id,
            email: u.email,
            name: u.display_name,
            verified: u.email_verified,
            disabled: u.disabled,
            created: date_fr(u.created_at),
        })
        .collect();
    let pages = pagination(page_number, total, USER_PAGE as usize, |p| {
        with_query("/admin/utilisateurs", &[("page", &p.to_string())])
    });
    page(
        state,
        status,
        "pages/backoffice/users",
        if error.is_some() {
            "Erreur : utilisateurs"
        } else {
            "Utilisateurs"
        },
        Some(admin),
        json!({
            "summary": plural(total, "compte", "comptes"),
            "lines": lines,
            "pagination": pages,
            "page": page_number,
            "info": info,
            "error": error,
        }),
    )
}

fn load_users(state: &AppState, page: usize) -> Result<(i64, Vec<AdminUserView>), AppError> {
    let mut conn = state.pool.get()?;
    let page = i64::try_from(page).unwrap_or(1);
    let (total, rows) =
        accounts::list_users(&mut conn, USER_PAGE, (page - 1).saturating_mul(USER_PAGE))?;
    Ok((total, rows.into_iter().map(AdminUserView::of).collect()))
}

#[get("/admin/utilisateurs")]
pub async fn users_get(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<InfoQuery>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_admin(&state, &user) {
        return response;
    }
    let page_number = page_number(query.page.as_deref());
    let info = match query.info.as_deref() {
        Some("role") => Some("Le rôle est modifié : l'utilisateur devra se reconnecter."),
        Some("desactive") => Some("Le compte est désactivé et ses sessions sont fermées."),
        Some("reactive") => Some("Le compte est réactivé."),
        _ => None,
    };
    let inner = data_of(&state);
    match blocking(move || load_users(&inner, page_number)).await {
        Ok(data) => users_page(&state, &user, StatusCode::OK, page_number, data, info, None),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub csrf_token: String,
    /// A role (`provider`, `staff`, `auditor`, `admin`), or empty to keep it.
    #[serde(default)]
    pub role: String,
    /// `true` to disable, `false` to enable, or empty to keep it.
    #[serde(default)]
    pub disabled: String,
    #[serde(default)]
    pub page: String,
}

#[post("/admin/utilisateurs/{id}")]
pub async fn user_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<UserForm>,
) -> HttpResponse {
    let user = user.0;
    if let Some(response) = refuse_unless_admin(&state, &user) {
        return response;
    }
    let form = form.into_inner();
    if let Err(e) = check_form(&req, &state, &user, &form.csrf_token) {
        return error_page(&state, &user, &e);
    }
    let id = path.into_inner();
    let page_number = page_number(Some(&form.page));
    let change = (|| {
        let role = match form.role.trim() {
            "" => None,
            r => Some(Role::parse(r).ok_or_else(|| AppError::field("role", "Rôle inconnu."))?),
        };
        let disabled = match form.disabled.trim() {
            "" => None,
            "true" => Some(true),
            "false" => Some(false),
            _ => return Err(AppError::field("disabled", "Valeur invalide.")),
        };
        Ok(UserChange { role, disabled })
    })();
    let result = match change {
        Ok(change) => {
            let (inner, admin) = (data_of(&state), user.clone());
            let done = if change.disabled == Some(true) {
                "desactive"
            } else if change.disabled == Some(false) {
                "reactive"
            } else {
                "role"
            };
            blocking(move || change_user(&inner, &admin, &id, &change))
                .await
                .map(|_| done)
        }
        Err(e) => Err(e),
    };
    let (status, message) = match result {
        Ok(done) => {
            let page = if page_number > 1 {
                page_number.to_string()
            } else {
                String::new()
            };
            return see_other(&with_query(
                "/admin/utilisateurs",
                &[("info", done), ("page", &page)],
            ));
        }
        Err(AppError::Validation(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, first_message(&errors))
        }
        Err(e @ AppError::Forbidden(_)) => (StatusCode::FORBIDDEN, e.to_string()),
        Err(e) => return error_page(&state, &user, &e),
    };
    let inner = data_of(&state);
    match blocking(move || load_users(&inner, page_number)).await {
        Ok(data) => users_page(
            &state,
            &user,
            status,
            page_number,
            data,
            None,
            Some(message),
        ),
        Err(e) => error_page(&state, &user, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn times_are_shown_in_paris_time() {
        // Winter: UTC+1; summer: UTC+2; the switch at 01:00 UTC on the last Sundays.
        assert_eq!(datetime_fr(at(2026, 11, 23, 9, 0)), "23/11/2026 à 10:00");
        assert_eq!(datetime_fr(at(2026, 7, 1, 22, 30)), "02/07/2026 à 00:30");
        assert_eq!(paris(at(2026, 3, 29, 0, 59)), at(2026, 3, 29, 1, 59));
        assert_eq!(paris(at(2026, 3, 29, 1, 0)), at(2026, 3, 29, 3, 0));
        assert_eq!(paris(at(2026, 10, 25, 0, 59)), at(2026, 10, 25, 2, 59));
        assert_eq!(paris(at(2026, 10, 25, 1, 0)), at(2026, 10, 25, 2, 0));
        let day = NaiveDate::from_ymd_opt(2026, 7, 14).unwrap();
        assert_eq!(paris_midnight(day), at(2026, 7, 13, 22, 0));
        let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(paris_midnight(day), at(2026, 12, 24, 23, 0));
    }

    #[test]
    fn sizes_and_labels_read_naturally() {
        assert_eq!(size_fr(80), "1 Ko");
        assert_eq!(size_fr(3 * 1024 * 1024 / 2), "1,5 Mo");
        assert_eq!(stored_state_label("in_review"), "En cours d'instruction");
        assert_eq!(plural(1, "dossier", "dossiers"), "1 dossier");
        assert_eq!(plural(0, "dossier", "dossiers"), "0 dossier");
        assert_eq!(plural(2, "dossier", "dossiers"), "2 dossiers");
    }
}
