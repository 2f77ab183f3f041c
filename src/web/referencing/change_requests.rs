//! Changes of published profiles that staff approve or reject.

use super::*;
use crate::domain::actor::Actor;
use crate::referencing::change_requests::PendingChange;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::StaffUser;

fn reviewed_field_label(field: &str) -> &'static str {
    match field {
        "legal_name" => "Raison sociale",
        "siret" => "SIRET",
        "address_line" => "Adresse",
        "postcode" => "Code postal",
        "commune_code" => "Commune (code INSEE)",
        "city" => "Commune",
        "zone" => "Zone d'intervention",
        _ => "Autre champ",
    }
}

fn current_value(provider: &Provider, field: &str) -> String {
    match field {
        "legal_name" => provider.legal_name.clone(),
        "siret" => provider.siret.clone(),
        "address_line" => provider.address_line.clone(),
        "postcode" => provider.postcode.clone(),
        "commune_code" => provider.commune_code.clone().unwrap_or_default(),
        "city" => provider.city.clone(),
        "zone" => provider.zone.describe_fr(),
        _ => String::new(),
    }
}

fn requested_value(field: &str, value: &Value) -> String {
    if field == "zone"
        && let Ok(zone) = serde_json::from_value::<Zone>(value.clone())
    {
        return zone.describe_fr();
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
struct FieldChange {
    label: &'static str,
    current: String,
    requested: String,
}

#[derive(Serialize)]
struct ChangeRequestLine {
    id: String,
    provider_href: String,
    provider_name: String,
    legal_name: String,
    status_label: String,
    requested: String,
    requested_iso: String,
    requested_by: String,
    fields: Vec<FieldChange>,
    reason: String,
    error: Option<String>,
}

fn load_change_requests(
    state: &AppState,
    staff: &Actor,
) -> Result<Vec<(ChangeRequestLine, String)>, AppError> {
    let pending = referencing::change_requests::pending(state, staff)?;
    let mut lines = Vec::with_capacity(pending.len());
    for PendingChange {
        row,
        provider,
        requested_by,
    } in pending
    {
        let requested_by = requested_by.unwrap_or_default();
        let changes: Value = serde_json::from_str(&row.changes).unwrap_or(Value::Null);
        let fields = changes
            .as_object()
            .map(|map| {
                crate::referencing::profile::REVIEWED_FIELDS
                    .iter()
                    .filter_map(|f| map.get(*f).map(|v| (*f, v)))
                    .map(|(f, v)| FieldChange {
                        label: reviewed_field_label(f),
                        current: provider
                            .as_ref()
                            .map(|p| current_value(p, f))
                            .unwrap_or_default(),
                        requested: requested_value(f, v),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (provider_name, legal_name, status_label) = match &provider {
            Some(p) => (
                if p.name.is_empty() {
                    "(sans nom commercial)".to_owned()
                } else {
                    p.name.clone()
                },
                p.legal_name.clone(),
                state_label(p.status),
            ),
            None => (
                "(organisation supprimée)".to_owned(),
                String::new(),
                String::new(),
            ),
        };
        lines.push((
            ChangeRequestLine {
                id: row.id.clone(),
                provider_href: format!("/instruction/dossiers/{}", row.provider_id),
                provider_name,
                legal_name,
                status_label,
                requested: datetime_fr(row.requested_at),
                requested_iso: iso(row.requested_at),
                requested_by,
                fields,
                reason: String::new(),
                error: None,
            },
            row.id,
        ));
    }
    Ok(lines)
}

fn change_requests_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    lines: Vec<(ChangeRequestLine, String)>,
    info: Option<&str>,
    error: Option<String>,
    failed: Option<(String, String, Option<String>)>,
) -> PageResult {
    let lines: Vec<ChangeRequestLine> = lines
        .into_iter()
        .map(|(mut line, id)| {
            if let Some((failed_id, reason, message)) = &failed
                && *failed_id == id
            {
                line.reason = reason.clone();
                line.error = message.clone();
            }
            line
        })
        .collect();
    let title = if error.is_some() {
        "Erreur : demandes de modification"
    } else {
        "Demandes de modification"
    };
    Ok(page(
        state,
        status,
        "pages/referencing/change_requests",
        title,
        Some(user),
        ChangeRequestsPage {
            summary: match lines.len() {
                0 => "Aucune demande en attente.".to_owned(),
                n => plural(n, "demande en attente", "demandes en attente"),
            },
            lines,
            info,
            error,
        },
    ))
}

/// `pages/referencing/change_requests`: the profile changes waiting for staff.
#[derive(Serialize)]
struct ChangeRequestsPage<'a, L> {
    summary: String,
    lines: Vec<L>,
    info: Option<&'a str>,
    error: Option<String>,
}

#[get("/instruction/modifications")]
pub async fn change_requests_get(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<InfoQuery>,
) -> PageResult {
    let user = user.0;
    let inner = data_of(&state);
    let info = match query.info.as_deref() {
        Some("approuvee") => {
            Some("La modification est approuvée et publiée ; le prestataire en est informé.")
        }
        Some("refusee") => Some("La modification est refusée ; le prestataire a reçu votre motif."),
        _ => None,
    };
    let staff = user.actor.clone();
    match blocking(move || load_change_requests(&inner, &staff)).await {
        Ok(lines) => change_requests_page(&state, &user, StatusCode::OK, lines, info, None, None),
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub reason: String,
}

#[post("/instruction/modifications/{id}/{decision}")]
pub async fn change_request_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let (id, decision) = path.into_inner();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(PageError::from(AppError::not_found(
                "Cette décision n'existe pas.",
            )));
        }
    };
    let (inner, actor, target) = (data_of(&state), user.clone(), id.clone());
    let reason = (!approve).then(|| form.reason.clone());
    let result = blocking(move || {
        referencing::change_requests::decide(&inner, &actor, &target, approve, reason.as_deref())
    })
    .await;
    let (status, error, failed) = match result {
        Ok(_) => {
            return done(
                "/instruction/modifications",
                if approve { "approuvee" } else { "refusee" },
            );
        }
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                message.clone(),
                Some((id, form.reason, Some(message))),
            )
        }
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, message, None),
        Err(other) => return Err(PageError::from(other)),
    };
    let inner = data_of(&state);
    let staff = user.actor.clone();
    match blocking(move || load_change_requests(&inner, &staff)).await {
        Ok(lines) => change_requests_page(&state, &user, status, lines, None, Some(error), failed),
        Err(e) => Err(PageError::from(e)),
    }
}
