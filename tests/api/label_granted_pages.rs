//! The staff pages of a granted label: suspending and withdrawing are asked first, on a page
//! without JavaScript (the modal's question is on the form for JavaScript), and a blank reason
//! is said beside its field before anything is asked.

use crate::common::{TestApp, label, provider};
use crate::label_pages::{html, post_form};
use cyberdir::auth::Role;
use cyberdir::domain::zone::Zone;

#[tokio::test]
async fn suspending_or_withdrawing_a_label_is_asked_first_and_changes_nothing_until_confirmed() {
    let app = TestApp::spawn().await;
    let mut p = provider("labellise", 48.1, -1.7, Zone::National);
    p.label = Some(label("EC-2026-0007", (2026, 1, 15), "valid"));
    app.insert(p).await;
    let staff = app.user("staff@cyberdir.fr", Role::Staff).await;
    let page = "/instruction/labels/EC-2026-0007";
    let state = |html: &str| {
        html.split("id=\"label-status\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_default()
            .to_lowercase()
    };

    let (status, shown) = html(&staff, page).await;
    assert_eq!(status, 200);
    assert_eq!(state(&shown), "valide");
    assert!(
        shown.contains("data-confirm=\"Suspendre ce label ?\"")
            && shown.contains("data-confirm=\"Retirer ce label ?\""),
        "the modal's question is on each form"
    );

    // A blank reason is said beside its field, nothing asked, nothing changed.
    let (status, _, refused) =
        post_form(&staff, &format!("{page}/suspend"), &[("reason", " ")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("id=\"error-suspend\""), "{refused}");
    assert!(!refused.contains("name=\"confirme\""), "nothing asked yet");

    // Without JavaScript: the question, the reason repeated, and nothing done yet.
    let reason = "Assurance professionnelle échue le 30/11.";
    let (status, _, asked) =
        post_form(&staff, &format!("{page}/suspend"), &[("reason", reason)]).await;
    assert_eq!(status, 200);
    let text = crate::common::html::visible_text(&asked);
    assert!(text.contains("Suspendre ce label ?"), "{text}");
    assert!(text.contains(reason), "{text}");
    assert!(asked.contains("name=\"confirme\" value=\"oui\""), "{asked}");
    assert!(asked.contains(&format!("href=\"{page}\"")), "the way back");
    assert_eq!(state(&html(&staff, page).await.1), "valide", "not yet");

    // Confirmed: suspended.
    let (status, path, after) = post_form(
        &staff,
        &format!("{page}/suspend"),
        &[("reason", reason), ("confirme", "oui")],
    )
    .await;
    assert_eq!((status, path.as_str()), (200, page));
    assert_eq!(state(&after), "suspendu");

    // Withdrawing is asked too, and said to be final.
    let (status, _, asked) = post_form(
        &staff,
        &format!("{page}/withdraw"),
        &[("reason", "Fraude avérée.")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(crate::common::html::visible_text(&asked).contains("Le retrait est définitif"));
    assert_eq!(state(&html(&staff, page).await.1), "suspendu", "not yet");
    let (_, _, after) = post_form(
        &staff,
        &format!("{page}/withdraw"),
        &[("reason", "Fraude avérée."), ("confirme", "oui")],
    )
    .await;
    assert_eq!(state(&after), "retiré");
}
