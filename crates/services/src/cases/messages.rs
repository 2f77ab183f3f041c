//! The message thread between staff and the applicant of a case: a referencing file or a
//! label application, whose applicant is the organisation's members; an assistance request,
//! whose applicant is the victim, on the private tracking link (no account). Each message is
//! emailed to the other side (a notice with the link, never the text, which stays in the
//! service), recorded in the case's history, and may carry one PDF checked as documents are.
//! Auditors, providers of a request, other organisations and the public never read a thread;
//! a request's thread is erased with the victim's data.

use crate::audit::{Event, Step};
use crate::auth::Role;
use crate::db::assistance::RequestRow;
use crate::db::case_messages::{self as queries, MessageRow, NewMessage};
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::provider::Provider;
use crate::error::{AppError, push_error};
use crate::infra::Infra;
use crate::mail::emails::cases::{CaseMessageToApplicant, StaffCaseMessage, VictimCaseMessage};
use crate::referencing::documents::looks_like_pdf;

use super::{ASSISTANCE, LABEL, REFERENCING};

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

/// Who the applicant is.
#[derive(Debug)]
pub enum Applicant {
    Organisation(Provider),
    /// An assistance request's victim: the request, and its tracking link's token (the
    /// thread's address on the victim's side), when it has one.
    Victim(RequestRow, Option<String>),
}

/// A case with a thread, opened for one reader: holding one proves the reader may read it.
#[derive(Debug)]
pub struct Case {
    pub kind: &'static str,
    pub id: String,
    pub applicant: Applicant,
    /// The case in French, as a sentence names it ("le dossier de référencement").
    pub name: &'static str,
    /// The reader's side.
    pub side: Side,
    /// A label application's state, for the history's event.
    label_status: Option<crate::domain::label_application::ApplicationStatus>,
}

impl Case {
    /// The organisation applying (none for an assistance request).
    pub fn organisation(&self) -> Option<&Provider> {
        match &self.applicant {
            Applicant::Organisation(p) => Some(p),
            Applicant::Victim(..) => None,
        }
    }

    /// The case as a sentence names it, with its applicant: "le dossier de référencement
    /// d'Atelier Informatique", "la demande d'assistance du 23/11/2026".
    pub fn title(&self) -> String {
        match &self.applicant {
            Applicant::Organisation(p) => {
                format!("{} {}", self.name, crate::french::de(&p.display_name()))
            }
            Applicant::Victim(row, _) => format!(
                "{} du {}",
                self.name,
                crate::french::date_fr(row.created_at)
            ),
        }
    }

    /// The case's own page for `side`, or its thread's (`/messagerie` after it).
    pub fn case_path(&self, side: Side) -> String {
        match (&self.applicant, side) {
            (Applicant::Victim(..), Side::Staff) => format!("/instruction/demandes/{}", self.id),
            (Applicant::Victim(_, token), Side::Applicant) => {
                format!("/suivi/{}", token.as_deref().unwrap_or_default())
            }
            (Applicant::Organisation(_), Side::Staff) if self.kind == LABEL => {
                format!("/instruction/label/{}", self.id)
            }
            (Applicant::Organisation(p), Side::Applicant) if self.kind == LABEL => {
                format!("/espace/organisations/{}/label/{}", p.id, self.id)
            }
            (Applicant::Organisation(p), Side::Staff) => format!("/instruction/dossiers/{}", p.id),
            (Applicant::Organisation(p), Side::Applicant) => {
                format!("/espace/organisations/{}", p.id)
            }
        }
    }

    pub fn thread_path(&self, side: Side) -> String {
        format!("{}/messagerie", self.case_path(side))
    }

    /// The history's event of a message (`action`), in the case's own state.
    fn event(&self, action: &'static str) -> Event {
        match (&self.applicant, self.label_status) {
            (Applicant::Victim(row, _), _) => {
                Event::request(&self.id, action, Some(row.status), row.status)
            }
            (Applicant::Organisation(_), Some(status)) => {
                Event::application(&self.id, action, Some(status), status)
            }
            (Applicant::Organisation(p), None) => Event::provider_note(p, action),
        }
    }
}

fn missing() -> AppError {
    AppError::not_found("Ce dossier n'existe pas.")
}

/// The case, when `reader` may read its thread: staff, or for an organisation's case a member
/// of it; anyone else is told it does not exist.
pub fn case(state: &Infra, reader: &Actor, kind: &str, id: &str) -> Result<Case, AppError> {
    let mut conn = state.pool.get()?;
    let staff = reader.role.is_staff();
    if kind == ASSISTANCE {
        let row = crate::db::assistance::request(&mut conn, id)?.ok_or_else(missing)?;
        if !staff || row.anonymised_at.is_some() {
            return Err(missing());
        }
        return Ok(victim_thread(state, row, Side::Staff));
    }
    let (provider_id, name, label_status) = match kind {
        REFERENCING => (id.to_owned(), "le dossier de référencement", None),
        LABEL => {
            let application = crate::db::labels::application(&mut conn, id)?.ok_or_else(missing)?;
            let status = application.status;
            (
                application.provider_id,
                "la demande de label ExpertCyber",
                Some(status),
            )
        }
        _ => return Err(missing()),
    };
    let (provider, _) = crate::db::providers::find(&mut conn, &provider_id)?.ok_or_else(missing)?;
    let side = if staff {
        Side::Staff
    } else if reader.membership(&provider.id).is_some() {
        Side::Applicant
    } else {
        return Err(missing());
    };
    Ok(Case {
        kind: if kind == LABEL { LABEL } else { REFERENCING },
        id: id.to_owned(),
        applicant: Applicant::Organisation(provider),
        name,
        side,
        label_status,
    })
}

fn victim_thread(state: &Infra, row: RequestRow, side: Side) -> Case {
    let token = crate::assistance::current_tracking_token(state, &row);
    Case {
        kind: ASSISTANCE,
        id: row.id.clone(),
        applicant: Applicant::Victim(row, token),
        name: "la demande d'assistance",
        side,
        label_status: None,
    }
}

/// The request of a tracking link, for its victim, while their data is kept.
pub fn victim_case(state: &Infra, token: &str) -> Result<Case, AppError> {
    let mut conn = state.pool.get()?;
    let row = crate::assistance::by_token(&mut conn, token)?;
    if row.anonymised_at.is_some() {
        return Err(AppError::not_found(
            "Les données de cette demande ont été effacées : ses messages aussi.",
        ));
    }
    Ok(victim_thread(state, row, Side::Applicant))
}

/// The case's messages, oldest first.
pub fn thread(state: &Infra, case: &Case) -> Result<Vec<MessageRow>, AppError> {
    let mut conn = state.pool.get()?;
    Ok(queries::thread(&mut conn, case.kind, &case.id)?)
}

/// A file joined to a message, as uploaded.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The message's text and attachment, checked: the text not blank and at most
/// `MAX_MESSAGE_CHARS`; the file, if any, a PDF by its content and at most
/// `MAX_ATTACHMENT_BYTES`. Each problem is said beside its field.
fn checked(body: &str, upload: Option<Upload>) -> Result<(String, Option<Upload>), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let body = body.trim();
    let chars = body.chars().count();
    if body.is_empty() {
        push_error(
            &mut errors,
            "message",
            "Écrivez votre message avant de l'envoyer.",
        );
    } else if chars > MAX_MESSAGE_CHARS {
        let most = crate::french::number_fr(MAX_MESSAGE_CHARS as u64);
        let typed = crate::french::number_fr(chars as u64);
        let said =
            format!("Un message fait au plus {most} caractères : celui-ci en compte {typed}.");
        push_error(&mut errors, "message", said);
    }
    // A form sent without a file chosen carries an empty part.
    let upload = upload.filter(|u| !u.bytes.is_empty());
    if let Some(upload) = &upload {
        if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
            let said = format!(
                "La pièce jointe dépasse {} Mo.",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            );
            push_error(&mut errors, "file", said);
        } else if !looks_like_pdf(&upload.bytes) {
            let said = "La pièce jointe doit être un fichier PDF : ce fichier n'en est pas un.";
            push_error(&mut errors, "file", said);
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

/// Writes a message on the case from its reader's side (`author`: the account writing; none
/// for a victim), records it in the case's history and emails the other side: staff write to
/// the organisation's members or to the victim; the applicant writes to the staff member
/// following the case, or to every reviewer when nobody follows it.
pub fn post(
    state: &Infra,
    case: &Case,
    author: Option<&Actor>,
    body: &str,
    upload: Option<Upload>,
) -> Result<(), AppError> {
    let (body, upload) = checked(body, upload)?;
    let name = upload.as_ref().map(|u| clean_name(&u.filename));
    let size = upload
        .as_ref()
        .map(|u| i32::try_from(u.bytes.len()).unwrap_or(i32::MAX));
    // Time-ordered: a thread reads in the order messages were written, even within a second.
    let message_id = uuid::Uuid::now_v7().to_string();
    let now = state.clock.now_naive();
    let base = &state.config.base_url;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        queries::insert(
            conn,
            &NewMessage {
                id: &message_id,
                kind: case.kind,
                subject_id: &case.id,
                author_id: author.map(|a| a.id.as_str()),
                from_staff: case.side == Side::Staff,
                body: &body,
                attachment_name: name.as_deref(),
                attachment_size: size,
                attachment: upload.as_ref().map(|u| u.bytes.as_slice()),
                created_at: now,
            },
        )?;
        let mut step = Step::new(now);
        let action = match case.side {
            Side::Staff => "message-staff",
            Side::Applicant => "message-applicant",
        };
        step.record(case.event(action).by(author.map(|a| a.id.as_str())));
        let attachment = upload.is_some();
        match (&case.applicant, case.side) {
            (Applicant::Organisation(provider), Side::Staff) => {
                let thread_url = format!("{base}{}", case.thread_path(Side::Applicant));
                step.mail_members(conn, state, provider, |name, provider_name| {
                    CaseMessageToApplicant {
                        name,
                        provider_name,
                        case: case.name.to_owned(),
                        thread_url: thread_url.clone(),
                        attachment,
                    }
                })?;
            }
            (Applicant::Victim(row, token), Side::Staff) => {
                // A victim who gave no email reads the thread from the tracking page.
                if let (Some(to), Some(_)) = (&row.contact_email, token) {
                    let thread_url = format!("{base}{}", case.thread_path(Side::Applicant));
                    let email = VictimCaseMessage {
                        thread_url,
                        attachment,
                    };
                    step.mail_about_request(state, &row.id, to, &email)?;
                }
            }
            (_, Side::Applicant) => {
                let email = |name: String| StaffCaseMessage {
                    name,
                    from: match case.applicant {
                        Applicant::Organisation(_) => "L'organisation".to_owned(),
                        Applicant::Victim(..) => "La victime".to_owned(),
                    },
                    case: case.title(),
                    thread_url: format!("{base}{}", case.thread_path(Side::Staff)),
                    attachment,
                };
                for (to, name) in staff_to_tell(conn, case)? {
                    step.mail(state, &to, &email(name))?;
                }
            }
        }
        step.write(conn)
    })
}

/// Who hears of the applicant's message: the staff member following the case, while their
/// account is open; else every reviewer.
fn staff_to_tell(conn: &mut DbConnection, case: &Case) -> Result<Vec<(String, String)>, AppError> {
    let follower = match crate::db::cases::follower(conn, case.kind, &case.id)? {
        Some((user_id, _)) => crate::db::accounts::user_by_id(conn, &user_id)?
            .filter(|u| !u.disabled)
            .map(|u| (u.email, u.display_name)),
        None => None,
    };
    if let Some(follower) = follower {
        return Ok(vec![follower]);
    }
    Ok(
        crate::db::accounts::users_with_roles(conn, &Role::REVIEWERS)?
            .into_iter()
            .map(|u| (u.email, u.display_name))
            .collect(),
    )
}

/// A message's attachment, for whoever may read its case (`open`, with the message's kind
/// and case); anyone else is told it does not exist.
pub fn attachment(
    state: &Infra,
    message_id: &str,
    open: impl FnOnce(&str, &str) -> Result<Case, AppError>,
) -> Result<(String, Vec<u8>), AppError> {
    let not_found = || AppError::not_found("Cette pièce jointe n'existe pas.");
    let row = {
        let mut conn = state.pool.get()?;
        queries::attachment(&mut conn, message_id)?.ok_or_else(not_found)?
    };
    match open(&row.kind, &row.subject_id) {
        Ok(case) if case.kind == row.kind && case.id == row.subject_id => {
            Ok((row.name, row.content))
        }
        Ok(_) | Err(AppError::NotFound(_)) => Err(not_found()),
        Err(other) => Err(other),
    }
}
