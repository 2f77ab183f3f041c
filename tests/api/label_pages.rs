//! The label's pages: the auditor's per-criterion form in headless Chromium, and the provider's,
//! staff's and public pages over HTTP as a browser without JavaScript uses them.

use crate::common;

use common::referencing::PDF;

use common::browser::Browser;
use common::label::scheduled;
use common::{Session, TestApp, label, provider};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;
use serde_json::{Value, json};

#[tokio::test]
async fn an_auditor_records_an_audit_criterion_by_criterion_in_the_browser() {
    let app = TestApp::spawn().await;
    app.insert(provider("presta", 48.11, -1.68, Zone::National))
        .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;
    let id = scheduled(&app, &member, &staff, &auditor.user_id).await;

    let browser = Browser::start().await;
    browser.sign_in(&app, "auditrice@certif.fr").await;
    browser.wait_for_text("Mes audits ExpertCyber").await;
    browser.click(&format!("a[href=\"/audit/{id}\"]")).await;
    browser.wait_for_text("Audit de Prestataire presta").await;
    // The provider's answer is shown next to each criterion.
    browser
        .wait_for_text("Notre réponse au critère COMP-04")
        .await;

    // Sending the form untouched lists every criterion to evaluate.
    browser.click("#audit-form button[type=submit]").await;
    let summary = browser
        .wait_for(
            "the error summary",
            "const e = document.getElementById('error-summary'); return e && e.innerText;",
            vec![],
        )
        .await;
    assert!(summary.as_str().unwrap().contains("ADM-01"), "{summary}");
    assert!(summary.as_str().unwrap().contains("QUAL-03"), "{summary}");

    // Everything conforme except a major non-conformity without its comment.
    let codes: Vec<String> = app
        .state
        .criteria
        .criteria()
        .map(|c| c.code.to_lowercase())
        .collect();
    for code in &codes {
        let finding = if code == "eng-02" {
            "non_conformite_majeure"
        } else {
            "conforme"
        };
        browser.click(&format!("#finding-{code}-{finding}")).await;
    }
    browser
        .type_into("#recommendation", "Attribution après correction de ENG-02.")
        .await;
    browser.click("#audit-form button[type=submit]").await;
    let error = browser
        .wait_for(
            "the message next to ENG-02",
            // The previous page also had a message there: wait for the new one.
            "const e = document.getElementById('findings-eng-02-error'); return e && e.innerText.includes('écart') && e.innerText;",
            vec![],
        )
        .await;
    assert!(error.as_str().unwrap().contains("écart"), "{error}");
    // The choices made are kept.
    let kept = browser
        .js("return document.getElementById('finding-adm-01-conforme').checked && document.getElementById('finding-eng-02-non_conformite_majeure').checked;", vec![])
        .await;
    assert_eq!(kept, json!(true));
    browser
        .type_into(
            "#comment-findings-eng-02",
            "Aucune procédure de préservation des preuves.",
        )
        .await;
    browser.click("#audit-form button[type=submit]").await;
    browser.wait_for_text("L'audit est enregistré").await;
    browser.close().await;

    let (_, view) = member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(view["status"], "corrective_actions");
    let eng02 = view["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "ENG-02")
        .unwrap()
        .clone();
    assert_eq!(eng02["finding"]["finding"], "non_conformite_majeure");
    assert_eq!(
        eng02["finding"]["comment"],
        "Aucune procédure de préservation des preuves."
    );
    assert_eq!(
        view["recommendation"],
        "Attribution après correction de ENG-02."
    );
}

/// The page's HTML, following no redirect.
pub(crate) async fn html(session: &Session, path: &str) -> (u16, String) {
    let response = session
        .client
        .get(format!("{}{path}", session.base))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Posts a form with the session's CSRF token, following the redirect as a browser does:
/// (status, final path, HTML).
pub(crate) async fn post_form(
    session: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", &session.csrf_token)];
    all.extend_from_slice(fields);
    let response = session
        .client
        .post(format!("{}{path}", session.base))
        .form(&all)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.url().path().to_owned();
    (status, location, response.text().await.unwrap())
}

#[tokio::test]
async fn a_provider_applies_from_the_portal_and_staff_decide_from_the_back_office() {
    let app = TestApp::spawn().await;
    app.insert(provider("presta", 48.11, -1.68, Zone::National))
        .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let auditor = app.user("auditrice@certif.fr", Role::Auditor).await;

    let (status, overview) = html(&member, "/espace/organisations/presta/label").await;
    assert_eq!(status, 200);
    assert!(overview.contains("Demander le label"));
    let (status, url, page) = post_form(&member, "/espace/organisations/presta/label", &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        url.starts_with("/espace/organisations/presta/label/"),
        "{url}"
    );
    assert!(page.contains("Votre demande est ouverte"));
    let id = url.rsplit('/').next().unwrap().to_owned();

    // Submitting with nothing answered: each criterion gets its message next to it.
    let (status, _, page) = post_form(&member, &format!("{url}/actions/submit"), &[]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("id=\"answers-adm-01-error\""),
        "message next to the field"
    );
    assert!(page.contains("aria-invalid=\"true\""));

    // Answers typed in the form, evidence uploaded, then submitted.
    let codes: Vec<String> = app
        .state
        .criteria
        .criteria()
        .map(|c| c.code.clone())
        .collect();
    let names: Vec<String> = codes.iter().map(|c| format!("answer-{c}")).collect();
    let mut fields: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "Nous le faisons."))
        .collect();
    fields.retain(|(n, _)| *n != "answer-QUAL-02");
    let (status, _, page) = post_form(&member, &format!("{url}/reponses"), &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Vos réponses sont enregistrées."));
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", member.csrf_token.clone())
        .text("criterion", "QUAL-02")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("rapports.pdf"),
        );
    let response = member
        .client
        .post(app.url(&format!("{url}/pieces")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("rapports.pdf"),
        "the piece is listed under its criterion"
    );
    let (status, _, page) = post_form(&member, &format!("{url}/actions/submit"), &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Votre demande est déposée"));

    // Staff: the queue counts it, the application page decides.
    let (_, queue) = html(&staff, "/instruction/label").await;
    assert!(
        queue.contains("Prestataire presta") && queue.contains("déposée"),
        "{queue}"
    );
    let review = format!("/instruction/label/{id}");
    // One next step is offered, not three.
    let (_, page) = html(&staff, &review).await;
    assert!(page.contains("/actions/start-admissibility"), "{page}");
    assert!(!page.contains("/actions/mark-incomplete"));
    assert!(!page.contains("/actions/mark-admissible"));
    let (status, _, _) = post_form(
        &staff,
        &format!("{review}/actions/start-admissibility"),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, page) =
        post_form(&staff, &format!("{review}/actions/mark-incomplete"), &[]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Indiquez ce qui manque"),
        "asks for the reason"
    );
    let (status, _, page) =
        post_form(&staff, &format!("{review}/actions/mark-admissible"), &[]).await;
    assert_eq!(status, 200);
    // The success message names the state reached, not the button pressed.
    assert!(
        page.contains("la demande est maintenant « recevable »"),
        "{page}"
    );
    assert!(!page.contains("à l'état suivant"));
    let (status, _, page) = post_form(
        &staff,
        &format!("{review}/actions/schedule-audit"),
        &[("auditor_id", ""), ("audit_date", "2026-11-23")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"auditor_id-error\""));
    let (status, _, page) = post_form(
        &staff,
        &format!("{review}/actions/schedule-audit"),
        &[
            ("auditor_id", &auditor.user_id),
            ("audit_date", "2026-11-23"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("le 23/11/2026 par Utilisateur de test"),
        "{page}"
    );
    // The audit recorded clean; the fee; the grant.
    let findings: Vec<Value> = codes
        .iter()
        .map(|c| json!({"criterion": c, "finding": "conforme"}))
        .collect();
    let (status, _) = auditor
        .post(
            &format!("/api/v1/label-applications/{id}/record-audit"),
            &json!({"findings": findings, "recommendation": "Favorable."}),
        )
        .await;
    assert_eq!(status, 200);
    // Granting is asked first, on a page of its own (without JavaScript).
    let (status, _, page) = post_form(&staff, &format!("{review}/actions/grant"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Attribuer le label ?"), "{page}");
    assert!(page.contains("name=\"confirme\" value=\"oui\""), "{page}");
    let (status, _, page) = post_form(
        &staff,
        &format!("{review}/actions/grant"),
        &[("confirme", "oui")],
    )
    .await;
    assert_eq!(status, 409, "fee pending: {page}");
    assert!(page.contains("frais"));
    let (status, _, _) = post_form(
        &staff,
        &format!("{review}/frais"),
        &[("fee_status", "paid")],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, page) = post_form(
        &staff,
        &format!("{review}/actions/grant"),
        &[("confirme", "oui")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("EC-2026-0001"));

    // The provider sees the label and its expiry; the public can verify it.
    let (_, overview) = html(&member, "/espace/organisations/presta/label").await;
    assert!(
        overview.contains("EC-2026-0001") && overview.contains("22/11/2028"),
        "{overview}"
    );
    let public = app.get("/labels/EC-2026-0001").await;
    assert_eq!(public.status().as_u16(), 200);
    let text = public.text().await.unwrap();
    assert!(
        text.contains("Ce label est <strong>valide</strong>") && text.contains("73282932000074")
    );
    let (_, profile) = app.get_json("/api/v1/providers/presta").await;
    assert_eq!(profile["expertcyber"]["status"], "valid");
}

#[tokio::test]
async fn the_public_verification_page_says_valid_suspended_expired_or_unknown() {
    let app = TestApp::spawn().await;
    for (id, number, from, status) in [
        ("a", "EC-2026-0001", (2026, 1, 5), "valid"),
        ("b", "EC-2026-0002", (2026, 1, 5), "suspended"),
        ("c", "EC-2024-0003", (2024, 6, 1), "valid"),
    ] {
        let mut p = provider(id, 48.11, -1.68, Zone::National);
        p.label = Some(label(number, from, status));
        app.insert(p).await;
    }
    for (number, code, expected) in [
        ("EC-2026-0001", 200, "Ce label est <strong>valide</strong>"),
        ("EC-2026-0002", 200, "il est suspendu"),
        ("EC-2024-0003", 200, "il est expiré"),
        ("EC-2019-9999", 404, "Label introuvable"),
    ] {
        let response = app.get(&format!("/labels/{number}")).await;
        assert_eq!(response.status().as_u16(), code, "{number}");
        let text = response.text().await.unwrap();
        assert!(text.contains(expected), "{number}: {text}");
    }
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let (status, lists) = html(&staff, "/instruction/labels").await;
    assert_eq!(status, 200);
    assert!(
        lists.contains("EC-2026-0002"),
        "the suspended label is listed"
    );
    let member = app.member_of("a", "x@a.fr").await;
    let (status, _) = html(&member, "/instruction/labels").await;
    assert_eq!(status, 403);
    let (status, _) = html(&member, "/audit").await;
    assert_eq!(status, 403);
}

/// Issue 24, item 23: the label application never loses typed answers. In Chromium, a member
/// types every answer, uploads a piece (without saving first), then submits: every answer is
/// there, saved, and the piece too.
#[tokio::test]
async fn answers_typed_on_the_label_page_survive_an_upload_and_the_submission() {
    let app = TestApp::spawn().await;
    app.insert(provider("presta", 48.11, -1.68, Zone::National))
        .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let (status, created) = member
        .post("/api/v1/providers/presta/label-applications", &json!({}))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let codes = common::label::criteria(&app);

    let browser = Browser::start().await;
    browser.sign_in(&app, "gerante@presta.fr").await;
    browser
        .goto(&app.url(&format!("/espace/organisations/presta/label/{id}")))
        .await;
    browser.wait_for_text("Critères du référentiel").await;
    for code in &codes {
        browser
            .type_into(
                &format!("textarea[name=\"answer-{code}\"]"),
                &format!("Réponse saisie pour {code}."),
            )
            .await;
    }
    // A piece, uploaded before any save.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("procedure.pdf");
    std::fs::write(&pdf, common::referencing::PDF).unwrap();
    let input = browser
        .client
        .find(fantoccini::Locator::Css("#evidence_file"))
        .await
        .unwrap();
    input.send_keys(pdf.to_str().unwrap()).await.unwrap();
    browser.click("button[formaction$=\"/pieces\"]").await;
    browser
        .wait_for_text("La pièce justificative est déposée.")
        .await;
    for code in &codes {
        let value = browser
            .js(
                "return document.querySelector(arguments[0]).value;",
                vec![json!(format!("textarea[name=\"answer-{code}\"]"))],
            )
            .await;
        assert_eq!(
            value,
            json!(format!("Réponse saisie pour {code}.")),
            "{code}"
        );
    }
    // One more change, then straight to the submission: it is saved with it.
    let last = codes.last().unwrap();
    browser
        .type_into(
            &format!("textarea[name=\"answer-{last}\"]"),
            "Réponse complétée juste avant l'envoi.",
        )
        .await;
    browser
        .click("button[formaction$=\"/actions/submit\"]")
        .await;
    browser.wait_for_text("Votre demande est déposée").await;
    let (_, application) = member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert_eq!(application["status"], "submitted", "{application}");
    let text = application.to_string();
    for code in &codes[..codes.len() - 1] {
        assert!(
            text.contains(&format!("Réponse saisie pour {code}.")),
            "{code}: {application}"
        );
    }
    assert!(
        text.contains("Réponse complétée juste avant l'envoi."),
        "{application}"
    );
    assert!(text.contains("procedure.pdf"), "{application}");
    browser.close().await;
}

/// Issue 25, the page kit: a page handler answers its error with `?`; the error page is the
/// French one, with the signed-in visitor's menu and the way back to their label area, and
/// the status of the error. Anonymous visitors are sent to the log-in page, not shown it.
#[tokio::test]
async fn a_label_page_error_is_the_french_page_with_the_visitors_menu_and_way_back() {
    let app = TestApp::spawn().await;
    app.insert(provider("presta", 48.11, -1.68, Zone::National))
        .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let (status, page) = html(&member, "/espace/organisations/presta/label/inconnue").await;
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("Demande de label introuvable."), "{page}");
    assert!(
        page.contains("Se déconnecter"),
        "the visitor's menu: {page}"
    );
    assert!(
        page.contains("href=\"/espace\"") && page.contains("Revenir à mon espace"),
        "the way back to the label area: {page}"
    );
    // Another organisation's label area: as if it did not exist, on the same page.
    app.insert(provider("autre", 48.11, -1.68, Zone::National))
        .await;
    let (status, page) = html(&member, "/espace/organisations/autre/label").await;
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("Organisation introuvable."), "{page}");
    assert!(page.contains("Se déconnecter"), "{page}");
    // Without a session, the log-in page and back.
    let response = app.get("/espace/organisations/presta/label/inconnue").await;
    assert_eq!(response.status().as_u16(), 200, "redirects are followed");
    assert!(response.url().path().starts_with("/connexion"));
}

/// Issue 25, the page kit: the role extractors refuse before the handler runs, with the
/// French page and the visitor's menu: staff in the provider portal, a provider in the
/// auditors' pages, a provider in the staff's label queue.
#[tokio::test]
async fn each_area_refuses_the_other_roles_with_its_page() {
    let app = TestApp::spawn().await;
    app.insert(provider("presta", 48.11, -1.68, Zone::National))
        .await;
    let member = app.member_of("presta", "gerante@presta.fr").await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    for (who, path, message) in [
        (
            &staff,
            "/espace/organisations/presta",
            "L'espace prestataire est réservé aux comptes prestataires.",
        ),
        (
            &member,
            "/audit",
            "Ces pages sont réservées aux auditeurs de l'organisme certificateur.",
        ),
        (
            &member,
            "/instruction/demandes/inconnue",
            "Cette page est réservée à l'équipe d'instruction.",
        ),
    ] {
        let (status, page) = html(who, path).await;
        assert_eq!(status, 403, "{path}: {page}");
        let escaped = message.replace('\'', "&#x27;");
        assert!(page.contains(&escaped), "{path}: {page}");
        assert!(page.contains("Se déconnecter"), "{path}: the menu");
    }
}

#[tokio::test]
async fn staff_see_the_audit_findings_before_deciding_and_every_valid_label() {
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
    let minor = codes[1].clone();
    let (status, body) = step(
        &cast.auditor,
        "record-audit",
        common::label::findings(&app, &[(minor.as_str(), "non_conformite_mineure")]),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, page) = html(&cast.staff, &format!("/instruction/label/{id}")).await;
    assert_eq!(status, 200);
    let summary = page
        .split("id=\"findings\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a findings summary");
    let text = common::html::visible_text(summary);
    let conform = codes.len() - 1;
    assert!(text.contains(&format!("Conforme : {conform}")), "{text}");
    assert!(text.contains("Non-conformité mineure : 1"), "{text}");
    assert!(text.contains(&minor), "the gap is named: {text}");
    assert!(text.contains("Procédure absente."), "{text}");

    // Every valid label is listed, not only those expiring, suspended or withdrawn.
    app.insert({
        let mut p = provider("labellise", 48.1, -1.7, Zone::National);
        p.label = Some(label("EC-2026-0007", (2026, 1, 15), "valid"));
        p
    })
    .await;
    let (status, labels) = html(&cast.staff, "/instruction/labels").await;
    assert_eq!(status, 200);
    let valid = labels
        .split("id=\"labels-register\"")
        .nth(1)
        .expect("the register, valid labels by default");
    assert!(valid.contains("EC-2026-0007"), "{labels}");
    assert!(common::html::visible_text(&labels).contains("1 label valide"));
}
