//! The message thread of a case (`services::cases::messages`): one page, the same for staff,
//! for the organisation's members (a referencing file, a label application) and for the
//! victim of an assistance request (on the private tracking link, without an account), under
//! each side's address of the case; each message may carry one PDF. A refused message comes
//! back with its text kept and the reason beside its field.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Serialize;

use crate::cases::messages::{self, Applicant, Case, Side, Upload};
use crate::cases::{ASSISTANCE, LABEL, REFERENCING};
use crate::error::{AppError, FieldErrors};
use crate::http::download::{Disposition, file};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{ErrorLink, InfoQuery, blocking, done, error_links, first_errors};
use crate::web::page;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::{
    PageUser, ProviderMember, StaffUser, check_anonymous_form, check_form, check_origin,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(staff_thread)
        .service(staff_send)
        .service(member_referencing)
        .service(member_referencing_send)
        .service(member_label)
        .service(member_label_send)
        .service(attachment)
        .service(victim_thread)
        .service(victim_send)
        .service(victim_attachment);
}

/// Where a thread is read: the case as staff or a member names it, or a tracking link.
#[derive(Clone)]
enum Address {
    Staff(&'static str, String),
    /// An organisation's case under its own address (a label application of another
    /// organisation is not found).
    Member(&'static str, String, String),
    Victim(String),
}

impl Address {
    /// The case, when the reader may read it here.
    fn open(&self, state: &AppState, user: Option<&CurrentUser>) -> Result<Case, AppError> {
        let missing = || AppError::not_found("Ce dossier n'existe pas.");
        match (self, user) {
            (Self::Victim(token), _) => messages::victim_case(state, token),
            (Self::Staff(kind, id), Some(user)) => {
                let case = messages::case(state, &user.actor, kind, id)?;
                (case.side == Side::Staff)
                    .then_some(case)
                    .ok_or_else(missing)
            }
            (Self::Member(kind, organisation, id), Some(user)) => {
                let case = messages::case(state, &user.actor, kind, id)?;
                let theirs = case.organisation().is_some_and(|p| p.id == *organisation);
                (theirs && case.side == Side::Applicant)
                    .then_some(case)
                    .ok_or_else(missing)
            }
            (_, None) => Err(missing()),
        }
    }
}

#[derive(Serialize)]
struct MessageLine {
    author: String,
    from_staff: bool,
    at: String,
    at_iso: String,
    body: String,
    attachment: Option<AttachmentLink>,
}

#[derive(Serialize)]
struct AttachmentLink {
    href: String,
    name: String,
    size: String,
}

#[derive(Serialize)]
struct ThreadPage {
    case_href: String,
    back: &'static str,
    case_title: String,
    explained: &'static str,
    to_whom: &'static str,
    count: String,
    messages: Vec<MessageLine>,
    post_href: String,
    info: Option<&'static str>,
    errors: std::collections::BTreeMap<String, String>,
    error_summary: Vec<ErrorLink>,
    typed: String,
}

/// A refused message: what was typed (kept) and why.
#[derive(Default)]
struct Refused {
    typed: String,
    errors: FieldErrors,
}

/// Who wrote a message, as the reader's side reads it.
fn author_of(case: &Case, m: &crate::db::case_messages::MessageRow) -> String {
    let name = m.author_name.clone().unwrap_or_default();
    match (&case.applicant, m.from_staff, case.side) {
        (Applicant::Victim(..), true, Side::Applicant) => "L'équipe d'assistance".to_owned(),
        (Applicant::Victim(..), true, Side::Staff) => format!("{name}, équipe d'assistance"),
        (Applicant::Victim(..), false, Side::Applicant) => "Vous".to_owned(),
        (Applicant::Victim(..), false, Side::Staff) => "La victime".to_owned(),
        (Applicant::Organisation(_), true, _) => format!("{name}, équipe d'instruction"),
        (Applicant::Organisation(p), false, _) => format!("{name}, {}", p.display_name()),
    }
}

/// What the page says of the thread, for the reader's side: (way back, who reads it, the
/// form's hint).
fn words(case: &Case) -> (&'static str, &'static str, &'static str) {
    match (&case.applicant, case.side) {
        (Applicant::Victim(..), Side::Staff) => (
            "Retour à la demande",
            "Vos messages sont lus par la victime sur la page de suivi de sa demande ; elle en est prévenue par courriel si elle a donné son adresse. Les messages sont effacés avec ses données.",
            "Lu par la victime.",
        ),
        (Applicant::Victim(..), Side::Applicant) => (
            "Retour au suivi de votre demande",
            "L'équipe d'assistance lit vos messages et vous répond ici ; chaque réponse vous est signalée par courriel. N'envoyez jamais de mot de passe ni de code reçu par SMS.",
            "Lu par l'équipe d'assistance.",
        ),
        (Applicant::Organisation(_), Side::Staff) => (
            if case.kind == LABEL {
                "Retour à la demande de label"
            } else {
                "Retour au dossier"
            },
            "Vos messages sont lus par les membres de l'organisation, prévenus par courriel à chaque message. Pour un échange entre équipes, écrivez plutôt une note interne sur le dossier.",
            "Lu par les membres de l'organisation.",
        ),
        (Applicant::Organisation(_), Side::Applicant) => (
            if case.kind == LABEL {
                "Retour à la demande de label"
            } else {
                "Retour au dossier"
            },
            "L'équipe d'instruction du groupement lit vos messages et vous répond ici ; chaque réponse vous est signalée par courriel.",
            "Lu par l'équipe d'instruction.",
        ),
    }
}

async fn show(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    user: Option<&CurrentUser>,
    address: Address,
    status: StatusCode,
    info: Option<&'static str>,
    refused: Refused,
) -> PageResult {
    let (inner, who) = (state.clone().into_inner(), user.cloned());
    let (case, rows) = blocking(move || {
        let case = address.open(&inner, who.as_ref())?;
        let rows = messages::thread(&inner, &case)?;
        Ok((case, rows))
    })
    .await
    .map_err(PageError::from)?;
    let pieces = match case.side {
        Side::Applicant if case.kind == ASSISTANCE => {
            format!("{}/pieces", case.thread_path(Side::Applicant))
        }
        _ => "/messagerie/pieces".to_owned(),
    };
    let lines = rows
        .iter()
        .map(|m| MessageLine {
            author: author_of(&case, m),
            from_staff: m.from_staff,
            at: crate::web::kit::datetime_fr(m.created_at),
            at_iso: crate::french::iso(m.created_at),
            body: m.body.clone(),
            attachment: m.attachment_name.clone().map(|name| AttachmentLink {
                href: format!("{pieces}/{}", m.id),
                name,
                size: crate::french::size_fr(m.attachment_size.unwrap_or_default()),
            }),
        })
        .collect::<Vec<_>>();
    let (back, explained, to_whom) = words(&case);
    let body = ThreadPage {
        case_href: case.case_path(case.side),
        back,
        case_title: crate::domain::text::capitalise(&case.title()),
        explained,
        to_whom,
        count: crate::web::cases::messages_count(lines.len()),
        messages: lines,
        post_href: case.thread_path(case.side),
        info,
        error_summary: error_links(
            &refused.errors,
            &[("message", "message"), ("file", "file")],
            "message",
        ),
        errors: first_errors(&refused.errors),
        typed: refused.typed,
    };
    let template = "pages/cases/messages";
    match user {
        Some(user) => Ok(page(
            state,
            status,
            template,
            "Messagerie",
            Some(user),
            body,
        )),
        None => {
            crate::web::account::anonymous_page(req, state, status, template, "Messagerie", body)
        }
    }
}

fn said(query: &InfoQuery) -> Option<&'static str> {
    match query.info.as_deref() {
        Some("envoye") => Some("Message envoyé : son destinataire en est prévenu par courriel."),
        _ => None,
    }
}

/// Reads the form (its sender checked first, before a byte of the body is read), sends the
/// message, and goes back to the thread; a refused message shows the thread again.
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: Option<CurrentUser>,
    address: Address,
    payload: actix_multipart::Multipart,
) -> PageResult {
    check_origin(&req, &state)?;
    let (inner, who, at) = (state.clone().into_inner(), user.clone(), address.clone());
    blocking(move || at.open(&inner, who.as_ref()).map(|_| ())).await?;
    let mut form =
        crate::http::multipart::read(payload, messages::MAX_ATTACHMENT_BYTES, &state.uploads)
            .await?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    match &user {
        Some(user) => check_form(&req, &state, user, &token)?,
        None => check_anonymous_form(&req, &state, &token)?,
    }
    let typed = form.texts.remove("message").unwrap_or_default();
    if form.file_too_large {
        let mut errors = FieldErrors::new();
        let most = messages::MAX_ATTACHMENT_BYTES / (1024 * 1024);
        let said = format!("La pièce jointe dépasse {most} Mo : le message n'a pas été envoyé.");
        crate::error::push_error(&mut errors, "file", said);
        let refused = Refused { typed, errors };
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return show(&req, &state, user.as_ref(), address, status, None, refused).await;
    }
    let upload = form
        .file
        .take()
        .map(|(filename, bytes)| Upload { filename, bytes });
    let (inner, who, at, text) = (
        state.clone().into_inner(),
        user.clone(),
        address.clone(),
        typed.clone(),
    );
    let sent = blocking(move || {
        let case = at.open(&inner, who.as_ref())?;
        let author = who.as_ref().map(|u| &u.actor);
        messages::post(&inner, &case, author, &text, upload)?;
        Ok(case.thread_path(case.side))
    })
    .await;
    match sent {
        Ok(thread) => done(&format!("{thread}#messages"), "envoye"),
        Err(AppError::Validation(errors)) => {
            let refused = Refused { typed, errors };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&req, &state, user.as_ref(), address, status, None, refused).await
        }
        Err(other) => Err(PageError::from(other)),
    }
}

/// The staff side: `dossiers` (a referencing file, by its organisation), `label` (a label
/// application) or `demandes` (an assistance request).
fn staff_address(area: &str, id: String) -> Address {
    let kind = match area {
        "label" => LABEL,
        "demandes" => ASSISTANCE,
        _ => REFERENCING,
    };
    Address::Staff(kind, id)
}

#[get("/instruction/{area:dossiers|label|demandes}/{id}/messagerie")]
async fn staff_thread(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let (area, id) = path.into_inner();
    let (address, refused) = (staff_address(&area, id), Refused::default());
    let ok = StatusCode::OK;
    show(
        &req,
        &state,
        Some(&user.0),
        address,
        ok,
        said(&query),
        refused,
    )
    .await
}

#[post("/instruction/{area:dossiers|label|demandes}/{id}/messagerie")]
async fn staff_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    let (area, id) = path.into_inner();
    send(req, state, Some(user.0), staff_address(&area, id), payload).await
}

#[get("/espace/organisations/{id}/messagerie")]
async fn member_referencing(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let id = path.into_inner();
    let address = Address::Member(REFERENCING, id.clone(), id);
    let (ok, refused) = (StatusCode::OK, Refused::default());
    show(
        &req,
        &state,
        Some(&user.0),
        address,
        ok,
        said(&query),
        refused,
    )
    .await
}

#[post("/espace/organisations/{id}/messagerie")]
async fn member_referencing_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    let id = path.into_inner();
    let address = Address::Member(REFERENCING, id.clone(), id);
    send(req, state, Some(user.0), address, payload).await
}

#[get("/espace/organisations/{id}/label/{application}/messagerie")]
async fn member_label(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let (organisation, application) = path.into_inner();
    let address = Address::Member(LABEL, organisation, application);
    let (ok, refused) = (StatusCode::OK, Refused::default());
    show(
        &req,
        &state,
        Some(&user.0),
        address,
        ok,
        said(&query),
        refused,
    )
    .await
}

#[post("/espace/organisations/{id}/label/{application}/messagerie")]
async fn member_label_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    let (organisation, application) = path.into_inner();
    let address = Address::Member(LABEL, organisation, application);
    send(req, state, Some(user.0), address, payload).await
}

#[get("/suivi/{token}/messagerie")]
async fn victim_thread(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let address = Address::Victim(path.into_inner());
    let (ok, refused) = (StatusCode::OK, Refused::default());
    show(&req, &state, None, address, ok, said(&query), refused).await
}

#[post("/suivi/{token}/messagerie")]
async fn victim_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    send(
        req,
        state,
        None,
        Address::Victim(path.into_inner()),
        payload,
    )
    .await
}

fn pdf(name: &str, content: Vec<u8>) -> actix_web::HttpResponse {
    file(
        "application/pdf",
        Disposition::Inline,
        name,
        "piece-jointe",
        content,
    )
}

/// A message's attachment, in the browser's PDF viewer: for staff and the organisation's
/// members only (anyone else is told it does not exist).
#[get("/messagerie/pieces/{message}")]
async fn attachment(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> PageResult {
    let (inner, who, id) = (state.clone().into_inner(), user.0, path.into_inner());
    let (name, content) = blocking(move || {
        messages::attachment(&inner, &id, |kind, subject| {
            messages::case(&inner, &who.actor, kind, subject)
        })
    })
    .await?;
    Ok(pdf(&name, content))
}

/// An attachment of the victim's thread, by the tracking link.
#[get("/suivi/{token}/messagerie/pieces/{message}")]
async fn victim_attachment(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (token, id) = path.into_inner();
    let (name, content) = blocking(move || {
        messages::attachment(&inner, &id, |_, _| messages::victim_case(&inner, &token))
    })
    .await?;
    Ok(pdf(&name, content))
}
