//! Staff manage partners (their list is `list.rs`): a new partner, and each
//! partner's page: its settings, its API keys (issued, shown once, rotated, revoked), its
//! figures, and what to give its web team (the snippet, a live preview, what the module
//! collects).

use super::context;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use crate::domain::audience::Audience;
use crate::domain::observatory::suppression::DEFAULT_THRESHOLD;
use crate::domain::partner::PartnerState;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::partners::keys::{self, IssuedKey};
use crate::partners::statistics::{self, StatisticsQuery};
use crate::partners::{self, PartnerInput, PartnerView};
use crate::state::AppState;
use crate::web::kit::InfoQuery;
use crate::web::kit::{blocking, first_errors};
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::{PageUser, check_form, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(new_page)
        .service(create)
        .service(partner_page)
        .service(update)
        .service(issue_key)
        .service(revoke_key);
}

const SCOPES: [(&str, &str); 3] = [
    (
        "parcours",
        "Le parcours complet : diagnostic, professionnels proches, demande",
    ),
    (
        "diagnostic",
        "Le diagnostic seul (les professionnels sont proposés sur le site)",
    ),
    (
        "recherche",
        "La recherche d'un professionnel et la demande, sans diagnostic",
    ),
];

/// The partner form's choices and values.
fn form_data(state: &AppState, input: &PartnerInput, errors: &FieldErrors) -> context::Form {
    let coded = |code: &str, label: String| context::Coded {
        selected: input.scope == code,
        code: code.to_owned(),
        label,
    };
    let mut scopes: Vec<context::Coded> = SCOPES
        .iter()
        .map(|(code, label)| coded(code, (*label).to_owned()))
        .collect();
    for a in Audience::ALL {
        let label = format!("Le parcours complet, pour le public « {} »", a.label());
        scopes.push(coded(&format!("public:{}", a.code()), label));
    }
    for c in state.taxonomy.categories() {
        let label = format!(
            "Le parcours complet, pour « {} »",
            crate::domain::taxonomy::category_label(c)
        );
        scopes.push(coded(&format!("categorie:{c}"), label));
    }
    context::Form {
        errors: first_errors(errors),
        has_errors: !errors.is_empty(),
        form: context::Typed {
            name: input.name.clone(),
            contact_name: input.contact_name.clone(),
            contact_email: input.contact_email.clone(),
            origins: input.origins.join("\n"),
            accent: input.accent.clone(),
            version: input.version,
        },
        scopes,
        states: PartnerState::ALL
            .iter()
            .map(|s| context::Coded {
                code: s.as_str().to_owned(),
                label: s.label().to_owned(),
                selected: input.state.as_deref() == Some(s.as_str()),
            })
            .collect(),
    }
}

/// A partner's form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PartnerForm {
    csrf_token: String,
    name: String,
    contact_name: String,
    contact_email: String,
    /// Addresses, one per line (or separated by commas).
    origins: String,
    scope: String,
    accent: String,
    state: String,
    version: String,
}

/// What staff typed, trimmed (the API takes values as sent).
fn input_of(form: &PartnerForm) -> PartnerInput {
    let typed = |value: &str| value.trim().to_owned();
    PartnerInput {
        name: typed(&form.name),
        contact_name: typed(&form.contact_name),
        contact_email: typed(&form.contact_email),
        origins: form
            .origins
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        scope: typed(&form.scope),
        accent: Some(typed(&form.accent)),
        state: Some(typed(&form.state)).filter(|s| !s.is_empty()),
        version: form.version.trim().parse().ok(),
    }
}

fn new_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    input: &PartnerInput,
    errors: &FieldErrors,
) -> PageResult {
    Ok(page(
        state,
        status,
        "pages/partners/new",
        if errors.is_empty() {
            "Nouveau partenaire"
        } else {
            "Erreur : nouveau partenaire"
        },
        Some(user),
        form_data(state, input, errors),
    ))
}

#[get("/partenaires/nouveau")]
async fn new_page(state: web::Data<AppState>, user: StaffUser) -> PageResult {
    let user = user.0;
    let input = PartnerInput {
        scope: "parcours".into(),
        state: Some(PartnerState::Active.as_str().into()),
        ..PartnerInput::default()
    };
    new_view(&state, &user, StatusCode::OK, &input, &FieldErrors::new())
}

#[post("/partenaires")]
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<PartnerForm>,
) -> PageResult {
    let user = user.0;
    let fields = form.into_inner();
    check_form(&req, &state, &user, &fields.csrf_token)?;
    let input = input_of(&fields);
    let (inner, actor, sent) = (data_of(&state), user.actor.clone(), input.clone());
    match blocking(move || partners::create(&inner, &inner.partners, &actor, &sent)).await {
        Ok(created) => done(&format!("/partenaires/{}", created.id), "cree"),
        Err(AppError::Validation(errors)) => new_view(
            &state,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &errors,
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// What the partner's page shows besides the form.
#[derive(Default)]
struct Shown {
    info: Option<&'static str>,
    issued: Option<IssuedKey>,
    key_error: Option<String>,
}

/// The partner's page: settings, keys, figures, integration.
async fn partner_view(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: String,
    edited: Option<(&PartnerInput, &FieldErrors)>,
    shown: Shown,
) -> PageResult {
    let (inner, actor) = (data_of(state), user.actor.clone());
    let loaded = blocking(move || {
        let partner = partners::get(&inner, &actor, &id)?;
        let keys = keys::list(&inner, &actor, &id)?;
        // Figures refused by the audit do not take the partner's page down with them.
        let figures = statistics::of_partner(&inner, &id, &StatisticsQuery::default())
            .map(|f| context::PartnerFigures {
                journeys: table_view(&f.journeys),
                requests: table_view(&f.requests),
            })
            .map_err(|e| e.said());
        Ok::<_, AppError>((partner, keys, figures))
    })
    .await;
    let (partner, keys, figures) = loaded?;
    let current = input_from(&partner);
    let (input, errors, status) = match edited {
        Some((input, errors)) => (
            input.clone(),
            errors.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (current, FieldErrors::new(), StatusCode::OK),
    };
    let status = if shown.key_error.is_some() {
        StatusCode::CONFLICT
    } else {
        status
    };
    let data = context::Partner {
        form: form_data(state, &input, &errors),
        info: shown.info,
        issued: shown.issued,
        key_error: shown.key_error,
        valid_keys: keys
            .iter()
            .filter(|k| k.status == crate::domain::partner::KeyStatus::Valid)
            .count(),
        keys,
        largest_secret: DEFAULT_THRESHOLD.saturating_sub(1),
        figures,
        snippet: snippet(state, &partner),
        csp: csp_directives(state),
        partner,
    };
    Ok(page(
        state,
        status,
        "pages/partners/partner",
        &data.partner.name,
        Some(user),
        &data,
    ))
}

/// A figures table as read: grouped thousands, a dash where a count is not published.
fn table_view(table: &statistics::Table) -> context::FiguresTable {
    let shown = |count: Option<u64>| count.map_or_else(|| "–".to_owned(), crate::french::number_fr);
    context::FiguresTable {
        columns: table.columns.clone(),
        rows: table
            .rows
            .iter()
            .map(|r| context::FiguresRow {
                label: r.label.clone(),
                cells: r.counts.iter().map(|c| shown(c.count)).collect(),
                total: shown(r.total),
            })
            .collect(),
    }
}

fn input_from(partner: &PartnerView) -> PartnerInput {
    PartnerInput {
        name: partner.name.clone(),
        contact_name: partner.contact_name.clone(),
        contact_email: partner.contact_email.clone(),
        origins: partner.origins.clone(),
        scope: partner.scope.clone(),
        accent: partner.accent.clone(),
        state: Some(partner.state.as_str().to_owned()),
        version: Some(partner.version),
    }
}

/// What the partner's web team pastes: the frame (its height an attribute, not an inline style)
/// and the script that fits it, as a file (`static/module-embed.js`): nothing inline, so it runs
/// under the partner's strict Content-Security-Policy. Messages go only to the service's origin,
/// and only the service's messages from that frame are read.
pub fn snippet(state: &AppState, partner: &PartnerView) -> String {
    let origin = service_origin(state);
    format!(
        r#"<iframe id="cyberdir-module" src="{url}" title="Assistance aux victimes de cybermalveillance" width="100%" height="640"></iframe>
<script src="{origin}/static/module-embed.js" defer></script>"#,
        url = partner.module_url,
    )
}

/// The directives the partner adds to its own Content-Security-Policy for the snippet.
pub fn csp_directives(state: &AppState) -> String {
    let origin = service_origin(state);
    format!("frame-src {origin}; script-src {origin}")
}

fn service_origin(state: &AppState) -> String {
    url::Url::parse(&state.config.base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| state.config.base_url.clone())
}

#[get("/partenaires/{id}")]
async fn partner_page(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let info = match query.info.as_deref() {
        Some("cree") => Some(
            "Le partenaire est créé. Créez sa clé d'API et transmettez-lui le code d'intégration.",
        ),
        Some("modifie") => Some("Les modifications sont enregistrées."),
        Some("revoquee") => Some("La clé est révoquée : elle ne donne plus accès aux chiffres."),
        _ => None,
    };
    let shown = Shown {
        info,
        ..Shown::default()
    };
    partner_view(&state, &user, path.into_inner(), None, shown).await
}

#[post("/partenaires/{id}")]
async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<PartnerForm>,
) -> PageResult {
    let user = user.0;
    let fields = form.into_inner();
    check_form(&req, &state, &user, &fields.csrf_token)?;
    let id = path.into_inner();
    let input = input_of(&fields);
    let (inner, actor, sent, asked) = (
        data_of(&state),
        user.actor.clone(),
        input.clone(),
        id.clone(),
    );
    match blocking(move || partners::update(&inner, &inner.partners, &actor, &asked, &sent)).await {
        Ok(_) => done(&format!("/partenaires/{id}"), "modifie"),
        Err(AppError::Validation(errors)) => {
            partner_view(&state, &user, id, Some((&input, &errors)), Shown::default()).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The key form: the key it replaces, if any.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct KeyForm {
    csrf_token: String,
    remplace: String,
}

/// A new key is shown on the page that answers the post, never in an address.
#[post("/partenaires/{id}/cles")]
async fn issue_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<KeyForm>,
) -> PageResult {
    let user = user.0;
    let KeyForm {
        csrf_token,
        remplace,
    } = form.into_inner();
    check_form(&req, &state, &user, &csrf_token)?;
    let id = path.into_inner();
    let replaces = Some(remplace).filter(|r| !r.is_empty());
    let (inner, actor, asked) = (data_of(&state), user.actor.clone(), id.clone());
    let issued = blocking(move || keys::issue(&inner, &actor, &asked, replaces.as_deref())).await;
    let shown = match issued {
        Ok(issued) => Shown {
            issued: Some(issued),
            ..Shown::default()
        },
        Err(AppError::Conflict(message)) => Shown {
            key_error: Some(message),
            ..Shown::default()
        },
        Err(AppError::Validation(errors)) => Shown {
            key_error: Some(crate::web::kit::first_message(&errors)),
            ..Shown::default()
        },
        Err(e) => return Err(PageError::from(e)),
    };
    partner_view(&state, &user, id, None, shown).await
}

/// A revocation as posted: confirmed (`confirme=oui`) or not yet.
#[derive(Debug, Default, Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    confirme: String,
}

#[post("/partenaires/{id}/cles/{key}/revocation")]
async fn revoke_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    form: web::Form<RevokeForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (id, key) = path.into_inner();
    if !crate::web::kit::confirmed(&form.confirme) {
        // The partner's site stops working with this key at once: asked first.
        return Ok(crate::web::kit::Confirmation {
            question: "Révoquer cette clé d'API ?".into(),
            consequence: "Les appels du partenaire avec cette clé sont refusés dès que vous \
                              confirmez ; le module intégré à son site cesse de fonctionner s'il \
                              n'a pas d'autre clé valide. La révocation est définitive."
                .into(),
            details: Vec::new(),
            action: format!("/partenaires/{id}/cles/{key}/revocation"),
            fields: Vec::new(),
            confirm_label: "Confirmer : révoquer la clé".into(),
            cancel_href: format!("/partenaires/{id}"),
        }
        .page(&state, &user));
    }
    let (inner, actor, asked) = (data_of(&state), user.actor.clone(), id.clone());
    match blocking(move || keys::revoke(&inner, &actor, &asked, &key)).await {
        Ok(()) => done(&format!("/partenaires/{id}"), "revoquee"),
        Err(AppError::Conflict(message)) => {
            let shown = Shown {
                key_error: Some(message),
                ..Shown::default()
            };
            partner_view(&state, &user, id, None, shown).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
