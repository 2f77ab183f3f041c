//! The staff page of one label granted, with its history and its actions (suspending and
//! withdrawing asked first: the directory and the provider see them at once); the list of
//! labels is the register (`register.rs`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;

use super::{blocking, context, day_fr, failed};
use crate::domain::label::LabelStatus;
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::label::labels::{self as label_service, LabelAction};
use crate::state::AppState;
use crate::web::kit::{Confirmation, Detail, confirmed};
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::{PageUser, StaffUser, check_form, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(label_page).service(act_on_label);
}

/// A decision on a label, with its reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReasonForm {
    csrf_token: String,
    reason: String,
    /// `oui` once staff confirmed suspending or withdrawing the label.
    confirme: String,
}

/// Suspending or withdrawing a label is asked first: it leaves the directory's labelled
/// providers at once and the provider is told by email.
fn confirmation(number: &str, action: LabelAction, reason: &str) -> Option<Confirmation> {
    let (question, consequence, confirm) = match action {
        LabelAction::Suspend => (
            "Suspendre ce label ?",
            "Le label n'apparaît plus dans l'annuaire ni sur la page de vérification tant qu'il est suspendu ; le prestataire reçoit votre motif par courriel. Vous pourrez le rétablir tant qu'il est dans sa période de validité.",
            "Confirmer : suspendre le label",
        ),
        LabelAction::Withdraw => (
            "Retirer ce label ?",
            "Le retrait est définitif : le label n'est plus valable et le prestataire reçoit votre motif par courriel. Il devra déposer une nouvelle demande pour l'obtenir de nouveau.",
            "Confirmer : retirer le label",
        ),
        LabelAction::Reinstate => return None,
    };
    Some(Confirmation {
        question: question.to_owned(),
        consequence: consequence.to_owned(),
        details: vec![Detail {
            label: "Motif communiqué au prestataire".into(),
            value: reason.trim().to_owned(),
        }],
        action: format!("/instruction/labels/{number}/{}", action.slug()),
        fields: vec![Detail {
            label: "reason".into(),
            value: reason.to_owned(),
        }],
        confirm_label: confirm.to_owned(),
        cancel_href: format!("/instruction/labels/{number}"),
    })
}

#[get("/instruction/labels/{number}")]
async fn label_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> PageResult {
    let user = user.0;
    show_label(&state, &user, &path.into_inner(), StatusCode::OK, None).await
}

async fn show_label(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    number: &str,
    status: StatusCode,
    error: Option<(String, String)>,
) -> PageResult {
    let inner = state.clone().into_inner();
    let (who, asked) = (user.clone(), number.to_owned());
    let loaded = blocking(move || {
        let events = label_service::events(&inner, &who, &asked)?;
        Ok((label_service::staff_view(&inner, &who, &asked)?, events))
    })
    .await;
    let (label, events) = loaded.map_err(failed)?;
    let action = |a: LabelAction, button: &'static str, reason: bool| context::LabelButton {
        slug: a.slug(),
        button,
        reason,
        confirm: confirmation(&label.number, a, ""),
        error: error
            .as_ref()
            .filter(|(slug, _)| slug == a.slug())
            .map(|(_, m)| m.clone()),
    };
    let actions = match label.status {
        LabelStatus::Valid => vec![
            action(LabelAction::Suspend, "Suspendre le label", true),
            action(LabelAction::Withdraw, "Retirer le label", true),
        ],
        LabelStatus::Suspended => vec![
            action(LabelAction::Reinstate, "Rétablir le label", false),
            action(LabelAction::Withdraw, "Retirer le label", true),
        ],
        _ => vec![],
    };
    Ok(page(
        state,
        status,
        "pages/label/label",
        &format!("Label {}", label.number),
        Some(user),
        context::Label {
            provider_href: format!("/instruction/dossiers/{}", label.provider_id),
            valid_from: day_fr(label.valid_from),
            valid_until: day_fr(label.valid_until),
            renewal_pending: label.renewal_pending,
            actions,
            events: context::EventLine::trail(&events, str::to_owned),
            number: label.number,
            provider_name: label.provider_name,
            status: label.status.as_str(),
            status_label: label.status_label,
        },
    ))
}

#[post("/instruction/labels/{number}/{action}")]
async fn act_on_label(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<ReasonForm>,
) -> PageResult {
    let user = user.0;
    let (number, slug) = path.into_inner();
    let fields = form.into_inner();
    check_form(&req, &state, &user, fields.csrf_token.trim()).map_err(failed)?;
    let Some(action) = LabelAction::from_slug(&slug) else {
        return Err(failed(AppError::not_found("Action inconnue.")));
    };
    let reason = fields.reason.trim().to_owned();
    // A blank reason is said beside its field first (by the step), not after a confirmation.
    if !confirmed(&fields.confirme)
        && !reason.is_empty()
        && let Some(asked) = confirmation(&number, action, &fields.reason)
    {
        return Ok(asked.page(&state, &user));
    }
    let inner = state.clone().into_inner();
    let (who, asked) = (user.clone(), number.clone());
    match blocking(move || label_service::act(&inner, &who, &asked, action, Some(&reason))).await {
        Ok(_) => Ok(see_other(&format!("/instruction/labels/{number}"))),
        Err(e @ AppError::Validation(_)) => {
            show_label(
                &state,
                &user,
                &number,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((slug, e.said())),
            )
            .await
        }
        Err(e) => Err(failed(e)),
    }
}
