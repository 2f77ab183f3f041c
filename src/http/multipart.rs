//! Reading a small multipart form (uploads): text fields and one file, with a size limit
//! enforced while streaming.

use actix_multipart::Multipart;
use futures_util::StreamExt as _;

use crate::error::AppError;

/// The fields of a multipart form.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text fields by name (the last value wins).
    pub texts: std::collections::HashMap<String, String>,
    /// The field named `file`: its file name and bytes.
    pub file: Option<(String, Vec<u8>)>,
}

/// Reads every field, refusing the upload as soon as one goes past `max_bytes`.
pub async fn read(mut payload: Multipart, max_bytes: usize) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("Envoi multipart illisible : {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| AppError::BadRequest(format!("Envoi interrompu : {e}")))?;
            if bytes.len() + chunk.len() > max_bytes {
                return Err(AppError::PayloadTooLarge(format!(
                    "Le fichier dépasse {} Mo.",
                    max_bytes / (1024 * 1024)
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "file" {
            form.file = Some((filename, bytes));
        } else {
            form.texts
                .insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
        }
    }
    Ok(form)
}
