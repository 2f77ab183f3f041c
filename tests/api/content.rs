//! The reviewed advice: the fiches' public pages, and one source for every page and answer that
//! gives advice (the diagnostic's result and API, the search page, the request form, the
//! incident types).

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::pages::Browser;

#[tokio::test]
async fn the_fiches_are_searched_filtered_and_read_on_their_pages() {
    let app = TestApp::spawn().await;
    let content = app.state.content();
    let library = &content.library;
    let browser = Browser::new(&app.address);

    // Found from every page's header.
    let home = browser.get("/").await;
    assert_eq!(home.link("Fiches réflexes").as_deref(), Some("/fiches"));
    let all = browser.get("/fiches").await;
    assert_eq!(all.status, 200);
    let fiche_links = |page: &crate::common::pages::Page| -> Vec<String> {
        page.links("/fiches/")
            .into_iter()
            .filter(|l| !l.ends_with(".zip") && !l.ends_with(".pdf"))
            .collect()
    };
    assert_eq!(
        fiche_links(&all)
            .iter()
            .filter(|l| !l.starts_with("/fiches/quiz/"))
            .count(),
        library.fiches.len()
    );
    assert_eq!(all.links("/fiches/quiz/").len(), library.quizzes.len());

    // Words without their accents, a public: the ransomware fiche first.
    let found = browser
        .get("/fiches?q=rancongiciel&public=collectivite")
        .await;
    assert_eq!(
        fiche_links(&found).first().map(String::as_str),
        Some("/fiches/rancongiciel")
    );
    assert!(found.element("count").unwrap().contains("trouvée"));
    let memos = browser.get("/fiches?type=memo").await;
    let memo_links = memos.links("/fiches/");
    assert!(
        memo_links.contains(&"/fiches/memo-10-mesures".to_owned()),
        "{memo_links:?}"
    );
    assert!(!memo_links.contains(&"/fiches/rancongiciel".to_owned()));
    let none = browser.get("/fiches?q=zzzzqqq").await;
    assert!(none.text().contains("Aucune fiche ne correspond"));

    // A fiche: its steps in order, its contacts with their numbers, its sources and licence.
    let fiche = library.fiche("fraude-carte-bancaire").unwrap();
    let page = browser.get("/fiches/fraude-carte-bancaire").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    let mut at = 0;
    for step in fiche.steps() {
        let found = text[at..]
            .find(step.as_str())
            .unwrap_or_else(|| panic!("« {step} » missing or out of order in:\n{text}"));
        at += found;
    }
    let contacts = page.element("contacts").unwrap();
    assert!(contacts.contains("0 892 705 705"), "{contacts}");
    assert!(page.html.contains("href=\"tel:+33892705705\""));
    assert!(contacts.contains("Perceval"));
    assert!(text.contains("Licence Ouverte 2.0"));
    for source in &fiche.meta.sources {
        assert!(page.html.contains(&source.url), "{}", source.url);
    }
    // Printed without the site around it.
    let css = browser.get("/static/app.css").await;
    assert!(css.html.contains("@media print"));

    // Rendered once for visitors without a session, as it was; a signed-in reader keeps their menu.
    let again = browser.get("/fiches/fraude-carte-bancaire").await;
    assert_eq!(again.html, page.html);
    let staff = Browser::sign_in(&app, "equipe@cyberdir.fr", cyberdir::auth::Role::Staff).await;
    let signed_in = staff.get("/fiches/fraude-carte-bancaire").await;
    assert!(
        signed_in.html.contains("Se déconnecter"),
        "{}",
        signed_in.text()
    );
    assert!(!page.html.contains("Se déconnecter"));

    let missing = browser.get("/fiches/inconnue").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Cette fiche n'existe pas"));
}

/// The steps of an outcome: its own, then its fiche's.
fn steps(outcome: &Value) -> Vec<String> {
    outcome["now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_outcome_gives_the_same_advice_on_every_page_and_in_the_api() {
    let app = TestApp::spawn().await;
    let content = app.state.content();
    let library = &content.library;
    let fiche = library.reflexe_for("hameconnage").unwrap();

    // A card number typed into a phishing page: urgent, the card blocked first.
    let answers = json!({"public": "particulier", "situation": "message", "message": "lien", "saisie": "carte"});
    let (status, evaluated) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({ "answers": answers }),
        )
        .await;
    assert_eq!(status, 200, "{evaluated}");
    let outcome = &evaluated["outcome"];
    assert_eq!(outcome["urgency"], "immediate", "{outcome}");
    assert_eq!(outcome["fiche"]["slug"], "hameconnage");
    let now = steps(outcome);
    assert!(now[0].to_lowercase().contains("carte"), "{now:?}");
    for step in fiche.steps() {
        assert!(now.contains(step), "« {step} » missing from {now:?}");
    }
    let contacts: Vec<&str> = outcome["redirections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["contact"].as_str().unwrap())
        .collect();
    assert_eq!(contacts.first(), Some(&"0 892 705 705"), "{contacts:?}");
    assert_eq!(outcome["evidence"], json!(fiche.evidence()));
    assert_eq!(outcome["never"], json!(fiche.never()));

    // The same on the result page, reached as a victim answers.
    let browser = Browser::new(&app.address);
    let mut page = browser
        .post("/diagnostic", &[("choix", "particulier")])
        .await;
    for choice in ["message", "lien", "carte"] {
        let question = browser.follow(&page).await;
        let marker = "<form method=\"post\" action=\"";
        let start = question.html.find(marker).unwrap() + marker.len();
        let action = question.html[start..].split('"').next().unwrap().to_owned();
        page = browser
            .post(&question.resolve(&action), &[("choix", choice)])
            .await;
    }
    let result = browser.follow(&page).await;
    let text = result.text();
    for step in &now {
        assert!(
            text.contains(step.as_str()),
            "« {step} » missing from the result page"
        );
    }
    for contact in &contacts {
        assert!(
            text.contains(contact),
            "{contact} missing from the result page"
        );
    }
    assert_eq!(
        result.link("Lire la fiche").as_deref(),
        Some("/fiches/hameconnage")
    );

    // The search page and the request form give the fiche's steps and contacts.
    for path in [
        "/?incident=hameconnage&audience=particulier",
        "/demande-assistance?incident=hameconnage&public=particulier",
    ] {
        let page = browser.get(path).await;
        assert!(page.has("incident-advice"), "no advice on {path}");
        let text = page.text();
        for step in fiche.steps() {
            assert!(
                text.contains(step.as_str()),
                "« {step} » missing from {path}"
            );
        }
        assert!(
            page.text().contains("Signal Spam") || page.text().contains("Info Escroqueries"),
            "{path}"
        );
    }

    // The API's incident types say what the fiche says.
    let (_, types) = app.get_json("/api/v1/incident-types").await;
    let phishing = types["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "hameconnage")
        .unwrap();
    assert_eq!(phishing["advice"], fiche.steps().join(" "));
    assert_eq!(phishing["fiche"], "hameconnage");
    let names: Vec<&str> = phishing["redirections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = fiche
        .meta
        .contacts
        .iter()
        .map(|id| library.contacts.get(id).unwrap().name.as_str())
        .collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn the_victims_email_gives_the_fiches_steps_and_contacts() {
    let sink = crate::common::SmtpSink::start();
    let app = TestApp::spawn().await;
    let mut body = crate::common::assistance::request_body();
    body["incident_type"] = json!("rancongiciel");
    body["audience"] = json!("particulier");
    let (status, created) = crate::common::assistance::submit(&app, &body).await;
    assert_eq!(status, 201, "{created}");
    // Nobody near: the request goes to staff, and the victim hears it with the same advice.
    let mails = app.mails_to(&sink, "claire@exemple.fr", 2).await;
    let content = app.state.content();
    let library = &content.library;
    let fiche = library.reflexe_for("rancongiciel").unwrap();
    for received in &mails {
        for (n, step) in fiche.steps().iter().enumerate() {
            assert!(
                received.text.contains(&format!("{}. {step}", n + 1)),
                "« {step} » missing from:\n{}",
                received.text
            );
        }
        // The contacts for a private person only: no CERT-FR, which serves public bodies.
        assert!(received.text.contains("17Cyber"), "{}", received.text);
        assert!(!received.text.contains("- CERT-FR"), "{}", received.text);
        assert!(received.text.contains("/fiches/rancongiciel"));
        assert!(received.html.contains("<ol><li>"), "{}", received.html);
        // The emergency number only where a fiche puts it, under « if you are in danger »: the
        // ransomware fiche has no such section, so no email tells a private person to call 17.
        assert!(fiche.danger().is_empty());
        assert!(!received.text.contains("le 17"), "{}", received.text);
        assert!(!received.html.contains("le 17"), "{}", received.html);
    }
}

#[tokio::test]
async fn no_emergency_number_on_a_calm_outcome() {
    let app = TestApp::spawn().await;
    // Spam: calm; the emergency line is nowhere in its advice.
    let answers =
        json!({"public": "particulier", "situation": "message", "message": "indesirables"});
    let (_, evaluated) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({ "answers": answers }),
        )
        .await;
    let outcome = &evaluated["outcome"];
    assert_eq!(outcome["urgency"], "standard", "{outcome}");
    let hrefs: Vec<&str> = outcome["redirections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["href"].as_str())
        .collect();
    assert!(
        !hrefs.contains(&"tel:17") && !hrefs.contains(&"tel:112"),
        "{hrefs:?}"
    );
}

#[tokio::test]
async fn the_fiches_pass_axe_on_a_phone() {
    let app = TestApp::spawn().await;
    let browser = crate::common::browser::Browser::start_phone().await;
    for (path, expected) in [
        ("/fiches", "Fiches réflexes et conseils"),
        ("/fiches?q=mot+de+passe&public=particulier", "trouvée"),
        ("/fiches/rancongiciel", "Que faire maintenant"),
        ("/fiches/memo-10-mesures", "En bref"),
        ("/fiches/quiz/sauvegardes", "Voir mes résultats"),
        ("/fiches/quiz/sauvegardes?q0=0", "Choisissez une réponse"),
    ] {
        browser.goto(&app.url(path)).await;
        browser.wait_for_text(expected).await;
        browser.assert_accessible(path).await;
        assert_eq!(browser.horizontal_overflow().await, None, "{path}");
    }
    browser.close().await;
}

#[tokio::test]
async fn a_quiz_is_graded_with_its_explanations_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let quiz = app.state.content().library.quizzes["mots_de_passe"].clone();
    let browser = Browser::new(&app.address);

    let fiche = browser.get("/fiches/mots-de-passe").await;
    assert_eq!(
        fiche.link("Testez vos connaissances").as_deref(),
        Some("/fiches/quiz/mots_de_passe")
    );
    let blank = browser.get("/fiches/quiz/mots_de_passe").await;
    assert_eq!(blank.status, 200);
    assert_eq!(
        blank.html.matches("<fieldset").count(),
        quiz.questions.len()
    );

    // One question left unanswered: said, and the answers given stay chosen.
    let last = quiz.questions.len() - 1;
    let partial: String = (0..last).map(|n| format!("q{n}=0&")).collect();
    let incomplete = browser
        .get(&format!("/fiches/quiz/mots_de_passe?{partial}"))
        .await;
    assert_eq!(incomplete.status, 422);
    assert!(
        incomplete
            .element("quiz-error")
            .unwrap()
            .contains("1 sans réponse")
    );
    assert!(
        incomplete
            .element(&format!("q{last}-error"))
            .unwrap()
            .contains("Choisissez une réponse.")
    );
    assert!(incomplete.checked("q0-0"));

    // All right but the first: 4 out of 5, the right answer named, every explanation shown.
    let answers: String = quiz
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let given = if n == 0 {
                (q.answer + 1) % q.choices.len()
            } else {
                q.answer
            };
            format!("q{n}={given}&")
        })
        .collect();
    let graded = browser
        .get(&format!("/fiches/quiz/mots_de_passe?{answers}"))
        .await;
    assert_eq!(graded.status, 200);
    let total = quiz.questions.len();
    assert!(
        graded
            .element("score")
            .unwrap()
            .contains(&format!("{} bonnes réponses sur {total}", total - 1))
    );
    let text = graded.text();
    let first = &quiz.questions[0];
    assert!(text.contains(&format!(
        "la bonne réponse est « {} »",
        first.choices[first.answer]
    )));
    for q in &quiz.questions {
        assert!(text.contains(&q.explanation), "{}", q.explanation);
    }
    // An answer outside the choices is no answer.
    let odd = browser.get("/fiches/quiz/mots_de_passe?q0=99").await;
    assert_eq!(odd.status, 422);
    assert!(browser.get("/fiches/quiz/inconnu").await.status == 404);
}

#[tokio::test]
async fn the_fiches_are_a_feed() {
    let app = TestApp::spawn().await;
    let response = app.get("/fiches.atom").await;
    assert_eq!(
        response.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = response.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("link")))
        .filter_map(|l| l.attribute("href"))
        .collect();
    assert_eq!(links.len(), app.state.content().library.fiches.len());
    assert!(
        links.iter().any(|l| l.ends_with("/fiches/rancongiciel")),
        "{links:?}"
    );
}

#[tokio::test]
async fn the_library_downloads_as_open_data() {
    let app = TestApp::spawn().await;
    let content = app.state.content();
    let library = &content.library;
    let response = app.get("/fiches/bibliotheque.zip").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    for expected in [
        "README.md",
        "LICENCE.txt",
        "fiches.json",
        "contacts.toml",
        "fiches/rancongiciel.md",
        "quiz/mots_de_passe.toml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let mut json = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("fiches.json").unwrap(), &mut json).unwrap();
    let index: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(index["licence"], "Licence Ouverte 2.0");
    let fiches = index["fiches"].as_array().unwrap();
    assert_eq!(fiches.len(), library.fiches.len());
    let ransom = fiches.iter().find(|f| f["slug"] == "rancongiciel").unwrap();
    assert_eq!(
        ransom["steps"],
        json!(library.fiche("rancongiciel").unwrap().steps())
    );
    assert!(
        index["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "perceval")
    );
}

#[tokio::test]
async fn views_and_downloads_are_counted_without_who_for_the_observatory() {
    let app = TestApp::spawn().await;
    let visitor = Browser::new(&app.address);
    for _ in 0..3 {
        assert_eq!(visitor.get("/fiches/rancongiciel").await.status, 200);
    }
    assert_eq!(visitor.get("/fiches/sextorsion").await.status, 200);
    assert_eq!(app.get("/fiches/bibliotheque.zip").await.status(), 200);
    // A signed-in reader (staff, editors) is not counted.
    let staff = Browser::sign_in(
        &app,
        "agent@cybermalveillance.test",
        cyberdir::auth::Role::Staff,
    )
    .await;
    staff.get("/fiches/rancongiciel").await;
    // Counted in memory, written by the scheduled pass.
    let report = app.run_jobs().await;
    assert_eq!(report.content_uses, 3);
    let page = staff.get("/observatoire/prevention").await;
    assert_eq!(page.status, 200);
    let rows = page.element("uses").unwrap();
    assert!(rows.contains("Rançongiciel 3 0 0 3"), "{rows}");
    assert!(rows.contains("1 0 0 1"), "{rows}");
    assert!(rows.contains("bibliotheque.zip"), "{rows}");
    // Nothing about who: the counts table holds a day, a subject, a kind and a number.
    let mut conn = app.pool.get().unwrap();
    let mut columns: Vec<String> = cyberdir::db::introspect::columns(&mut conn)
        .unwrap()
        .into_iter()
        .filter(|c| c.table_name == "content_views")
        .map(|c| c.column_name)
        .collect();
    columns.sort();
    assert_eq!(columns, ["count", "day", "kind", "subject"]);
}

/// The text of a PDF as `pdftotext` (poppler) reads it.
fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian's poppler-utils, installed by scripts/install-test-deps)");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext refused the PDF");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn each_fiche_and_the_kit_are_pdfs_that_read_as_the_fiche() {
    let app = TestApp::spawn().await;
    let content = app.state.content();
    let fiche = content.library.fiche("rancongiciel").unwrap();
    let page = Browser::new(&app.address).get("/fiches/rancongiciel").await;
    assert_eq!(
        page.attribute("pdf", "href").as_deref(),
        Some("/fiches/rancongiciel.pdf")
    );

    let response = app.get("/fiches/rancongiciel.pdf").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let text = pdf_text(&response.bytes().await.unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Rançongiciel"), "{flat}");
    // Every step, in order, with its accents; the contacts with their numbers written out.
    let mut from = 0;
    for step in fiche.steps() {
        let at = flat[from..]
            .find(step.as_str())
            .unwrap_or_else(|| panic!("« {step} » missing or out of order in {flat}"));
        from += at;
    }
    assert!(flat.contains("Qui contacter"), "{flat}");
    let cert = content.library.contacts.get("cert_fr").unwrap();
    assert!(
        flat.contains(&cert.display),
        "{} missing from {flat}",
        cert.display
    );
    assert!(flat.contains("Licence Ouverte 2.0"), "{flat}");

    // The kit: every prevention fiche, none of the fiches réflexes.
    let kit = app.get("/fiches/kit-de-sensibilisation.pdf").await;
    assert_eq!(kit.status(), 200);
    let kit = pdf_text(&kit.bytes().await.unwrap());
    let kit = kit.split_whitespace().collect::<Vec<_>>().join(" ");
    for f in content.library.fiches.values() {
        let kept = f.meta.kind != cyberdir::domain::content::Kind::Reflexe;
        assert_eq!(kit.contains(&f.meta.summary), kept, "{}", f.meta.slug);
    }
    assert_eq!(app.get("/fiches/inconnue.pdf").await.status(), 404);
}
