//! The message thread between staff and an organisation on its referencing file and its
//! label application: each message emailed to the other side (never its text), a PDF
//! attached with the checks of documents, and nobody else reading it; over HTTP on both
//! databases.

use crate::common;

use common::{Session, SmtpSink, TestApp};
use cyberdir::auth::Role;

/// Posts the thread's form at `path`: (status, final path, HTML).
async fn send(
    app: &TestApp,
    session: &Session,
    path: &str,
    message: &str,
    file: Option<(&str, &[u8])>,
) -> (u16, String, String) {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", session.csrf_token.clone())
        .text("message", message.to_owned());
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    let response = session
        .client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let path = response.url().path().to_owned();
    (status, path, response.text().await.unwrap())
}

/// A page's status and HTML.
async fn page(app: &TestApp, session: &Session, path: &str) -> (u16, String) {
    let response = session.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The attachments' addresses on a thread page.
fn attachments(html: &str) -> Vec<String> {
    html.split("href=\"/messagerie/pieces/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|id| format!("/messagerie/pieces/{id}"))
        .collect()
}

#[tokio::test]
async fn staff_and_the_organisation_write_to_each_other_on_its_file_each_told_by_email() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let cast = common::label::cast(&app).await;
    let other_staff = app.user("autre@cyberdir.fr", Role::Staff).await;
    let staff_thread = "/instruction/dossiers/presta/messagerie";
    let member_thread = "/espace/organisations/presta/messagerie";

    let (status, empty) = page(&app, &cast.staff, staff_thread).await;
    assert_eq!(status, 200, "{empty}");
    assert!(common::html::visible_text(&empty).contains("Aucun message pour l'instant."));

    // A blank message and a file that is not a PDF are refused, the text typed kept.
    let (status, _, blank) = send(&app, &cast.staff, staff_thread, "  ", None).await;
    assert_eq!(status, 422);
    let said = common::html::visible_text(&blank);
    assert!(
        said.contains("Écrivez votre message avant de l'envoyer."),
        "{said}"
    );
    assert!(
        blank.contains("<a href=\"#message\">"),
        "the summary links to the field"
    );
    let asked = "Merci de déposer une attestation d'assurance à jour : celle du dossier a expiré.";
    let not_pdf = Some(("attestation.pdf", &b"MZ\x90\x00 not a pdf"[..]));
    let (status, _, refused) = send(&app, &cast.staff, staff_thread, asked, not_pdf).await;
    assert_eq!(status, 422);
    let said = common::html::visible_text(&refused);
    assert!(said.contains("ce fichier n'en est pas un"), "{said}");
    assert!(said.contains(asked), "the message typed is kept");
    assert_eq!(app.with_conn(count).await, 0, "nothing was sent");

    // Sent with a PDF: the organisation's members are told, without the text.
    let pdf = Some(("modèle d'attestation.pdf", common::referencing::PDF));
    let (status, path, sent) = send(&app, &cast.staff, staff_thread, asked, pdf).await;
    assert_eq!((status, path.as_str()), (200, staff_thread), "{sent}");
    let said = common::html::visible_text(&sent);
    assert!(said.contains("Message envoyé"), "{said}");
    assert!(said.contains(asked));
    assert!(said.contains("modèle d'attestation.pdf"), "{said}");
    let to_member = &app.mails_to(&sink, "gerante@presta.fr", 1).await[0];
    assert_eq!(
        to_member.subject,
        "Nouveau message du groupement sur le dossier de référencement de Prestataire presta"
    );
    assert!(to_member.text.contains(member_thread), "{}", to_member.text);
    assert!(!to_member.text.contains("attestation d'assurance à jour"));
    assert!(to_member.text.contains("avec une pièce jointe"));

    // The member reads it, opens the attachment and answers: nobody follows the file, so
    // every reviewer is told.
    let (status, read) = page(&app, &cast.member, member_thread).await;
    assert_eq!(status, 200);
    assert!(common::html::visible_text(&read).contains(asked));
    let links = attachments(&read);
    assert_eq!(links.len(), 1, "{read}");
    let download = cast
        .member
        .client
        .get(app.url(&links[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        common::referencing::PDF
    );
    let answer = "Voici la nouvelle attestation, valable jusqu'en 2027.";
    let (status, path, _) = send(&app, &cast.member, member_thread, answer, None).await;
    assert_eq!((status, path.as_str()), (200, member_thread));
    for reviewer in ["staff@cyberdir.fr", "autre@cyberdir.fr"] {
        let mails = app.mails_to(&sink, reviewer, 1).await;
        assert_eq!(
            mails[0].subject,
            "Nouveau message sur le dossier de référencement de Prestataire presta"
        );
        assert!(mails[0].text.contains(staff_thread));
    }

    // Once a staff member follows the file, only they are told.
    follow_on_page(&app, &cast.staff).await;
    let (status, _, _) = send(&app, &cast.member, member_thread, "Autre question.", None).await;
    assert_eq!(status, 200);
    assert_eq!(app.mails_to(&sink, "staff@cyberdir.fr", 2).await.len(), 2);
    app.deliver_to(&sink).await;
    assert_eq!(
        sink.messages_to("autre@cyberdir.fr").len(),
        1,
        "not the follower"
    );

    // The file's page says how many messages, that an answer is awaited, and the history
    // keeps each message (never its text).
    let (_, review) = page(&app, &other_staff, "/instruction/dossiers/presta").await;
    let said = common::html::visible_text(&review);
    assert!(
        said.contains(
            "Messagerie avec le prestataire (3 messages) · le prestataire attend une réponse"
        ),
        "{said}"
    );
    assert!(said.contains("Message de l'organisation"), "{said}");
    assert!(said.contains("Message de l'équipe d'instruction"));
    assert!(!said.contains(answer), "the text stays in the thread");

    // Nobody else reads the thread or its attachment.
    app.insert(common::provider(
        "voisin",
        48.1,
        -1.6,
        cyberdir::domain::zone::Zone::National,
    ))
    .await;
    let stranger = app.member_of("voisin", "voisin@voisin.fr").await;
    assert_eq!(page(&app, &stranger, member_thread).await.0, 404);
    let (status, _, _) = send(&app, &stranger, member_thread, "Bonjour", None).await;
    assert_eq!(status, 404);
    for outsider in [&stranger, &cast.auditor] {
        let response = outsider
            .client
            .get(app.url(&links[0]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404);
    }
    assert_eq!(page(&app, &cast.auditor, staff_thread).await.0, 403);
    assert_eq!(app.with_conn(count).await, 3);
}

async fn follow_on_page(app: &TestApp, staff: &Session) {
    let response = staff
        .client
        .post(app.url("/instruction/dossiers/presta/suivi"))
        .form(&[
            ("csrf_token", staff.csrf_token.as_str()),
            ("choix", "suivre"),
            ("attendu", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{}", response.url());
}

fn count(conn: &mut cyberdir::db::DbConnection) -> i64 {
    use diesel::prelude::*;
    cyberdir::db::schema::case_messages::table
        .count()
        .get_result(conn)
        .unwrap()
}

#[tokio::test]
async fn a_label_application_has_its_thread_which_another_organisation_cannot_reach() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let cast = common::label::cast(&app).await;
    let id = common::label::filled_application(&app, &cast.member).await;
    let member_thread = format!("/espace/organisations/presta/label/{id}/messagerie");
    let staff_thread = format!("/instruction/label/{id}/messagerie");

    let (_, application) = page(
        &app,
        &cast.member,
        &format!("/espace/organisations/presta/label/{id}"),
    )
    .await;
    assert!(
        application.contains(&format!("href=\"{member_thread}\"")),
        "{application}"
    );
    let question = "Le critère ADM-03 demande-t-il une attestation signée ?";
    let (status, _, _) = send(&app, &cast.member, &member_thread, question, None).await;
    assert_eq!(status, 200);
    let told = &app.mails_to(&sink, "staff@cyberdir.fr", 1).await[0];
    assert_eq!(
        told.subject,
        "Nouveau message sur la demande de label ExpertCyber de Prestataire presta"
    );
    assert!(told.text.contains(&staff_thread));

    let (status, read) = page(&app, &cast.staff, &staff_thread).await;
    assert_eq!(status, 200);
    assert!(common::html::visible_text(&read).contains(question));
    let reply = "Oui : signée par le représentant légal.";
    let (status, _, _) = send(&app, &cast.staff, &staff_thread, reply, None).await;
    assert_eq!(status, 200);
    let to_member = &app.mails_to(&sink, "gerante@presta.fr", 1).await[0];
    assert_eq!(
        to_member.subject,
        "Nouveau message du groupement sur la demande de label ExpertCyber de Prestataire presta"
    );
    let (_, read) = page(&app, &cast.member, &member_thread).await;
    let said = common::html::visible_text(&read);
    assert!(
        said.contains(reply) && said.contains("équipe d'instruction"),
        "{said}"
    );

    // Another organisation's member reaches it neither under its own address nor under
    // presta's; the thread of presta's file is not the application's.
    app.insert(common::provider(
        "voisin",
        48.1,
        -1.6,
        cyberdir::domain::zone::Zone::National,
    ))
    .await;
    let stranger = app.member_of("voisin", "voisin@voisin.fr").await;
    let theirs = format!("/espace/organisations/voisin/label/{id}/messagerie");
    assert_eq!(page(&app, &stranger, &theirs).await.0, 404);
    assert_eq!(page(&app, &stranger, &member_thread).await.0, 404);
    let (status, _, _) = send(&app, &stranger, &theirs, "Bonjour", None).await;
    assert_eq!(status, 404);
    let (_, file_thread) = page(
        &app,
        &cast.member,
        "/espace/organisations/presta/messagerie",
    )
    .await;
    assert!(!common::html::visible_text(&file_thread).contains(question));
}

#[tokio::test]
async fn staff_and_the_victim_write_on_the_tracking_link_and_the_thread_goes_with_the_victims_data()
{
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    common::assistance::nearby(&app, "proche", 1.0).await;
    let (status, created) =
        common::assistance::submit(&app, &common::assistance::request_body()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    app.deliver_to(&sink).await;
    let token = common::assistance::tracking_token(&sink);
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let staff_thread = format!("/instruction/demandes/{id}/messagerie");
    let victim_thread = format!("/suivi/{token}/messagerie");

    // Staff write, with a PDF; the victim is told at the request's address, not the text.
    let (_, request_page) = page(&app, &staff, &format!("/instruction/demandes/{id}")).await;
    assert!(
        common::html::visible_text(&request_page)
            .contains("Messagerie avec la victime (Aucun message)"),
        "{request_page}"
    );
    let asked = "Avez-vous payé la rançon ? Ne le faites pas : gardez la demande de rançon.";
    let guide = Some(("conserver les preuves.pdf", common::referencing::PDF));
    let (status, _, _) = send(&app, &staff, &staff_thread, asked, guide).await;
    assert_eq!(status, 200);
    let told = app.mails_to(&sink, "claire@exemple.fr", 2).await;
    let told = told.last().unwrap();
    assert_eq!(
        told.subject,
        "Un message de l'équipe d'assistance sur votre demande"
    );
    assert!(told.text.contains(&victim_thread), "{}", told.text);
    assert!(!told.text.contains("rançon ?"));

    // The victim reads it without an account (staff's names stay with staff), opens the PDF
    // and answers; every reviewer is told.
    let victim = common::pages::Browser::new(&app.address);
    let read = victim.get(&victim_thread).await;
    assert_eq!(read.status, 200);
    let said = read.text();
    assert!(
        said.contains(asked) && said.contains("L'équipe d'assistance"),
        "{said}"
    );
    assert!(!said.contains("Utilisateur de test"), "{said}");
    let pieces = read.links(&format!("{victim_thread}/pieces/"));
    assert_eq!(pieces.len(), 1, "{}", read.html);
    let pdf = victim.get(&pieces[0]).await;
    assert_eq!(
        (pdf.status, pdf.bytes.as_slice()),
        (200, common::referencing::PDF)
    );
    let answer = "Non, je n'ai rien payé. J'ai gardé le message.";
    let csrf = read.hidden(&victim_thread, "csrf_token");
    let sent = victim
        .post_file(
            &victim_thread,
            &[("csrf_token", &csrf), ("message", answer)],
            ("", "application/octet-stream"),
            b"",
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let to_staff = app.mails_to(&sink, "staff@cyberdir.fr", 1).await;
    assert!(
        to_staff[0]
            .subject
            .starts_with("Nouveau message sur la demande d'assistance du "),
        "{}",
        to_staff[0].subject
    );
    let text = &to_staff[0].text;
    assert!(
        text.contains("La victime a écrit sur la demande d'assistance du "),
        "{text}"
    );
    let (_, seen) = page(&app, &staff, &staff_thread).await;
    let said = common::html::visible_text(&seen);
    assert!(
        said.contains(answer) && said.contains("La victime"),
        "{said}"
    );
    let (_, request_page) = page(&app, &staff, &format!("/instruction/demandes/{id}")).await;
    assert!(
        common::html::visible_text(&request_page)
            .contains("Messagerie avec la victime (2 messages) · la victime attend une réponse")
    );

    // The provider the request was offered to, and a wrong link, read nothing.
    let provider = app.member_of("proche", "gerant@proche.fr").await;
    assert_eq!(page(&app, &provider, &staff_thread).await.0, 403);
    let staff_piece = attachments(&seen);
    assert_eq!(page(&app, &provider, &staff_piece[0]).await.0, 404);
    let wrong = format!("/suivi/{}/messagerie", "0".repeat(64));
    assert_eq!(victim.get(&wrong).await.status, 404);

    // The victim erases their data: the thread goes with it.
    let tracking = victim.get(&format!("/suivi/{token}")).await;
    let erase = format!("/suivi/{token}/effacer");
    let confirm = victim.submit(&tracking, &erase, &[]).await;
    assert_eq!(victim.submit(&confirm, &erase, &[]).await.status, 303);
    assert_eq!(app.with_conn(count).await, 0, "the messages are erased");
    assert_eq!(victim.get(&victim_thread).await.status, 404);
    assert_eq!(page(&app, &staff, &staff_thread).await.0, 404);
}
