//! The editors' workflow over HTTP: a draft, its review by a second editor (never the author),
//! publication everywhere at once, published versions that never change, the diff, rollback,
//! the checks before publication, the tree through the same path, the fiches to re-read.

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::pages::{Browser, Page};
use cyberdir::auth::Role;

const FICHE: &str = "fiches/hameconnage.md";
const OLD_STEP: &str = "1. Fermez la page sans rien saisir de plus.";
const NEW_STEP: &str = "1. Fermez la page tout de suite, sans rien saisir de plus.";

fn shipped(app: &TestApp, path: &str) -> String {
    let content = app.state.content();
    content
        .files
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, text)| text.clone())
        .unwrap()
}

/// Saves `body` as the editor's draft of `path`; the document page it leads to.
async fn save_draft(editor: &Browser, path: &str, body: &str, note: &str) -> Page {
    let page = editor.get(&format!("/contenus/documents/{path}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    editor
        .submit(
            &page,
            "/contenus/brouillon",
            &[("body", body), ("note", note), ("action", "enregistrer")],
        )
        .await
}

/// The editor's open version of `path`, from their list on `/contenus`.
async fn my_version(editor: &Browser, path: &str) -> String {
    let overview = editor.get("/contenus").await;
    let mine = html_of(&overview, "mine", "</ul>")
        .unwrap_or_else(|| panic!("no versions of mine in {}", overview.text()));
    let row = mine
        .split("<li>")
        .find(|li| li.contains(path))
        .unwrap_or_else(|| panic!("{path} not in {mine}"));
    let start = row.find("/contenus/versions/").unwrap();
    let id: String = row[start + "/contenus/versions/".len()..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    format!("/contenus/versions/{id}")
}

/// The HTML of the element with `id`, up to `end`.
fn html_of<'a>(page: &'a Page, id: &str, end: &str) -> Option<&'a str> {
    let start = page.html.find(&format!("id=\"{id}\""))?;
    let stop = start + page.html[start..].find(end)?;
    Some(&page.html[start..stop])
}

async fn act(editor: &Browser, version: &str, action: &str, comment: &str) -> Page {
    let page = editor.get(version).await;
    editor
        .post(
            &format!("{version}/{action}"),
            &[("csrf_token", &page.csrf()), ("comment", comment)],
        )
        .await
}

async fn public_fiche(app: &TestApp, slug: &str) -> String {
    Browser::new(&app.address)
        .get(&format!("/fiches/{slug}"))
        .await
        .text()
}

async fn phishing_advice(app: &TestApp) -> String {
    let (_, types) = app.get_json("/api/v1/incident-types").await;
    types["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "hameconnage")
        .map(|t| t["advice"].as_str().unwrap().to_owned())
        .unwrap()
}

async fn phishing_outcome_steps(app: &TestApp) -> Vec<String> {
    let answers = json!({"public": "particulier", "situation": "message", "message": "lien", "saisie": "non"});
    let (status, evaluated) = app
        .post_json(
            "/api/v1/diagnostic/evaluate",
            &json!({ "answers": answers }),
        )
        .await;
    assert_eq!(status, 200, "{evaluated}");
    evaluated["outcome"]["now"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_fiche_is_changed_by_one_editor_published_by_another_and_rolled_back() {
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let bruno = Browser::sign_in(&app, "bruno@cybermalveillance.test", Role::Editor).await;
    let staff = Browser::sign_in(&app, "agent@cybermalveillance.test", Role::Staff).await;
    assert_eq!(staff.get("/contenus").await.status, 403);
    let home = alice.get("/").await;
    assert_eq!(home.link("Contenus").as_deref(), Some("/contenus"));

    // The API and the diagnostic say what the shipped fiche says.
    let original = shipped(&app, FICHE);
    assert!(original.contains(OLD_STEP));
    assert!(
        phishing_advice(&app)
            .await
            .contains("Fermez la page sans rien saisir de plus.")
    );
    let steps_before = phishing_outcome_steps(&app).await;
    assert!(
        steps_before
            .iter()
            .any(|s| s == "Fermez la page sans rien saisir de plus."),
        "{steps_before:?}"
    );

    // Alice's draft: saved, not published, seen by nobody else.
    let changed = original.replace(OLD_STEP, NEW_STEP);
    let saved = save_draft(
        &alice,
        FICHE,
        &changed,
        "Dire de fermer la page tout de suite.",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let document = alice.follow(&saved).await;
    assert!(document.text().contains("Votre brouillon est enregistré."));
    let version = my_version(&alice, FICHE).await;
    assert_eq!(
        bruno.get(&version).await.status,
        404,
        "a draft is its author's"
    );
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page sans rien saisir de plus.")
    );

    // Sent for review; its author cannot publish it.
    let submitted = act(&alice, &version, "soumettre", "").await;
    assert!(
        alice
            .follow(&submitted)
            .await
            .text()
            .contains("envoyée en relecture")
    );
    let own = act(&alice, &version, "publier", "").await;
    assert_eq!(own.status, 403, "{}", own.text());
    assert!(
        own.text().contains("un autre éditeur doit la relire"),
        "{}",
        own.text()
    );
    assert!(!alice.get(&version).await.has("review-title"));

    // Bruno finds it, reads the diff and publishes it.
    let to_review = bruno.get("/contenus").await.element("to-review").unwrap();
    assert!(to_review.contains(FICHE), "{to_review}");
    let page = bruno.get(&version).await;
    let diff = html_of(&page, "diff", "</table>").unwrap();
    assert!(diff.contains("class=\"removed\""), "{diff}");
    assert!(
        diff.contains("Fermez la page sans rien saisir de plus."),
        "{diff}"
    );
    assert!(diff.contains("class=\"added\""), "{diff}");
    assert!(
        diff.contains("Fermez la page tout de suite, sans rien saisir de plus."),
        "{diff}"
    );
    assert!(
        !diff.contains("## En bref"),
        "lines far from the change are left out: {diff}"
    );
    let published = act(&bruno, &version, "publier", "Relu, merci.").await;
    let page = bruno.follow(&published).await;
    assert!(page.text().contains("est publiée"), "{}", page.text());
    assert_eq!(page.element("state").as_deref(), Some("Publiée"));

    // In force at once, in every place that gives the advice.
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page tout de suite, sans rien saisir de plus.")
    );
    assert!(
        phishing_advice(&app)
            .await
            .contains("Fermez la page tout de suite")
    );
    let steps_after = phishing_outcome_steps(&app).await;
    assert!(
        steps_after
            .iter()
            .any(|s| s == "Fermez la page tout de suite, sans rien saisir de plus."),
        "{steps_after:?}"
    );

    // A published version never changes: no second decision, and the first still reads as it was.
    let again = act(&bruno, &version, "publier", "").await;
    assert_eq!(again.status, 409, "{}", again.text());
    let history = alice.get(&format!("/contenus/documents/{FICHE}")).await;
    let table = history.element("history").unwrap();
    assert!(table.contains("n° 2") && table.contains("n° 1"), "{table}");
    let first = history
        .links("/contenus/versions/")
        .into_iter()
        .find(|l| history.html.contains(&format!("{l}\">n° 1")))
        .expect("version 1");
    let first_page = alice.get(&first).await;
    assert!(
        first_page
            .element("body")
            .unwrap()
            .contains("Fermez la page sans rien saisir de plus.")
    );

    // Rollback: version 1 proposed again, reviewed by the other editor, in force as version 3.
    let proposed = act(&alice, &first, "republier", "").await;
    let rollback = alice.follow(&proposed).await;
    assert!(
        rollback.text().contains("Retour à la version 1."),
        "{}",
        rollback.text()
    );
    let rollback_url = proposed.location.clone().unwrap();
    let rollback_url = rollback_url.split('?').next().unwrap().to_owned();
    let published = act(&bruno, &rollback_url, "publier", "").await;
    assert_eq!(published.status, 303, "{}", published.text());
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page sans rien saisir de plus.")
    );
    let table = alice
        .get(&format!("/contenus/documents/{FICHE}"))
        .await
        .element("history")
        .unwrap();
    assert!(table.contains("n° 3"), "{table}");

    // The version in force, downloaded.
    let download = alice.get(&format!("/contenus/telecharger/{FICHE}")).await;
    assert_eq!(download.status, 200);
    assert_eq!(String::from_utf8(download.bytes).unwrap(), original);
}

#[tokio::test]
async fn a_reviewer_sends_a_version_back_with_a_reason() {
    let sink = crate::common::SmtpSink::start();
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let bruno = Browser::sign_in(&app, "bruno@cybermalveillance.test", Role::Editor).await;
    let changed = shipped(&app, FICHE).replace(OLD_STEP, NEW_STEP);
    save_draft(&alice, FICHE, &changed, "Plus direct.").await;
    let version = my_version(&alice, FICHE).await;
    act(&alice, &version, "soumettre", "").await;
    // The other editor is asked, by email, with the author's note and the version's address.
    let asked = app.mails_to(&sink, "bruno@cybermalveillance.test", 1).await;
    assert_eq!(
        asked[0].subject,
        "Relecture demandée : Hameçonnage (phishing)"
    );
    assert!(asked[0].text.contains("Plus direct."), "{}", asked[0].text);
    assert!(asked[0].text.contains(&version), "{}", asked[0].text);

    let silent = act(&bruno, &version, "refuser", " ").await;
    assert_eq!(silent.status, 422);
    assert!(
        silent
            .text()
            .contains("Dites à l'auteur ce qui doit changer")
    );
    let refused = act(
        &bruno,
        &version,
        "refuser",
        "Gardez « sans rien saisir » en tête.",
    )
    .await;
    let page = alice.follow(&refused).await;
    assert_eq!(page.element("state").as_deref(), Some("Refusée"));
    assert!(
        page.element("review-comment")
            .unwrap()
            .contains("Gardez « sans rien saisir » en tête.")
    );
    let told = app.mails_to(&sink, "alice@cybermalveillance.test", 1).await;
    assert_eq!(told[0].subject, "À reprendre : Hameçonnage (phishing)");
    assert!(
        told[0]
            .text
            .contains("Gardez « sans rien saisir » en tête."),
        "{}",
        told[0].text
    );
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page sans rien saisir de plus.")
    );
}

#[tokio::test]
async fn a_version_that_breaks_the_rules_is_not_sent_for_review() {
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let broken = shipped(&app, FICHE)
        .replace(
            OLD_STEP,
            "1. Appelez le 17 et lisez [cette page](http://exemple.fr).",
        )
        .replace("contacts = [", "contacts = [\"inconnu\", ");
    save_draft(&alice, FICHE, &broken, "Essai.").await;
    let version = my_version(&alice, FICHE).await;
    let page = alice.get(&version).await;
    let problems = page
        .element("problems")
        .expect("the problems, before review");
    assert!(problems.contains("inconnu"), "{problems}");
    let refused = act(&alice, &version, "soumettre", "").await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let alert = refused.element("error-summary").unwrap();
    assert!(alert.contains("inconnu"), "{alert}");
    assert!(alert.contains("http://"), "{alert}");
    assert!(alert.contains("17"), "{alert}");
    // Still a draft, the text kept; nothing published.
    assert_eq!(
        alice.get(&version).await.element("state").as_deref(),
        Some("Brouillon")
    );
    assert!(
        !public_fiche(&app, "hameconnage")
            .await
            .contains("exemple.fr")
    );
}

#[tokio::test]
async fn a_version_written_on_an_older_text_cannot_overwrite_a_newer_one() {
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let bruno = Browser::sign_in(&app, "bruno@cybermalveillance.test", Role::Editor).await;
    let original = shipped(&app, FICHE);
    save_draft(&alice, FICHE, &original.replace(OLD_STEP, NEW_STEP), "A.").await;
    save_draft(
        &bruno,
        FICHE,
        &original.replace("Fermez la page", "Quittez la page"),
        "B.",
    )
    .await;
    let by_alice = my_version(&alice, FICHE).await;
    let by_bruno = my_version(&bruno, FICHE).await;
    act(&alice, &by_alice, "soumettre", "").await;
    act(&bruno, &by_bruno, "soumettre", "").await;
    assert_eq!(act(&bruno, &by_alice, "publier", "").await.status, 303);
    let stale = act(&alice, &by_bruno, "publier", "").await;
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert!(stale.text().contains("Une autre version a été publiée"));
    assert!(alice.get(&by_bruno).await.has("stale"));
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page tout de suite")
    );
}

#[tokio::test]
async fn the_tree_is_published_through_the_same_review() {
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let bruno = Browser::sign_in(&app, "bruno@cybermalveillance.test", Role::Editor).await;
    let staff = Browser::sign_in(&app, "agent@cybermalveillance.test", Role::Staff).await;
    let page = staff.get("/instruction/diagnostic").await;
    assert_eq!(page.element("version").as_deref(), Some("2026-12-05"));
    assert!(!page.has("file"), "nobody uploads a tree by hand");

    let path = "diagnostic/tree.toml";
    let shipped = cyberdir::domain::diagnostic::SHIPPED;
    let download = alice.get(&format!("/contenus/telecharger/{path}")).await;
    assert_eq!(String::from_utf8(download.bytes).unwrap(), shipped);

    // A broken tree: its problems before review, and it is not sent.
    let broken = shipped
        .replace("version = \"2026-12-05\"", "version = \"2026-12-06\"")
        .replace("outcome = \"spam\" }", "next = \"situation\" }");
    save_draft(&alice, path, &broken, "Essai.").await;
    let version = my_version(&alice, path).await;
    let refused = act(&alice, &version, "soumettre", "").await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .element("error-summary")
            .unwrap()
            .contains("issue « spam » : jamais atteinte"),
        "{}",
        refused.text()
    );

    // A reworded one: reviewed by another editor, then in force in the pages and the API.
    let reworded = shipped
        .replace("version = \"2026-12-05\"", "version = \"2026-12-06\"")
        .replace(
            "text = \"Qui est victime ?\"",
            "text = \"Qui a besoin d'aide ?\"",
        );
    let reworded = reworded.replace(
        "title = \"Rançongiciel : l'attaque est peut-être encore en cours\"",
        "title = \"Rançongiciel : l'attaque continue peut-être\"",
    );
    save_draft(
        &alice,
        path,
        &reworded,
        "Une première question plus simple.",
    )
    .await;
    // The outcomes as the victim will read them, before anything is published.
    let preview = alice.get(&format!("{version}/apercu")).await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let outcome = preview
        .links(&format!("{version}/apercu?issue="))
        .into_iter()
        .find(|l| l.ends_with("=rancongiciel_en_cours"))
        .expect("the outcome's preview");
    let shown = alice.get(&outcome).await;
    assert!(
        shown
            .text()
            .contains("Aperçu : cette issue n'est pas publiée")
    );
    assert!(
        shown
            .text()
            .contains("Rançongiciel : l'attaque continue peut-être")
    );
    assert_eq!(
        shown.element("urgency").as_deref(),
        Some("Urgent : agissez maintenant")
    );
    act(&alice, &version, "soumettre", "").await;
    assert_eq!(act(&alice, &version, "publier", "").await.status, 403);
    let published = act(&bruno, &version, "publier", "").await;
    assert_eq!(published.status, 303, "{}", published.text());
    let (_, tree) = app.get_json("/api/v1/diagnostic").await;
    assert_eq!(tree["version"], "2026-12-06");
    assert!(
        Browser::new(&app.address)
            .get("/diagnostic")
            .await
            .text()
            .contains("Qui a besoin d'aide ?")
    );

    // The same version number with another text is refused at review.
    let tampered = reworded.replace("Qui a besoin d'aide ?", "Qui ?");
    save_draft(&alice, path, &tampered, "Plus court.").await;
    let second = my_version(&alice, path).await;
    act(&alice, &second, "soumettre", "").await;
    let refused = act(&bruno, &second, "publier", "").await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused.text().contains("déjà publiée"),
        "{}",
        refused.text()
    );
    let (_, tree) = app.get_json("/api/v1/diagnostic").await;
    assert_eq!(tree["version"], "2026-12-06");
}

#[tokio::test]
async fn fiches_not_re_read_for_twelve_months_are_listed_first() {
    let app = TestApp::spawn().await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let page = alice.get("/contenus").await;
    assert!(!page.has("overdue-count"), "{}", page.text());
    // A year and two days after the fiches' last re-reading.
    let content = app.state.content();
    let newest = content
        .library
        .fiches
        .values()
        .map(|f| f.meta.reviewed_on)
        .max()
        .unwrap();
    let later = newest + chrono::Months::new(12) + chrono::Days::new(2);
    app.clock.set(later.and_hms_opt(9, 0, 0).unwrap().and_utc());
    // (Signed in again: a session does not last a year.)
    let alice = Browser::sign_in(&app, "alice2@cybermalveillance.test", Role::Editor).await;
    let page = alice.get("/contenus").await;
    let count = page.element("overdue-count").unwrap();
    assert!(
        count.starts_with(&content.library.fiches.len().to_string()),
        "{count}"
    );
    let document = alice.get(&format!("/contenus/documents/{FICHE}")).await;
    assert!(document.text().contains("(en retard)"));
}

#[tokio::test]
async fn another_process_serves_the_published_version_once_it_looks() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn_on(app.db.clone()).await;
    let alice = Browser::sign_in(&app, "alice@cybermalveillance.test", Role::Editor).await;
    let bruno = Browser::sign_in(&app, "bruno@cybermalveillance.test", Role::Editor).await;
    let changed = shipped(&app, FICHE).replace(OLD_STEP, NEW_STEP);
    save_draft(&alice, FICHE, &changed, "Plus direct.").await;
    let version = my_version(&alice, FICHE).await;
    act(&alice, &version, "soumettre", "").await;
    assert_eq!(act(&bruno, &version, "publier", "").await.status, 303);

    // The publishing process at once; the other when its scheduler looks (every 2 s).
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page tout de suite, sans rien saisir")
    );
    assert!(
        !public_fiche(&other, "hameconnage")
            .await
            .contains("Fermez la page tout de suite, sans rien saisir")
    );
    let state = other.state.clone();
    tokio::task::spawn_blocking(move || state.refresh_content())
        .await
        .unwrap()
        .unwrap();
    assert!(
        public_fiche(&other, "hameconnage")
            .await
            .contains("Fermez la page tout de suite, sans rien saisir")
    );
    assert!(
        phishing_advice(&other)
            .await
            .contains("Fermez la page tout de suite, sans rien saisir")
    );
}

#[tokio::test]
async fn the_editors_pages_pass_axe_in_chromium() {
    let app = TestApp::spawn().await;
    app.user("alice@cybermalveillance.test", Role::Editor).await;
    let browser = crate::common::browser::Browser::start().await;
    browser.sign_in(&app, "alice@cybermalveillance.test").await;
    browser
        .wait_for_text("Documents, les fiches à relire d'abord")
        .await;
    browser.assert_accessible("the editors' documents").await;

    browser
        .goto(&app.url(&format!("/contenus/documents/{FICHE}")))
        .await;
    browser.wait_for_text("Proposer une modification").await;
    browser.assert_accessible("a document and its form").await;
    browser
        .js(
            "const body = document.getElementById('body');
             body.value = body.value.replace(arguments[0], arguments[1]);
             document.getElementById('note').value = 'Plus direct.';",
            vec![json!(OLD_STEP), json!(NEW_STEP)],
        )
        .await;
    browser.click("button[value=apercu]").await;
    browser
        .wait_for_text("Aperçu : cette version n'est pas publiée")
        .await;
    browser
        .wait_for_text("Fermez la page tout de suite, sans rien saisir de plus.")
        .await;
    browser.assert_accessible("the preview of a fiche").await;

    // The draft's page: its diff, and the button that sends it for review.
    browser
        .goto(&app.url(&format!("/contenus/documents/{FICHE}")))
        .await;
    browser.wait_for_text("Reprendre mon brouillon").await;
    browser.click("a[href^=\"/contenus/versions/\"]").await;
    browser
        .wait_for_text("Changements par rapport au texte d'origine")
        .await;
    browser.wait_for_text("Envoyer en relecture").await;
    browser.assert_accessible("a version and its diff").await;
}

#[tokio::test]
async fn a_stored_version_that_fails_the_checks_leaves_the_content_in_force() {
    // As after a release whose rules changed: the newest stored version no longer passes.
    let app = TestApp::spawn().await;
    let broken = shipped(&app, FICHE).replace("contacts = [", "contacts = [\"inconnu\", ");
    {
        let mut conn = app.pool.get().unwrap();
        let number = cyberdir::db::content::last_number(&mut conn, FICHE).unwrap() + 1;
        let now = chrono::Utc::now().naive_utc();
        cyberdir::db::content::insert(
            &mut conn,
            &cyberdir::db::content::VersionRow {
                id: "rule-changed".into(),
                path: FICHE.into(),
                number: Some(number),
                state: cyberdir::domain::content::editorial::VersionState::Published,
                body: broken.clone(),
                sha256: "0".into(),
                base_body: String::new(),
                note: "Avant un changement de règle.".into(),
                author_id: None,
                created_at: now,
                updated_at: now,
                submitted_at: None,
                reviewer_id: None,
                reviewed_at: None,
                review_comment: None,
                published_at: Some(now),
            },
        )
        .unwrap();
        cyberdir::db::counters::bump(&mut conn, cyberdir::db::counters::CONTENT).unwrap();
    }
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || state.refresh_content())
        .await
        .unwrap()
        .unwrap();
    let content = app.state.content();
    let fiche = content.library.fiche("hameconnage").unwrap();
    assert!(!fiche.meta.contacts.contains(&"inconnu".to_owned()));
    assert!(
        public_fiche(&app, "hameconnage")
            .await
            .contains("Fermez la page sans rien saisir de plus.")
    );
}
