//! The auditor's findings saved as a draft, criterion by criterion: read back into the form,
//! checked, never shown to staff or the provider, refused to anyone but the auditor assigned,
//! and gone once the audit is recorded.

use serde_json::json;

use crate::common::{self, TestApp};
use crate::label_pages::{html, post_form};
use cyberdir::auth::Role;

#[tokio::test]
async fn an_auditor_saves_findings_as_a_draft_and_finishes_the_audit_later() {
    let app = TestApp::spawn().await;
    let cast = common::label::cast(&app).await;
    let id = common::label::filled_application(&app, &cast.member).await;
    let step = |who, action, body| common::label::step(who, &id, action, body);
    assert_eq!(step(&cast.member, "submit", json!({})).await.0, 200);
    common::label::admissible(&cast, &id).await;
    let (status, body) = step(
        &cast.staff,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": app.clock.today().to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let codes = common::label::criteria(&app);
    let page = format!("/audit/{id}");
    let gap = "Aucune procédure de sauvegarde hors ligne.";

    // Two criteria of fourteen, and a start of recommendation: saved as a draft.
    let (c1, c2) = (format!("finding-{}", codes[0]), format!("finding-{}", codes[1]));
    let comment2 = format!("comment-{}", codes[1]);
    let draft = [
        (c1.as_str(), "conforme"),
        (c2.as_str(), "non_conformite_mineure"),
        (comment2.as_str(), gap),
        ("recommendation", "À compléter après entretien."),
        ("brouillon", "oui"),
    ];
    let (status, path, shown) = post_form(&cast.auditor, &page, &draft).await;
    assert_eq!((status, path.as_str()), (200, page.as_str()), "{shown}");
    let text = common::html::visible_text(&shown);
    assert!(
        text.contains(&format!("2 critères évalués sur {}", codes.len())),
        "{text}"
    );
    assert!(text.contains("Rien n'est transmis"), "{text}");
    let checked = |html: &str, code: &str, finding: &str| {
        let id = format!("id=\"finding-{}-{finding}\"", code.to_ascii_lowercase());
        html.split(&id)
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .is_some_and(|attrs| attrs.contains("checked"))
    };
    // Read back the next day, in a new page.
    let (_, later) = html(&cast.auditor, &page).await;
    assert!(checked(&later, &codes[0], "conforme"));
    assert!(checked(&later, &codes[1], "non_conformite_mineure"));
    assert!(later.contains(gap));
    assert!(later.contains("À compléter après entretien."));

    // A finding not on the scale is said beside the criterion; the draft stays as it was.
    let (status, _, refused) = post_form(
        &cast.auditor,
        &page,
        &[(c1.as_str(), "excellent"), ("brouillon", "oui")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused.contains("Choisissez une évaluation proposée"), "{refused}");
    assert!(html(&cast.auditor, &page).await.1.contains(gap));

    // Neither staff nor the provider see a draft; nor may another auditor write one.
    let (_, staff_page) = html(&cast.staff, &format!("/instruction/label/{id}")).await;
    assert!(!staff_page.contains(gap));
    let (_, api) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert!(!api.to_string().contains(gap));
    let other = app.user("autre@certif.fr", Role::Auditor).await;
    let (status, _, _) = post_form(&other, &page, &draft).await;
    assert_eq!(status, 404);

    // The audit recorded from the form, every criterion now assessed: the draft has served.
    let mut all: Vec<(String, String)> = codes
        .iter()
        .map(|c| (format!("finding-{c}"), "conforme".to_owned()))
        .collect();
    all.push(("recommendation".into(), "Attribution recommandée.".into()));
    let version = later
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    all.push(("version".into(), version));
    let fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, path, _) = post_form(&cast.auditor, &page, &fields).await;
    assert_eq!((status, path.as_str()), (200, "/audit"));
    let left = app
        .with_conn(move |c| cyberdir::db::audit_drafts::get(c, &id).unwrap())
        .await;
    assert!(left.is_none(), "the draft is deleted with the audit recorded");
}
