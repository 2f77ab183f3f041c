//! Reading a small multipart form (uploads): text fields and one file named `file`, with limits
//! enforced while streaming, so that no upload can hold more memory than they allow.

use std::sync::Arc;

use actix_multipart::Multipart;
use futures_util::StreamExt as _;

use crate::error::AppError;
pub use crate::uploads::UploadBudget;

/// A text field of an upload form is short (a token, a kind, a criterion), or a message sent
/// with its attachment: 5,000 characters of up to 4 bytes each.
const MAX_TEXT_BYTES: usize = 20_480;
/// An upload form has a few dozen fields at most (the label's page sends its 14 answers with
/// a piece).
const MAX_PARTS: usize = 24;
/// A file past its limit is read on (and dropped) up to this many times the limit, so that a
/// browser gets the answer instead of a reset connection; beyond, the upload is cut off.
const DRAIN_FACTOR: usize = 4;

/// The bytes one form holds of the budget, given back when the form is dropped.
#[derive(Debug, Default)]
struct Held {
    budget: Option<Arc<UploadBudget>>,
    bytes: usize,
}

impl Held {
    fn take(&mut self, n: usize) -> Result<(), AppError> {
        let Some(budget) = &self.budget else {
            return Ok(());
        };
        if !budget.reserve(n) {
            return Err(AppError::Unavailable(format!(
                "upload memory budget of {} bytes in use",
                budget.limit()
            )));
        }
        self.bytes += n;
        Ok(())
    }

    fn give_back(&mut self, n: usize) {
        if let Some(budget) = &self.budget {
            let n = n.min(self.bytes);
            budget.release(n);
            self.bytes -= n;
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.give_back(self.bytes);
    }
}

/// The fields of a multipart form.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text fields by name (the last value wins).
    pub texts: std::collections::HashMap<String, String>,
    /// The field named `file`: its file name and bytes (none when it was too large).
    pub file: Option<(String, Vec<u8>)>,
    /// The file went past the limit: its bytes were not kept.
    pub file_too_large: bool,
    max_file_bytes: usize,
    held: Held,
}

impl UploadForm {
    /// Refuses a file that went past the limit.
    pub fn refuse_too_large(&self) -> Result<(), AppError> {
        if self.file_too_large {
            return Err(AppError::PayloadTooLarge(format!(
                "Le fichier dépasse {} Mo.",
                self.max_file_bytes / (1024 * 1024)
            )));
        }
        Ok(())
    }
}

fn cut_off(max_file_bytes: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "L'envoi dépasse {} Mo.",
        max_file_bytes / (1024 * 1024)
    ))
}

/// Reads every field. A file past `max_file_bytes` is flagged and dropped; a text field past
/// 20 KB, more than 24 fields or a body far past the limit end the upload with an error; bytes
/// kept beyond what `budget` has left end it with a 503.
pub async fn read(
    mut payload: Multipart,
    max_file_bytes: usize,
    budget: &Arc<UploadBudget>,
) -> Result<UploadForm, AppError> {
    let mut form = UploadForm {
        max_file_bytes,
        held: Held {
            budget: Some(budget.clone()),
            bytes: 0,
        },
        ..UploadForm::default()
    };
    let mut parts = 0;
    let mut read = 0usize;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("Envoi multipart illisible : {e}")))?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::BadRequest(
                "Le formulaire envoyé compte trop de champs.".into(),
            ));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == "file";
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_owned();
        let limit = if is_file {
            max_file_bytes
        } else {
            MAX_TEXT_BYTES
        };
        let mut bytes = Vec::new();
        let mut overflow = false;
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| AppError::BadRequest(format!("Envoi interrompu : {e}")))?;
            read += chunk.len();
            if read > DRAIN_FACTOR * max_file_bytes {
                return Err(cut_off(max_file_bytes));
            }
            if overflow || bytes.len() + chunk.len() > limit {
                if !overflow {
                    form.held.give_back(bytes.len());
                }
                overflow = true;
                bytes = Vec::new();
                continue;
            }
            form.held.take(chunk.len())?;
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            form.file_too_large |= overflow;
            form.file = (!overflow).then_some((filename, bytes));
        } else if overflow {
            return Err(AppError::field(&name, "Ce champ est trop long."));
        } else {
            form.texts
                .insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
        }
    }
    Ok(form)
}
