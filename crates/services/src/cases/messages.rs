//! The message thread between staff and the applicant of a case: a referencing file or a
//! label application, whose applicant is the organisation's members. Each message is
//! emailed to the other side (a notice with the link, never the text, which stays in the
//! service), recorded in the case's history, and may carry one PDF checked as documents are.
//! Auditors, other organisations and the public never read a thread.

use crate::audit::{Event, Step};
use crate::db::case_messages::{self as queries, MessageRow, NewMessage};
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::provider::Provider;
use crate::error::{AppError, push_error};
use crate::infra::Infra;
use crate::mail::emails::cases::{CaseMessageToApplicant, StaffCaseMessage};
use crate::referencing::documents::looks_like_pdf;

use super::{LABEL, REFERENCING};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5_000;
/// The largest attachment, as for documents.
pub const MAX_ATTACHMENT_BYTES: usize = crate::referencing::documents::MAX_BYTES;
/// The longest attachment name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Which side of the thread a reader or writer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Staff,
    Applicant,
}

/// A case with a thread, as its messages' readers need it.
#[derive(Debug)]
pub struct Case {
    pub kind: &'static str,
    pub id: String,
    pub provider: Provider,
    /// The case in French, as a sentence names it ("le dossier de référencement").
    pub name: &'static str,
    /// The reader's side.
    pub side: Side,
    label_status: Option<crate::domain::label_application::ApplicationStatus>,
}

impl Case {
    /// The thread's page for `side`, from the site's root.
    pub fn thread_path(&self, side: Side) -> String {
        let provider = &self.provider.id;
        match (self.kind, side) {
            (LABEL, Side::Staff) => format!("/instruction/label/{}/messagerie", self.id),
            (LABEL, Side::Applicant) => {
                format!(
                    "/espace/organisations/{provider}/label/{}/messagerie",
                    self.id
                )
            }
            (_, Side::Staff) => format!("/instruction/dossiers/{provider}/messagerie"),
            (_, Side::Applicant) => format!("/espace/organisations/{provider}/messagerie"),
        }
    }

    /// The case's own page for `side` (the thread links back to it).
    pub fn case_path(&self, side: Side) -> String {
        let provider = &self.provider.id;
        match (self.kind, side) {
            (LABEL, Side::Staff) => format!("/instruction/label/{}", self.id),
            (LABEL, Side::Applicant) => {
                format!("/espace/organisations/{provider}/label/{}", self.id)
            }
            (_, Side::Staff) => format!("/instruction/dossiers/{provider}"),
            (_, Side::Applicant) => format!("/espace/organisations/{provider}"),
        }
    }

    /// The history's event for a message written from `side`.
    fn event(&self, side: Side) -> Event {
        let action = match side {
            Side::Staff => "message-staff",
            Side::Applicant => "message-applicant",
        };
        match self.label_status {
            Some(status) => Event::application(&self.id, action, Some(status), status),
            None => Event::provider_note(&self.provider, action),
        }
    }
}

/// The case, when `reader` may read its thread: staff, or a member of the organisation;
/// anyone else is told it does not exist.
fn open(conn: &mut DbConnection, reader: &Actor, kind: &str, id: &str) -> Result<Case, AppError> {
    let missing = || AppError::not_found("Ce dossier n'existe pas.");
    let (provider_id, name, label_status) = match kind {
        REFERENCING => (id.to_owned(), "le dossier de référencement", None),
        LABEL => {
            let application = crate::db::labels::application(conn, id)?.ok_or_else(missing)?;
            (
                application.provider_id,
                "la demande de label ExpertCyber",
                Some(application.status),
            )
        }
        _ => return Err(missing()),
    };
    let (provider, _) = crate::db::providers::find(conn, &provider_id)?.ok_or_else(missing)?;
    let side = if reader.role.is_staff() {
        Side::Staff
    } else if reader.membership(&provider.id).is_some() {
        Side::Applicant
    } else {
        return Err(missing());
    };
    Ok(Case {
        kind: if kind == LABEL { LABEL } else { REFERENCING },
        id: id.to_owned(),
        provider,
        name,
        side,
        label_status,
    })
}

/// The case, when `reader` may read its thread (staff or the organisation's members).
pub fn case(state: &Infra, reader: &Actor, kind: &str, id: &str) -> Result<Case, AppError> {
    let mut conn = state.pool.get()?;
    open(&mut conn, reader, kind, id)
}

/// The case and its messages, oldest first, for staff or the organisation's members.
pub fn thread(
    state: &Infra,
    reader: &Actor,
    kind: &str,
    id: &str,
) -> Result<(Case, Vec<MessageRow>), AppError> {
    let mut conn = state.pool.get()?;
    let case = open(&mut conn, reader, kind, id)?;
    let messages = queries::thread(&mut conn, case.kind, &case.id)?;
    Ok((case, messages))
}

/// A file joined to a message, as uploaded.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The message's text and attachment, checked: the text not blank and at most
/// `MAX_MESSAGE_CHARS`; the file, if any, a PDF by its content (the upload's reader keeps
/// it under `MAX_BYTES`). Each problem is said beside its field.
fn checked(body: &str, upload: Option<Upload>) -> Result<(String, Option<Upload>), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let body = body.trim();
    if body.is_empty() {
        push_error(
            &mut errors,
            "message",
            "Écrivez votre message avant de l'envoyer.",
        );
    } else if body.chars().count() > MAX_MESSAGE_CHARS {
        push_error(
            &mut errors,
            "message",
            format!(
                "Un message fait au plus {} caractères : celui-ci en compte {}.",
                crate::french::number_fr(MAX_MESSAGE_CHARS as u64),
                crate::french::number_fr(body.chars().count() as u64)
            ),
        );
    }
    // A form sent without a file chosen carries an empty part.
    let upload = upload.filter(|u| !u.bytes.is_empty());
    if let Some(upload) = &upload {
        if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
            push_error(
                &mut errors,
                "file",
                format!(
                    "La pièce jointe dépasse {} Mo.",
                    MAX_ATTACHMENT_BYTES / (1024 * 1024)
                ),
            );
        } else if !looks_like_pdf(&upload.bytes) {
            push_error(
                &mut errors,
                "file",
                "La pièce jointe doit être un fichier PDF : ce fichier n'en est pas un.",
            );
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok((body.to_owned(), upload))
}

/// A file name as shown and downloaded: its last path part, without control characters,
/// at most `MAX_NAME_CHARS`, ending in `.pdf`.
fn clean_name(typed: &str) -> String {
    let base = typed.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned();
    if name.is_empty() {
        name = "piece-jointe.pdf".to_owned();
    } else if !name.to_lowercase().ends_with(".pdf") {
        name.push_str(".pdf");
    }
    name
}

/// Writes a message from `author` on the case, records it in the case's history and emails
/// the other side: staff write to the organisation's members; the organisation writes to
/// the staff member following the case, or to every reviewer when nobody follows it.
pub fn post(
    state: &Infra,
    author: &Actor,
    kind: &str,
    id: &str,
    body: &str,
    upload: Option<Upload>,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let case = open(&mut conn, author, kind, id)?;
    let (body, upload) = checked(body, upload)?;
    let name = upload.as_ref().map(|u| clean_name(&u.filename));
    let size = upload
        .as_ref()
        .map(|u| i32::try_from(u.bytes.len()).unwrap_or(i32::MAX));
    let message_id = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now_naive();
    let base = &state.config.base_url;
    write_transaction(&mut conn, |conn| {
        queries::insert(
            conn,
            &NewMessage {
                id: &message_id,
                kind: case.kind,
                subject_id: &case.id,
                author_id: &author.id,
                from_staff: case.side == Side::Staff,
                body: &body,
                attachment_name: name.as_deref(),
                attachment_size: size,
                attachment: upload.as_ref().map(|u| u.bytes.as_slice()),
                created_at: now,
            },
        )?;
        let mut step = Step::new(now);
        step.record(case.event(case.side).by(Some(&author.id)));
        let attachment = upload.is_some();
        match case.side {
            Side::Staff => {
                let thread_url = format!("{base}{}", case.thread_path(Side::Applicant));
                step.mail_members(conn, state, &case.provider, |name, provider_name| {
                    CaseMessageToApplicant {
                        name,
                        provider_name,
                        case: case.name.to_owned(),
                        thread_url: thread_url.clone(),
                        attachment,
                    }
                })?;
            }
            Side::Applicant => {
                let thread_url = format!("{base}{}", case.thread_path(Side::Staff));
                let email = |name: String, provider_name: String| StaffCaseMessage {
                    name,
                    provider_name,
                    case: case.name.to_owned(),
                    thread_url: thread_url.clone(),
                    attachment,
                };
                match follower(conn, &case)? {
                    Some((to, name)) => {
                        step.mail(state, &to, &email(name, case.provider.display_name()))?;
                    }
                    None => step.mail_staff(conn, state, &case.provider, email)?,
                }
            }
        }
        step.write(conn)
    })
}

/// The email and name of the staff member following the case, while their account is open.
fn follower(conn: &mut DbConnection, case: &Case) -> Result<Option<(String, String)>, AppError> {
    let Some((user_id, _)) = crate::db::cases::follower(conn, case.kind, &case.id)? else {
        return Ok(None);
    };
    Ok(crate::db::accounts::user_by_id(conn, &user_id)?
        .filter(|u| !u.disabled)
        .map(|u| (u.email, u.display_name)))
}

/// A message's attachment, for staff and the organisation's members.
pub fn attachment(
    state: &Infra,
    reader: &Actor,
    message_id: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let mut conn = state.pool.get()?;
    let missing = || AppError::not_found("Cette pièce jointe n'existe pas.");
    let row = queries::attachment(&mut conn, message_id)?.ok_or_else(missing)?;
    // Whoever may not read the thread is told the file does not exist.
    match open(&mut conn, reader, &row.kind, &row.subject_id) {
        Ok(_) => Ok((row.name, row.content)),
        Err(AppError::NotFound(_)) => Err(missing()),
        Err(other) => Err(other),
    }
}
