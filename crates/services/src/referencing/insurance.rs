//! Referencing is checked all along, not once: a provider whose insurance certificate lapsed
//! leaves the matching and the public search the day after its last day (the directory's
//! queries give today: `domain::matching::Query::insured_on`), stays listed to staff and to
//! itself, is asked for the next certificate (`documents::ask_renewals`), and is suspended once
//! `INSURANCE_GRACE_DAYS` passed without one.

use chrono::Days;

use super::{Access, Stepped, TakenStep, carry_out};
use crate::audit::Step;
use crate::db::{DbConnection, providers, referencing as queries};
use crate::domain::referencing::{Action, Party, transition};
use crate::error::AppError;
use crate::french::day_fr;
use crate::infra::Infra;

/// The approved providers whose insurance ended more than the grace period before `today`.
pub fn uninsured_past_grace(
    conn: &mut DbConnection,
    state: &Infra,
) -> Result<Vec<String>, AppError> {
    let Some(cutoff) = cutoff(state) else {
        return Ok(Vec::new());
    };
    Ok(queries::insurance_ends(conn)?
        .into_iter()
        .filter(|(_, end)| *end < cutoff)
        .map(|(id, _)| id)
        .collect())
}

fn cutoff(state: &Infra) -> Option<chrono::NaiveDate> {
    let grace = state.config.insurance_grace_days;
    state
        .clock
        .today()
        .checked_sub_days(Days::new(u64::from(grace)))
}

/// Suspends one of them in the caller's transaction, recorded in `step`, when it still has
/// no current certificate; `None` when it no longer needs it.
pub fn suspend_in(
    conn: &mut DbConnection,
    state: &Infra,
    step: &mut Step,
    id: &str,
) -> Result<Option<Stepped>, AppError> {
    let Some(cutoff) = cutoff(state) else {
        return Ok(None);
    };
    // Read again inside the step: a certificate may have come, or staff acted, since.
    let Some((provider, version)) = providers::find(conn, id)? else {
        return Ok(None);
    };
    let ended = queries::current_documents(conn, id)?
        .into_iter()
        .find(|d| d.kind == super::documents::INSURANCE)
        .and_then(|d| d.valid_until);
    let Some(ended) = ended.filter(|end| *end < cutoff) else {
        return Ok(None);
    };
    // The same table as staff's suspension: only an approved provider is suspended.
    let Ok((to, _)) = transition(provider.status, Action::Suspend, Party::Staff) else {
        return Ok(None);
    };
    let reason = format!(
        "Attestation d'assurance expirée le {} et non renouvelée dans les {} jours.",
        day_fr(ended),
        state.config.insurance_grace_days
    );
    let taken = TakenStep {
        provider: &provider,
        action: Action::Suspend,
        actor_id: None,
        reason: Some(&reason),
    };
    let next = carry_out(conn, state, step, &taken, to, version)?;
    Ok(Some(Stepped {
        provider: next,
        version: version + 1,
        access: Access::Staff,
        action: Action::Suspend,
        actor_id: None,
        reason: Some(reason),
    }))
}
