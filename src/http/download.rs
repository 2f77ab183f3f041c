//! File downloads (documents, label evidence) for the pages and the API: one filename rule
//! (RFC 6266), never cached, never sniffed.

use actix_web::HttpResponse;
use bytes::Bytes;

use crate::error::AppError;
use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

/// Whether the browser shows the file (`inline`) or saves it (`attachment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment,
}

/// `inline; filename="..."; filename*=UTF-8''...`: the name in plain ASCII (accents folded,
/// quotes, backslashes, semicolons and control characters dropped; `fallback` when nothing is
/// left) and, exactly, in UTF-8 (written by actix's `ContentDisposition`).
pub fn content_disposition(disposition: Disposition, filename: &str, fallback: &str) -> String {
    let ascii: String = deunicode::deunicode(filename)
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| !matches!(c, '"' | '\\' | ';'))
        .collect();
    let ascii = if ascii.trim().is_empty() {
        fallback.to_owned()
    } else {
        ascii
    };
    ContentDisposition {
        disposition: match disposition {
            Disposition::Inline => DispositionType::Inline,
            Disposition::Attachment => DispositionType::Attachment,
        },
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: filename.as_bytes().to_vec(),
            }),
        ],
    }
    .to_string()
}

/// A private file as the answer: its type, its name, no caching by proxies or the browser.
pub fn file(
    content_type: &str,
    disposition: Disposition,
    filename: &str,
    fallback: &str,
    content: Vec<u8>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            content_disposition(disposition, filename, fallback),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(content)
}

/// Exports written at once on this node: each holds a database connection for as long as
/// its client reads.
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A private file written as it is sent: `produce` writes into a pipe on a blocking thread,
/// 32 KiB at a time, and waits while the client is slower than the database, so memory stays
/// the same whatever the file's size. A failure after the first bytes cuts the connection
/// (the client sees an incomplete download, never a file that looks whole). Two exports at
/// once per node; a third is told to come back (503, `Retry-After`).
pub fn streamed(
    content_type: &'static str,
    filename: &str,
    fallback: &str,
    produce: impl FnOnce(&mut Pipe) -> Result<usize, AppError> + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let permit = EXPORTS.try_acquire().map_err(|_| {
        AppError::Unavailable("Deux exports sont déjà en cours : réessayez dans une minute.".into())
    })?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let _permit = permit;
        let mut pipe = Pipe {
            tx,
            buffer: Vec::with_capacity(PIPE_CHUNK),
        };
        let outcome = produce(&mut pipe).and_then(|_| {
            pipe.flush_buffer()
                .map_err(|e| AppError::Internal(format!("export: {e}")))
        });
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "export stopped");
            let _ = pipe
                .tx
                .blocking_send(Err(std::io::Error::other("export stopped")));
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            content_disposition(Disposition::Attachment, filename, fallback),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "private, no-store"))
        .streaming(body))
}

const PIPE_CHUNK: usize = 32 * 1024;

/// Where a streamed file is written: bytes go to the client a chunk at a time; a write fails
/// once the client has gone.
pub struct Pipe {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl Pipe {
    fn flush_buffer(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(PIPE_CHUNK),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl std::io::Write for Pipe {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= PIPE_CHUNK {
            self.flush_buffer()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // The chunk goes when full or at the end: a flush per CSV record would send tiny
        // frames.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_survive_accents_and_quotes() {
        assert_eq!(
            content_disposition(
                Disposition::Attachment,
                "attestation été.pdf",
                "document.pdf"
            ),
            "attachment; filename=\"attestation ete.pdf\"; filename*=UTF-8''attestation%20%C3%A9t%C3%A9.pdf"
        );
        assert_eq!(
            content_disposition(Disposition::Inline, "\"évil\";.pdf", "document.pdf"),
            "inline; filename=\"evil.pdf\"; filename*=UTF-8''%22%C3%A9vil%22%3B.pdf"
        );
        assert_eq!(
            content_disposition(Disposition::Inline, "\u{7}\"", "kbis.pdf"),
            "inline; filename=\"kbis.pdf\"; filename*=UTF-8''%07%22"
        );
    }
}
