//! The emails of the label lifecycle: to the provider's members at every state change, to the
//! assigned auditor, and to staff.

use crate::audit::Step;
use crate::auth::Role;
use crate::db::labels::{ApplicationRow, LabelRecord};
use crate::db::{DbConnection, accounts};
use crate::domain::label::LabelChange;
use crate::domain::label_application::{Action, ApplicationKind, ApplicationStatus, FeeStatus};
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::french::{day_fr as date_fr, euros};
use crate::infra::Infra;
use crate::mail::Email;
use crate::mail::emails::label::{
    AuditorAssignment, AuditorAuditCancelled, AuditorCorrectionsToVerify,
    LabelApplicationAdmissible, LabelApplicationIncomplete, LabelApplicationReceived,
    LabelApplicationRefused, LabelApplicationWithdrawn, LabelAuditResult, LabelAuditScheduled,
    LabelCorrectiveActions, LabelGranted, StaffLabelApplicationSubmitted,
    StaffLabelApplicationWithdrawn, StaffLabelAuditRecorded, StaffLabelCorrectionsSubmitted,
    StaffLabelDeadlinePassed, StaffLabelExpired,
};
use crate::mail::emails::label_status::{
    LabelExpired, LabelExpiryReminder, LabelReinstated, LabelSuspended, LabelWithdrawn,
};

pub fn application_url(state: &Infra, row: &ApplicationRow) -> String {
    format!(
        "{}/espace/organisations/{}/label/{}",
        state.config.base_url, row.provider_id, row.id
    )
}

fn review_url(state: &Infra, row: &ApplicationRow) -> String {
    format!("{}/instruction/label/{}", state.config.base_url, row.id)
}

fn audit_url(state: &Infra, row: &ApplicationRow) -> String {
    format!("{}/audit/{}", state.config.base_url, row.id)
}

pub fn verification_url(state: &Infra, number: &str) -> String {
    format!("{}/labels/{number}", state.config.base_url)
}

/// The auditor assigned to the application, if any: `email(name, provider_name)` with the
/// auditor's name and the provider's.
pub fn notify_auditor<E: Email>(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
    email: impl FnOnce(String, String) -> E,
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
    step.mail(
        state,
        &auditor.email,
        &email(auditor.display_name, provider.name.clone()),
    )
}

/// The emails of one workflow step.
pub fn application_step(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
    action: Action,
    (from, to): (ApplicationStatus, ApplicationStatus),
) -> Result<(), AppError> {
    let url = application_url(state, row);
    let renewal = row.kind == ApplicationKind::Renewal;
    // Marking incomplete and refusing record their reason on the application.
    let reason = row.decision_reason.as_deref().unwrap_or_default();
    match action {
        Action::Submit => {
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffLabelApplicationSubmitted {
                    name,
                    provider_name,
                    renewal,
                    review_url: review_url(state, row),
                }
            })?;
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelApplicationReceived {
                    name,
                    provider_name,
                    renewal,
                    application_url: url.clone(),
                    fee: euros(row.fee_cents),
                }
            })
        }
        Action::StartAdmissibility => Ok(()),
        Action::MarkIncomplete => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelApplicationIncomplete {
                    name,
                    provider_name,
                    reason: reason.to_owned(),
                    application_url: url.clone(),
                }
            })
        }
        Action::MarkAdmissible => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelApplicationAdmissible {
                    name,
                    provider_name,
                    application_url: url.clone(),
                    fee: euros(row.fee_cents),
                    fee_pending: row.fee_status == FeeStatus::Pending,
                }
            })
        }
        Action::ScheduleAudit => {
            let auditor_name = match &row.auditor_id {
                Some(id) => accounts::user_by_id(conn, id)?
                    .map(|u| u.display_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let date = row.audit_date.map(date_fr).unwrap_or_default();
            notify_auditor(conn, step, state, provider, row, |name, provider_name| {
                AuditorAssignment {
                    name,
                    provider_name,
                    audit_date: date.clone(),
                    audit_url: audit_url(state, row),
                }
            })?;
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelAuditScheduled {
                    name,
                    provider_name,
                    audit_date: date.clone(),
                    auditor_name: auditor_name.clone(),
                    application_url: url.clone(),
                }
            })
        }
        Action::RecordAudit => {
            let corrective = to == ApplicationStatus::CorrectiveActions;
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffLabelAuditRecorded {
                    name,
                    provider_name,
                    corrective,
                    review_url: review_url(state, row),
                }
            })?;
            if corrective {
                step.mail_members(conn, state, provider, |name, provider_name| {
                    LabelCorrectiveActions {
                        name,
                        provider_name,
                        deadline: row.corrective_deadline.map(date_fr).unwrap_or_default(),
                        application_url: url.clone(),
                    }
                })
            } else {
                step.mail_members(conn, state, provider, |name, provider_name| {
                    LabelAuditResult {
                        name,
                        provider_name,
                        application_url: url.clone(),
                    }
                })
            }
        }
        Action::SubmitCorrections => {
            notify_auditor(conn, step, state, provider, row, |name, provider_name| {
                AuditorCorrectionsToVerify {
                    name,
                    provider_name,
                    audit_url: audit_url(state, row),
                }
            })?;
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffLabelCorrectionsSubmitted {
                    name,
                    provider_name,
                    review_url: review_url(state, row),
                }
            })
        }
        Action::Grant => {
            let number = row.label_number.clone().unwrap_or_default();
            let label = crate::db::labels::label(conn, &number)?;
            let valid_from = label.as_ref().map(|l| date_fr(l.valid_from));
            let valid_until = label.as_ref().map(|l| date_fr(l.valid_until));
            step.mail_members(conn, state, provider, |name, provider_name| LabelGranted {
                name,
                provider_name,
                renewal,
                number: number.clone(),
                valid_from: valid_from.clone().unwrap_or_default(),
                valid_until: valid_until.clone().unwrap_or_default(),
                verification_url: verification_url(state, &number),
            })
        }
        Action::Refuse => step.mail_members(conn, state, provider, |name, provider_name| {
            LabelApplicationRefused {
                name,
                provider_name,
                reason: reason.to_owned(),
                application_url: url.clone(),
            }
        }),
        Action::Withdraw => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelApplicationWithdrawn {
                    name,
                    provider_name,
                    application_url: url.clone(),
                }
            })?;
            let why = "la demande de label a été retirée par le prestataire";
            audit_cancelled(conn, step, state, provider, row, why)?;
            if from == ApplicationStatus::Draft {
                // Staff never saw a draft.
                return Ok(());
            }
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffLabelApplicationWithdrawn {
                    name,
                    provider_name,
                    state: from.label().to_owned(),
                    review_url: review_url(state, row),
                }
            })
        }
        Action::Close => {
            let why =
                "la demande de label a été close, le prestataire ayant été retiré de l'annuaire";
            audit_cancelled(conn, step, state, provider, row, why)
        }
    }
}

/// The auditor assigned to `row` loses the audit: `why` completes the sentence.
pub fn audit_cancelled(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
    why: &str,
) -> Result<(), AppError> {
    tell_auditor(conn, step, state, provider, row, why, false)
}

/// The audit of `row` waits: the provider's referencing is suspended.
pub fn audit_on_hold(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
) -> Result<(), AppError> {
    let why = "le référencement du prestataire est suspendu";
    tell_auditor(conn, step, state, provider, row, why, true)
}

fn tell_auditor(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
    why: &str,
    on_hold: bool,
) -> Result<(), AppError> {
    let audit_date = row.audit_date.map(crate::french::day_fr);
    notify_auditor(conn, step, state, provider, row, |name, provider_name| {
        AuditorAuditCancelled {
            name,
            provider_name,
            audit_date,
            why: why.to_owned(),
            on_hold,
        }
    })
}

/// A label changed state: its members are told, with `reason` when there is one.
pub fn label_changed(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    label: &LabelRecord,
    change: LabelChange,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let number = &label.number;
    let reason = reason.unwrap_or_default();
    let valid_until = date_fr(label.valid_until);
    let verification_url = verification_url(state, number);
    match change {
        LabelChange::Suspended => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelSuspended {
                    name,
                    provider_name,
                    number: number.clone(),
                    reason: reason.to_owned(),
                    verification_url: verification_url.clone(),
                }
            })
        }
        LabelChange::Reinstated => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelReinstated {
                    name,
                    provider_name,
                    number: number.clone(),
                    valid_until: valid_until.clone(),
                    verification_url: verification_url.clone(),
                }
            })
        }
        LabelChange::Withdrawn => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                LabelWithdrawn {
                    name,
                    provider_name,
                    number: number.clone(),
                    reason: reason.to_owned(),
                    verification_url: verification_url.clone(),
                }
            })
        }
        LabelChange::Expired => {
            step.mail_members(conn, state, provider, |name, provider_name| LabelExpired {
                name,
                provider_name,
                number: number.clone(),
                valid_until: valid_until.clone(),
                verification_url: verification_url.clone(),
            })?;
            let label_url = format!("{}/instruction/labels/{number}", state.config.base_url);
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffLabelExpired {
                    name,
                    provider_name,
                    number: number.clone(),
                    valid_until: valid_until.clone(),
                    renewal_examined: label.renewal_until.is_some(),
                    label_url: label_url.clone(),
                }
            })
        }
    }
}

/// A reminder `days` before the label expires.
pub fn reminder(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    label: &LabelRecord,
    days: i64,
) -> Result<(), AppError> {
    step.mail_members(conn, state, provider, |name, provider_name| {
        LabelExpiryReminder {
            name,
            provider_name,
            number: label.number.clone(),
            days,
            valid_until: date_fr(label.valid_until),
            portal_url: format!(
                "{}/espace/organisations/{}/label",
                state.config.base_url, provider.id
            ),
        }
    })
}

/// Staff learn that an application was refused for a missed corrective-action deadline.
pub fn deadline_passed(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    row: &ApplicationRow,
) -> Result<(), AppError> {
    step.mail_staff(conn, state, provider, |name, provider_name| {
        StaffLabelDeadlinePassed {
            name,
            provider_name,
            deadline: row.corrective_deadline.map(date_fr).unwrap_or_default(),
            review_url: review_url(state, row),
        }
    })?;
    step.mail_members(conn, state, provider, |name, provider_name| {
        LabelApplicationRefused {
            name,
            provider_name,
            reason: row.decision_reason.clone().unwrap_or_default(),
            application_url: application_url(state, row),
        }
    })
}
