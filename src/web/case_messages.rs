//! The message thread of a case (`services::cases::messages`): one page, the same for staff
//! and for the organisation's members, under each side's address of the case (a referencing
//! file, a label application); each message may carry one PDF. A refused message comes back
//! with its text kept and the reason beside its field.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Serialize;

use crate::cases::messages::{self, Case, Side, Upload};
use crate::cases::{LABEL, REFERENCING};
use crate::error::{AppError, FieldErrors};
use crate::http::download::{Disposition, file};
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{ErrorLink, InfoQuery, blocking, done, error_links, first_errors};
use crate::web::page;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::{PageUser, ProviderMember, StaffUser, check_form, check_origin};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(staff_thread)
        .service(staff_send)
        .service(member_referencing)
        .service(member_referencing_send)
        .service(member_label)
        .service(member_label_send)
        .service(attachment);
}

/// The case a page is about: its kind, its id, and for the organisation's pages the
/// organisation its address names (a label application of another one is not found).
#[derive(Clone)]
struct Address {
    kind: &'static str,
    id: String,
    organisation: Option<String>,
}

impl Address {
    fn staff(kind: &'static str, id: String) -> Self {
        Self {
            kind,
            id,
            organisation: None,
        }
    }

    fn member(kind: &'static str, organisation: String, id: String) -> Self {
        Self {
            kind,
            id,
            organisation: Some(organisation),
        }
    }

    /// The case, when the reader may read it here.
    fn open(&self, state: &AppState, user: &CurrentUser) -> Result<Case, AppError> {
        let case = messages::case(state, &user.actor, self.kind, &self.id)?;
        match &self.organisation {
            Some(org) if *org != case.provider.id || case.side != Side::Applicant => {
                Err(AppError::not_found("Ce dossier n'existe pas."))
            }
            None if case.side != Side::Staff => {
                Err(AppError::not_found("Ce dossier n'existe pas."))
            }
            _ => Ok(case),
        }
    }
}

#[derive(Serialize)]
struct MessageLine {
    author: String,
    side: String,
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

async fn show(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    address: Address,
    status: StatusCode,
    info: Option<&'static str>,
    refused: Refused,
) -> PageResult {
    let (inner, who) = (state.clone().into_inner(), user.clone());
    let (case, rows) = blocking(move || {
        let case = address.open(&inner, &who)?;
        let rows = messages::thread(&inner, &who.actor, case.kind, &case.id)?.1;
        Ok((case, rows))
    })
    .await
    .map_err(PageError::from)?;
    let organisation = case.provider.display_name();
    let lines = rows
        .into_iter()
        .map(|m| MessageLine {
            author: m.author_name,
            side: if m.from_staff {
                "équipe d'instruction".to_owned()
            } else {
                organisation.clone()
            },
            from_staff: m.from_staff,
            at: crate::web::kit::datetime_fr(m.created_at),
            at_iso: crate::french::iso(m.created_at),
            body: m.body,
            attachment: m.attachment_name.map(|name| AttachmentLink {
                href: format!("/messagerie/pieces/{}", m.id),
                name,
                size: crate::french::size_fr(m.attachment_size.unwrap_or_default()),
            }),
        })
        .collect::<Vec<_>>();
    let staff = case.side == Side::Staff;
    let body = ThreadPage {
        case_href: case.case_path(case.side),
        back: if case.kind == LABEL {
            "Retour à la demande de label"
        } else {
            "Retour au dossier"
        },
        case_title: format!(
            "{} {}",
            crate::domain::text::capitalise(case.name),
            crate::french::de(&organisation)
        ),
        explained: if staff {
            "Vos messages sont lus par les membres de l'organisation, prévenus par courriel à chaque message. Pour un échange entre équipes, écrivez plutôt une note interne sur le dossier."
        } else {
            "L'équipe d'instruction du groupement lit vos messages et vous répond ici ; chaque réponse vous est signalée par courriel."
        },
        to_whom: if staff {
            "Lu par les membres de l'organisation."
        } else {
            "Lu par l'équipe d'instruction."
        },
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
    Ok(page(
        state,
        status,
        "pages/cases/messages",
        "Messagerie",
        Some(user),
        body,
    ))
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
    user: CurrentUser,
    address: Address,
    payload: actix_multipart::Multipart,
) -> PageResult {
    check_origin(&req, &state)?;
    let (inner, who, at) = (state.clone().into_inner(), user.clone(), address.clone());
    blocking(move || at.open(&inner, &who).map(|_| ())).await?;
    let mut form =
        crate::http::multipart::read(payload, messages::MAX_ATTACHMENT_BYTES, &state.uploads)
            .await?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    check_form(&req, &state, &user, &token)?;
    let typed = form.texts.remove("message").unwrap_or_default();
    if form.file_too_large {
        let mut errors = FieldErrors::new();
        crate::error::push_error(
            &mut errors,
            "file",
            format!(
                "La pièce jointe dépasse {} Mo : le message n'a pas été envoyé.",
                messages::MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ),
        );
        let refused = Refused { typed, errors };
        return show(
            &state,
            &user,
            address,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            refused,
        )
        .await;
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
        let case = at.open(&inner, &who)?;
        messages::post(&inner, &who.actor, case.kind, &case.id, &text, upload)?;
        Ok(case.thread_path(case.side))
    })
    .await;
    match sent {
        Ok(thread) => done(&format!("{thread}#messages"), "envoye"),
        Err(AppError::Validation(errors)) => {
            let refused = Refused { typed, errors };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&state, &user, address, status, None, refused).await
        }
        Err(other) => Err(PageError::from(other)),
    }
}

/// The staff side: `dossiers` (a referencing file, by its organisation) or `label` (a label
/// application).
fn staff_address(area: &str, id: String) -> Address {
    Address::staff(if area == "label" { LABEL } else { REFERENCING }, id)
}

#[get("/instruction/{area:dossiers|label}/{id}/messagerie")]
async fn staff_thread(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let (area, id) = path.into_inner();
    let refused = Refused::default();
    let address = staff_address(&area, id);
    show(
        &state,
        &user.0,
        address,
        StatusCode::OK,
        said(&query),
        refused,
    )
    .await
}

#[post("/instruction/{area:dossiers|label}/{id}/messagerie")]
async fn staff_send(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    payload: actix_multipart::Multipart,
) -> PageResult {
    let (area, id) = path.into_inner();
    send(req, state, user.0, staff_address(&area, id), payload).await
}

#[get("/espace/organisations/{id}/messagerie")]
async fn member_referencing(
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let id = path.into_inner();
    let address = Address::member(REFERENCING, id.clone(), id);
    let refused = Refused::default();
    show(
        &state,
        &user.0,
        address,
        StatusCode::OK,
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
    let address = Address::member(REFERENCING, id.clone(), id);
    send(req, state, user.0, address, payload).await
}

#[get("/espace/organisations/{id}/label/{application}/messagerie")]
async fn member_label(
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let (organisation, application) = path.into_inner();
    let address = Address::member(LABEL, organisation, application);
    let refused = Refused::default();
    show(
        &state,
        &user.0,
        address,
        StatusCode::OK,
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
    let address = Address::member(LABEL, organisation, application);
    send(req, state, user.0, address, payload).await
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
    let (name, content) = blocking(move || messages::attachment(&inner, &who.actor, &id)).await?;
    Ok(file(
        "application/pdf",
        Disposition::Inline,
        &name,
        "piece-jointe",
        content,
    ))
}
