//! Evidence for a criterion: PDF, PNG or JPEG (checked by content, not by name), 10 MB at most.

use super::views::EvidenceView;
use super::{load, require_editable};
use crate::audit::{self, Event};
use crate::db::labels::{self as queries, EvidenceRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;
use crate::label::criteria::Framework;
use crate::referencing::documents::{MAX_BYTES, looks_like_pdf};

/// The content type of an accepted file, from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if looks_like_pdf(bytes) {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Whether `user` may add evidence to the application now: checked before an upload's body is
/// read.
pub fn may_upload(state: &Infra, user: &Actor, application_id: &str) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let (row, access) = load(&mut conn, user, application_id)?;
    require_editable(&row, access)
}

/// Checks and stores a piece of evidence for one criterion.
pub fn upload(
    state: &Infra,
    criteria: &Framework,
    user: &Actor,
    application_id: &str,
    criterion: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<EvidenceView, AppError> {
    let criterion = criterion.trim();
    if criteria.criterion(criterion).is_none() {
        return Err(AppError::field(
            "criterion",
            format!("Critère inconnu : {criterion}."),
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::PayloadTooLarge("La pièce dépasse 10 Mo.".into()));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "Le fichier est vide."));
    }
    let content_type = sniff(&bytes).ok_or_else(|| {
        AppError::field(
            "file",
            "Format non accepté : joignez un PDF, une image PNG ou JPEG.",
        )
    })?;
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let (row, access) = load(conn, user, application_id)?;
        require_editable(&row, access)?;
        let evidence = EvidenceRow {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application_id.to_owned(),
            criterion: criterion.to_owned(),
            filename: if filename.is_empty() {
                format!(
                    "{criterion}.{}",
                    content_type.rsplit('/').next().unwrap_or("bin")
                )
            } else {
                filename.clone()
            },
            content_type: content_type.to_owned(),
            size_bytes: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            content: bytes.clone(),
            uploaded_by: user.id.clone(),
            uploaded_at: now,
        };
        queries::insert_evidence(conn, &evidence)?;
        audit::record(
            conn,
            now,
            Event::application(
                application_id,
                "upload-evidence",
                Some(row.status),
                row.status,
            )
            .by(Some(&user.id))
            .because(Some(&format!("{criterion} : {}", evidence.filename))),
        )?;
        Ok(EvidenceView {
            id: evidence.id,
            criterion: evidence.criterion,
            filename: evidence.filename,
            content_type: evidence.content_type,
            size_bytes: evidence.size_bytes,
            uploaded_at: evidence.uploaded_at,
        })
    })
}

/// A piece of evidence, for those who may see the application.
pub fn download(
    state: &Infra,
    user: &Actor,
    application_id: &str,
    evidence_id: &str,
) -> Result<EvidenceRow, AppError> {
    let mut conn = state.pool.get()?;
    load(&mut conn, user, application_id)?;
    queries::evidence(&mut conn, application_id, evidence_id)?
        .ok_or_else(|| AppError::not_found("Pièce introuvable."))
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%%EOF\n"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"MZ\x90\x00 an executable renamed .pdf"), None);
    }
}
