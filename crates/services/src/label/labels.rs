//! Labels once issued: public verification, staff actions (suspend, reinstate, withdraw), and
//! the link with referencing (a suspended provider's label is suspended with it, a removed
//! provider's label withdrawn).

use crate::domain::label::LabelStatus::{self, Suspended, Valid, Withdrawn};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::notify;
use super::views::{LabelLists, LabelVerification, LabelView};
use crate::audit::{self, Event, EventView, Step, Subject};
use crate::db::labels::{self as queries, LabelRecord};
use crate::db::{DbConnection, counters, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::label::{Condition, Facts, LABEL, LabelChange};
use crate::domain::label_application::ApplicationStatus;
use crate::domain::reason::Reason;
use crate::error::AppError;
use crate::infra::Infra;
use crate::referencing::TakenStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LabelAction {
    Suspend,
    Reinstate,
    Withdraw,
}

impl LabelAction {
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "suspend" => Some(Self::Suspend),
            "reinstate" => Some(Self::Reinstate),
            "withdraw" => Some(Self::Withdraw),
            _ => None,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reinstate => "reinstate",
            Self::Withdraw => "withdraw",
        }
    }
}

fn not_found() -> AppError {
    AppError::not_found("Aucun label ExpertCyber ne porte ce numéro.")
}

/// The status as of today: a valid label past its end date is expired even before the
/// scheduled job records it (unless a renewal is under way).
fn status_today(label: &LabelRecord, today: chrono::NaiveDate) -> LabelStatus {
    label.summary().as_of(today).status
}

/// What anyone may check about a label number.
pub fn verify(state: &Infra, number: &str) -> Result<LabelVerification, AppError> {
    let number = number.trim().to_ascii_uppercase();
    if number.len() > 20 {
        return Err(not_found());
    }
    let mut conn = state.pool.get()?;
    let (label, name, siret, _) =
        queries::label_with_holder(&mut conn, &number)?.ok_or_else(not_found)?;
    let status = status_today(&label, state.clock.today());
    Ok(LabelVerification {
        number: label.number,
        provider_name: name,
        siret,
        status_label: status.label().to_owned(),
        status,
        valid_from: label.valid_from,
        valid_until: label.valid_until,
    })
}

/// A label as staff see it, with its holder (staff).
pub fn staff_view(state: &Infra, staff: &Actor, number: &str) -> Result<LabelView, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let (label, name, _, _) = queries::label_with_holder(&mut conn, number)?
        .ok_or_else(|| AppError::not_found("Label introuvable."))?;
    Ok(view_of(&label, &name, state.clock.today()))
}

pub fn view_of(label: &LabelRecord, provider_name: &str, today: chrono::NaiveDate) -> LabelView {
    let status = status_today(label, today);
    LabelView {
        number: label.number.clone(),
        provider_id: label.provider_id.clone(),
        provider_name: provider_name.to_owned(),
        status_label: status.label().to_owned(),
        status,
        valid_from: label.valid_from,
        valid_until: label.valid_until,
        renewal_pending: label.renewal_until.is_some(),
        renewal_until: label.renewal_until,
    }
}

/// Staff suspend, reinstate or withdraw a label.
pub fn act(
    state: &Infra,
    user: &Actor,
    number: &str,
    action: LabelAction,
    reason: Option<&str>,
) -> Result<LabelView, AppError> {
    user.require_staff()?;
    let reason = if action == LabelAction::Reinstate {
        Reason::optional(reason)?
    } else {
        Some(Reason::required(reason)?)
    };
    let reason = reason.as_ref().map(Reason::as_str);
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let today = state.clock.today();
        let label = queries::label(conn, number)?.ok_or_else(not_found)?;
        let provider = providers::find(conn, &label.provider_id)?
            .ok_or_else(not_found)?
            .0;
        let change = match action {
            LabelAction::Suspend => LabelChange::Suspended,
            LabelAction::Reinstate => {
                let facts = facts_of(&label, &provider, today);
                match LABEL.unmet_guard(LabelChange::Reinstated, &facts) {
                    Some(Condition::WithinValidity) => {
                        return Err(AppError::Conflict(format!(
                            "Le label a expiré le {} : il ne peut pas être rétabli.",
                            crate::french::day_fr(label.valid_until)
                        )));
                    }
                    Some(_) => {
                        return Err(AppError::Conflict(
                            "Le référencement du prestataire est suspendu ou retiré : rétablissez-le d'abord."
                                .into(),
                        ));
                    }
                    None => LabelChange::Reinstated,
                }
            }
            LabelAction::Withdraw => LabelChange::Withdrawn,
        };
        let (from, to) = change.moves();
        let cause = (action == LabelAction::Suspend).then_some("staff");
        if !queries::set_label_status(conn, number, from, to, cause, now)? {
            return Err(AppError::Conflict(format!(
                "Action impossible : le label est {}.",
                label.status.label()
            )));
        }
        let mut step = Step::new(now);
        step.record(
            Event::label(number, action.slug(), Some(label.status), to)
                .by(Some(&user.id))
                .because(reason),
        );
        counters::bump(conn, counters::DIRECTORY)?;
        notify::label_changed(conn, &mut step, state, &provider, &label, change, reason)?;
        step.write(conn)?;
        let mut label = label;
        label.status = to;
        Ok(view_of(&label, &provider.name, today))
    })
}

/// What the label's conditions are checked against.
fn facts_of(
    label: &LabelRecord,
    holder: &crate::domain::provider::Provider,
    today: chrono::NaiveDate,
) -> Facts {
    Facts {
        today,
        held_through: label.summary().held_through(),
        holder_referenced: holder.status == crate::domain::provider::ReferencingStatus::Approved,
    }
}

/// Follows a referencing decision on the provider's labels, inside the same transaction:
/// `suspend` suspends its valid label, `reinstate` lifts a suspension that came with the
/// referencing one, `remove` withdraws the label.
pub fn follow_referencing(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    taken: &TakenStep<'_>,
) -> Result<(), AppError> {
    use crate::domain::referencing::Action as R;
    let &TakenStep {
        provider,
        action,
        actor_id,
        reason,
    } = taken;
    let (now, today) = (state.clock.now_naive(), state.clock.today());
    let (change, cause) = match action {
        R::Suspend => (LabelChange::Suspended, Some("referencing")),
        R::Reinstate => (LabelChange::Reinstated, None),
        R::Remove => (LabelChange::Withdrawn, None),
        _ => return Ok(()),
    };
    if matches!(action, R::Suspend | R::Remove) {
        // The auditor of an audit still to come is told it waits, or is off.
        for row in queries::applications_of(conn, &provider.id)? {
            let audit_to_come = matches!(
                row.status,
                ApplicationStatus::AuditScheduled | ApplicationStatus::CorrectiveActions
            );
            if !audit_to_come {
                continue;
            }
            if action == R::Suspend {
                notify::audit_on_hold(conn, step, state, provider, &row)?;
            } else {
                let why = "le prestataire a été retiré de l'annuaire";
                notify::audit_cancelled(conn, step, state, provider, &row, why)?;
            }
        }
    }
    let (from, to) = change.moves();
    for label in queries::labels_of_provider_in(conn, &provider.id, from)? {
        if action == R::Reinstate
            && (label.suspension_cause.as_deref() != Some("referencing")
                || LABEL
                    .unmet_guard(change, &facts_of(&label, provider, today))
                    .is_some())
        {
            // Suspended by staff for its own reasons, or expired meanwhile: it stays as it is.
            continue;
        }
        if !queries::set_label_status(conn, &label.number, from, to, cause, now)? {
            continue;
        }
        let why = match action {
            R::Suspend => Some("Le référencement du prestataire est suspendu."),
            R::Remove => Some("Le prestataire est retiré de l'annuaire."),
            _ => None,
        };
        step.record(
            Event::label(
                &label.number,
                format!("referencing-{}", action.slug()),
                Some(label.status),
                to,
            )
            .by(actor_id)
            .because(why.or(reason)),
        );
        notify::label_changed(conn, step, state, provider, &label, change, why.or(reason))?;
        counters::bump(conn, counters::DIRECTORY)?;
    }
    Ok(())
}

/// The trail of a label (staff).
pub fn events(state: &Infra, user: &Actor, number: &str) -> Result<Vec<EventView>, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    queries::label(&mut conn, number)?.ok_or_else(not_found)?;
    audit::trail(&mut conn, Subject::Label, number)
}

/// Staff lists: labels ending within `days`, and suspended or withdrawn ones.
pub fn staff_lists(state: &Infra, user: &Actor, days: u64) -> Result<LabelLists, AppError> {
    user.require_staff()?;
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let to_views = |rows: Vec<(LabelRecord, String)>| {
        rows.iter()
            .map(|(l, name)| view_of(l, name, today))
            .collect::<Vec<_>>()
    };
    let expiring = to_views(queries::labels_expiring_by(
        &mut conn,
        today + chrono::Days::new(days),
    )?);
    let suspended = to_views(queries::labels_in_status(&mut conn, Suspended)?);
    let withdrawn = to_views(queries::labels_in_status(&mut conn, Withdrawn)?);
    let valid = to_views(queries::labels_in_status(&mut conn, Valid)?);
    Ok(LabelLists {
        expiring,
        suspended,
        withdrawn,
        valid,
    })
}
