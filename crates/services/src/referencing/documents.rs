//! Supporting documents: a Kbis extract and an insurance certificate, PDF only (checked by
//! content, not by name), at most 10 MB each. An insurance certificate ends: the provider gives
//! its last day, staff see it lapse, and members are asked for the next one before it does.

use chrono::{Days, Months, NaiveDate};
use sha2::{Digest, Sha256};

use super::views::DocumentView;
use super::{Access, load};
use crate::audit::{self, Event, Step};
use crate::db::referencing::{self as queries, DocumentRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::provider::ReferencingStatus;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::referencing::DocumentRenewal;

pub const KBIS: &str = "kbis";
pub const INSURANCE: &str = "insurance";
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Days before a document's last day when its members are asked for the next one.
pub const RENEWAL_NOTICE_DAYS: u64 = 30;

/// A document kind's French name.
pub fn label(kind: &str) -> &'static str {
    match kind {
        KBIS => "Extrait Kbis",
        INSURANCE => "Attestation d'assurance de responsabilité civile professionnelle",
        _ => "Document",
    }
}

/// Asks the members of referenced providers for the next document, once per document, when its
/// last day is within `RENEWAL_NOTICE_DAYS` (or passed); returns how many were asked for.
pub fn ask_renewals(state: &Infra) -> Result<usize, AppError> {
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let ending = queries::documents_ending_by(&mut conn, today + Days::new(RENEWAL_NOTICE_DAYS))?;
    let mut asked = 0;
    for (provider_id, document_id, kind, last_day) in ending {
        let done = write_transaction(&mut conn, |conn| {
            // A newer document of the same kind replaced it: nothing to ask.
            let current = queries::current_documents(conn, &provider_id)?;
            if !current.iter().any(|d| d.id == document_id) {
                return Ok::<bool, AppError>(false);
            }
            let now = state.clock.now_naive();
            if !queries::claim_document_renewal(conn, &document_id, now)? {
                return Ok(false);
            }
            let Some((provider, _)) = crate::db::providers::find(conn, &provider_id)? else {
                return Ok(false);
            };
            let mut step = Step::new(now);
            let documents_url = format!(
                "{}/espace/organisations/{provider_id}#documents",
                state.config.base_url
            );
            step.mail_members(conn, state, &provider, |name, provider_name| {
                DocumentRenewal {
                    name,
                    provider_name,
                    document: label(&kind).to_owned(),
                    valid_until: crate::french::day_fr(last_day),
                    lapsed: last_day < today,
                    documents_url: documents_url.clone(),
                }
            })?;
            step.record(Event::provider_note(
                &provider,
                format!("document-renewal-{kind}"),
            ));
            step.write(conn)?;
            Ok(true)
        })?;
        if done {
            asked += 1;
        }
    }
    Ok(asked)
}

/// A PDF starts with `%PDF-` (within its first kilobyte, as readers allow) and ends with `%%EOF`.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    head.windows(5).any(|w| w == b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Checks and stores an uploaded document.
/// Whether `user` may upload a document to the organisation now: checked before an upload's
/// body is read, so that nobody else can make the server read megabytes.
pub fn may_upload(state: &Infra, user: &Actor, provider_id: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    uploadable(&mut conn, user, provider_id).map(|_| ())
}

/// The organisation, when `user` is one of its members and its file takes documents.
fn uploadable(
    conn: &mut crate::db::DbConnection,
    user: &Actor,
    provider_id: &str,
) -> Result<crate::domain::provider::Provider, AppError> {
    let (provider, _, access) = load(conn, user, provider_id)?;
    if access == Access::Staff {
        return Err(AppError::forbidden(
            "Seuls les membres de l'organisation peuvent déposer des documents.",
        ));
    }
    // Under review too: a document that lapses while staff examine the file is replaced
    // there, and the reviewer sees the new one (and its upload in the trail).
    if !matches!(
        provider.status,
        ReferencingStatus::Draft
            | ReferencingStatus::Submitted
            | ReferencingStatus::InReview
            | ReferencingStatus::ChangesRequested
            | ReferencingStatus::Approved
            | ReferencingStatus::Suspended
    ) {
        return Err(AppError::Conflict(format!(
            "Impossible de déposer un document : le dossier est à l'état « {} ».",
            crate::domain::referencing::label(provider.status)
        )));
    }
    Ok(provider)
}

/// The last day a document covers, as typed (`AAAA-MM-JJ`): required for an insurance
/// certificate, which ends; optional for a Kbis extract. It may not have passed already.
fn parse_valid_until(
    kind: &str,
    typed: Option<&str>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    let invalid = "Date de fin de validité invalide : format AAAA-MM-JJ attendu.";
    let Some(day) = typed_day("valid_until", typed, invalid)? else {
        return if kind == INSURANCE {
            Err(AppError::field(
                "valid_until",
                "Indiquez la date de fin de validité de l'attestation d'assurance (AAAA-MM-JJ).",
            ))
        } else {
            Ok(None)
        };
    };
    if day < today {
        return Err(AppError::field(
            "valid_until",
            format!(
                "Ce document a expiré le {} : déposez le document en cours de validité.",
                crate::french::day_fr(day)
            ),
        ));
    }
    if day > today + chrono::Months::new(12 * MAX_YEARS_AHEAD) {
        return Err(AppError::field(
            "valid_until",
            format!("Date de fin de validité trop lointaine : {MAX_YEARS_AHEAD} ans au plus."),
        ));
    }
    Ok(Some(day))
}

const MAX_YEARS_AHEAD: u32 = 10;

/// A day typed as `AAAA-MM-JJ` in `field`: `None` when left blank, `invalid` when not a day.
fn typed_day(
    field: &str,
    typed: Option<&str>,
    invalid: &str,
) -> Result<Option<NaiveDate>, AppError> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, invalid)),
    }
}

/// Why a Kbis extract issued on `issued_on` cannot be part of a file submitted `today`, when
/// extracts may be `max_months` old.
pub fn kbis_age_problem(
    issued_on: Option<NaiveDate>,
    today: NaiveDate,
    max_months: u32,
) -> Option<String> {
    let Some(day) = issued_on else {
        return Some(format!(
            "Déposez à nouveau l'extrait Kbis en indiquant sa date : il doit dater de moins de {max_months} mois."
        ));
    };
    let oldest = today.checked_sub_months(Months::new(max_months))?;
    (day < oldest).then(|| {
        format!(
            "Cet extrait Kbis date du {} : le dossier demande un extrait de moins de {max_months} mois. Téléchargez un extrait récent (infogreffe.fr) et déposez-le.",
            crate::french::day_fr(day)
        )
    })
}

/// The day a Kbis extract was issued, as typed (`AAAA-MM-JJ`): required, not in the future,
/// and recent enough to be submitted today.
fn parse_issued_on(
    typed: Option<&str>,
    today: NaiveDate,
    max_months: u32,
) -> Result<NaiveDate, AppError> {
    let invalid = "Date de délivrance invalide : format AAAA-MM-JJ attendu.";
    let Some(day) = typed_day("issued_on", typed, invalid)? else {
        return Err(AppError::field(
            "issued_on",
            "Indiquez la date de délivrance de l'extrait Kbis (AAAA-MM-JJ), inscrite en haut de l'extrait.",
        ));
    };
    if day > today {
        return Err(AppError::field(
            "issued_on",
            "La date de délivrance ne peut pas être postérieure à aujourd'hui.",
        ));
    }
    match kbis_age_problem(Some(day), today, max_months) {
        Some(problem) => Err(AppError::field("issued_on", problem)),
        None => Ok(day),
    }
}

/// What the uploader typed with the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Typed<'a> {
    pub filename: &'a str,
    /// An insurance certificate's last day.
    pub valid_until: Option<&'a str>,
    /// A Kbis extract's day of issue.
    pub issued_on: Option<&'a str>,
}

pub fn upload(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    kind: &str,
    typed: Typed<'_>,
    bytes: Vec<u8>,
) -> Result<DocumentView, AppError> {
    if kind != KBIS && kind != INSURANCE {
        return Err(AppError::field(
            "kind",
            "Type de document inconnu : kbis ou insurance.",
        ));
    }
    let today = state.clock.today();
    let valid_until = parse_valid_until(kind, typed.valid_until, today);
    let issued_on = if kind == KBIS {
        parse_issued_on(typed.issued_on, today, state.config.kbis_max_age_months).map(Some)
    } else {
        Ok(None)
    };
    // Both dates' messages at once.
    let (valid_until, issued_on) = match (valid_until, issued_on) {
        (Ok(until), Ok(issued)) => (until, issued),
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.extend(b);
            return Err(AppError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if bytes.len() > MAX_BYTES {
        return Err(AppError::PayloadTooLarge(
            "Le document dépasse 10 Mo.".into(),
        ));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "Le fichier est vide."));
    }
    if !looks_like_pdf(&bytes) {
        return Err(AppError::field(
            "file",
            "Le fichier n'est pas un PDF valide : seuls les documents PDF sont acceptés.",
        ));
    }
    let filename: String = typed
        .filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let provider = uploadable(conn, user, provider_id)?;
        let row = DocumentRow {
            id: uuid::Uuid::now_v7().to_string(),
            provider_id: provider_id.to_owned(),
            kind: kind.to_owned(),
            filename: if filename.is_empty() {
                format!("{kind}.pdf")
            } else {
                filename.clone()
            },
            content_type: "application/pdf".into(),
            size_bytes: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            sha256: crate::domain::text::hex(&Sha256::digest(&bytes)),
            content: bytes.clone(),
            uploaded_by: user.id.clone(),
            uploaded_at: now,
            valid_until,
            renewal_asked_at: None,
            issued_on,
        };
        queries::insert_document(conn, &row)?;
        if kind == INSURANCE && provider.status == ReferencingStatus::Approved {
            // Its end decides whether the provider is found from the day after it.
            crate::db::counters::bump(conn, crate::db::counters::DIRECTORY)?;
        }
        audit::record(
            conn,
            now,
            Event::provider_note(&provider, format!("upload-{kind}")).by(Some(&user.id)),
        )?;
        Ok(DocumentView {
            id: row.id,
            kind: row.kind,
            filename: row.filename,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            uploaded_at: row.uploaded_at,
            valid_until: row.valid_until,
            issued_on: row.issued_on,
            outdated: false,
        })
    })
}

/// A document's bytes, for members and staff.
pub fn download(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    document_id: &str,
) -> Result<DocumentRow, AppError> {
    let mut conn = state.pool.get()?;
    load(&mut conn, user, provider_id)?;
    queries::document(&mut conn, provider_id, document_id)?
        .ok_or_else(|| AppError::not_found("Document introuvable."))
}

#[cfg(test)]
mod tests {
    use super::{kbis_age_problem, looks_like_pdf};
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_kbis_is_recent_up_to_the_same_day_three_months_before() {
        let today = day("2026-12-04");
        assert_eq!(kbis_age_problem(Some(day("2026-09-04")), today, 3), None);
        let old = kbis_age_problem(Some(day("2026-09-03")), today, 3).unwrap();
        assert!(old.contains("03/09/2026"), "{old}");
        // End of month: 31 May minus three months is the last day of February.
        assert_eq!(
            kbis_age_problem(Some(day("2027-02-28")), day("2027-05-31"), 3),
            None
        );
        assert!(kbis_age_problem(Some(day("2027-02-27")), day("2027-05-31"), 3).is_some());
        assert!(
            kbis_age_problem(None, today, 3)
                .unwrap()
                .contains("sa date")
        );
    }

    #[test]
    fn pdf_is_recognised_by_content() {
        assert!(looks_like_pdf(
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
        ));
        assert!(!looks_like_pdf(b"PK\x03\x04 a zip renamed .pdf"));
        assert!(!looks_like_pdf(b"%PDF-1.7 truncated"));
    }
}
