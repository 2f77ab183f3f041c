//! Staff's own work on a referencing file: following it ("Suivre ce dossier", "Mes dossiers"),
//! taking it over without two staff both believing they have it, and private notes that the
//! organisation never reads; over HTTP on both databases.

use crate::common;

use common::TestApp;
use common::pages::Browser;
use cyberdir::auth::Role;
use cyberdir::domain::provider::ReferencingStatus;
use cyberdir::domain::zone::Zone;

async fn submitted(app: &TestApp, id: &str) {
    let mut p = common::provider(id, 48.1, -1.7, Zone::National);
    p.status = ReferencingStatus::Submitted;
    app.insert(p).await;
}

/// The files listed on a queue page.
fn files_listed(page: &common::pages::Page) -> Vec<String> {
    page.links("/instruction/dossiers/")
}

#[tokio::test]
async fn staff_follow_a_file_find_it_in_their_files_and_take_over_without_a_race() {
    let app = TestApp::spawn().await;
    submitted(&app, "p1").await;
    submitted(&app, "p2").await;
    let camille = Browser::sign_in(&app, "camille@cyberdir.fr", Role::Staff).await;
    let dominique = Browser::sign_in(&app, "dominique@cyberdir.fr", Role::Staff).await;

    let file = camille.get("/instruction/dossiers/p1").await;
    assert!(file.text().contains("Personne ne suit ce dossier."));
    let followed = camille
        .submit(
            &file,
            "/instruction/dossiers/p1/suivi",
            &[("choix", "suivre")],
        )
        .await;
    assert_eq!(followed.status, 303);
    let after = camille.follow(&followed).await;
    assert!(
        after
            .text()
            .contains("Vous suivez ce dossier : il apparaît dans « Mes dossiers »."),
        "{}",
        after.text()
    );
    assert!(
        after
            .text()
            .contains("Suivi par Utilisateur de test (vous).")
    );

    // "Mes dossiers" holds it for Camille, not for Dominique.
    let mine = camille.get("/instruction?suivi=moi").await;
    assert_eq!(files_listed(&mine), ["/instruction/dossiers/p1"]);
    assert!(mine.checked("suivi"));
    let theirs = dominique.get("/instruction?suivi=moi").await;
    assert!(files_listed(&theirs).is_empty());
    assert!(
        theirs
            .text()
            .contains("Aucun dossier ne correspond à ces critères.")
    );

    // Dominique opened the file while Camille followed it, and takes it over.
    let seen_by_dominique = dominique.get("/instruction/dossiers/p1").await;
    assert!(seen_by_dominique.text().contains("Reprendre ce dossier"));
    // Meanwhile Camille's page (before the take-over) still offers to stop following.
    let seen_by_camille = camille.get("/instruction/dossiers/p1").await;
    let taken = dominique
        .submit(
            &seen_by_dominique,
            "/instruction/dossiers/p1/suivi",
            &[("choix", "suivre")],
        )
        .await;
    assert_eq!(taken.status, 303);
    let stale = camille
        .submit(
            &seen_by_camille,
            "/instruction/dossiers/p1/suivi",
            &[("choix", "quitter")],
        )
        .await;
    assert_eq!(
        stale.status, 409,
        "a stale page cannot drop Dominique's file"
    );
    assert!(
        stale
            .alert()
            .unwrap_or_default()
            .contains("Ce dossier vient d'être pris en charge par Utilisateur de test"),
        "{:?}",
        stale.alert()
    );
    let mine = dominique.get("/instruction?suivi=moi").await;
    assert_eq!(files_listed(&mine), ["/instruction/dossiers/p1"]);
    assert!(files_listed(&camille.get("/instruction?suivi=moi").await).is_empty());

    // The API says the same.
    let api = app.user("api@cyberdir.fr", Role::Staff).await;
    let (status, body) = api.get("/api/v1/applications?mine=true").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 0, "the API's caller follows nothing");
}

#[tokio::test]
async fn two_staff_following_the_same_file_at_once_leave_exactly_one_follower() {
    let app = TestApp::spawn().await;
    submitted(&app, "p1").await;
    let mut actors = Vec::new();
    for i in 0..8 {
        let session = app
            .user(&format!("instructeur{i}@cyberdir.fr"), Role::Staff)
            .await;
        actors.push(session.user_id);
    }
    let mut handles = Vec::new();
    for id in actors {
        let state = app.state.clone();
        handles.push(tokio::task::spawn_blocking(move || {
            let actor = cyberdir::domain::actor::Actor {
                id,
                email: String::new(),
                display_name: "Instructeur".into(),
                role: Role::Staff,
                memberships: Vec::new(),
            };
            cyberdir::cases::set_follower(
                &state,
                &actor,
                cyberdir::cases::REFERENCING,
                "p1",
                None,
                true,
            )
        }));
    }
    let mut won = 0;
    for handle in handles {
        match handle.await.unwrap() {
            Ok(()) => won += 1,
            Err(cyberdir::error::AppError::Conflict(message)) => {
                assert!(message.contains("vient d'être pris en charge"), "{message}");
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one of eight takes the file");
}

#[tokio::test]
async fn private_notes_are_for_staff_only() {
    let app = TestApp::spawn().await;
    submitted(&app, "p1").await;
    let member = app.member_of("p1", "gerant@p1.fr").await;
    let staff = Browser::sign_in(&app, "camille@cyberdir.fr", Role::Staff).await;

    let file = staff.get("/instruction/dossiers/p1").await;
    assert!(file.text().contains("Aucune note."));
    // A blank note is refused beside its field; a long one keeps what was typed.
    let blank = staff
        .submit(&file, "/instruction/dossiers/p1/notes", &[("note", "   ")])
        .await;
    assert_eq!(blank.status, 422);
    assert!(
        blank
            .text()
            .contains("Écrivez la note avant de l'enregistrer.")
    );
    let long = "x".repeat(5_001);
    let too_long = staff
        .submit(&file, "/instruction/dossiers/p1/notes", &[("note", &long)])
        .await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .text()
            .replace('\u{202f}', " ")
            .contains("Une note fait au plus 5 000 caractères."),
        "{}",
        too_long.text()
    );
    assert!(
        too_long.element("note").as_deref() == Some(long.as_str()),
        "nothing typed is lost"
    );

    let note = "Kbis daté de 2019 : demander un extrait récent au gérant.";
    let saved = staff
        .submit(&file, "/instruction/dossiers/p1/notes", &[("note", note)])
        .await;
    assert_eq!(saved.status, 303);
    let page = staff.follow(&saved).await;
    assert!(page.text().contains(note), "{}", page.text());
    assert!(
        page.text()
            .contains("Note enregistrée. Seules les équipes du groupement la voient.")
    );
    assert!(
        page.text().contains("Utilisateur de test"),
        "the author is named"
    );

    // The organisation reads its file through the API and its pages: never the note.
    let (status, body) = member.get("/api/v1/providers/p1/application").await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.to_string().contains("Kbis daté de 2019"));
    let (status, events) = member.get("/api/v1/providers/p1/events").await;
    assert!(
        !events.to_string().contains("Kbis daté de 2019"),
        "{status}"
    );
    let own_page = member
        .client
        .get(format!("{}/espace/organisations/p1", member.base))
        .send()
        .await
        .unwrap();
    assert_eq!(own_page.status(), 200);
    assert!(!own_page.text().await.unwrap().contains("Kbis daté de 2019"));
    // Nor may it write one.
    let refused = member
        .client
        .post(format!("{}/instruction/dossiers/p1/notes", member.base))
        .form(&[
            ("csrf_token", member.csrf_token.as_str()),
            ("note", "moi aussi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let stored = app
        .with_conn(|c| cyberdir::db::cases::notes(c, "referencing", "p1"))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);

    // A file that does not exist takes no note.
    let missing = staff
        .post(
            "/instruction/dossiers/inconnu/notes",
            &[("csrf_token", &file.csrf()), ("note", "x")],
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn staff_read_what_the_applicant_changed_since_they_asked_for_changes() {
    use serde_json::json;
    let app = TestApp::spawn().await;
    let owner = app.user("gerant@breizh-cyber.fr", Role::Provider).await;
    let staff_api = app.user("api@cyberdir.fr", Role::Staff).await;
    let id = common::referencing::changes_requested(
        &app,
        &owner,
        &staff_api,
        "Précisez votre zone et votre téléphone.",
    )
    .await;
    let (status, body) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"phone": "02 99 11 22 33", "remote": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Saving the same values again records nothing.
    let (status, _) = owner
        .patch(
            &format!("/api/v1/providers/{id}"),
            &json!({"phone": "02 99 11 22 33"}),
        )
        .await;
    assert_eq!(status, 200);

    let staff = Browser::sign_in(&app, "camille@cyberdir.fr", Role::Staff).await;
    let file = staff.get(&format!("/instruction/dossiers/{id}")).await;
    let changes = file
        .element("changes")
        .expect("the changes since the request");
    assert!(changes.contains("Téléphone : « "), "{changes}");
    assert!(changes.contains("→ « 02 99 11 22 33 »"), "{changes}");
    assert!(
        changes.contains("Intervention à distance : « oui » → « non »"),
        "{changes}"
    );
    assert_eq!(changes.matches("Téléphone").count(), 1, "{changes}");
    // The trail keeps them too, for the applicant as well.
    assert!(file.text().contains("Modification du profil"));
    let (_, events) = owner.get(&format!("/api/v1/providers/{id}/events")).await;
    assert!(events.to_string().contains("profile-edit"), "{events}");
    let own = owner
        .client
        .get(format!("{}/espace/organisations/{id}", owner.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let own = common::html::visible_text(&own);
    assert!(own.contains("Profil modifié"), "{own}");
    assert!(own.contains("Téléphone : « "), "{own}");
    assert!(
        !own.contains("Motif : Téléphone"),
        "a change is not a reason: {own}"
    );
}

#[tokio::test]
async fn staff_follow_and_annotate_a_label_application_which_the_provider_never_reads() {
    let app = TestApp::spawn().await;
    let cast = common::label::cast(&app).await;
    let id = common::label::filled_application(&app, &cast.member).await;
    let submitted = common::label::step(&cast.member, &id, "submit", serde_json::json!({})).await;
    assert_eq!(submitted.0, 200, "{}", submitted.1);
    let camille = Browser::sign_in(&app, "camille@cyberdir.fr", Role::Staff).await;
    let dominique = Browser::sign_in(&app, "dominique@cyberdir.fr", Role::Staff).await;
    let page = format!("/instruction/label/{id}");

    let shown = camille.get(&page).await;
    assert!(shown.text().contains("Personne ne suit ce dossier."));
    let stale = dominique.get(&page).await;
    let followed = camille
        .submit(&shown, &format!("{page}/suivi"), &[("choix", "suivre")])
        .await;
    assert_eq!(followed.status, 303);
    let after = camille.follow(&followed).await;
    assert!(
        after.text().contains("Vous suivez ce dossier"),
        "{}",
        after.text()
    );
    assert!(
        after
            .text()
            .contains("Suivi par Utilisateur de test (vous).")
    );

    // "Mes dossiers" of the label queue holds it for Camille, not for Dominique; both see
    // who follows it.
    let mine = camille.get("/instruction/label?suivi=moi").await;
    assert_eq!(
        mine.links("/instruction/label/"),
        std::slice::from_ref(&page)
    );
    assert!(mine.text().contains("Mes dossiers 1"), "{}", mine.text());
    let theirs = dominique.get("/instruction/label?suivi=moi").await;
    assert!(theirs.links("/instruction/label/").is_empty());
    assert!(theirs.text().contains("Vous ne suivez aucune demande"));
    let all = dominique.get("/instruction/label").await;
    assert!(
        all.text().contains("Utilisateur de test"),
        "the follower's column"
    );

    // Dominique's page said nobody followed it: following from it is a conflict, said on
    // the page, and Camille keeps the application.
    let raced = dominique
        .submit(&stale, &format!("{page}/suivi"), &[("choix", "suivre")])
        .await;
    assert_eq!(raced.status, 409);
    assert!(
        raced.text().contains("vient d'être pris en charge"),
        "{}",
        raced.text()
    );

    // A blank note is refused beside its field; a note is kept for staff only.
    let blank = camille
        .submit(&after, &format!("{page}/notes"), &[("note", "  ")])
        .await;
    assert_eq!(blank.status, 422);
    assert!(
        blank
            .text()
            .contains("Écrivez la note avant de l'enregistrer.")
    );
    let secret = "Le gérant a déjà eu un label refusé sous une autre raison sociale.";
    let noted = camille
        .submit(&after, &format!("{page}/notes"), &[("note", secret)])
        .await;
    assert_eq!(noted.status, 303);
    assert!(dominique.get(&page).await.text().contains(secret));
    let (_, api) = cast
        .member
        .get(&format!("/api/v1/label-applications/{id}"))
        .await;
    assert!(!api.to_string().contains(secret), "{api}");
    let (_, portal) = crate::label_pages::html(&cast.member, "/espace/label").await;
    assert!(!portal.contains(secret));
}

#[tokio::test]
async fn a_note_on_an_assistance_request_stays_with_staff_and_is_erased_with_the_victims_data() {
    let app = TestApp::spawn().await;
    common::assistance::nearby(&app, "p", 1.0).await;
    let (status, created) =
        common::assistance::submit(&app, &common::assistance::request_body()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let staff = Browser::sign_in(&app, "camille@cyberdir.fr", Role::Staff).await;
    let page = format!("/instruction/demandes/{id}");

    let shown = staff.get(&page).await;
    let followed = staff
        .submit(&shown, &format!("{page}/suivi"), &[("choix", "suivre")])
        .await;
    assert_eq!(followed.status, 303);
    let after = staff.follow(&followed).await;
    assert!(
        after
            .text()
            .contains("Suivi par Utilisateur de test (vous).")
    );
    let mine = staff.get("/instruction/demandes?suivi=moi").await;
    assert_eq!(
        mine.links("/instruction/demandes/"),
        std::slice::from_ref(&page)
    );
    let other = Browser::sign_in(&app, "dominique@cyberdir.fr", Role::Staff).await;
    let theirs = other.get("/instruction/demandes?suivi=moi").await;
    assert!(theirs.links("/instruction/demandes/").is_empty());
    assert!(theirs.text().contains("Vous ne suivez aucune demande"));
    let note = "Mme Martin rappelle : la rançon demandée est de 2 000 euros.";
    let noted = staff
        .submit(&after, &format!("{page}/notes"), &[("note", note)])
        .await;
    assert_eq!(noted.status, 303);
    assert!(staff.get(&page).await.text().contains(note));
    let member = app.member_of("p", "m@p.fr").await;
    let (_, offered) = member
        .get(&format!("/api/v1/assistance-requests/{id}"))
        .await;
    assert!(!offered.to_string().contains("2 000 euros"), "{offered}");

    // A year and more later the request is erased, and the note with it.
    app.clock.set(app.clock.now() + chrono::Duration::days(370));
    let staff = Browser::sign_in(&app, "claude@cyberdir.fr", Role::Staff).await;
    assert_eq!(app.run_jobs().await.requests_anonymised, 1);
    let erased = staff.get(&page).await;
    assert!(!erased.text().contains("2 000 euros"), "{}", erased.text());
    assert!(erased.text().contains("Aucune note."));
    let left = app
        .with_conn(move |c| cyberdir::db::cases::notes(c, "assistance", &id).unwrap())
        .await;
    assert!(left.is_empty());
}
