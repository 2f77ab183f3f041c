//! The staff back office and the admin page over HTTP, as a browser without JavaScript uses
//! them: pages fetched with the session cookie, forms posted with the CSRF token read from the
//! page, redirects followed by hand so that each 303 is checked.

use crate::common;

use common::referencing::PDF;

use common::html::decode_entities;
use common::pages::{Browser, hidden_in, tag_attribute};
use common::{Session, TEST_PASSWORD, TestApp};
use cyberdir::auth::Role;
use serde_json::json;

/// A verified account with `role`, signed in with a page browser; and its id.
async fn sign_in(app: &TestApp, email: &str, role: Role) -> (Browser, String) {
    let state = app.state.clone();
    let address = email.to_owned();
    let user = tokio::task::spawn_blocking(move || {
        cyberdir::auth::accounts::create_user(
            &state,
            &address,
            role,
            TEST_PASSWORD,
            "Camille Instruction",
        )
    })
    .await
    .unwrap()
    .expect("create user");
    let browser = Browser::new(&app.address);
    browser.log_in(email).await;
    (browser, user.id)
}

// ---------------------------------------------------------------------------------------------
// Bringing an application to the staff (through the provider's API)

async fn upload(session: &Session, id: &str, kind: &str, filename: &str) {
    let (status, body) =
        common::referencing::upload(session, id, kind, filename, PDF.to_vec()).await;
    assert_eq!(status, 201, "upload of {filename}: {body}");
}

/// A submitted application; its id.
async fn submitted_application(app: &TestApp, owner: &Session) -> String {
    let id = common::referencing::ready_draft(app, owner).await;
    let (status, body) = owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

/// The state as the provider's API reports it.
async fn state_of(owner: &Session, id: &str) -> String {
    let (status, body) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["status"].as_str().unwrap().to_owned()
}

fn action(id: &str, slug: &str) -> String {
    format!("/instruction/dossiers/{id}/actions/{slug}")
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn staff_take_an_application_from_the_queue_to_approval() {
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let id = submitted_application(&app, &owner).await;
    let (staff, _) = sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let dossier = format!("/instruction/dossiers/{id}");

    // The queue: counts per state as tabs, the application in the table.
    let queue = staff.get("/instruction").await;
    assert_eq!(queue.status, 200, "{}", queue.text());
    assert_eq!(queue.content_type, "text/html; charset=utf-8");
    assert_eq!(queue.title(), "File d'instruction – Assistance cyber");
    let text = queue.text();
    assert!(text.contains("Tous 1"), "{text}");
    assert!(text.contains("Déposé 1"), "{text}");
    assert!(text.contains("En cours d'instruction 0"), "{text}");
    assert!(text.contains("1 dossier"), "{text}");
    assert!(
        text.contains("0 demande de modification en attente"),
        "{text}"
    );
    assert!(text.contains("0 courriel en échec"), "{text}");
    assert_eq!(
        queue.row_with("Breizh Cyber"),
        "Breizh Cyber BREIZH CYBER SAS Rennes 35 Déposé 23/11/2026"
    );
    assert_eq!(queue.links("/instruction/dossiers/"), vec![dossier.clone()]);
    assert!(
        queue
            .links("/instruction?")
            .contains(&"/instruction?etat=submitted".to_owned())
    );

    // Filters: état, département (number or name), dates (the last one included).
    for (query, found) in [
        ("?etat=submitted", true),
        ("?etat=approved", false),
        ("?departement=35", true),
        ("?departement=ille-et-vilaine", true),
        ("?departement=29", false),
        ("?du=2026-11-23&au=2026-11-23", true),
        ("?du=2026-11-24", false),
        ("?au=2026-11-22", false),
    ] {
        let page = staff.get(&format!("/instruction{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert_eq!(page.text().contains("BREIZH CYBER SAS"), found, "{query}");
        if !found {
            assert!(
                page.text()
                    .contains("Aucun dossier ne correspond à ces critères."),
                "{query}"
            );
        }
    }
    let wrong = staff
        .get("/instruction?du=31/02/2026&departement=999")
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.title().starts_with("Erreur"));
    let text = wrong.text();
    assert!(
        text.contains("Date invalide : utilisez le format jj/mm/aaaa."),
        "{text}"
    );
    assert!(text.contains("Département inconnu : « 999 »"), "{text}");
    assert!(!text.contains("BREIZH CYBER SAS"));

    // The application: profile, documents, charter, members, trail; one button.
    let page = staff.get(&dossier).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.title(), "Dossier Breizh Cyber – Assistance cyber");
    let text = page.text();
    for expected in [
        "État du dossier : Déposé",
        "Raison sociale BREIZH CYBER SAS",
        "SIRET 73282932000074",
        "12 rue de la Monnaie 35000 Rennes",
        "Dans un rayon de 40 km",
        "Assistance à distance Oui",
        "Particulier, Entreprise ou association",
        "Extrait Kbis Ouvrir le PDF Extrait Kbis « kbis.pdf »",
        "délivré le 23/10/2026",
        "« rc-pro.pdf »",
        "acceptée",
        "gerant@breizh-cyber.fr responsable",
        "Dépôt de la demande Brouillon → Déposé",
        "Création du dossier → Brouillon",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(text.contains(&format!(
        "Charte d'engagement (version {}) : acceptée",
        app.state.charter.version
    )));
    assert!(text.contains("Commencer l'instruction"));
    assert!(!text.contains("Approuver"), "not before the review starts");

    // Each document opens as a PDF in the browser.
    let documents = page.links(&format!("{dossier}/documents/"));
    assert_eq!(documents.len(), 2);
    for href in &documents {
        let response = staff
            .client
            .get(format!("{}{href}", staff.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("inline;"), "{disposition}");
        assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    }
    let missing = staff.get(&format!("{dossier}/documents/nope")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Document introuvable."));

    // Start the review.
    let first = page;
    let started = staff
        .submit(&first, &action(&id, "start-review"), &[])
        .await;
    assert_eq!(started.status, 303);
    assert_eq!(
        started.location.as_deref(),
        Some(format!("{dossier}?info=start-review").as_str())
    );
    let page = staff.follow(&started).await;
    let text = page.text();
    assert!(text.contains("L'instruction a commencé"), "{text}");
    assert!(text.contains("État du dossier : En cours d'instruction"));
    assert!(
        text.contains("Camille Instruction Début de l'instruction Déposé → En cours d'instruction"),
        "{text}"
    );
    for button in ["Demander des modifications", "Approuver", "Refuser"] {
        assert!(text.contains(button), "{button}");
    }
    assert!(!text.contains("Commencer l'instruction"));
    // The reason fields are labelled and required.
    for slug in ["request-changes", "reject"] {
        let form = page.form_source(&action(&id, slug)).unwrap();
        assert!(
            form.contains(&format!(
                "<label for=\"reason-{slug}\">Motif (communiqué au prestataire)</label>"
            )),
            "{form}"
        );
        assert!(form.contains(&format!("<textarea id=\"reason-{slug}\" name=\"reason\"")));
        assert!(form.contains(" required"));
    }
    assert!(
        !page
            .form_source(&action(&id, "approve"))
            .unwrap()
            .contains("textarea")
    );

    // The same start-review form sent twice: the second one is told why nothing happened.
    let again = staff
        .submit(&first, &action(&id, "start-review"), &[])
        .await;
    assert_eq!(again.status, 409, "{}", again.text());
    assert_eq!(
        again.alert().as_deref(),
        Some("Action impossible : le dossier est à l'état « en cours d'instruction ».")
    );

    // Refusing without a reason: 422, the message at the top and by the field, nothing changed.
    let refused = staff
        .submit(&page, &action(&id, "reject"), &[("reason", "   ")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.title().starts_with("Erreur"));
    assert_eq!(
        refused.alert().as_deref(),
        Some("Indiquez le motif : il sera communiqué au prestataire.")
    );
    let form = refused.form_source(&action(&id, "reject")).unwrap();
    assert!(form.contains("aria-invalid=\"true\""));
    assert!(form.contains("id=\"error-reject\""));
    assert!(
        refused
            .text()
            .contains("État du dossier : En cours d'instruction")
    );
    assert_eq!(state_of(&owner, &id).await, "in_review");

    // Asking for changes with a reason: the trail shows it.
    let reason = "Le Kbis date de plus de trois mois : joignez un extrait récent.";
    let asked = staff
        .submit(
            &page,
            &action(&id, "request-changes"),
            &[("reason", reason)],
        )
        .await;
    let page = staff.follow(&asked).await;
    let text = page.text();
    assert!(text.contains("Les modifications sont demandées"), "{text}");
    assert!(text.contains("État du dossier : Modifications demandées"));
    assert!(
        text.contains(&format!(
            "Demande de modifications En cours d'instruction → Modifications demandées {reason}"
        )),
        "{text}"
    );
    assert!(
        text.contains("Aucune décision n'est à prendre dans l'état « Modifications demandées ».")
    );
    assert_eq!(state_of(&owner, &id).await, "changes_requested");

    // Two hours later, the provider sends a new Kbis and resubmits; staff approve.
    app.clock
        .set(common::start_of_tests() + chrono::Duration::hours(2));
    upload(&owner, &id, "kbis", "kbis-recent.pdf").await;
    let (status, _) = owner
        .post(&format!("/api/v1/providers/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let queue = staff.get("/instruction?etat=submitted").await;
    assert!(queue.text().contains("Déposé 1"));
    assert!(queue.text().contains("Modifications demandées 0"));
    let page = staff.get(&dossier).await;
    assert!(page.text().contains("« kbis-recent.pdf »"));
    let page = staff
        .follow(&staff.submit(&page, &action(&id, "start-review"), &[]).await)
        .await;
    let approved = staff.submit(&page, &action(&id, "approve"), &[]).await;
    assert_eq!(
        approved.location.as_deref(),
        Some(format!("{dossier}?info=approve").as_str())
    );
    let page = staff.follow(&approved).await;
    let text = page.text();
    assert!(text.contains("Le dossier est approuvé"), "{text}");
    assert!(text.contains("État du dossier : Référencé"));
    assert!(text.contains("Approbation En cours d'instruction → Référencé"));
    assert_eq!(state_of(&owner, &id).await, "approved");
    let (_, search) = app.get_json("/api/v1/providers?postcode=35000").await;
    assert_eq!(search["results"][0]["id"], id.as_str());

    // A page left open while the provider edits the profile: the decision is refused as stale.
    let open = page;
    let (status, _) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"description": "Assistance aux victimes, 7 jours sur 7."}),
        )
        .await;
    assert_eq!(status, 200);
    let suspend_reason = "Attestation d'assurance expirée.";
    // A suspension is confirmed on a page of its own first, which says what it does and
    // shows the reason; cancelling leads back to the file.
    let asked = staff
        .submit(
            &open,
            &action(&id, "suspend"),
            &[("reason", suspend_reason)],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text());
    assert_eq!(
        asked.title(),
        "Confirmer : suspendre – Assistance cyber",
        "{}",
        asked.text()
    );
    assert!(asked.text().contains(suspend_reason));
    assert!(
        asked
            .text()
            .contains("L'organisation en est informée par courriel")
    );
    assert_eq!(
        asked.attribute("cancel-link", "href").as_deref(),
        Some(format!("/instruction/dossiers/{id}#decision").as_str())
    );
    assert_eq!(
        state_of(&owner, &id).await,
        "approved",
        "nothing done before the confirmation"
    );
    let stale = staff.submit(&asked, &action(&id, "suspend"), &[]).await;
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert_eq!(
        stale.alert().as_deref(),
        Some(
            "Le dossier vient d'être modifié par quelqu'un d'autre : rechargez-le et recommencez."
        )
    );
    assert!(
        stale
            .text()
            .contains("Assistance aux victimes, 7 jours sur 7."),
        "the page is fresh"
    );
    assert!(
        decode_entities(stale.form_source(&action(&id, "suspend")).unwrap())
            .contains(suspend_reason),
        "what was typed is kept"
    );
    assert_eq!(state_of(&owner, &id).await, "approved");
    // The refreshed form carries the new version and goes through.
    let asked = staff
        .submit(
            &stale,
            &action(&id, "suspend"),
            &[("reason", suspend_reason)],
        )
        .await;
    let suspended = staff.submit(&asked, &action(&id, "suspend"), &[]).await;
    assert_eq!(suspended.status, 303, "{}", suspended.text());
    let page = staff.follow(&suspended).await;
    assert!(page.text().contains("État du dossier : Suspendu"));
    assert_eq!(state_of(&owner, &id).await, "suspended");
}

#[tokio::test]
async fn forged_forms_and_other_roles_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let id = submitted_application(&app, &owner).await;
    let (staff, _) = sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let page = staff.get(&format!("/instruction/dossiers/{id}")).await;
    let version = page.hidden(&action(&id, "start-review"), "version");

    // A forged or missing CSRF token, or a post from another site: 403, nothing changed.
    for fields in [
        vec![("csrf_token", "0".repeat(64)), ("version", version.clone())],
        vec![("version", version.clone())],
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = staff.post(&action(&id, "start-review"), &fields).await;
        assert_eq!(answer.status, 403);
        assert!(
            answer.text().contains(
                "Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez."
            ),
            "{}",
            answer.text()
        );
    }
    let cross_site = staff
        .client
        .post(format!("{}{}", staff.base, action(&id, "start-review")))
        .header("origin", "https://evil.example")
        .form(&page.hidden_fields(&action(&id, "start-review")))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status().as_u16(), 403);
    assert_eq!(state_of(&owner, &id).await, "submitted");
    let trail = staff
        .get(&format!("/instruction/dossiers/{id}"))
        .await
        .text();
    assert!(!trail.contains("Début de l'instruction"));

    // A provider account: 403 on every staff page and form, even with its own valid token.
    let provider = Browser::new(&app.address);
    provider.log_in("gerant@breizh-cyber.fr").await;
    for path in [
        "/instruction".to_owned(),
        format!("/instruction/dossiers/{id}"),
        "/instruction/modifications".to_owned(),
        "/instruction/courriels".to_owned(),
        "/admin/utilisateurs".to_owned(),
    ] {
        let page = provider.get(&path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.title().starts_with("Accès refusé"), "{path}");
        assert!(page.alert().unwrap().contains("réservée"), "{path}");
    }
    let forced = provider
        .post(
            &action(&id, "start-review"),
            &[("csrf_token", &owner.csrf_token), ("version", &version)],
        )
        .await;
    assert_eq!(forced.status, 403);
    assert_eq!(state_of(&owner, &id).await, "submitted");

    // Staff are not admins.
    let admin_page = staff.get("/admin/utilisateurs").await;
    assert_eq!(admin_page.status, 403);
    assert!(admin_page.text().contains("réservée aux administrateurs"));

    // Without a session: to the log-in page, and back afterwards.
    let anonymous = Browser::new(&app.address)
        .get("/instruction?etat=submitted")
        .await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/connexion?suite=%2Finstruction%3Fetat%3Dsubmitted")
    );

    // Unknown application or action.
    let unknown = staff.get("/instruction/dossiers/nope").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("Organisation introuvable."));
    let token = page.csrf();
    let unknown = staff
        .post(&action(&id, "submit"), &[("csrf_token", &token)])
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn an_admin_changes_roles_and_disables_accounts_but_not_their_own() {
    let app = TestApp::spawn().await;
    let (admin, admin_id) = sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    let (agent, agent_id) = sign_in(&app, "agent@cyberdir.fr", Role::Provider).await;
    assert_eq!(agent.get("/instruction").await.status, 403);

    let page = admin.get("/admin/utilisateurs").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.title(), "Utilisateurs – Assistance cyber");
    assert!(page.text().contains("2 comptes"));
    let row = page.row_with("agent@cyberdir.fr");
    assert!(row.contains("Camille Instruction"), "{row}");
    assert!(row.contains("Oui Actif"), "{row}");
    assert!(page.row_with("admin@cyberdir.fr").contains("vous"));
    let form = format!("/admin/utilisateurs/{agent_id}");
    assert!(
        page.form_source(&form)
            .unwrap()
            .contains("<option value=\"provider\" selected>Prestataire</option>")
    );
    assert!(
        page.form_source(&format!("/admin/utilisateurs/{admin_id}"))
            .is_none(),
        "no form for one's own account"
    );

    // A forged token changes nothing.
    let forged = admin
        .post(&form, &[("csrf_token", "forged"), ("role", "staff")])
        .await;
    assert_eq!(forged.status, 403);

    // The agent becomes staff: signed out, then sees the back office after logging in again.
    let changed = admin.submit(&page, &form, &[("role", "staff")]).await;
    assert_eq!(
        changed.location.as_deref(),
        Some("/admin/utilisateurs?info=role")
    );
    let page = admin.follow(&changed).await;
    assert!(page.text().contains("Le rôle est modifié"));
    assert!(
        page.form_source(&form)
            .unwrap()
            .contains("<option value=\"staff\" selected>Équipe d&#x27;instruction</option>"),
        "{}",
        page.form_source(&form).unwrap()
    );
    let role = app
        .with_conn({
            let id = agent_id.clone();
            move |c| cyberdir::db::accounts::user_by_id(c, &id)
        })
        .await
        .unwrap()
        .unwrap()
        .role;
    assert_eq!(role, "staff");
    assert_eq!(agent.get("/instruction").await.status, 303, "signed out");
    agent.log_in("agent@cyberdir.fr").await;
    assert_eq!(agent.get("/instruction").await.status, 200);

    // Disabled, then enabled again (the second form of the row).
    let forms = page.forms(&form);
    assert_eq!(forms.len(), 2, "role, and disable");
    assert!(forms[1].contains(">Désactiver<"));
    let asked = admin.submit_form(&hidden_in(forms[1]), &form, &[]).await;
    assert_eq!(asked.status, 200, "asked first");
    assert!(asked.text().contains("Désactiver ce compte ?"));
    assert_eq!(
        agent.get("/instruction").await.status,
        200,
        "not yet disabled"
    );
    let disabled = admin.submit(&asked, &form, &[]).await;
    assert_eq!(disabled.status, 303);
    let page = admin.follow(&disabled).await;
    assert!(page.text().contains("Le compte est désactivé"));
    assert!(page.row_with("agent@cyberdir.fr").contains("Désactivé"));
    assert_eq!(agent.get("/instruction").await.status, 303);
    let forms = page.forms(&form);
    assert!(forms[1].contains(">Réactiver<"));
    let enabled = admin.submit_form(&hidden_in(forms[1]), &form, &[]).await;
    let page = admin.follow(&enabled).await;
    assert!(page.text().contains("Le compte est réactivé"));
    assert!(page.row_with("agent@cyberdir.fr").contains("Actif"));

    // Changing one's own account is refused, with the reason.
    let own = admin
        .post(
            &format!("/admin/utilisateurs/{admin_id}"),
            &[("csrf_token", &page.csrf()), ("role", "provider")],
        )
        .await;
    assert_eq!(own.status, 403);
    assert_eq!(
        own.alert().as_deref(),
        Some(
            "Vous ne pouvez pas modifier votre propre compte : demandez à un autre administrateur."
        )
    );
    assert!(
        own.text().contains("agent@cyberdir.fr"),
        "the list is still shown"
    );
    assert_eq!(admin.get("/admin/utilisateurs").await.status, 200);
}

#[tokio::test]
async fn staff_decide_change_requests_and_resend_failed_emails() {
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let staff_api = app.user("api@cyberdir.fr", Role::Staff).await;
    let id = submitted_application(&app, &owner).await;
    for step in ["start-review", "approve"] {
        let (status, _) = staff_api
            .post(&format!("/api/v1/providers/{id}/{step}"), &json!({}))
            .await;
        assert_eq!(status, 200);
    }
    let (status, body) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"legal_name": "BREIZH CYBER SARL"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (staff, _) = sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    let queue = staff.get("/instruction").await;
    assert!(
        queue
            .text()
            .contains("1 demande de modification en attente")
    );
    let dossier = staff.get(&format!("/instruction/dossiers/{id}")).await;
    assert!(
        dossier
            .text()
            .contains("Une demande de modification du profil attend une décision")
    );

    let page = staff.get("/instruction/modifications").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("1 demande en attente"), "{text}");
    assert!(text.contains("Breizh Cyber"));
    assert!(text.contains("demandée le 23/11/2026 à 10:00"), "{text}");
    assert_eq!(
        page.row_with("Raison sociale"),
        "Raison sociale BREIZH CYBER SAS BREIZH CYBER SARL"
    );
    let request_id = page.links("/instruction/modifications/").len();
    assert_eq!(request_id, 0, "decisions are forms, not links");
    let reject_action = page
        .html
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|a| a.ends_with("/reject"))
        .unwrap()
        .to_owned();
    let approve_action = reject_action.replace("/reject", "/approve");

    // Refusing needs a reason.
    let refused = staff.submit(&page, &reject_action, &[("reason", "")]).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.alert().as_deref(),
        Some("Indiquez le motif du refus : il sera communiqué au prestataire.")
    );
    assert!(refused.text().contains("1 demande en attente"));

    // Approving publishes the new value.
    let approved = staff.submit(&refused, &approve_action, &[]).await;
    let page = staff.follow(&approved).await;
    assert!(page.text().contains("La modification est approuvée"));
    assert!(page.text().contains("Aucune demande en attente."));
    let (_, application) = owner
        .get(&format!("/api/v1/providers/{id}/application"))
        .await;
    assert_eq!(application["legal_name"], "BREIZH CYBER SARL");
    // Deciding again is a conflict, explained.
    let again = staff.submit(&refused, &approve_action, &[]).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.alert().as_deref(),
        Some("Cette demande a déjà été traitée.")
    );

    // A failed email.
    let now = app.clock.now_naive();
    app.with_conn(move |c| {
        cyberdir::db::outbox::insert(
            c,
            &cyberdir::db::outbox::OutboxRow {
                id: "mail-1".into(),
                template: "application_received".into(),
                recipient: "gerant@breizh-cyber.fr".into(),
                subject: "Votre demande de référencement a bien été reçue".into(),
                body_text: "Bonjour".into(),
                body_html: "<p>Bonjour</p>".into(),
                status: cyberdir::db::outbox::OutboxStatus::Failed,
                attempts: 7,
                next_attempt_at: now,
                give_up_at: now,
                claimed_by: None,
                claimed_until: None,
                last_error: Some("550 5.1.1 mailbox unavailable".into()),
                created_at: now,
                sent_at: None,
                request_id: None,
            },
        )
    })
    .await
    .unwrap();
    let queue = staff.get("/instruction").await;
    assert!(queue.text().contains("1 courriel en échec"));
    assert!(
        queue
            .html
            .contains("<a href=\"/instruction/courriels\">1 courriel en échec</a>")
    );
    let page = staff.get("/instruction/courriels").await;
    assert_eq!(page.status, 200);
    let row = page.row_with("mailbox");
    assert!(
        row.starts_with("Votre demande de référencement a bien été reçue Cette adresse n'existe pas : le serveur du destinataire l'a refusée."),
        "the cause in French first: {row}"
    );
    assert!(
        row.contains(
            "Réponse du serveur (7 tentatives) 550 5.1.1 mailbox unavailable 23/11/2026 à 10:00"
        ),
        "{row}"
    );
    assert!(
        !row.contains("Voir la demande"),
        "no case to link to: {row}"
    );
    let resend = "/instruction/courriels/mail-1/renvoyer";
    let forged = staff.post(resend, &[("csrf_token", "x")]).await;
    assert_eq!(forged.status, 403);
    let sent = staff.submit(&page, resend, &[]).await;
    assert_eq!(
        sent.location.as_deref(),
        Some("/instruction/courriels?info=renvoye")
    );
    let after = staff.follow(&sent).await;
    assert!(
        after
            .text()
            .contains("Le courriel est remis dans la file d'envoi")
    );
    assert!(after.text().contains("Aucun courriel en échec."));
    let row = app
        .with_conn(|c| cyberdir::db::outbox::find(c, "mail-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
    let twice = staff.submit(&page, resend, &[]).await;
    assert_eq!(twice.status, 409);
    assert_eq!(
        twice.alert().as_deref(),
        Some("Ce courriel n'est plus en échec : il a déjà été renvoyé.")
    );
}

#[tokio::test]
async fn the_queue_is_paginated_and_keeps_its_filters() {
    let app = TestApp::spawn().await;
    for i in 0..25 {
        let mut p = common::provider(
            &format!("p{i:02}"),
            48.1,
            -1.7,
            cyberdir::domain::zone::Zone::National,
        );
        p.status = cyberdir::domain::provider::ReferencingStatus::Submitted;
        app.insert(p).await;
    }
    let mut other = common::provider("autre", 43.3, 5.4, cyberdir::domain::zone::Zone::National);
    other.postcode = "13001".into();
    app.insert(other).await;
    let (staff, _) = sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;

    let first = staff
        .get("/instruction?etat=submitted&departement=35")
        .await;
    assert_eq!(first.status, 200);
    let text = first.text();
    assert!(text.contains("25 dossiers"), "{text}");
    assert!(text.contains("Page 1 sur 2"), "{text}");
    assert_eq!(first.links("/instruction/dossiers/").len(), 20);
    // Page 2 by its number and as "Page suivante".
    let next = first.links("/instruction?etat=submitted&departement=35&page=2");
    assert_eq!(next.len(), 2, "{text}");
    let second = staff.get(&next[0]).await;
    assert!(second.text().contains("Page 2 sur 2"));
    assert_eq!(second.links("/instruction/dossiers/").len(), 5);
    let previous = second
        .html
        .split("<a ")
        .find(|tag| tag.contains("rel=\"prev\""))
        .and_then(|tag| tag_attribute(&format!(" {tag}"), "href"));
    assert_eq!(
        previous.as_deref(),
        Some("/instruction?etat=submitted&departement=35"),
        "back to the first page, with the filters"
    );
    let all = staff.get("/instruction").await.text();
    assert!(all.contains("Tous 26"), "{all}");
    assert!(all.contains("Référencé 1"), "{all}");
}

/// Issue 24, item 20: a SIRET removed for cause is not free again. A new file with the SIRET
/// of an organisation staff removed goes to staff like any other, and its review page shows
/// who held the SIRET, when it was removed and why.
#[tokio::test]
async fn a_file_with_the_siret_of_an_organisation_removed_for_cause_shows_its_history() {
    let app = TestApp::spawn().await;
    let mut fraud = common::provider(
        "fraudeur",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    );
    fraud.siret = "73282932000074".into();
    app.insert(fraud).await;
    let staff = app.user("equipe@cyberdir.fr", Role::Staff).await;
    let (status, removed) = staff
        .post(
            "/api/v1/providers/fraudeur/remove",
            &json!({"reason": "Attestation d'assurance falsifiée"}),
        )
        .await;
    assert_eq!(status, 200, "{removed}");
    let owner = app.user("gerant@nouvelle.fr", Role::Provider).await;
    let id = submitted_application(&app, &owner).await;
    let (browser, _) = sign_in(&app, "instruction@cyberdir.fr", Role::Staff).await;
    let page = browser.get(&format!("/instruction/dossiers/{id}")).await;
    assert_eq!(page.status, 200);
    let history = page.element("siret-history").expect("the SIRET's history");
    let text = decode_entities(&history);
    assert!(text.contains("Prestataire fraudeur"), "{text}");
    assert!(text.contains("Attestation d'assurance falsifiée"), "{text}");
    assert_eq!(
        page.link("Prestataire fraudeur").as_deref(),
        Some("/instruction/dossiers/fraudeur")
    );
    // The removed organisation's own file shows no such warning.
    let own = browser.get("/instruction/dossiers/fraudeur").await;
    assert_eq!(own.status, 200);
    assert!(!own.has("siret-history"));
}
