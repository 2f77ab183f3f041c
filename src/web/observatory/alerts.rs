//! Alerts: staff publish and withdraw them (their list, with the waves the daily pass
//! detected, is `alert_list.rs`); the public reads them in `/alertes.atom`.

use super::context;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::audience::Audience;
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::observatory::alerts::{self, AlertInput, AlertView};
use crate::state::AppState;
use crate::web::form::HtmlForm;
use crate::web::kit::{blocking, first_errors};
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::{PageUser, check_form, data_of};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(new_page)
        .service(publish)
        .service(withdraw)
        .service(atom);
}

const SCOPES: [(&str, &str); 3] = [
    ("national", "France entière"),
    ("region", "Une région"),
    ("departement", "Un département"),
];

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    signal: Option<String>,
}

fn form_view(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    input: &AlertInput,
    errors: &FieldErrors,
) -> PageResult {
    let checked = |list: &[String], code: &str| list.iter().any(|c| c == code);
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let checkbox = |code: &str, label: &str, checked: bool| context::Checked {
        code: code.to_owned(),
        label: label.to_owned(),
        checked,
    };
    let option = |code: &str, label: String, selected: bool| context::Coded {
        code: code.to_owned(),
        label,
        selected,
    };
    let scope_code =
        |scope: &str, code: &str| input.scope == scope && input.scope_code.as_deref() == Some(code);
    Ok(page(
        state,
        status,
        "pages/observatory/alert_form",
        if errors.is_empty() {
            "Nouvelle alerte"
        } else {
            "Erreur : nouvelle alerte"
        },
        Some(user),
        context::AlertForm {
            errors: first_errors(errors),
            has_errors: !errors.is_empty(),
            alert_title: input.title.clone(),
            alert_body: input.body.clone(),
            signal_id: input.signal_id.clone(),
            valid_from: day(input.valid_from),
            valid_until: day(input.valid_until),
            types: state
                .taxonomy
                .all()
                .iter()
                .map(|t| checkbox(&t.code, &t.label, checked(&input.incident_types, &t.code)))
                .collect(),
            audiences: Audience::ALL
                .iter()
                .map(|a| checkbox(a.code(), a.label(), checked(&input.audiences, a.code())))
                .collect(),
            scopes: SCOPES
                .iter()
                .map(|(code, label)| checkbox(code, label, input.scope == *code))
                .collect(),
            regions: state
                .departements
                .regions()
                .into_iter()
                .map(|(code, name)| option(&code, name, scope_code("region", &code)))
                .collect(),
            departements: state
                .departements
                .all()
                .iter()
                .map(|d| {
                    option(
                        &d.code,
                        format!("{} ({})", d.name, d.code),
                        scope_code("departement", &d.code),
                    )
                })
                .collect(),
        },
    ))
}

#[get("/observatoire/alertes/nouvelle")]
async fn new_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<NewQuery>,
) -> PageResult {
    let user = user.0;
    let signal = query.into_inner().signal.filter(|s| !s.is_empty());
    let (inner, actor) = (data_of(&state), user.actor.clone());
    let draft = blocking(move || match signal {
        Some(id) => alerts::draft_from_signal(&inner, &actor, &id),
        None => Ok(AlertInput {
            scope: "national".into(),
            valid_from: Some(inner.clock.today()),
            ..AlertInput::default()
        }),
    })
    .await;
    match draft {
        Ok(input) => form_view(&state, &user, StatusCode::OK, &input, &FieldErrors::new()),
        Err(e) => Err(PageError::from(e)),
    }
}

/// An alert as typed on its form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AlertForm {
    csrf_token: String,
    title: String,
    body: String,
    incident_types: Vec<String>,
    audiences: Vec<String>,
    scope: String,
    scope_code_region: String,
    scope_code_departement: String,
    valid_from: String,
    valid_until: String,
    signal_id: String,
}

/// Every value of a field sent several times, trimmed, the blank ones left out.
fn chosen(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

fn date_field(text: &str, name: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(
            name.to_owned(),
            vec!["Date invalide : choisissez un jour.".to_owned()],
        );
    }
    parsed
}

#[post("/observatoire/alertes")]
async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    form: HtmlForm<AlertForm>,
) -> PageResult {
    let user = user.0;
    let HtmlForm(form) = form;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let mut errors = FieldErrors::new();
    let scope = form.scope.trim().to_owned();
    let input = AlertInput {
        title: form.title.trim().to_owned(),
        body: form.body.trim().to_owned(),
        incident_types: chosen(form.incident_types),
        audiences: chosen(form.audiences),
        // The code of the scope chosen; another scope's list is ignored.
        scope_code: Some(
            match scope.as_str() {
                "region" => form.scope_code_region.trim(),
                "departement" => form.scope_code_departement.trim(),
                _ => "",
            }
            .to_owned(),
        ),
        scope,
        valid_from: date_field(&form.valid_from, "valid_from", &mut errors),
        valid_until: date_field(&form.valid_until, "valid_until", &mut errors),
        signal_id: Some(form.signal_id.trim().to_owned()),
    };
    if !errors.is_empty() {
        return form_view(
            &state,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &errors,
        );
    }
    let (inner, actor, sent) = (data_of(&state), user.actor.clone(), input.clone());
    match blocking(move || alerts::publish(&inner, &actor, &sent)).await {
        Ok(_) => done("/observatoire/alertes", "publiee"),
        Err(AppError::Validation(errors)) => form_view(
            &state,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &errors,
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// Withdrawing an alert: asked first (`alert_list::withdrawal`), without JavaScript on a
/// page of its own, with it in a dialog.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WithdrawForm {
    csrf_token: String,
    /// `oui` once staff confirmed.
    confirme: String,
}

#[post("/observatoire/alertes/{id}/retrait")]
async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<WithdrawForm>,
) -> PageResult {
    let user = user.0;
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (inner, actor, id) = (data_of(&state), user.actor.clone(), path.into_inner());
    if !crate::web::kit::confirmed(&form.confirme) {
        let (reader, asked) = (actor.clone(), id.clone());
        let all = blocking(move || alerts::all(&inner, &reader)).await?;
        let Some((alert, live)) = all.iter().find(|(a, _)| a.id == asked) else {
            return Err(PageError::from(AppError::not_found("Alerte introuvable.")));
        };
        // Nothing to ask about an alert a stale page still offers to withdraw.
        if !live {
            return Err(PageError::from(AppError::Conflict(
                "Cette alerte n'est plus en ligne : rien à retirer.".into(),
            )));
        }
        let asked = super::alert_list::withdrawal(&alert.id, &alert.title);
        return Ok(asked.page(&state, &user));
    }
    match blocking(move || alerts::withdraw(&inner, &actor, &id)).await {
        Ok(()) => done("/observatoire/alertes", "retiree"),
        Err(e) => Err(PageError::from(e)),
    }
}

/// The live alerts as an Atom feed; each links the fiche of its threat (the diagnostic when it
/// names several or none).
pub fn feed(state: &AppState, live: &[AlertView]) -> String {
    let entries = live
        .iter()
        .map(|a| crate::web::atom::Entry {
            title: a.title.clone(),
            id: format!("urn:uuid:{}", a.id),
            link: a
                .fiche
                .as_ref()
                .map_or("/diagnostic".to_owned(), |slug| format!("/fiches/{slug}")),
            published: a.published_at,
            updated: a.published_at,
            summary: format!("{} ({}, {})", a.body, a.scope_label, a.window_fr),
        })
        .collect();
    crate::web::atom::render(
        state,
        &crate::web::atom::Feed {
            title: "alertes",
            path: "/alertes.atom",
            page: "/",
            updated: live.iter().map(|a| a.published_at).max(),
            entries,
        },
    )
}

#[get("/alertes.atom")]
async fn atom(state: web::Data<AppState>) -> PageResult {
    let inner = data_of(&state);
    match blocking(move || alerts::live(&inner)).await {
        Ok(live) => Ok(crate::web::atom::response(feed(&state, &live))),
        Err(e) => Err(PageError::from(e)),
    }
}
