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
