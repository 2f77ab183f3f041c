//! The referencing documents (Kbis, insurance): the provider's upload and download, and
//! staff's view.

use super::*;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;
use crate::web::session::StaffUser;

#[post("/espace/organisations/{id}/documents")]
pub async fn upload_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    payload: Multipart,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    // Who may upload, and from where, before a byte of the body is read.
    let (inner, who, target) = (data_of(&state), user.clone(), id.clone());
    let allowed = match check_origin(&req, &state) {
        Ok(()) => blocking(move || referencing::documents::may_upload(&inner, &who, &target)).await,
        Err(e) => Err(e),
    };
    allowed?;
    let mut form =
        crate::http::multipart::read(payload, referencing::documents::MAX_BYTES, &state.uploads)
            .await?;
    let token = form.texts.remove("csrf_token").unwrap_or_default();
    let kind = form.texts.remove("kind").unwrap_or_default();
    let valid_until = form.texts.remove("valid_until").unwrap_or_default();
    let issued_on = form.texts.remove("issued_on").unwrap_or_default();
    let (file, too_large) = (form.file, form.file_too_large);
    check_post(&req, &state, &user, &token)?;
    let (typed_until, typed_issued) = (valid_until.clone(), issued_on.clone());
    let with_errors = |status: StatusCode, errors: FieldErrors, kind: String| Outcome {
        status: Some(status),
        errors,
        document_kind: kind,
        document_valid_until: typed_until.clone(),
        document_issued_on: typed_issued.clone(),
        ..Default::default()
    };
    if too_large {
        let mut errors = FieldErrors::new();
        errors.insert(
            "document_file".into(),
            vec!["Le document dépasse 10 Mo : réduisez sa taille (par exemple en le numérisant en noir et blanc) et recommencez.".into()],
        );
        let outcome = with_errors(StatusCode::PAYLOAD_TOO_LARGE, errors, kind);
        return show_organisation(&state, &user, id, outcome).await;
    }
    let (filename, bytes) = match file {
        Some((name, bytes)) if !(name.is_empty() && bytes.is_empty()) => (name, bytes),
        _ => {
            let mut errors = FieldErrors::new();
            errors.insert(
                "document_file".into(),
                vec!["Choisissez le fichier PDF à déposer.".into()],
            );
            let outcome = with_errors(StatusCode::UNPROCESSABLE_ENTITY, errors, kind);
            return show_organisation(&state, &user, id, outcome).await;
        }
    };
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, sent_kind) = (id.clone(), kind.clone());
    let result = blocking(move || {
        let typed = referencing::documents::Typed {
            filename: &filename,
            valid_until: Some(&valid_until),
            issued_on: Some(&issued_on),
        };
        referencing::documents::upload(&inner, &who, &target, &sent_kind, typed, bytes)
    })
    .await;
    match result {
        Ok(_) => done(&organisation_path(&id), "document"),
        Err(AppError::Validation(errors)) => {
            let errors = rename_fields(
                errors,
                &[
                    ("kind", "document_kind"),
                    ("file", "document_file"),
                    ("valid_until", "document_valid_until"),
                    ("issued_on", "document_issued_on"),
                ],
            );
            let outcome = with_errors(StatusCode::UNPROCESSABLE_ENTITY, errors, kind);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::PayloadTooLarge(_)) => {
            let mut errors = FieldErrors::new();
            errors.insert("document_file".into(), vec![e.to_string()]);
            let outcome = with_errors(StatusCode::PAYLOAD_TOO_LARGE, errors, kind);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            show_organisation(&state, &user, id, Outcome::alert(&e)).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[get("/espace/organisations/{id}/documents/{document}")]
pub async fn download_document(
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<(String, String)>,
) -> PageResult {
    let user = user.0;
    let (id, document) = path.into_inner();
    let inner = state.clone().into_inner();
    let who = user.clone();
    match blocking(move || referencing::documents::download(&inner, &who, &id, &document)).await {
        Ok(doc) => Ok(download::file(
            "application/pdf",
            Disposition::Attachment,
            &doc.filename,
            "document.pdf",
            doc.content,
        )),
        Err(e) => Err(PageError::from(e)),
    }
}

/// A document, shown inline to staff.
#[get("/instruction/dossiers/{id}/documents/{document}")]
pub async fn document_get(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
) -> PageResult {
    let user = user.0;
    let (id, document_id) = path.into_inner();
    let (inner, viewer) = (data_of(&state), user.clone());
    match blocking(move || referencing::documents::download(&inner, &viewer, &id, &document_id))
        .await
    {
        Ok(doc) => {
            let fallback = format!("{}.pdf", doc.kind);
            Ok(download::file(
                "application/pdf",
                Disposition::Inline,
                &doc.filename,
                &fallback,
                doc.content,
            ))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
