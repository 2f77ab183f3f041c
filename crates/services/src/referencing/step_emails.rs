//! The emails each referencing step sends: to the organisation's members and to staff.

use super::*;
use crate::audit::Step;
use crate::db::DbConnection;
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::referencing::Action;
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::referencing::{
    ApplicationApproved, ApplicationChangesRequested, ApplicationInReview, ApplicationReceived,
    ApplicationRejected, ApplicationWithdrawn, ProviderReinstated, ProviderRemoved,
    ProviderSuspended, StaffApplicationSubmitted, StaffApplicationWithdrawn,
};

pub(super) fn send_step_emails(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    provider: &Provider,
    action: Action,
    from: ReferencingStatus,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let id = &provider.id;
    let reason = reason.unwrap_or_default();
    match action {
        Action::Submit => {
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffApplicationSubmitted {
                    name,
                    provider_name,
                    resubmitted: from == ReferencingStatus::ChangesRequested,
                    review_url: review_url(state, id),
                }
            })?;
            step.mail_members(conn, state, provider, |name, provider_name| {
                ApplicationReceived {
                    name,
                    provider_name,
                    application_url: application_url(state, id),
                }
            })
        }
        Action::Withdraw => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                ApplicationWithdrawn {
                    name,
                    provider_name,
                }
            })?;
            if from == ReferencingStatus::Draft {
                // Staff never received a draft.
                return Ok(());
            }
            step.mail_staff(conn, state, provider, |name, provider_name| {
                StaffApplicationWithdrawn {
                    name,
                    provider_name,
                    review_url: review_url(state, id),
                }
            })
        }
        Action::StartReview => step.mail_members(conn, state, provider, |name, provider_name| {
            ApplicationInReview {
                name,
                provider_name,
                application_url: application_url(state, id),
            }
        }),
        Action::RequestChanges => {
            step.mail_members(conn, state, provider, |name, provider_name| {
                ApplicationChangesRequested {
                    name,
                    provider_name,
                    reason: reason.to_owned(),
                    application_url: application_url(state, id),
                }
            })
        }
        Action::Approve => step.mail_members(conn, state, provider, |name, provider_name| {
            ApplicationApproved {
                name,
                provider_name,
                profile_url: profile_url(state, id),
                application_url: application_url(state, id),
            }
        }),
        Action::Reject => step.mail_members(conn, state, provider, |name, provider_name| {
            ApplicationRejected {
                name,
                provider_name,
                reason: reason.to_owned(),
                application_url: application_url(state, id),
            }
        }),
        Action::Suspend => step.mail_members(conn, state, provider, |name, provider_name| {
            ProviderSuspended {
                name,
                provider_name,
                reason: reason.to_owned(),
                application_url: application_url(state, id),
            }
        }),
        Action::Reinstate => step.mail_members(conn, state, provider, |name, provider_name| {
            ProviderReinstated {
                name,
                provider_name,
                profile_url: profile_url(state, id),
            }
        }),
        Action::Remove => step.mail_members(conn, state, provider, |name, provider_name| {
            ProviderRemoved {
                name,
                provider_name,
                reason: reason.to_owned(),
            }
        }),
    }
}
