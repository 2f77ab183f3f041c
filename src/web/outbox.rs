//! Failed emails for staff (`/instruction/courriels`): the list, each failure explained in
//! French with a link to its case, sending one again (to a corrected address) or several.

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use super::kit::{
    InfoQuery, blocking, datetime_fr, iso, page_number, pagination, plural, with_query,
};
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

fn emails_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    (total, rows): (i64, Vec<OutboxRow>),
    info: Option<&str>,
    error: Option<String>,
) -> PageResult {
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
        with_query("/instruction/courriels", &[("page", &p.to_string())])
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
        crate::web::kit::ListPage {
            summary: match total {
                0 => "Aucun courriel en échec.".to_owned(),
                n => plural(n, "courriel en échec", "courriels en échec"),
            },
            lines,
            pagination: pages,
            page: page_number,
            info,
            error,
        },
    ))
}

fn load_emails(
    state: &AppState,
    staff: &Actor,
    page: usize,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    let page = i64::try_from(page).unwrap_or(1);
    outbox::list(state, staff, outbox::OutboxStatus::Failed, page, EMAIL_PAGE)
}

#[get("/instruction/courriels")]
pub async fn emails_get(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let page_number = page_number(query.page.as_deref());
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
    let (inner, staff) = (data_of(&state), user.actor.clone());
    match blocking(move || load_emails(&inner, &staff, page_number)).await {
        Ok(data) => emails_page(&state, &user, StatusCode::OK, page_number, data, info, None),
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The list page to come back to.
    #[serde(default)]
    pub page: String,
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
    /// The emails ticked.
    pub ids: Vec<String>,
}

/// Back to the list page `page_number` saying `info`.
fn back_to_list(page_number: usize, info: &str) -> actix_web::HttpResponse {
    let page = if page_number > 1 {
        page_number.to_string()
    } else {
        String::new()
    };
    see_other(&with_query(
        "/instruction/courriels",
        &[("info", info), ("page", &page)],
    ))
}

/// The list again with what went wrong said at the top (nothing changed).
async fn list_with_error(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    message: String,
) -> PageResult {
    let (inner, staff) = (data_of(state), user.actor.clone());
    match blocking(move || load_emails(&inner, &staff, page_number)).await {
        Ok(data) => emails_page(state, user, status, page_number, data, None, Some(message)),
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
    let (inner, staff) = (data_of(&state), user.actor.clone());
    match blocking(move || outbox::retry_many(&inner, &staff, &form.ids)).await {
        Ok(_) => Ok(back_to_list(page_number, "plusieurs")),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, page_number, message).await
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
            if corrected { "corrige" } else { "renvoye" },
        )),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, page_number, message).await
        }
    }
}
