//! Partners for the module's tests: created by staff through the API, and a browser that keeps
//! no cookie at all (as in a third-party frame) and checks that none is ever set.

use serde_json::{Value, json};

use super::Session;
use super::pages::{Browser, Page};

/// Creates a partner (staff) and returns it.
pub async fn create(staff: &Session, name: &str, origins: &[&str], scope: &str) -> Value {
    let (status, body) = staff
        .post(
            "/api/v1/partners",
            &json!({
                "name": name,
                "contact_name": "Camille Martin",
                "contact_email": "web@partenaire.exemple.fr",
                "origins": origins,
                "scope": scope,
                "accent": "#1f5c99",
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Changes a partner's state (staff), as read: every other field kept.
pub async fn set_state(staff: &Session, id: &str, partner_state: &str) {
    let path = format!("/api/v1/partners/{id}");
    let (_, current) = staff.get(&path).await;
    let mut change = json!({ "state": partner_state });
    for field in [
        "name",
        "contact_name",
        "contact_email",
        "origins",
        "scope",
        "accent",
        "version",
    ] {
        change[field] = current[field].clone();
    }
    let (status, body) = staff.put(&path, &change).await;
    assert_eq!(status, 200, "{body}");
}

/// A browser without cookies, following no redirect.
pub fn cookieless(base: &str) -> Browser {
    Browser {
        client: super::client()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: base.to_owned(),
    }
}

/// The action of the first form posting on `page`.
pub fn post_action(page: &Page) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = page
        .html
        .find(marker)
        .unwrap_or_else(|| panic!("no form on:\n{}", page.text()))
        + marker.len();
    page.html[start..].split('"').next().unwrap().to_owned()
}

/// Answers the question on `page` with `choice`, with the form's token; returns the next page.
pub async fn answer(browser: &Browser, page: &Page, choice: &str) -> Page {
    let action = post_action(page);
    assert!(
        page.has(&format!("choix-{choice}")),
        "no choice {choice} on:\n{}",
        page.text()
    );
    let answered = browser.submit(page, &action, &[("choix", choice)]).await;
    browser.follow(&answered).await
}
