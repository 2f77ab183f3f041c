//! Supporting documents: a Kbis extract and an insurance certificate, PDF only (checked by
//! content, not by name), at most 10 MB each.

use sha2::{Digest, Sha256};

use super::views::DocumentView;
use super::{Access, load};
use crate::audit::{self, Event};
use crate::db::referencing::{self as queries, DocumentRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::provider::ReferencingStatus;
use crate::error::AppError;
use crate::state::AppState;

pub const KBIS: &str = "kbis";
pub const INSURANCE: &str = "insurance";
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// A PDF starts with `%PDF-` (within its first kilobyte, as readers allow) and ends with `%%EOF`.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    head.windows(5).any(|w| w == b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Checks and stores an uploaded document.
/// Whether `user` may upload a document to the organisation now: checked before an upload's
/// body is read, so that nobody else can make the server read megabytes.
pub fn may_upload(state: &AppState, user: &Actor, provider_id: &str) -> Result<(), AppError> {
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
    if !matches!(
        provider.status,
        ReferencingStatus::Draft
            | ReferencingStatus::ChangesRequested
            | ReferencingStatus::Approved
    ) {
        return Err(AppError::Conflict(format!(
            "Impossible de déposer un document : le dossier est à l'état « {} ».",
            crate::domain::referencing::label(provider.status)
        )));
    }
    Ok(provider)
}

pub fn upload(
    state: &AppState,
    user: &Actor,
    provider_id: &str,
    kind: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<DocumentView, AppError> {
    if kind != KBIS && kind != INSURANCE {
        return Err(AppError::field(
            "kind",
            "Type de document inconnu : kbis ou insurance.",
        ));
    }
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
    let filename: String = filename
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
            sha256: crate::auth::tokens::hex(&Sha256::digest(&bytes)),
            content: bytes.clone(),
            uploaded_by: user.id.clone(),
            uploaded_at: now,
        };
        queries::insert_document(conn, &row)?;
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
        })
    })
}

/// A document's bytes, for members and staff.
pub fn download(
    state: &AppState,
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
    use super::looks_like_pdf;

    #[test]
    fn pdf_is_recognised_by_content() {
        assert!(looks_like_pdf(
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
        ));
        assert!(!looks_like_pdf(b"PK\x03\x04 a zip renamed .pdf"));
        assert!(!looks_like_pdf(b"%PDF-1.7 truncated"));
    }
}
