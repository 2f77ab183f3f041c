//! Failed emails for staff (`/instruction/courriels`): the list, searched by address or
//! subject, each failure explained in French with a link to its case, sending one again (to a
//! corrected address) or several, and the list in CSV (victims' addresses left out).

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use super::kit::{blocking, datetime_fr, iso, page_number, pagination, plural, with_query};
use super::page;
use super::session::{check_form, data_of, see_other};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::mail::outbox;
use crate::mail::outbox::OutboxRow;
use crate::state::AppState;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(emails_get)
        .service(emails_export)
        .service(email_resend_post)
        .service(emails_resend_post);
}

/// Failed emails per page.
const EMAIL_PAGE: i64 = 20;

#[derive(Serialize)]
struct EmailLine {
    id: String,
    recipient: String,
    subject: String,
    attempts: i32,
    /// Why it failed, in French.
    reason: &'static str,
    /// The receiving server's reply, as it came.
    last_error: String,
    /// The assistance request the email is about, for staff.
    case_href: Option<String>,
    created: String,
    created_iso: String,
}

/// `pages/outbox/emails`: a page of failed emails, the search kept by its forms, and the
/// CSV of the list as searched.
#[derive(Serialize)]
struct EmailsView<'a> {
    #[serde(flatten)]
    list: crate::web::kit::ListPage<'a, EmailLine>,
    q: &'a str,
    export: String,
}

fn emails_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    (total, rows): (i64, Vec<OutboxRow>),
    q: &str,
    (info, error): (Option<&str>, Option<String>),
) -> PageResult {
    let q = q.trim();
    let total = usize::try_from(total).unwrap_or(0);
    let lines: Vec<EmailLine> = rows
        .into_iter()
        .map(|r| EmailLine {
            id: r.id,
            recipient: r.recipient,
            subject: r.subject,
            attempts: r.attempts,
            reason: crate::domain::outbox::failure_fr(r.last_error.as_deref().unwrap_or("")),
            last_error: r.last_error.unwrap_or_default(),
            case_href: r.request_id.map(|id| format!("/instruction/demandes/{id}")),
            created: datetime_fr(r.created_at),
            created_iso: iso(r.created_at),
        })
        .collect();
    let pages = pagination(page_number, total, EMAIL_PAGE as usize, |p| {
        with_query(
            "/instruction/courriels",
            &[("q", q), ("page", &p.to_string())],
        )
    });
    Ok(page(
        state,
        status,
        "pages/outbox/emails",
        if error.is_some() {
            "Erreur : courriels en échec"
        } else {
            "Courriels en échec"
        },
        Some(user),
        EmailsView {
            list: crate::web::kit::ListPage {
                summary: match (total, q.is_empty()) {
                    (0, true) => "Aucun courriel en échec.".to_owned(),
                    (0, false) => format!("Aucun courriel en échec ne correspond à « {q} »."),
                    (n, true) => plural(n, "courriel en échec", "courriels en échec"),
                    (n, false) => format!(
                        "{} pour « {q} »",
                        plural(n, "courriel en échec", "courriels en échec")
                    ),
                },
                lines,
                pagination: pages,
                page: page_number,
                info,
                error,
            },
            q,
            export: with_query("/instruction/courriels.csv", &[("q", q)]),
        },
    ))
}

fn load_emails(
    state: &AppState,
    staff: &Actor,
    page: usize,
    q: &str,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    let page = i64::try_from(page).unwrap_or(1);
    outbox::list_searched(
        state,
        staff,
        outbox::OutboxStatus::Failed,
        q,
        page,
        EMAIL_PAGE,
    )
}

/// The list's address: its search, the page, and what the last action did.
#[derive(Debug, Default, Deserialize)]
pub struct EmailsQuery {
    pub info: Option<String>,
    pub page: Option<String>,
    pub q: Option<String>,
}

#[get("/instruction/courriels")]
pub async fn emails_get(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<EmailsQuery>,
) -> PageResult {
    let user = user.0;
    let page_number = page_number(query.page.as_deref());
    let q = query.q.clone().unwrap_or_default();
    let info = match query.info.as_deref() {
        Some("renvoye") => {
            Some("Le courriel est remis dans la file d'envoi : il partira dans quelques instants.")
        }
        Some("corrige") => Some(
            "L'adresse est corrigée pour ce courriel, qui est remis dans la file d'envoi : il partira dans quelques instants.",
        ),
        Some("plusieurs") => Some(
            "Les courriels cochés sont remis dans la file d'envoi : ils partiront dans quelques instants.",
        ),
        _ => None,
    };
    let (inner, staff, search) = (data_of(&state), user.actor.clone(), q.clone());
    match blocking(move || load_emails(&inner, &staff, page_number, &search)).await {
        Ok(data) => {
            let ok = StatusCode::OK;
            emails_page(&state, &user, ok, page_number, data, &q, (info, None))
        }
        Err(AppError::Validation(errors)) => {
            let said = errors
                .values()
                .flatten()
                .next()
                .cloned()
                .unwrap_or_default();
            list_with_error(&state, &user, StatusCode::UNPROCESSABLE_ENTITY, 1, "", said).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The list page to come back to, and its search.
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub q: String,
    /// The address, perhaps corrected by staff (empty: as it was).
    #[serde(default)]
    pub recipient: String,
    /// The address the page showed, to tell a correction from a plain resend.
    #[serde(default)]
    pub was: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendManyForm {
    pub csrf_token: String,
    pub page: String,
    pub q: String,
    /// The emails ticked.
    pub ids: Vec<String>,
}

/// Back to the list page `page_number` (searched for `q`) saying `info`.
fn back_to_list(page_number: usize, q: &str, info: &str) -> actix_web::HttpResponse {
    let page = if page_number > 1 {
        page_number.to_string()
    } else {
        String::new()
    };
    see_other(&with_query(
        "/instruction/courriels",
        &[("info", info), ("q", q.trim()), ("page", &page)],
    ))
}

/// The list again with what went wrong said at the top (nothing changed).
async fn list_with_error(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    q: &str,
    message: String,
) -> PageResult {
    let (inner, staff, search) = (data_of(state), user.actor.clone(), q.to_owned());
    match blocking(move || load_emails(&inner, &staff, page_number, &search)).await {
        Ok(data) => emails_page(
            state,
            user,
            status,
            page_number,
            data,
            q,
            (None, Some(message)),
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// The first French message of a refusal, for the top of the list.
fn refusal(e: AppError) -> Result<(StatusCode, String), PageError> {
    match e {
        AppError::Conflict(message) => Ok((StatusCode::CONFLICT, message)),
        AppError::Validation(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .values()
                .flatten()
                .next()
                .cloned()
                .unwrap_or_else(|| "Vérifiez le formulaire.".to_owned()),
        )),
        e => Err(PageError::from(e)),
    }
}

#[post("/instruction/courriels/renvoyer")]
pub async fn emails_resend_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    form: crate::web::form::HtmlForm<ResendManyForm>,
) -> PageResult {
    let user = user.0;
    let form = form.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let page_number = page_number(Some(&form.page));
    let (inner, staff, ids) = (data_of(&state), user.actor.clone(), form.ids);
    match blocking(move || outbox::retry_many(&inner, &staff, &ids)).await {
        Ok(_) => Ok(back_to_list(page_number, &form.q, "plusieurs")),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, page_number, &form.q, message).await
        }
    }
}

#[post("/instruction/courriels/{id}/renvoyer")]
pub async fn email_resend_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    form: web::Form<ResendForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let (inner, staff) = (data_of(&state), user.actor.clone());
    let corrected = !form.recipient.trim().is_empty() && form.recipient.trim() != form.was;
    let recipient = corrected.then(|| form.recipient.clone());
    let result = blocking(move || outbox::retry(&inner, &staff, &id, recipient.as_deref())).await;
    let page_number = page_number(Some(&form.page));
    match result {
        Ok(_) => Ok(back_to_list(
            page_number,
            &form.q,
            if corrected { "corrige" } else { "renvoye" },
        )),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, page_number, &form.q, message).await
        }
    }
}

/// The failed emails as searched, every one, in CSV. An email about an assistance request is
/// listed without its address: a file that leaves the service is not erased with the victim's
/// data.
#[get("/instruction/courriels.csv")]
pub async fn emails_export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<EmailsQuery>,
) -> PageResult {
    let q = query.q.clone().unwrap_or_default();
    let (inner, staff) = (data_of(&state), user.0.actor.clone());
    let failed = outbox::OutboxStatus::Failed;
    let (_, rows) =
        blocking(move || outbox::list_searched(&inner, &staff, failed, &q, 1, i64::from(i32::MAX)))
            .await?;
    let lines = rows.iter().map(|r| {
        vec![
            crate::french::time::paris_iso(r.created_at),
            match &r.request_id {
                Some(_) => "(victime : adresse non exportée)".to_owned(),
                None => r.recipient.clone(),
            },
            r.subject.clone(),
            crate::domain::outbox::failure_fr(r.last_error.as_deref().unwrap_or("")).to_owned(),
            r.attempts.to_string(),
            r.request_id
                .as_ref()
                .map(|id| format!("/instruction/demandes/{id}"))
                .unwrap_or_default(),
        ]
    });
    let header = [
        "Créé le (heure de Paris)",
        "Destinataire",
        "Objet",
        "Cause",
        "Tentatives",
        "Demande",
    ];
    Ok(crate::web::listing::csv_file(
        "courriels-en-echec.csv",
        &header,
        lines,
    )?)
}
