//! The back office in real Chromium at desktop size, as each role uses it every day: every
//! page of the walk is clean under axe-core (WCAG 2.1 AA), with data on it (a searched and
//! sorted queue, a file with its notes and its changes, a confirmation, the requests, the
//! labels, the accounts with the invitation form open on an error; the auditor's audit form
//! with a draft and refused with its summary, a label application followed, "Mes dossiers",
//! an assistance request with its follow-up, the message thread with the applicant on both
//! sides).

use crate::common;

use common::TestApp;
use common::browser::Browser as Chromium;
use cyberdir::auth::Role;
use cyberdir::domain::provider::ReferencingStatus;
use cyberdir::domain::zone::Zone;
use serde_json::json;

async fn signed_in(app: &TestApp, email: &str) -> Chromium {
    let chromium = Chromium::start().await;
    chromium.sign_in(app, email).await;
    chromium
}

#[tokio::test]
async fn staff_and_admin_pages_are_accessible_with_their_data() {
    let app = TestApp::spawn().await;
    for i in 0..30 {
        let mut p = common::provider(&format!("p{i:02}"), 48.1, -1.7, Zone::National);
        p.name = format!("Sécurité Bretagne {i:02}");
        p.siret = format!("9{i:013}");
        p.status = if i % 3 == 0 {
            ReferencingStatus::Approved
        } else {
            ReferencingStatus::Submitted
        };
        app.insert(p).await;
    }
    // A file with a changed profile since the request for changes, and a note.
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let staff_api = app.user("staff@cyberdir.fr", Role::Staff).await;
    let id = common::referencing::changes_requested(
        &app,
        &owner,
        &staff_api,
        "Précisez votre téléphone.",
    )
    .await;
    let (status, _) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"phone": "02 99 11 22 33"}),
        )
        .await;
    assert_eq!(status, 200);
    app.user("admin@cyberdir.fr", Role::Admin).await;

    let staff = signed_in(&app, "staff@cyberdir.fr").await;
    staff.wait_for_text("File d'instruction").await;
    staff
        .goto(&app.url("/instruction?q=bretagne&tri=nom&par=50"))
        .await;
    staff.wait_for_text("Sécurité Bretagne 00").await;
    staff
        .assert_accessible("the queue, searched and sorted")
        .await;
    staff.goto(&app.url("/instruction?par=1000")).await;
    staff
        .wait_for_text("Nombre de lignes par page invalide")
        .await;
    staff
        .assert_accessible("the queue with a wrong filter")
        .await;
    staff
        .goto(&app.url(&format!("/instruction/dossiers/{id}")))
        .await;
    staff
        .wait_for_text("Modifications du profil depuis la dernière décision")
        .await;
    staff
        .type_into("#note", "Téléphone vérifié auprès du gérant.")
        .await;
    staff
        .click(&format!(
            "form[action=\"/instruction/dossiers/{id}/notes\"] button"
        ))
        .await;
    staff.wait_for_text("Note enregistrée").await;
    staff
        .assert_accessible("a file with its changes and notes")
        .await;
    staff.goto(&app.url("/instruction/dossiers/p00")).await;
    staff.wait_for_text("Sécurité Bretagne 00").await;
    staff
        .type_into("#reason-suspend", "Attestation d'assurance expirée.")
        .await;
    staff
        .click("form[action=\"/instruction/dossiers/p00/actions/suspend\"] button[type=submit]")
        .await;
    // With JavaScript, a modal dialog asks (without it, a page: `review_pages`).
    staff.wait_for_text("Suspendre ce dossier ?").await;
    staff
        .assert_accessible("the confirmation of a suspension")
        .await;
    staff.click("#confirm-dialog-no").await;
    let open = staff
        .js(
            "return document.getElementById('confirm-dialog').open;",
            vec![],
        )
        .await;
    assert_eq!(open, json!(false), "cancelled, nothing sent");
    staff
        .click("form[action=\"/instruction/dossiers/p00/actions/suspend\"] button[type=submit]")
        .await;
    staff.wait_for_text("Suspendre ce dossier ?").await;
    staff.click("#confirm-dialog-yes").await;
    staff
        .wait_for_text("Le prestataire est suspendu : il n'apparaît plus dans l'annuaire.")
        .await;
    staff.goto(&app.url("/instruction/demandes")).await;
    staff.wait_for_text("Demandes d'assistance").await;
    staff.assert_accessible("the assistance requests").await;
    staff.goto(&app.url("/instruction/labels")).await;
    staff.wait_for_text("Registre des labels").await;
    staff.assert_accessible("the labels").await;
    // The other lists: partners, alerts, failed emails, each with its search and tabs.
    for (path, text, what) in [
        ("/partenaires", "Tous les partenaires", "the partners"),
        ("/observatoire/alertes", "Alertes publiées", "the alerts"),
        (
            "/instruction/courriels",
            "Courriels en échec",
            "the failed emails",
        ),
        (
            "/instruction/demandes?tri=recue&q=zz",
            "Filtrer les demandes",
            "the requests, searched",
        ),
    ] {
        staff.goto(&app.url(path)).await;
        staff.wait_for_text(text).await;
        staff.assert_accessible(what).await;
    }
    staff.close().await;

    let admin = signed_in(&app, "admin@cyberdir.fr").await;
    admin.wait_for_text("File d'instruction").await;
    admin.goto(&app.url("/admin/utilisateurs?q=cyberdir")).await;
    admin.wait_for_text("comptes pour « cyberdir »").await;
    admin.assert_accessible("the accounts, searched").await;
    admin.click("details.bo-invite summary").await;
    admin.type_into("#invite-email", "pas-une-adresse").await;
    admin
        .click("form[action=\"/admin/invitations\"] button[type=submit]")
        .await;
    admin.wait_for_text("L'invitation n'est pas envoyée").await;
    admin.assert_accessible("the invitation refused").await;
    admin.close().await;
}

#[tokio::test]
async fn the_auditors_and_the_label_and_request_pages_are_accessible_with_their_data() {
    let app = TestApp::spawn().await;
    let cast = common::label::cast(&app).await;
    let id = common::label::scheduled(&app, &cast.member, &cast.staff, &cast.auditor_id).await;
    common::assistance::nearby(&app, "proche", 1.0).await;
    let (status, created) =
        common::assistance::submit(&app, &common::assistance::request_body()).await;
    assert_eq!(status, 201, "{created}");
    let request = created["id"].as_str().unwrap().to_owned();

    // The auditor: the audit form, a draft saved, then the audit refused with its summary.
    let auditor = signed_in(&app, "auditrice@certif.fr").await;
    auditor.goto(&app.url(&format!("/audit/{id}"))).await;
    auditor.wait_for_text("Rapport d'audit").await;
    auditor.assert_accessible("the audit form").await;
    auditor.click("#save-draft").await;
    auditor.wait_for_text("Brouillon enregistré le").await;
    auditor.assert_accessible("the audit with its draft").await;
    auditor
        .click("#audit-form button[type=submit]:not(#save-draft)")
        .await;
    auditor
        .wait_for_text("L'audit n'a pas pu être enregistré")
        .await;
    auditor
        .assert_accessible("the audit refused, its summary at the top")
        .await;
    auditor.goto(&app.url("/audit")).await;
    auditor.wait_for_text("Mes autres dossiers").await;
    auditor
        .assert_accessible("the auditor's list of audits")
        .await;
    auditor.close().await;

    // Staff: the application followed and noted, "Mes dossiers", the request's page.
    let staff = signed_in(&app, "staff@cyberdir.fr").await;
    staff
        .goto(&app.url(&format!("/instruction/label/{id}")))
        .await;
    staff.wait_for_text("Personne ne suit ce dossier.").await;
    staff.click("#follow button[type=submit]").await;
    staff.wait_for_text("Vous suivez ce dossier").await;
    staff
        .assert_accessible("a label application followed")
        .await;
    staff.goto(&app.url("/instruction/label?suivi=moi")).await;
    staff.wait_for_text("Mes dossiers").await;
    staff.assert_accessible("my label applications").await;
    staff
        .goto(&app.url(&format!("/instruction/demandes/{request}")))
        .await;
    staff.wait_for_text("Notes internes").await;
    staff
        .assert_accessible("an assistance request with its follow-up")
        .await;

    // The message thread with the applicant: refused with its summary, then sent; the
    // provider reads it on its side.
    staff
        .goto(&app.url(&format!("/instruction/label/{id}/messagerie")))
        .await;
    staff.wait_for_text("Aucun message pour l'instant.").await;
    staff.click("form[enctype] button[type=submit]").await;
    staff.wait_for_text("Le message n'a pas été envoyé").await;
    staff
        .assert_accessible("a message refused, its summary at the top")
        .await;
    staff
        .type_into("#message", "Votre audit est confirmé pour demain, 9 h.")
        .await;
    staff.click("form[enctype] button[type=submit]").await;
    staff.wait_for_text("Message envoyé").await;
    staff.assert_accessible("the thread with a message").await;
    staff.close().await;
    let member = signed_in(&app, "gerante@presta.fr").await;
    member
        .goto(&app.url(&format!(
            "/espace/organisations/presta/label/{id}/messagerie"
        )))
        .await;
    member.wait_for_text("Votre audit est confirmé").await;
    member
        .assert_accessible("the provider's side of the thread")
        .await;
    member.close().await;
}
