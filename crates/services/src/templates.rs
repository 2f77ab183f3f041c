//! Handlebars templates compiled into the binary (`templates/`), strict mode.

use handlebars::Handlebars;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../templates/"]
struct TemplateFiles;

/// The templates under `prefix` (e.g. `pages/`), named by path without `.hbs`
/// (`pages/search`, `email/layout.html`). `escape_html: false` is for plain-text emails.
/// `{{service_name}}` is the service's public name (a setting, `CYBERDIR_SERVICE_NAME`).
pub fn registry(
    prefix: &str,
    escape_html: bool,
    service_name: &str,
) -> Result<Handlebars<'static>, handlebars::TemplateError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    let name = service_name.to_owned();
    hb.register_helper(
        "service_name",
        Box::new(
            move |_: &handlebars::Helper,
                  _: &Handlebars,
                  _: &handlebars::Context,
                  _: &mut handlebars::RenderContext,
                  out: &mut dyn handlebars::Output|
                  -> handlebars::HelperResult {
                out.write(&name)?;
                Ok(())
            },
        ),
    );
    // `{{state_tone code}}`: the DSFR badge tone of a stored state, whatever its workflow
    // (`pages/partials/state`), so that a state looks the same on every page.
    hb.register_helper(
        "state_tone",
        Box::new(
            |h: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let code = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
                out.write(state_tone(code))?;
                Ok(())
            },
        ),
    );
    // `{{de provider_name}}`: "de" elided or contracted as French writes it ("d'Orange",
    // "d'octobre 2026", "des Experts"), the name escaped like any other value.
    hb.register_helper(
        "de",
        Box::new(
            move |h: &handlebars::Helper,
                  _: &Handlebars,
                  _: &handlebars::Context,
                  _: &mut handlebars::RenderContext,
                  out: &mut dyn handlebars::Output|
                  -> handlebars::HelperResult {
                let value = h
                    .param(0)
                    .and_then(|p| p.value().as_str())
                    .ok_or_else(|| handlebars::RenderErrorReason::ParamNotFoundForIndex("de", 0))?;
                // Escaped first: the article's apostrophe is text, not a value's.
                if escape_html {
                    out.write(&crate::french::de(&handlebars::html_escape(value)))?;
                } else {
                    out.write(&crate::french::de(value))?;
                }
                Ok(())
            },
        ),
    );
    if !escape_html {
        hb.register_escape_fn(handlebars::no_escape);
    }
    for path in TemplateFiles::iter().filter(|p| p.starts_with(prefix) && p.ends_with(".hbs")) {
        let Some(file) = TemplateFiles::get(&path) else {
            continue;
        };
        let source = String::from_utf8_lossy(&file.data);
        let name = path.trim_end_matches(".hbs");
        hb.register_template_string(name, source)?;
    }
    Ok(hb)
}

/// The DSFR badge tone (`fr-badge--…`) of a stored state code: done well, gone wrong, waiting
/// for someone, under way; the rest (draft, withdrawn, closed) plain grey.
pub fn state_tone(code: &str) -> &'static str {
    match code {
        "approved" | "valid" | "granted" | "resolved" | "accepted" | "published" | "active" => {
            "success"
        }
        "rejected" | "refused" | "suspended" | "removed" | "not_resolved" | "expired"
        | "escalated" | "revoked" | "declined" => "error",
        "changes_requested" | "incomplete" | "corrective_actions" | "pending" | "decision"
        | "timed_out" | "paused" => "warning",
        "submitted" | "in_review" | "admissibility" | "admissible" | "audit_scheduled"
        | "audited" | "assigned" | "in_progress" | "new" => "info",
        _ => "plain",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn de_is_elided_before_a_vowel_and_the_name_stays_escaped() {
        let mut pages = super::registry("pages/", true, "Assistance cyber").unwrap();
        pages
            .register_template_string("t", "Signalements {{de month}} ; fiche {{de name}}")
            .unwrap();
        let out = pages
            .render(
                "t",
                &json!({"month": "octobre 2026", "name": "Orange & <Cie>"}),
            )
            .unwrap();
        assert_eq!(
            out,
            "Signalements d'octobre 2026 ; fiche d'Orange &amp; &lt;Cie&gt;"
        );
        let out = pages
            .render(
                "t",
                &json!({"month": "novembre 2026", "name": "Les Experts"}),
            )
            .unwrap();
        assert_eq!(out, "Signalements de novembre 2026 ; fiche des Experts");

        let mut text = super::registry("email/", false, "Assistance cyber").unwrap();
        text.register_template_string("t", "Référencement {{de name}}")
            .unwrap();
        let out = text.render("t", &json!({"name": "A&B Sécurité"})).unwrap();
        assert_eq!(out, "Référencement d'A&B Sécurité");
    }
}

#[cfg(test)]
mod state_tone_tests {
    use super::state_tone;
    use crate::domain::assistance::RequestStatus;
    use crate::domain::provider::ReferencingStatus;

    /// A state that is not a draft, a withdrawal or a closing has a colour: one added to a
    /// workflow without one would show grey, like a draft.
    #[test]
    fn every_working_state_has_its_tone() {
        let plain = ["draft", "withdrawn", "closed", "cancelled"];
        let codes = ReferencingStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(RequestStatus::ALL.iter().map(|s| s.as_str()));
        for code in codes {
            assert_eq!(state_tone(code) == "plain", plain.contains(&code), "{code}");
        }
        assert_eq!(state_tone("approved"), "success");
        assert_eq!(state_tone("escalated"), "error");
        assert_eq!(state_tone("changes_requested"), "warning");
    }
}
