//! Helpers of the referencing tests: a complete profile, a minimal PDF.

use serde_json::{Value, json};

use super::{Session, TestApp};

/// The last day of the insurance certificates the tests upload.
pub const INSURANCE_END: &str = "2031-12-31";

/// The day of issue of the Kbis extracts the tests upload (a month before the tests start).
pub const KBIS_ISSUED: &str = "2026-10-23";

/// The multipart text fields of an upload of `kind`: with its last day for an insurance
/// certificate and its day of issue for a Kbis extract, as the form asks.
pub fn document_fields(kind: &str) -> Vec<(&str, &str)> {
    let mut fields = vec![("kind", kind)];
    if kind == "insurance" {
        fields.push(("valid_until", INSURANCE_END));
    }
    if kind == "kbis" {
        fields.push(("issued_on", KBIS_ISSUED));
    }
    fields
}

/// Uploads a document of `kind` over the API: (status, body).
pub async fn upload(
    session: &Session,
    provider_id: &str,
    kind: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let path = format!("/api/v1/providers/{provider_id}/documents");
    session
        .upload(&path, &document_fields(kind), filename, bytes)
        .await
}

/// A minimal valid PDF (the uploads check the format).
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A draft profile with every field a submission needs.
pub fn complete_profile() -> Value {
    json!({
        "legal_name": "BREIZH CYBER SAS",
        "name": "Breizh Cyber",
        "siret": "732 829 320 00074",
        "address_line": "12 rue de la Monnaie",
        "postcode": "35000",
        "city": "Rennes",
        "phone": "02 99 12 34 56",
        "email": "contact@breizh-cyber.fr",
        "website": "https://www.breizh-cyber.fr",
        "description": "Assistance aux victimes de rançongiciels en Ille-et-Vilaine depuis 2012.",
        "audiences": ["particulier", "entreprise"],
        "incident_types": ["rancongiciel", "hameconnage"],
        "remote": true,
        "zone": {"kind": "radius", "radius_km": 40}
    })
}

/// A draft with everything needed to submit.
pub async fn ready_draft(app: &TestApp, owner: &Session) -> String {
    ready_draft_with(app, owner, complete_profile()).await
}

/// A draft of `profile` with both documents and the charter accepted.
pub async fn ready_draft_with(app: &TestApp, owner: &Session, profile: Value) -> String {
    let (status, draft) = owner.post("/api/v1/providers", &profile).await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(
        upload(owner, &id, "kbis", "kbis.pdf", PDF.to_vec()).await.0,
        201
    );
    assert_eq!(
        upload(owner, &id, "insurance", "rc-pro.pdf", PDF.to_vec())
            .await
            .0,
        201
    );
    let version = app.state.charter.version.clone();
    let (status, _) = owner
        .post(
            &format!("/api/v1/providers/{id}/charter"),
            &json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200);
    id
}

/// A provider of `owner` with `profile`, approved by `staff`; its id.
pub async fn approved(app: &TestApp, owner: &Session, staff: &Session, profile: Value) -> String {
    let id = ready_draft_with(app, owner, profile).await;
    for (who, action) in [
        (owner, "submit"),
        (staff, "start-review"),
        (staff, "approve"),
    ] {
        let (status, body) = who
            .post(&format!("/api/v1/providers/{id}/{action}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    id
}

/// A file of `owner` submitted, examined and sent back by `staff` with `reason`; its id.
pub async fn changes_requested(
    app: &TestApp,
    owner: &Session,
    staff: &Session,
    reason: &str,
) -> String {
    let id = ready_draft(app, owner).await;
    for (who, action, body) in [
        (owner, "submit", json!({})),
        (staff, "start-review", json!({})),
        (staff, "request-changes", json!({ "reason": reason })),
    ] {
        let (status, answer) = who
            .post(&format!("/api/v1/providers/{id}/{action}"), &body)
            .await;
        assert_eq!(status, 200, "{action}: {answer}");
    }
    id
}
