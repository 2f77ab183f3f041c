//! The provider portal driven as a browser without JavaScript would: pages fetched over HTTP with
//! a cookie-keeping client, forms posted with the CSRF token read from the page, and assertions
//! on what the user sees (texts, messages next to fields, links).

use crate::common;

use common::referencing::PDF;

use common::pages::{Browser, Page};
use common::{SmtpSink, TestApp, start_of_tests, token_in};
use cyberdir::auth::Role;
use serde_json::json;

const REASON: &str = "Le Kbis date de plus de trois mois.";

/// Creates an organisation from the portal home; its page's path.
async fn create_organisation(browser: &Browser, name: &str) -> String {
    let home = browser.get("/espace").await;
    assert_eq!(home.status, 200, "{}", home.text());
    let created = browser
        .post(
            "/espace/organisations",
            &[("csrf_token", &home.csrf()), ("name", name)],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.location.unwrap();
    let path = location.split('?').next().unwrap().to_owned();
    assert!(path.starts_with("/espace/organisations/"), "{location}");
    path
}

fn profile_form(token: &str, siret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", token.to_owned()),
        ("legal_name", "BREIZH CYBER SAS".into()),
        ("name", "Breizh Cyber".into()),
        ("siret", siret.to_owned()),
        ("address_line", "12 rue de la Monnaie".into()),
        ("postcode", "35000".into()),
        ("city", "Rennes".into()),
        ("phone", "02 99 12 34 56".into()),
        ("email", "contact@breizh-cyber.fr".into()),
        ("website", "https://www.breizh-cyber.fr".into()),
        (
            "description",
            "Assistance aux victimes de rançongiciels en Ille-et-Vilaine depuis 2012.".into(),
        ),
        ("audiences", "particulier".into()),
        ("audiences", "entreprise".into()),
        ("incident_types", "rancongiciel".into()),
        ("incident_types", "hameconnage".into()),
        ("remote", "oui".into()),
        ("zone_kind", "radius".into()),
        ("radius_km", "40".into()),
        ("departements", String::new()),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Fills the profile, uploads both documents and accepts the charter, through the pages.
async fn complete(browser: &Browser, path: &str) {
    let page = browser.get(path).await;
    let token = page.csrf();
    let saved = browser
        .post(
            &format!("{path}/profil"),
            &pairs(&profile_form(&token, "732 829 320 00074")),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    for (kind, file) in [("kbis", "kbis.pdf"), ("insurance", "rc-pro.pdf")] {
        let uploaded = browser
            .upload(&format!("{path}/documents"), &token, kind, file, PDF)
            .await;
        assert_eq!(uploaded.status, 303, "{}", uploaded.text());
    }
    let page = browser.get(path).await;
    let version = page.value("charter_version");
    let accepted = browser
        .post(
            &format!("{path}/charte"),
            &[("csrf_token", &token), ("version", &version)],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text());
}

async fn submit(browser: &Browser, path: &str) -> Page {
    let page = browser.get(path).await;
    let version = page.value("submit_version");
    browser
        .post(
            &format!("{path}/actions/submit"),
            &[("csrf_token", &page.csrf()), ("version", &version)],
        )
        .await
}

fn id_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn a_provider_creates_completes_and_submits_an_application() {
    let app = TestApp::spawn().await;
    let browser = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;

    // The portal home: no organisation yet, a form to create one.
    let home = browser.get("/espace").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Créer une organisation"));
    let refused = browser
        .post(
            "/espace/organisations",
            &[("csrf_token", &home.csrf()), ("name", "B")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.element("create_name-error").as_deref(),
        Some("Nom commercial : entre 2 et 120 caractères.")
    );
    assert_eq!(
        refused.attribute("create_name", "aria-invalid").as_deref(),
        Some("true")
    );

    let created = browser
        .post(
            "/espace/organisations",
            &[("csrf_token", &home.csrf()), ("name", "Breizh Cyber")],
        )
        .await;
    let path = created
        .location
        .as_deref()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = browser.follow(&created).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Votre organisation est créée"), "{text}");
    assert!(text.contains("État de la demande : brouillon"), "{text}");
    assert_eq!(page.value("name"), "Breizh Cyber");
    assert_eq!(
        page.attribute("profile_form", "action"),
        Some(format!("{path}/profil"))
    );
    let token = page.csrf();

    let home = browser.get("/espace").await;
    assert!(home.text().contains("Breizh Cyber"));
    assert!(home.text().contains("État de la demande : brouillon"));
    assert_eq!(home.link("Breizh Cyber").as_deref(), Some(path.as_str()));

    // Submitting too early lists what is missing, in French, at the top.
    let early = submit(&browser, &path).await;
    assert_eq!(early.status, 422);
    let summary = early.element("summary").unwrap();
    assert!(
        summary.starts_with("Votre demande ne peut pas encore être déposée"),
        "{summary}"
    );
    for missing in [
        "Indiquez la raison sociale.",
        "Indiquez le numéro SIRET.",
        "Ajoutez un extrait Kbis (PDF).",
        "Ajoutez l'attestation d'assurance de responsabilité civile professionnelle (PDF).",
        "Acceptez la charte d'engagement",
    ] {
        assert!(summary.contains(missing), "{missing} in {summary}");
    }
    assert_eq!(
        early.link("Indiquez le numéro SIRET.").as_deref(),
        Some("#siret")
    );

    // An invalid SIRET: 422, the message under the field, the typed values kept, nothing saved.
    let invalid = browser
        .post(
            &format!("{path}/profil"),
            &pairs(&profile_form(&token, "732 829 320 00075")),
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.element("siret-error").as_deref(),
        Some("Le SIRET n'est pas valide (clé de contrôle incorrecte).")
    );
    assert_eq!(
        invalid.attribute("siret", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(
        invalid
            .attribute("siret", "aria-describedby")
            .unwrap()
            .contains("siret-error")
    );
    assert_eq!(invalid.value("siret"), "732 829 320 00075");
    assert_eq!(invalid.value("legal_name"), "BREIZH CYBER SAS");
    assert!(invalid.checked("incident_types_rancongiciel"));
    assert_eq!(invalid.value("radius_km"), "40");
    assert!(
        invalid
            .element("summary")
            .unwrap()
            .contains("Le formulaire contient des erreurs")
    );
    assert_eq!(
        invalid
            .link("Le SIRET n'est pas valide (clé de contrôle incorrecte).")
            .as_deref(),
        Some("#siret")
    );
    assert!(invalid.text().contains("Erreur :"), "the title says so");
    let unchanged = browser.get(&path).await;
    assert_eq!(unchanged.value("legal_name"), "");
    assert_eq!(unchanged.value("siret"), "");
    assert!(!unchanged.checked("incident_types_rancongiciel"));

    // Fixed.
    let saved = browser
        .post(
            &format!("{path}/profil"),
            &pairs(&profile_form(&token, "732 829 320 00074")),
        )
        .await;
    let page = browser.follow(&saved).await;
    assert!(page.text().contains("Votre profil est enregistré."));
    assert_eq!(page.value("legal_name"), "BREIZH CYBER SAS");
    assert_eq!(page.value("siret"), "73282932000074");
    assert!(page.checked("audiences_entreprise"));
    assert!(!page.checked("audiences_collectivite"));
    assert!(page.checked("incident_types_hameconnage"));
    assert!(page.checked("remote"));
    assert!(page.checked("zone_kind_radius"));
    assert_eq!(page.value("radius_km"), "40");
    assert!(
        page.element("checklist")
            .unwrap()
            .contains("Fait Profil complet")
    );

    // Documents: a file that is not a PDF is refused beside the file input.
    let not_pdf = browser
        .upload(
            &format!("{path}/documents"),
            &token,
            "kbis",
            "kbis.pdf",
            b"PK\x03\x04 a zip",
        )
        .await;
    assert_eq!(not_pdf.status, 422);
    assert_eq!(
        not_pdf.element("document_file-error").as_deref(),
        Some("Le fichier n'est pas un PDF valide : seuls les documents PDF sont acceptés.")
    );
    assert!(not_pdf.text().contains("Aucun document déposé"));
    let kbis = browser
        .upload(
            &format!("{path}/documents"),
            &token,
            "kbis",
            "kbis.pdf",
            PDF,
        )
        .await;
    let page = browser.follow(&kbis).await;
    assert!(page.text().contains("Le document est déposé."));
    let insurance = browser
        .upload(
            &format!("{path}/documents"),
            &token,
            "insurance",
            "attestation été.pdf",
            PDF,
        )
        .await;
    let page = browser.follow(&insurance).await;
    let documents = page.element("documents-list").unwrap();
    assert!(documents.contains("Extrait Kbis"), "{documents}");
    assert!(
        documents.contains("Attestation d'assurance de responsabilité civile professionnelle"),
        "{documents}"
    );
    let download = page.link("Télécharger kbis.pdf").unwrap();
    let pdf = browser.get(&download).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.bytes, PDF);
    let accented = browser
        .get(&page.link("Télécharger attestation été.pdf").unwrap())
        .await;
    assert_eq!(accented.status, 200, "a file name with accents downloads");

    // The charter, then the submission.
    let charter = page.element("charte").unwrap();
    assert!(charter.contains(&app.state.charter.title));
    assert!(charter.contains(&app.state.charter.commitments[0]));
    let accepted = browser
        .post(
            &format!("{path}/charte"),
            &[
                ("csrf_token", &token),
                ("version", &page.value("charter_version")),
            ],
        )
        .await;
    let page = browser.follow(&accepted).await;
    assert!(
        page.text()
            .contains("Vous avez accepté la charte en vigueur")
    );
    assert!(page.text().contains("Tout est prêt"));

    let submitted = submit(&browser, &path).await;
    let page = browser.follow(&submitted).await;
    let text = page.text();
    assert!(text.contains("État de la demande : déposé"), "{text}");
    assert!(text.contains("Votre demande est déposée."), "{text}");
    assert!(
        !page.has("profile_form"),
        "the profile is read-only during the review"
    );
    assert!(text.contains("BREIZH CYBER SAS"));
    let history = page.element("timeline").unwrap();
    assert!(history.contains("Demande déposée par Utilisateur de test"));
    assert!(history.contains("brouillon → déposé"));
    assert!(history.contains("Dépôt de l'extrait Kbis"));
    assert!(
        history.contains("23/11/2026 à 10:00"),
        "Paris time: {history}"
    );
    assert!(!page.has("submit_version"), "nothing more to submit");
    assert!(
        browser
            .get("/espace")
            .await
            .text()
            .contains("État de la demande : déposé")
    );
}

#[tokio::test]
async fn a_forged_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let browser = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let path = create_organisation(&browser, "Breizh Cyber").await;
    let forged = "0".repeat(64);

    let mut form = profile_form(&forged, "732 829 320 00074");
    let refused = browser.post(&format!("{path}/profil"), &pairs(&form)).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text()
            .contains("Le formulaire a expiré ou ne vient pas de ce site"),
        "{}",
        refused.text()
    );
    form.retain(|(k, _)| *k != "csrf_token");
    assert_eq!(
        browser
            .post(&format!("{path}/profil"), &pairs(&form))
            .await
            .status,
        403,
        "no token at all"
    );
    let upload = browser
        .upload(
            &format!("{path}/documents"),
            &forged,
            "kbis",
            "kbis.pdf",
            PDF,
        )
        .await;
    assert_eq!(upload.status, 403);
    let version = app.state.charter.version.clone();
    for (action, form) in [
        (
            "charte",
            vec![
                ("csrf_token", forged.as_str()),
                ("version", version.as_str()),
            ],
        ),
        (
            "actions/withdraw",
            vec![("csrf_token", forged.as_str()), ("confirm", "oui")],
        ),
        (
            "invitations",
            vec![("csrf_token", forged.as_str()), ("email", "x@exemple.fr")],
        ),
    ] {
        let refused = browser.post(&format!("{path}/{action}"), &form).await;
        assert_eq!(refused.status, 403, "{action}");
    }
    let create = browser
        .post(
            "/espace/organisations",
            &[("csrf_token", forged.as_str()), ("name", "Autre")],
        )
        .await;
    assert_eq!(create.status, 403);

    let page = browser.get(&path).await;
    assert_eq!(page.value("legal_name"), "");
    assert!(page.text().contains("État de la demande : brouillon"));
    assert!(page.text().contains("Aucun document déposé"));
    assert!(page.has("charter_version"), "the charter is not accepted");
    let history = page.element("timeline").unwrap();
    assert!(!history.contains("Invitation"), "{history}");
    assert!(!browser.get("/espace").await.text().contains("Autre"));
}

#[tokio::test]
async fn another_provider_gets_not_found_and_other_roles_are_kept_out() {
    let app = TestApp::spawn().await;
    let owner = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let path = create_organisation(&owner, "Breizh Cyber").await;
    let token = owner.get(&path).await.csrf();
    let uploaded = owner
        .upload(
            &format!("{path}/documents"),
            &token,
            "kbis",
            "kbis.pdf",
            PDF,
        )
        .await;
    let download = owner
        .follow(&uploaded)
        .await
        .link("Télécharger kbis.pdf")
        .unwrap();

    let other = Browser::sign_in(&app, "concurrent@exemple.fr", Role::Provider).await;
    let page = other.get(&path).await;
    assert_eq!(page.status, 404);
    assert!(page.text().contains("Organisation introuvable."));
    assert_eq!(other.get(&download).await.status, 404);
    let their_token = other.get("/espace").await.csrf();
    let changed = other
        .post(
            &format!("{path}/profil"),
            &pairs(&profile_form(&their_token, "732 829 320 00074")),
        )
        .await;
    assert_eq!(changed.status, 404);
    assert!(!other.get("/espace").await.text().contains("Breizh Cyber"));
    assert_eq!(owner.get(&path).await.value("legal_name"), "");

    let staff = Browser::sign_in(&app, "instructrice@cyberdir.fr", Role::Staff).await;
    let refused = staff.get("/espace").await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text()
            .contains("L'espace prestataire est réservé aux comptes prestataires.")
    );

    let anonymous = app.client.get(app.url("/espace")).send().await.unwrap();
    assert_eq!(
        anonymous.url().path(),
        "/connexion",
        "sent to the log-in page"
    );
}

#[tokio::test]
async fn the_timeline_shows_the_reason_staff_gave() {
    let app = TestApp::spawn().await;
    let browser = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let staff = app.user("instructrice@cyberdir.fr", Role::Staff).await;
    let path = create_organisation(&browser, "Breizh Cyber").await;
    complete(&browser, &path).await;
    assert_eq!(submit(&browser, &path).await.status, 303);
    let id = id_of(&path);
    let (status, _) = staff
        .post(&format!("/api/v1/providers/{id}/start-review"), &json!({}))
        .await;
    assert_eq!(status, 200);
    app.clock
        .set(start_of_tests() + chrono::Duration::minutes(155));
    let (status, _) = staff
        .post(
            &format!("/api/v1/providers/{id}/request-changes"),
            &json!({"reason": REASON}),
        )
        .await;
    assert_eq!(status, 200);

    let page = browser.get(&path).await;
    let text = page.text();
    assert!(
        text.contains("État de la demande : modifications demandées"),
        "{text}"
    );
    let reason = page.element("staff-reason").unwrap();
    assert!(
        reason.contains("Modifications demandées par l'équipe d'instruction"),
        "{reason}"
    );
    assert!(reason.contains(REASON));
    let history = page.element("timeline").unwrap();
    assert!(
        history.contains(&format!(
            "23/11/2026 à 12:35 Modifications demandées par l'équipe d'instruction en cours d'instruction → modifications demandées Motif : {REASON}"
        )),
        "{history}"
    );
    assert!(
        history.contains("Début de l'instruction par l'équipe d'instruction"),
        "reviewers are not named: {history}"
    );
    assert!(!history.contains("Utilisateur de test Motif"), "{history}");

    // The provider can fix and submit again.
    assert!(page.has("profile_form"));
    let token = page.csrf();
    let kbis = browser
        .upload(
            &format!("{path}/documents"),
            &token,
            "kbis",
            "kbis-2026.pdf",
            PDF,
        )
        .await;
    assert_eq!(kbis.status, 303);
    let again = submit(&browser, &path).await;
    let page = browser.follow(&again).await;
    assert!(page.text().contains("État de la demande : déposé"));
    assert!(
        page.element("timeline")
            .unwrap()
            .contains("Demande déposée à nouveau")
    );
}

#[tokio::test]
async fn a_published_profile_sends_reviewed_changes_to_staff_and_says_so() {
    let app = TestApp::spawn().await;
    let browser = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let staff = app.user("instructrice@cyberdir.fr", Role::Staff).await;
    let path = create_organisation(&browser, "Breizh Cyber").await;
    complete(&browser, &path).await;
    submit(&browser, &path).await;
    let id = id_of(&path);
    for action in ["start-review", "approve"] {
        let (status, _) = staff
            .post(&format!("/api/v1/providers/{id}/{action}"), &json!({}))
            .await;
        assert_eq!(status, 200, "{action}");
    }
    let page = browser.get(&path).await;
    assert!(page.text().contains("État de la demande : référencé"));
    assert!(
        page.text()
            .contains("transmises à l'équipe d'instruction pour validation")
    );
    assert_eq!(
        page.link("Voir votre profil dans l'annuaire").as_deref(),
        Some(format!("/prestataires/{id}").as_str())
    );

    // Saving the form as it is publishes nothing new and asks staff nothing.
    let token = page.csrf();
    let same = browser
        .post(
            &format!("{path}/profil"),
            &pairs(&profile_form(&token, "73282932000074")),
        )
        .await;
    let page = browser.follow(&same).await;
    assert!(page.text().contains("enregistrées et publiées"));
    assert!(!page.has("pending-change"));

    // A new trade name is published at once; new départements go to staff.
    let mut form = profile_form(&token, "73282932000074");
    for (key, value) in &mut form {
        match *key {
            "name" => *value = "Breizh Cyber Assistance".into(),
            "zone_kind" => *value = "departements".into(),
            "departements" => *value = "35, 22".into(),
            _ => {}
        }
    }
    let changed = browser.post(&format!("{path}/profil"), &pairs(&form)).await;
    let page = browser.follow(&changed).await;
    let text = page.text();
    assert!(
        text.contains(
            "sont transmises à l'équipe d'instruction : elles seront publiées après validation"
        ),
        "{text}"
    );
    let pending = page.element("pending-change").unwrap();
    assert!(
        pending.contains("Zone d'intervention : Départements 22, 35"),
        "{pending}"
    );
    assert!(!pending.contains("SIRET"), "only what changed: {pending}");
    assert_eq!(page.value("name"), "Breizh Cyber Assistance");
    assert!(
        page.checked("zone_kind_radius"),
        "the published zone until validation"
    );
    let public = app
        .get(&format!("/prestataires/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(public.contains("Breizh Cyber Assistance"));

    let (_, requests) = staff.get("/api/v1/change-requests").await;
    let changes = &requests["results"][0]["changes"];
    assert_eq!(
        changes,
        &json!({"zone": {"kind": "departements", "departements": ["22", "35"]}})
    );

    // A second reviewed change while one is pending is refused, in French, at the top.
    let mut form = profile_form(&token, "73282932000074");
    for (key, value) in &mut form {
        if *key == "address_line" {
            *value = "1 place de la Mairie".into();
        }
    }
    let conflict = browser.post(&format!("{path}/profil"), &pairs(&form)).await;
    assert_eq!(conflict.status, 409);
    assert!(
        conflict
            .text()
            .contains("Une demande de modification est déjà en attente de validation.")
    );
    assert_eq!(conflict.value("address_line"), "1 place de la Mairie");
}

#[tokio::test]
async fn withdrawing_asks_for_a_confirmation() {
    let app = TestApp::spawn().await;
    let browser = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let path = create_organisation(&browser, "Breizh Cyber").await;
    let page = browser.get(&path).await;
    assert!(
        page.text()
            .contains("Je confirme vouloir abandonner cette demande.")
    );
    let token = page.csrf();
    let unconfirmed = browser
        .post(
            &format!("{path}/actions/withdraw"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(unconfirmed.status, 422);
    assert_eq!(
        unconfirmed.element("withdraw_confirm-error").as_deref(),
        Some("Cochez la case pour confirmer l'abandon de la demande.")
    );
    assert!(
        unconfirmed
            .text()
            .contains("État de la demande : brouillon")
    );

    let confirmed = browser
        .post(
            &format!("{path}/actions/withdraw"),
            &[("csrf_token", token.as_str()), ("confirm", "oui")],
        )
        .await;
    let page = browser.follow(&confirmed).await;
    assert!(page.text().contains("Votre demande est abandonnée."));
    assert!(page.text().contains("État de la demande : abandonné"));
    assert!(!page.has("withdraw_confirm"));
    assert!(!page.has("profile_form"));
}

#[tokio::test]
async fn an_invited_colleague_joins_from_the_email_link() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let owner = Browser::sign_in(&app, "gerant@breizh-cyber.fr", Role::Provider).await;
    let path = create_organisation(&owner, "Breizh Cyber").await;
    let page = owner.get(&path).await;
    let token = page.csrf();

    let invalid = owner
        .post(
            &format!("{path}/invitations"),
            &[("csrf_token", token.as_str()), ("email", "pas-une-adresse")],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.element("invite_email-error").as_deref(),
        Some("Adresse électronique invalide.")
    );
    assert_eq!(invalid.value("invite_email"), "pas-une-adresse");

    let sent = owner
        .post(
            &format!("{path}/invitations"),
            &[
                ("csrf_token", token.as_str()),
                ("email", "technicien@breizh-cyber.fr"),
            ],
        )
        .await;
    let page = owner.follow(&sent).await;
    assert!(page.text().contains("L'invitation est envoyée"));

    app.deliver_to(&sink).await;
    let mail = sink
        .messages_to("technicien@breizh-cyber.fr")
        .pop()
        .expect("the invitation email");
    assert!(mail.text.contains("/espace/invitations?token="));
    let invitation = token_in(&mail.text);

    let colleague = Browser::sign_in(&app, "technicien@breizh-cyber.fr", Role::Provider).await;
    let page = colleague
        .get(&format!("/espace/invitations?token={invitation}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Rejoindre l'organisation"));
    let joined = colleague
        .post(
            "/espace/invitations",
            &[
                ("csrf_token", page.csrf().as_str()),
                ("token", invitation.as_str()),
            ],
        )
        .await;
    assert_eq!(
        joined
            .location
            .as_deref()
            .map(|l| l.split('?').next().unwrap()),
        Some(path.as_str())
    );
    let page = colleague.follow(&joined).await;
    assert!(page.text().contains("Vous avez rejoint l'organisation."));
    let members = page.element("members-list").unwrap();
    assert!(
        members.contains("gerant@breizh-cyber.fr) – responsable"),
        "{members}"
    );
    assert!(
        members.contains("technicien@breizh-cyber.fr) – vous"),
        "{members}"
    );
    assert!(!page.has("invite_email"), "only the owner invites");
    assert!(
        colleague
            .get("/espace")
            .await
            .text()
            .contains("Breizh Cyber")
    );

    let again = colleague
        .post(
            "/espace/invitations",
            &[
                ("csrf_token", page.csrf().as_str()),
                ("token", invitation.as_str()),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(
        again
            .text()
            .contains("Cette invitation est invalide, expirée ou déjà utilisée.")
    );
}
