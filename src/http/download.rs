//! File downloads (documents, label evidence) for the pages and the API: one filename rule
//! (RFC 6266), never cached, never sniffed.

use actix_web::HttpResponse;
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
