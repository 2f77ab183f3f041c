//! Failed emails for staff (`/instruction/courriels`): the list, searched by address or
//! subject, each failure explained in French with a link to its case, sending one again (to a
//! corrected address) or several, and the list in CSV (victims' addresses left out).

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use super::kit::{blocking, datetime_fr, first_errors, iso, pagination, plural};
use super::listing::{
    Arrangement, PAGE_SIZES, SizeChoice, SortHeader, list_link, size_choices, sort_headers,
};
use super::page;
use super::session::{check_form, data_of, see_other};
use crate::domain::actor::Actor;
use crate::error::{AppError, FieldErrors};
use crate::http::download;
use crate::http::extract::CurrentUser;
use crate::mail::outbox;
use crate::mail::outbox::{OutboxOrder, OutboxRow};
use crate::state::AppState;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(emails_get)
        .service(emails_export)
        .service(email_resend_post)
        .service(emails_resend_post);
}

/// The columns the list sorts by, and its order as it opens: the newest first.
const COLUMNS: [(&str, &str); 3] = [
    ("objet", "Objet"),
    ("cree", "Créé le"),
    ("destinataire", "Destinataire"),
];
const DEFAULT_ORDER: &str = "-cree";

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

/// `pages/outbox/emails`: a page of failed emails, the search, order and page size kept by
/// its forms, and the CSV of the list as searched and sorted.
#[derive(Serialize)]
struct EmailsView<'a> {
    #[serde(flatten)]
    list: crate::web::kit::ListPage<'a, EmailLine>,
    q: &'a str,
    tri: String,
    par: String,
    headers: Vec<SortHeader>,
    sizes: Vec<SizeChoice>,
    errors: std::collections::BTreeMap<String, String>,
    export: String,
}

/// How the list is asked for: its search, order, page size and page (a wrong order or size
/// is said beside its field, the list shown as by default).
struct Asked {
    q: String,
    arrangement: Arrangement,
    errors: FieldErrors,
}

impl Asked {
    fn read(q: &str, tri: Option<&str>, par: Option<&str>, page: Option<&str>) -> Self {
        let mut errors = FieldErrors::new();
        let arrangement = Arrangement::read(&COLUMNS, DEFAULT_ORDER, tri, par, page, &mut errors);
        Self {
            q: q.trim().to_owned(),
            arrangement,
            errors,
        }
    }

    /// The order for the database: its column and whether it is reversed.
    fn order(&self) -> (OutboxOrder, bool) {
        let order = self.arrangement.order.as_str();
        let column = match order.trim_start_matches('-') {
            "objet" => OutboxOrder::Subject,
            "destinataire" => OutboxOrder::Recipient,
            _ => OutboxOrder::Created,
        };
        (column, order.starts_with('-'))
    }

    /// The list at `path` with this search and size, in `order`, at `page`.
    fn link(&self, path: &str, order: &str, page: usize) -> String {
        list_link(
            path,
            &[("q", &self.q)],
            (order, DEFAULT_ORDER),
            self.arrangement.per_page,
            page,
        )
    }
}

fn emails_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    asked: &Asked,
    (total, rows): (i64, Vec<OutboxRow>),
    (info, error): (Option<&str>, Option<String>),
) -> PageResult {
    let q = asked.q.as_str();
    let total = usize::try_from(total).unwrap_or(0);
    let per_page = asked.arrangement.per_page;
    let page_number = asked.arrangement.page;
    let order = asked.arrangement.order.as_str();
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
    let here = "/instruction/courriels";
    let pages = pagination(page_number, total, per_page, |p| asked.link(here, order, p));
    let status = if asked.errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(
        state,
        status,
        "pages/outbox/emails",
        if error.is_some() || !asked.errors.is_empty() {
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
            tri: asked.arrangement.kept_order(DEFAULT_ORDER),
            par: if per_page == PAGE_SIZES[0] {
                String::new()
            } else {
                per_page.to_string()
            },
            headers: sort_headers(&COLUMNS, order, |o| asked.link(here, o, 1)),
            sizes: size_choices(per_page),
            errors: first_errors(&asked.errors),
            export: asked.link("/instruction/courriels.csv", order, 1),
        },
    ))
}

fn load_emails(
    state: &AppState,
    staff: &Actor,
    asked: &Asked,
) -> Result<(i64, Vec<OutboxRow>), AppError> {
    let (page, per_page) = (asked.arrangement.page, asked.arrangement.per_page);
    outbox::list_searched(
        state,
        staff,
        outbox::OutboxStatus::Failed,
        &asked.q,
        asked.order(),
        i64::try_from(page).unwrap_or(1),
        i64::try_from(per_page).unwrap_or(20),
    )
}

/// The list's address: its search, order, page size, page, and what the last action did.
#[derive(Debug, Default, Deserialize)]
pub struct EmailsQuery {
    pub info: Option<String>,
    pub page: Option<String>,
    pub q: Option<String>,
    pub tri: Option<String>,
    pub par: Option<String>,
}

impl EmailsQuery {
    fn asked(&self) -> Asked {
        Asked::read(
            self.q.as_deref().unwrap_or_default(),
            self.tri.as_deref(),
            self.par.as_deref(),
            self.page.as_deref(),
        )
    }
}

#[get("/instruction/courriels")]
pub async fn emails_get(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<EmailsQuery>,
) -> PageResult {
    let user = user.0;
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
    let asked = query.asked();
    let ok = StatusCode::OK;
    match load(&state, &user, asked).await? {
        (asked, Ok(data)) => emails_page(&state, &user, ok, &asked, data, (info, None)),
        (_, Err(said)) => {
            let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
            list_with_error(
                &state,
                &user,
                unprocessable,
                Asked::read("", None, None, None),
                said,
            )
            .await
        }
    }
}

/// The list as `asked`, or the French message of a refused search.
async fn load(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    asked: Asked,
) -> Result<(Asked, Result<(i64, Vec<OutboxRow>), String>), PageError> {
    let (inner, staff) = (data_of(state), user.actor.clone());
    let (asked, result) = blocking(move || {
        let result = load_emails(&inner, &staff, &asked);
        Ok::<_, AppError>((asked, result))
    })
    .await?;
    match result {
        Ok(data) => Ok((asked, Ok(data))),
        Err(AppError::Validation(errors)) => {
            let said = errors
                .values()
                .flatten()
                .next()
                .cloned()
                .unwrap_or_default();
            Ok((asked, Err(said)))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The list to come back to: its page, search, order and page size.
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub tri: String,
    #[serde(default)]
    pub par: String,
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
    pub tri: String,
    pub par: String,
    /// The emails ticked.
    pub ids: Vec<String>,
}

/// The list a form came from.
fn asked_by(page: &str, q: &str, tri: &str, par: &str) -> Asked {
    Asked::read(q, Some(tri), Some(par), Some(page))
}

/// Back to the list as it was asked, saying `info`.
fn back_to_list(asked: &Asked, info: &str) -> actix_web::HttpResponse {
    let link = asked.link(
        "/instruction/courriels",
        &asked.arrangement.order,
        asked.arrangement.page,
    );
    let separator = if link.contains('?') { '&' } else { '?' };
    see_other(&format!("{link}{separator}info={info}"))
}

/// The list again with what went wrong said at the top (nothing changed).
async fn list_with_error(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    status: StatusCode,
    asked: Asked,
    message: String,
) -> PageResult {
    match load(state, user, asked).await? {
        (asked, Ok(data)) => emails_page(state, user, status, &asked, data, (None, Some(message))),
        (_, Err(said)) => Err(PageError::from(AppError::field("q", said))),
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
    let asked = asked_by(&form.page, &form.q, &form.tri, &form.par);
    let (inner, staff, ids) = (data_of(&state), user.actor.clone(), form.ids);
    match blocking(move || outbox::retry_many(&inner, &staff, &ids)).await {
        Ok(_) => Ok(back_to_list(&asked, "plusieurs")),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, asked, message).await
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
    let asked = asked_by(&form.page, &form.q, &form.tri, &form.par);
    match result {
        Ok(_) => Ok(back_to_list(
            &asked,
            if corrected { "corrige" } else { "renvoye" },
        )),
        Err(e) => {
            let (status, message) = refusal(e)?;
            list_with_error(&state, &user, status, asked, message).await
        }
    }
}

/// The failed emails as searched and sorted, every one, in CSV, written as they are read. An
/// email about an assistance request is listed without its address: a file that leaves the
/// service is not erased with the victim's data.
#[get("/instruction/courriels.csv")]
pub async fn emails_export(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<EmailsQuery>,
) -> PageResult {
    let asked = query.asked();
    if !asked.errors.is_empty() {
        return Err(PageError::from(AppError::Validation(asked.errors)));
    }
    let (inner, staff) = (data_of(&state), user.0.actor.clone());
    let (order, q) = (asked.order(), asked.q);
    Ok(download::streamed(
        "text/csv; charset=utf-8",
        "courriels-en-echec.csv",
        "courriels-en-echec.csv",
        move |out| outbox::export_failed(&inner, &staff, &q, order, out),
    )?)
}
