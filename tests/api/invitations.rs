//! Admins invite the platform's people from the back office: the account is created, the
//! emailed link lets the person choose a password and work; mistakes are said beside their
//! fields and change nothing; the accounts are searched by address or name.

use crate::common;

use common::pages::Browser;
use common::{SmtpSink, TEST_PASSWORD, TestApp};
use cyberdir::auth::Role;

#[tokio::test]
async fn an_admin_invites_a_staff_member_who_chooses_a_password_and_works() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;

    let users = admin.get("/admin/utilisateurs").await;
    let invited = admin
        .submit(
            &users,
            "/admin/invitations",
            &[
                ("email", " Dominique.Martin@Cyberdir.fr "),
                ("name", "Dominique Martin"),
                ("role", "staff"),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.text());
    let listed = admin.follow(&invited).await;
    assert!(
        listed
            .text()
            .contains("L'invitation est envoyée : la personne choisit son mot de passe"),
        "{}",
        listed.text()
    );
    let row = listed.row_with("dominique.martin@cyberdir.fr");
    assert!(row.contains("Dominique Martin"), "{row}");
    assert!(
        row.contains("Non"),
        "the address is not verified yet: {row}"
    );

    // The email's link sets the password; then the account works as staff.
    app.deliver_to(&sink).await;
    let mail = sink
        .messages_to("dominique.martin@cyberdir.fr")
        .pop()
        .expect("an invitation");
    assert_eq!(
        mail.subject,
        "Votre accès à l'espace des équipes d'Assistance cyber"
    );
    assert!(
        mail.text
            .contains("Utilisateur de test vous a ouvert un compte"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("« Équipe d'instruction »"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("valable 7 jours"));
    let link = mail
        .text
        .split_whitespace()
        .find(|w| w.contains("/mot-de-passe/nouveau?token="))
        .expect("a link");
    let path = &link[link.find("/mot-de-passe").unwrap()..];
    let person = Browser::new(&app.address);
    let form = person.get(path).await;
    assert_eq!(form.status, 200);
    let set = person
        .submit(
            &form,
            "/mot-de-passe/nouveau",
            &[("password", TEST_PASSWORD)],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text());
    person.log_in("dominique.martin@cyberdir.fr").await;
    assert_eq!(person.get("/instruction").await.status, 200);
    // The link worked once.
    let again = person
        .submit(
            &form,
            "/mot-de-passe/nouveau",
            &[("password", "une autre phrase longue")],
        )
        .await;
    assert_eq!(again.status, 422);
}

#[tokio::test]
async fn a_wrong_invitation_is_said_beside_its_fields_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    app.user("deja@cyberdir.fr", Role::Staff).await;
    let users = admin.get("/admin/utilisateurs").await;
    let count = || async {
        app.with_conn(|c| cyberdir::db::accounts::list_users(c, "", 1, 0))
            .await
            .unwrap()
            .0
    };
    let before = count().await;

    let wrong = admin
        .submit(
            &users,
            "/admin/invitations",
            &[
                ("email", "pas-une-adresse"),
                ("name", "  "),
                ("role", "provider"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let text = wrong.text();
    assert!(text.contains("Adresse électronique invalide."), "{text}");
    assert!(text.contains("Indiquez le nom de la personne"), "{text}");
    assert!(
        text.contains("Choisissez le rôle de la personne."),
        "{text}"
    );
    assert_eq!(
        wrong.links("#invite-email").len(),
        1,
        "the summary links to the field"
    );
    assert_eq!(
        wrong.attribute("invite-email", "value").as_deref(),
        Some("pas-une-adresse")
    );
    let taken = admin
        .submit(
            &users,
            "/admin/invitations",
            &[
                ("email", "deja@cyberdir.fr"),
                ("name", "Déjà là"),
                ("role", "auditor"),
            ],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(
        taken
            .text()
            .contains("Un compte existe déjà pour deja@cyberdir.fr.")
    );
    assert_eq!(count().await, before, "nothing created");

    // Only admins invite.
    let staff = Browser::sign_in(&app, "staff@cyberdir.fr", Role::Staff).await;
    let refused = staff
        .post(
            "/admin/invitations",
            &[
                ("csrf_token", &users.csrf()),
                ("email", "x@cyberdir.fr"),
                ("name", "X"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn admins_find_an_account_by_address_or_name() {
    let app = TestApp::spawn().await;
    let admin = Browser::sign_in(&app, "admin@cyberdir.fr", Role::Admin).await;
    for email in [
        "camille@cyberdir.fr",
        "dominique@cyberdir.fr",
        "100_pourcent@exemple.fr",
    ] {
        app.user(email, Role::Staff).await;
    }
    let found = admin.get("/admin/utilisateurs?q=DOMIN").await;
    assert_eq!(found.status, 200);
    assert!(
        found.text().contains("1 compte pour « DOMIN »"),
        "{}",
        found.text()
    );
    assert!(found.text().contains("dominique@cyberdir.fr"));
    assert!(!found.text().contains("camille@cyberdir.fr"));
    // `_` and `%` are letters here, not wildcards.
    let literal = admin.get("/admin/utilisateurs?q=0_p").await;
    assert!(literal.text().contains("100_pourcent@exemple.fr"));
    let nothing = admin.get("/admin/utilisateurs?q=%25").await;
    assert!(
        nothing
            .text()
            .contains("Aucun compte ne correspond à « % »."),
        "{}",
        nothing.text()
    );
    assert_eq!(found.value("q"), "DOMIN");
}
