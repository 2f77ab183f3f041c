//! Referencing is checked all along, not once: a provider whose insurance certificate lapsed
//! leaves the matching and the public search the day after its last day (the directory's
//! queries give today: `domain::matching::Query::insured_on`), stays listed to staff and to
//! itself, is asked for the next certificate (`documents::ask_renewals`), and is suspended once
//! `INSURANCE_GRACE_DAYS` passed without one.

use chrono::Days;

use super::{TakenStep, carry_out};
use crate::db::{providers, referencing as queries, write_transaction};
use crate::domain::referencing::{Action, Party, transition};
use crate::error::AppError;
use crate::french::day_fr;
use crate::state::AppState;

/// Suspends the approved providers whose insurance ended more than the grace period ago;
/// returns how many this process suspended.
pub fn suspend_uninsured(state: &AppState) -> Result<usize, AppError> {
    let today = state.clock.today();
    let grace = state.config.insurance_grace_days;
    let Some(cutoff) = today.checked_sub_days(Days::new(u64::from(grace))) else {
        return Ok(0);
    };
    let mut conn = state.pool.get()?;
    let due: Vec<String> = queries::insurance_ends(&mut conn)?
        .into_iter()
        .filter(|(_, end)| *end < cutoff)
        .map(|(id, _)| id)
        .collect();
    let mut suspended = 0;
    for id in due {
        let done = write_transaction(&mut conn, |conn| {
            // Read again inside the step: a certificate may have come, or staff acted, since.
            let Some((provider, version)) = providers::find(conn, &id)? else {
                return Ok::<bool, AppError>(false);
            };
            let ended = queries::current_documents(conn, &id)?
                .into_iter()
                .find(|d| d.kind == super::documents::INSURANCE)
                .and_then(|d| d.valid_until);
            let Some(ended) = ended.filter(|end| *end < cutoff) else {
                return Ok(false);
            };
            // The same table as staff's suspension: only an approved provider is suspended.
            let Ok((to, _)) = transition(provider.status, Action::Suspend, Party::Staff) else {
                return Ok(false);
            };
            let reason = format!(
                "Attestation d'assurance expirée le {} et non renouvelée dans les {grace} jours.",
                day_fr(ended)
            );
            let taken = TakenStep {
                provider: &provider,
                action: Action::Suspend,
                actor_id: None,
                reason: Some(&reason),
            };
            let now = state.clock.now_naive();
            carry_out(conn, state, &taken, to, version, now)?;
            Ok(true)
        })?;
        if done {
            suspended += 1;
        }
    }
    Ok(suspended)
}
