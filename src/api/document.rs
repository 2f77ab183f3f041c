//! The OpenAPI document as served: what utoipa collects from the routes, completed with what
//! every operation may answer, so that the document tells the truth about the wire:
//! - errors are `application/problem+json` (RFC 9457), never plain JSON;
//! - any operation may answer the common problems (an unreadable or invalid input, a missing
//!   session, a refusal, an unknown resource, a conflict, a body too large, a limit reached);
//! - times are UTC without an offset, which `format: date-time` (RFC 3339) would deny.

use serde_json::{Map, Value, json};

const PROBLEM: &str = "#/components/schemas/Problem";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The problems every operation may answer, with their meaning.
const COMMON_PROBLEMS: [(&str, &str); 8] = [
    ("400", "Unreadable request (query, path or body)"),
    ("401", "A session is required"),
    (
        "403",
        "Not allowed for this account, or a cross-site request",
    ),
    ("404", "No such resource, or not visible to this account"),
    (
        "409",
        "The resource changed, or is not in a state that allows this",
    ),
    ("413", "The body is too large"),
    (
        "422",
        "Invalid input: `errors` names each field with its French message",
    ),
    ("429", "Too many requests: try again later"),
];

/// The served document.
pub fn complete(document: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(document).unwrap_or(Value::Null);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(responses) = item
                    .get_mut(method)
                    .and_then(|op| op.get_mut("responses"))
                    .and_then(Value::as_object_mut)
                {
                    complete_responses(responses);
                }
            }
        }
    }
    plain_utc_times(&mut doc);
    no_control_characters(&mut doc);
    rules_between_fields(&mut doc);
    doc
}

/// Rules between fields that the derive cannot state: a decline for `autre` says why; a zone
/// has exactly the fields of its kind.
fn rules_between_fields(doc: &mut Value) {
    if let Some(kinds) = doc
        .pointer_mut("/components/schemas/Zone/oneOf")
        .and_then(Value::as_array_mut)
    {
        for kind in kinds.iter_mut().filter_map(Value::as_object_mut) {
            kind.insert("additionalProperties".into(), json!(false));
            let Some(properties) = kind.get_mut("properties").and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(radius) = properties.get_mut("radius_km") {
                radius["minimum"] = json!(1);
                radius["maximum"] = json!(crate::domain::zone::MAX_RADIUS_KM);
            }
            if let Some(list) = properties.get_mut("departements") {
                list["minItems"] = json!(1);
                list["items"] = json!({ "type": "string", "pattern": DEPARTEMENT_CODE });
            }
        }
    }
    // The profile's zone is a zone (read leniently by the service, for French messages).
    if let Some(zone) = doc.pointer_mut("/components/schemas/ProfileInput/properties/zone") {
        let description = zone.get("description").cloned().unwrap_or(Value::Null);
        *zone = json!({
            "anyOf": [{ "$ref": "#/components/schemas/Zone" }, { "type": "null" }],
            "description": description,
        });
    }
    if let Some(decline) = doc
        .pointer_mut("/components/schemas/DeclineBody")
        .and_then(Value::as_object_mut)
    {
        decline.insert(
            "if".into(),
            json!({"properties": {"reason": {"const": "autre"}}, "required": ["reason"]}),
        );
        decline.insert(
            "then".into(),
            json!({"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}}),
        );
    }
}

/// What the input screen refuses (`http::input`), stated as patterns: no control character
/// (C0, DEL or C1) in a path or query parameter; in a body's texts, newlines and tabs only.
const PARAMETER_TEXT: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
const BODY_TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// The 101 départements' codes (`fixtures/departements.json`): 01 to 95 without 20, 2A, 2B,
/// 971 to 974 and 976.
const DEPARTEMENT_CODE: &str = "^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-46])$";
/// Keys of a map (answers per criterion) may hold no control character at all.
const KEY_TEXT: &str = PARAMETER_TEXT;

fn no_control_characters(doc: &mut Value) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(parameters) = item
                    .get_mut(method)
                    .and_then(|op| op.get_mut("parameters"))
                    .and_then(Value::as_array_mut)
                else {
                    continue;
                };
                for parameter in parameters {
                    if let Some(schema) = parameter.get_mut("schema") {
                        constrain_text(schema, PARAMETER_TEXT);
                    }
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            constrain_properties(schema);
        }
    }
}

/// A plain text schema (no enum, format or pattern of its own) gets `pattern`.
fn constrain_text(schema: &mut Value, pattern: &str) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let is_text = match map.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_text
        && !["enum", "format", "pattern"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        map.insert("pattern".into(), json!(pattern));
    }
}

fn constrain_properties(schema: &mut Value) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            constrain_text(property, BODY_TEXT);
            if let Some(items) = property.get_mut("items") {
                constrain_text(items, BODY_TEXT);
            }
            // A map: its keys and its text values.
            if let Some(values) = property
                .get_mut("additionalProperties")
                .filter(|v| v.is_object())
            {
                constrain_text(values, BODY_TEXT);
                if let Some(map) = property.as_object_mut() {
                    map.insert("propertyNames".into(), json!({ "pattern": KEY_TEXT }));
                }
            }
            constrain_properties(property);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(parts) = schema.get_mut(key).and_then(Value::as_array_mut) {
            parts.iter_mut().for_each(constrain_properties);
        }
    }
}

fn problem_content() -> Value {
    json!({ "application/problem+json": { "schema": { "$ref": PROBLEM } } })
}

fn complete_responses(responses: &mut Map<String, Value>) {
    for response in responses.values_mut() {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let is_problem = content
            .get("application/json")
            .and_then(|c| c.pointer("/schema/$ref"))
            .and_then(Value::as_str)
            == Some(PROBLEM);
        if is_problem {
            content.remove("application/json");
            content.insert(
                "application/problem+json".into(),
                json!({ "schema": { "$ref": PROBLEM } }),
            );
        }
    }
    for (code, description) in COMMON_PROBLEMS {
        responses
            .entry(code)
            .or_insert_with(|| json!({ "description": description, "content": problem_content() }));
    }
}

/// `format: date-time` requires an offset; cyberdir's times are UTC written without one.
fn plain_utc_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("date-time") {
                map.remove("format");
                map.insert(
                    "pattern".into(),
                    json!(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$"),
                );
                map.entry("description")
                    .or_insert_with(|| json!("UTC, without an offset (2026-12-01T09:30:00)"));
            }
            for v in map.values_mut() {
                plain_utc_times(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_utc_times),
        _ => {}
    }
}

/// The methods the document gives for `path` (a concrete path such as `/api/v1/labels/EC-1`),
/// when some route matches it: for a 405 with its `Allow` header.
pub fn allowed_methods(doc: &Value, path: &str) -> Option<Vec<String>> {
    let paths = doc.get("paths")?.as_object()?;
    let asked: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // The router prefers literal segments: `/labels/{n}/events` over `/labels/{n}/{action}`.
    let mut best: Option<(usize, Vec<String>)> = None;
    for (template, item) in paths {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = parts.len() == asked.len()
            && parts
                .iter()
                .zip(&asked)
                .all(|(t, a)| (t.starts_with('{') && !a.is_empty()) || t == a);
        if !matches {
            continue;
        }
        let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
        let here = METHODS
            .iter()
            .filter(|m| item.get(**m).is_some())
            .map(|m| m.to_ascii_uppercase());
        match &mut best {
            Some((score, methods)) if *score == literal => methods.extend(here),
            Some((score, _)) if *score > literal => {}
            _ => best = Some((literal, here.collect())),
        }
    }
    let mut methods = best.map(|(_, m)| m).unwrap_or_default();
    methods.sort();
    methods.dedup();
    (!methods.is_empty()).then_some(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_departement_pattern_admits_exactly_the_101_departements() {
        let pattern = regex_lite::Regex::new(DEPARTEMENT_CODE).unwrap();
        let known = crate::domain::departements::Departements::from_fixture().unwrap();
        let codes: Vec<&str> = known.all().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), 101);
        assert!(codes.iter().all(|c| pattern.is_match(c)));
        let mut admitted = 2; // 2A and 2B
        for n in 0..1000 {
            let code = if n < 100 {
                format!("{n:02}")
            } else {
                n.to_string()
            };
            if pattern.is_match(&code) {
                admitted += 1;
                assert!(
                    codes.contains(&code.as_str()),
                    "{code} is not a département"
                );
            }
        }
        assert_eq!(admitted, 101);
    }

    #[test]
    fn allowed_methods_follow_the_templates() {
        let doc = json!({"paths": {
            "/api/v1/labels/{number}": {"get": {}},
            "/api/v1/labels/{number}/{action}": {"post": {}},
        }});
        assert_eq!(
            allowed_methods(&doc, "/api/v1/labels/EC-1"),
            Some(vec!["GET".to_owned()])
        );
        assert_eq!(
            allowed_methods(&doc, "/api/v1/labels/EC-1/suspend"),
            Some(vec!["POST".to_owned()])
        );
        assert_eq!(allowed_methods(&doc, "/api/v1/nothing"), None);
        let doc = json!({"paths": {
            "/api/v1/labels/{number}/events": {"get": {}},
            "/api/v1/labels/{number}/{action}": {"post": {}},
        }});
        assert_eq!(
            allowed_methods(&doc, "/api/v1/labels/EC-1/events"),
            Some(vec!["GET".to_owned()])
        );
    }
}
