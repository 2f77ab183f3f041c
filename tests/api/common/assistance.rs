//! Helpers of the assistance tests: a victim's request, providers near Rennes, the links of the
//! emails.

use serde_json::{Value, json};

use super::{SmtpSink, TestApp, provider};
use cyberdir::domain::zone::Zone;

pub const RENNES: (f64, f64) = (48.1113, -1.6800);

pub fn request_body() -> Value {
    json!({
        "postcode": "35000",
        "audience": "particulier",
        "incident_type": "rancongiciel",
        "description": "Tous mes fichiers sont chiffrés depuis ce matin, une rançon est demandée.",
        "contact": {"name": "Claire Martin", "email": "claire@exemple.fr", "phone": "06 12 34 56 78"},
        "consent": true
    })
}

/// A provider `id` at `km` kilometres east of Rennes, covering 60 km around it.
pub async fn nearby(app: &TestApp, id: &str, km: f64) {
    let longitude = RENNES.1 + km / 74.0;
    app.insert(provider(
        id,
        RENNES.0,
        longitude,
        Zone::Radius { radius_km: 60 },
    ))
    .await;
}

pub async fn submit(app: &TestApp, body: &Value) -> (u16, Value) {
    app.post_json("/api/v1/assistance-requests", body).await
}

/// The signed token of the link to `action` in the last offer email sent to `address`.
pub fn link_token(sink: &SmtpSink, address: &str, action: &str) -> String {
    let offer = sink
        .messages_to(address)
        .into_iter()
        .rev()
        .find(|m| m.text.contains("/affectations/"))
        .unwrap_or_else(|| panic!("no offer sent to {address}"));
    offer
        .text
        .split_whitespace()
        .filter_map(|w| w.split("/affectations/").nth(1))
        .find(|t| t.contains(&format!(".{action}.")))
        .unwrap_or_else(|| panic!("no {action} link in {}", offer.text))
        .to_owned()
}

pub fn tracking_token(sink: &SmtpSink) -> String {
    let mail = sink
        .messages_to("claire@exemple.fr")
        .into_iter()
        .find(|m| m.text.contains("/suivi/"))
        .expect("the confirmation");
    mail.text
        .split_whitespace()
        .filter_map(|w| w.split("/suivi/").nth(1))
        .next()
        .unwrap()
        .to_owned()
}

pub async fn answer(app: &TestApp, id: &str, action: &str, body: Value) -> (u16, Value) {
    app.post_json(&format!("/api/v1/assistance-requests/{id}/{action}"), &body)
        .await
}
