//! The one place every input goes through before a handler sees it: the path, the query string
//! and JSON or form bodies are refused (422, naming the field) when they hold a control
//! character. PostgreSQL cannot store NUL in text, and no field has a use for the others;
//! newlines and tabs stay allowed in bodies, where long texts are written.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage as _, HttpResponse};
use futures_util::StreamExt as _;
use serde_json::Value;

use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// Bodies larger than this are not screened here (the extractors refuse them anyway).
const MAX_SCREENED: usize = 256 * 1024;

/// Renders an error as a page for the pages' routes.
pub type PageError = fn(&AppState, &AppError) -> HttpResponse;

fn forbidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// A control character once percent-decoded: C0, DEL, or C1 (`%C2%84`).
fn forbidden_in_url(bytes: &[u8]) -> bool {
    percent_encoding::percent_decode(bytes)
        .decode_utf8_lossy()
        .chars()
        .any(char::is_control)
}

/// The JSON fields (dotted paths) whose text holds a forbidden character.
fn json_offenders(value: &Value, path: &str, out: &mut Vec<String>) {
    let here = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.chars().any(forbidden_in_text) => {
            out.push(if path.is_empty() {
                "body".into()
            } else {
                path.to_owned()
            });
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                json_offenders(item, &here(&i.to_string()), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if key.chars().any(forbidden_in_text) {
                    out.push(path_or_body(path));
                } else {
                    json_offenders(item, &here(key), out);
                }
            }
        }
        _ => {}
    }
}

fn path_or_body(path: &str) -> String {
    if path.is_empty() {
        "body".into()
    } else {
        path.to_owned()
    }
}

/// Whether a JSON text can hold a control character in a string: JSON has no raw C0 there
/// (a parser refuses it), so only an escape (`\u0000`), DEL or a C1 character (UTF-8 `C2 80`
/// to `C2 9F`) can. Most bodies have none, and are not parsed twice.
fn json_may_hold_control(body: &[u8]) -> bool {
    body.contains(&0x7F)
        || body
            .windows(2)
            .any(|w| w == b"\\u" || (w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1])))
}

/// Whether a media type is JSON as the API's reader takes it: `application/json`, and any type
/// whose subtype is `json` or ends in `+json` (`application/problem+json`,
/// `application/vnd.x+json`), whatever the top type: actix's `Json` reads exactly these, so
/// every body it reads has been screened here.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    match essence.split_once('/') {
        Some((kind, subtype)) if !kind.is_empty() => {
            let subtype = subtype.to_ascii_lowercase();
            subtype == "json" || subtype.ends_with("+json")
        }
        _ => false,
    }
}

fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// The fields of a body that hold a forbidden character (none for other content types).
fn body_offenders(content_type: &str, body: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    if is_json(content_type) {
        if !json_may_hold_control(body) {
            return out;
        }
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            json_offenders(&value, "", &mut out);
        }
    } else if is_form(content_type) {
        for (key, value) in url::form_urlencoded::parse(body) {
            if key.chars().chain(value.chars()).any(forbidden_in_text) {
                out.push(key.chars().filter(|c| !c.is_control()).collect());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn refusal(fields: Vec<String>) -> AppError {
    let mut errors = FieldErrors::new();
    for field in fields {
        errors.insert(
            field,
            vec!["Ce champ contient un caractère de contrôle non autorisé.".into()],
        );
    }
    AppError::Validation(errors)
}

/// The middleware: see the module's documentation. `page_error` renders the refusal for the
/// pages; the API answers problem+json.
pub async fn screen(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    page_error: PageError,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let mut offenders = Vec::new();
    if forbidden_in_url(req.uri().path().as_bytes()) {
        offenders.push("path".to_owned());
    }
    if forbidden_in_url(req.query_string().as_bytes()) {
        for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if key.chars().chain(value.chars()).any(char::is_control) {
                offenders.push(key.chars().filter(|c| !c.is_control()).collect());
            }
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let screened = is_json(&content_type) || is_form(&content_type);
    if offenders.is_empty() && screened {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        let mut whole = true;
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > MAX_SCREENED {
                whole = false;
                break;
            }
        }
        if whole {
            offenders = body_offenders(&content_type, &body);
            req.set_payload(bytes_payload(body.freeze()));
        } else {
            // Too large to be any form of ours: the extractor answers 413 with what it reads.
            let rest = payload;
            let head = body.freeze();
            let stream = futures_util::stream::once(async move { Ok(head) }).chain(rest);
            req.set_payload(actix_web::dev::Payload::Stream {
                payload: Box::pin(stream),
            });
        }
    }
    if offenders.is_empty() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let error = refusal(offenders);
    let is_api = req.path().starts_with("/api/");
    let response = match req.app_data::<actix_web::web::Data<AppState>>() {
        Some(state) if !is_api => page_error(state, &error),
        _ => crate::http::problem::problem_response(&error),
    };
    Ok(req.into_response(response))
}

fn bytes_payload(bytes: Bytes) -> actix_web::dev::Payload {
    actix_web::dev::Payload::from(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_where_they_hide() {
        let json = br#"{"contact": {"name": "A\u0000B", "email": "a@b.fr"}, "description": "deux\nlignes", "list": ["ok", "\u0007"]}"#;
        assert_eq!(
            body_offenders("application/json", json),
            vec!["contact.name".to_owned(), "list.1".to_owned()]
        );
        assert_eq!(
            body_offenders(
                "application/x-www-form-urlencoded",
                b"email=a%00b&texte=deux%0Alignes"
            ),
            vec!["email".to_owned()]
        );
        assert!(forbidden_in_url(b"/labels/EC-2026%00"));
        assert!(forbidden_in_url(b"/labels/%0a"));
        assert!(!forbidden_in_url(b"/labels/EC-2026-0001"));
        assert!(forbidden_in_url(b"departement=%C2%84"), "C1 controls too");
        assert!(!forbidden_in_url(b"q=Ch%C3%A2teau"), "but not letters");
        assert!(body_offenders("text/plain", b"\0").is_empty());
        // Every type the JSON reader takes is screened as JSON.
        for json_type in [
            "application/vnd.x+json",
            "application/problem+json; charset=utf-8",
            "text/json",
            "Application/JSON",
        ] {
            assert_eq!(
                body_offenders(json_type, br#"{"a": "\u0000"}"#),
                vec!["a".to_owned()],
                "{json_type}"
            );
        }
        assert!(!is_json("application/jsonx") && !is_json("json") && !is_json(""));
        // Raw C1 and DEL are valid JSON: found too; a plain body is not parsed again.
        assert_eq!(
            body_offenders(
                "application/json",
                "{\"a\": \"x\u{85}\", \"b\": \"\u{7f}\"}".as_bytes()
            ),
            vec!["a".to_owned(), "b".to_owned()]
        );
        assert!(!json_may_hold_control(
            br#"{"answers": {"public": "particulier"}}"#
        ));
    }
}
