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
    let id = common::label::scheduled(&app, &cast.member, &cast.staff, &cast.auditor_id).await;
    let codes = common::label::criteria(&app);
    let page = format!("/audit/{id}");
    let gap = "Aucune procédure de sauvegarde hors ligne.";

    // Two criteria of fourteen, and a start of recommendation: saved as a draft.
    let (c1, c2) = (
        format!("finding-{}", codes[0]),
        format!("finding-{}", codes[1]),
    );
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
    assert!(
        refused.contains("Choisissez une évaluation proposée"),
        "{refused}"
    );
    let top = refused
        .split("id=\"error-summary\"")
        .nth(1)
        .expect("a summary at the top");
    assert!(
        top.contains(&format!("<a href=\"#critere-{}\">", codes[0])),
        "it links to the criterion: {top}"
    );
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
    assert!(
        left.is_none(),
        "the draft is deleted with the audit recorded"
    );
}

/// Posts the audit report form: (status, final path, HTML).
async fn attach(
    app: &TestApp,
    session: &common::Session,
    id: &str,
    name: &str,
    bytes: &[u8],
) -> (u16, String, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", session.csrf_token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    let response = session
        .client
        .post(app.url(&format!("/audit/{id}/rapport")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let path = response.url().path().to_owned();
    (status, path, response.text().await.unwrap())
}

#[tokio::test]
async fn the_auditor_attaches_the_audit_report_as_a_pdf_which_staff_read_and_the_provider_does_not()
{
    let app = TestApp::spawn().await;
    let cast = common::label::cast(&app).await;
    let id = common::label::filled_application(&app, &cast.member).await;
    let step = |who, action, body| common::label::step(who, &id, action, body);
    assert_eq!(step(&cast.member, "submit", json!({})).await.0, 200);
    common::label::admissible(&cast, &id).await;
    // Before the audit is scheduled, there is no report to join.
    let (status, _, _) = attach(
        &app,
        &cast.auditor,
        &id,
        "rapport.pdf",
        common::referencing::PDF,
    )
    .await;
    assert_eq!(status, 404, "not yet the auditor's application");
    let (status, body) = step(
        &cast.staff,
        "schedule-audit",
        json!({"auditor_id": cast.auditor_id, "audit_date": app.clock.today().to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A file that is not a PDF is refused beside the field.
    let (status, _, refused) = attach(
        &app,
        &cast.auditor,
        &id,
        "rapport.pdf",
        b"MZ\x90\x00 not a pdf",
    )
    .await;
    assert_eq!(status, 422);
    let said = common::html::visible_text(&refused);
    assert!(said.contains("ce fichier n'en est pas un"), "{said}");
    assert!(
        refused.contains("<a href=\"#report\">"),
        "the summary at the top links to the field"
    );
    assert!(refused.contains("Aucun rapport joint."));

    let (status, path, joined) = attach(
        &app,
        &cast.auditor,
        &id,
        "rapport-audit-presta.pdf",
        common::referencing::PDF,
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (200, format!("/audit/{id}").as_str())
    );
    assert!(
        common::html::visible_text(&joined).contains("Rapport d'audit joint :"),
        "{joined}"
    );
    assert!(joined.contains("rapport-audit-presta.pdf"));

    // Staff read it beside the findings once the audit is recorded.
    let (status, body) = step(
        &cast.auditor,
        "record-audit",
        common::label::findings(&app, &[]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, staff_page) = html(&cast.staff, &format!("/instruction/label/{id}")).await;
    let href = format!("/label/{id}/rapport-audit");
    assert!(staff_page.contains(&href), "{staff_page}");
    let download = cast.staff.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(
        download.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        common::referencing::PDF
    );

    // The provider and another auditor cannot read it.
    let member = cast.member.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(member.status().as_u16(), 404);
    let other = app.user("autre@certif.fr", Role::Auditor).await;
    let theirs = other.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(theirs.status().as_u16(), 404);
}
