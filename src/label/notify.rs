//! The emails of the label lifecycle: to the provider's members at every state change, to the
//! assigned auditor, and to staff.

use serde_json::{Value, json};

use crate::auth::Role;
use crate::db::labels::{ApplicationRow, LabelRecord};
use crate::db::{DbConnection, accounts};
use crate::domain::label_application::{Action, ApplicationStatus};
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::state::AppState;

fn date_fr(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn euros(cents: i32) -> String {
    format!("{} €", cents / 100)
}

pub fn application_url(state: &AppState, row: &ApplicationRow) -> String {
    format!(
        "{}/espace/organisations/{}/label/{}",
        state.config.base_url, row.provider_id, row.id
    )
}

fn review_url(state: &AppState, row: &ApplicationRow) -> String {
    format!("{}/instruction/label/{}", state.config.base_url, row.id)
}

fn audit_url(state: &AppState, row: &ApplicationRow) -> String {
    format!("{}/audit/{}", state.config.base_url, row.id)
}

pub fn verification_url(state: &AppState, number: &str) -> String {
    format!("{}/labels/{number}", state.config.base_url)
}

use crate::referencing::{notify_members, notify_staff};

/// The auditor assigned to the application, if any.
pub fn notify_auditor(
    conn: &mut DbConnection,
    state: &AppState,
    provider: &Provider,
    row: &ApplicationRow,
    template: &str,
    mut data: Value,
) -> Result<(), AppError> {
    let Some(auditor_id) = &row.auditor_id else {
        return Ok(());
    };
    let Some(auditor) = accounts::user_by_id(conn, auditor_id)? else {
        return Ok(());
    };
    if auditor.disabled || auditor.role != Role::Auditor.as_str() {
        return Ok(());
    }
    data["name"] = Value::String(auditor.display_name);
    data["provider_name"] = Value::String(provider.name.clone());
    state
        .mailer
        .enqueue(conn, &state.clock, &auditor.email, template, &data)?;
    Ok(())
}

/// The emails of one workflow step.
pub fn application_step(
    conn: &mut DbConnection,
    state: &AppState,
    provider: &Provider,
    row: &ApplicationRow,
    action: Action,
    to: ApplicationStatus,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let url = application_url(state, row);
    let renewal = row.kind == "renewal";
    let reason = reason.unwrap_or_default();
    match action {
        Action::Submit => {
            notify_staff(
                conn,
                state,
                provider,
                "staff_label_application_submitted",
                json!({ "renewal": renewal, "review_url": review_url(state, row) }),
            )?;
            notify_members(
                conn,
                state,
                provider,
                "label_application_received",
                json!({ "renewal": renewal, "application_url": url, "fee": euros(row.fee_cents) }),
            )
        }
        Action::StartAdmissibility => Ok(()),
        Action::MarkIncomplete => notify_members(
            conn,
            state,
            provider,
            "label_application_incomplete",
            json!({ "reason": reason, "application_url": url }),
        ),
        Action::MarkAdmissible => notify_members(
            conn,
            state,
            provider,
            "label_application_admissible",
            json!({ "application_url": url, "fee": euros(row.fee_cents), "fee_pending": row.fee_status == "pending" }),
        ),
        Action::ScheduleAudit => {
            let auditor_name = match &row.auditor_id {
                Some(id) => accounts::user_by_id(conn, id)?
                    .map(|u| u.display_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let date = row.audit_date.map(date_fr).unwrap_or_default();
            notify_auditor(
                conn,
                state,
                provider,
                row,
                "auditor_assignment",
                json!({ "audit_date": date, "audit_url": audit_url(state, row) }),
            )?;
            notify_members(
                conn,
                state,
                provider,
                "label_audit_scheduled",
                json!({ "audit_date": date, "auditor_name": auditor_name, "application_url": url }),
            )
        }
        Action::RecordAudit => {
            let corrective = to == ApplicationStatus::CorrectiveActions;
            notify_staff(
                conn,
                state,
                provider,
                "staff_label_audit_recorded",
                json!({ "corrective": corrective, "review_url": review_url(state, row) }),
            )?;
            if corrective {
                notify_members(
                    conn,
                    state,
                    provider,
                    "label_corrective_actions",
                    json!({
                        "deadline": row.corrective_deadline.map(date_fr).unwrap_or_default(),
                        "application_url": url,
                    }),
                )
            } else {
                notify_members(
                    conn,
                    state,
                    provider,
                    "label_audit_result",
                    json!({ "application_url": url }),
                )
            }
        }
        Action::SubmitCorrections => {
            notify_auditor(
                conn,
                state,
                provider,
                row,
                "auditor_corrections_to_verify",
                json!({ "audit_url": audit_url(state, row) }),
            )?;
            notify_staff(
                conn,
                state,
                provider,
                "staff_label_corrections_submitted",
                json!({ "review_url": review_url(state, row) }),
            )
        }
        Action::Grant => {
            let number = row.label_number.clone().unwrap_or_default();
            let label = crate::db::labels::label(conn, &number)?;
            notify_members(
                conn,
                state,
                provider,
                "label_granted",
                json!({
                    "renewal": renewal,
                    "number": number,
                    "valid_from": label.as_ref().map(|l| date_fr(l.valid_from)).unwrap_or_default(),
                    "valid_until": label.as_ref().map(|l| date_fr(l.valid_until)).unwrap_or_default(),
                    "verification_url": verification_url(state, &number),
                }),
            )
        }
        Action::Refuse => notify_members(
            conn,
            state,
            provider,
            "label_application_refused",
            json!({ "reason": reason, "application_url": url }),
        ),
        Action::Withdraw => notify_members(
            conn,
            state,
            provider,
            "label_application_withdrawn",
            json!({ "application_url": url }),
        ),
    }
}

/// A label changed state (suspended, reinstated, withdrawn, expired).
pub fn label_changed(
    conn: &mut DbConnection,
    state: &AppState,
    provider: &Provider,
    label: &LabelRecord,
    template: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    notify_members(
        conn,
        state,
        provider,
        template,
        json!({
            "number": label.number,
            "reason": reason.unwrap_or_default(),
            "valid_until": date_fr(label.valid_until),
            "verification_url": verification_url(state, &label.number),
        }),
    )
}

/// A reminder `days` before the label expires.
pub fn reminder(
    conn: &mut DbConnection,
    state: &AppState,
    provider: &Provider,
    label: &LabelRecord,
    days: i64,
) -> Result<(), AppError> {
    notify_members(
        conn,
        state,
        provider,
        "label_expiry_reminder",
        json!({
            "number": label.number,
            "days": days,
            "valid_until": date_fr(label.valid_until),
            "portal_url": format!("{}/espace/organisations/{}/label", state.config.base_url, provider.id),
        }),
    )
}

/// Staff learn that an application was refused for a missed corrective-action deadline.
pub fn deadline_passed(
    conn: &mut DbConnection,
    state: &AppState,
    provider: &Provider,
    row: &ApplicationRow,
) -> Result<(), AppError> {
    notify_staff(
        conn,
        state,
        provider,
        "staff_label_deadline_passed",
        json!({
            "deadline": row.corrective_deadline.map(date_fr).unwrap_or_default(),
            "review_url": review_url(state, row),
        }),
    )?;
    notify_members(
        conn,
        state,
        provider,
        "label_application_refused",
        json!({ "reason": row.decision_reason.clone().unwrap_or_default(), "application_url": application_url(state, row) }),
    )
}
