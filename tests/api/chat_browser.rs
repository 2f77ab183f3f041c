//! The chat in two headless Chromium browsers: a victim on a phone (390×844) and an operator on
//! a desktop, each seeing the other's messages arrive live (Server-Sent Events into the ARIA
//! live region), by keyboard; axe-core finds no serious or critical violation on either side.

use crate::common::TestApp;
use crate::common::browser::Browser;
use cyberdir::auth::Role;

async fn choose(browser: &Browser, choice: &str) {
    browser.click(&format!("label[for=choix-{choice}]")).await;
    browser.click("form.diagnostic button[type=submit]").await;
}

#[tokio::test]
async fn a_victim_on_a_phone_and_an_operator_on_a_desktop_chat_live() {
    let app = TestApp::spawn().await;
    app.user("p1@police.example", Role::Operator).await;
    let operator = Browser::start().await;
    operator.sign_in(&app, "p1@police.example").await;
    operator.wait_for_text("Échanges avec les victimes").await;
    operator.click("label[for=presence-disponible]").await;
    operator.click("#presence-form button[type=submit]").await;
    operator
        .wait_for_text("Votre présence est enregistrée")
        .await;
    operator.assert_accessible("the operator's console").await;

    // The victim, on a phone: a company under ransomware, the chat offered by its result.
    let victim = Browser::start_phone().await;
    victim.goto(&app.url("/diagnostic")).await;
    victim.wait_for_text("Qui est victime ?").await;
    choose(&victim, "entreprise").await;
    victim.wait_for_text("Que se passe-t-il ?").await;
    choose(&victim, "rancon").await;
    victim
        .wait_for_text("L'attaque est-elle encore en cours ?")
        .await;
    choose(&victim, "oui").await;
    victim
        .wait_for_text("Parler à un policier ou un gendarme")
        .await;
    victim.click("#talk-link").await;
    victim.wait_for_text("Votre premier message").await;
    victim.assert_accessible("the chat's start").await;
    victim
        .type_into("#message", "Nos serveurs se chiffrent un par un.")
        .await;
    victim.click("#chat-start-submit").await;
    victim.wait_for_text("Vous échangez maintenant avec").await;
    assert_eq!(victim.horizontal_overflow().await, None);
    victim.assert_accessible("the victim's chat").await;

    // The console lists the chat as the operator's own, live.
    operator.wait_for_text("Rançongiciel").await;
    operator.click("#mine a").await;
    operator
        .wait_for_text("Ce que le diagnostic a établi")
        .await;
    operator
        .wait_for_text("Nos serveurs se chiffrent un par un.")
        .await;
    operator.assert_accessible("the operator's chat").await;

    // The operator answers by keyboard; the victim's page shows it without reloading, in
    // the live region.
    operator
        .type_into("#message", "Débranchez le câble réseau des postes.")
        .await;
    operator.click("#send").await;
    victim
        .wait_for_text("Débranchez le câble réseau des postes.")
        .await;
    let in_log = victim
        .js(
            "const log = document.getElementById('chat-log');
             const lines = document.getElementById('chat-lines');
             return log.getAttribute('aria-live') + '|' + lines.lastElementChild.textContent;",
            vec![],
        )
        .await;
    let in_log = in_log.as_str().unwrap_or_default().to_owned();
    assert!(
        in_log.starts_with("polite|") && in_log.contains("Débranchez le câble"),
        "{in_log}"
    );
    victim.type_into("#message", "C'est fait, merci.").await;
    victim.click("#send").await;
    operator.wait_for_text("C'est fait, merci.").await;
    // The operator may read it before the victim's page has the answer to its own message.
    victim.wait_for_text("C'est fait, merci.").await;
    // Each line once, though the page both acknowledges and streams it.
    let count = victim
        .js(
            "return Array.from(document.querySelectorAll('#chat-lines li'))
                .filter(li => li.textContent.includes('C\\'est fait, merci.')).length;",
            vec![],
        )
        .await;
    assert_eq!(count, serde_json::json!(1));
    victim
        .assert_accessible("the victim's chat with answers")
        .await;
    victim.close().await;
    operator.close().await;
}
