//! When a new charter version is published, every referenced provider that has not accepted it
//! is asked to, once; those who have not within 30 days are listed for staff.

use chrono::Duration;

use crate::audit::Step;
use crate::db::{providers, referencing as queries, write_transaction};
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::charter::CharterNewVersion;
use crate::referencing::charter::Charter;

use crate::referencing::charter::DAYS_TO_ACCEPT;

/// Sends the request to accept the current version; returns how many providers were asked.
pub fn notify_new_version(state: &Infra, charter: &Charter) -> Result<usize, AppError> {
    let version = charter.version.clone();
    let mut conn = state.pool.get()?;
    let pending = queries::providers_to_notify_of_charter(&mut conn, &version)?;
    let mut notified = 0;
    for provider_id in pending {
        let now = state.clock.now_naive();
        let deadline =
            crate::french::day_fr(crate::french::paris_date(now) + Duration::days(DAYS_TO_ACCEPT));
        // One transaction per provider: the claim and its emails commit together, and a claim
        // lost to another process skips the provider.
        let sent = write_transaction(&mut conn, |conn| -> Result<bool, AppError> {
            if !queries::claim_charter_notification(conn, &provider_id, &version, now)? {
                return Ok(false);
            }
            let Some((provider, _)) = providers::find(conn, &provider_id)? else {
                return Ok(false);
            };
            let mut step = Step::new(now);
            step.mail_members(conn, state, &provider, |name, provider_name| {
                CharterNewVersion {
                    name,
                    provider_name,
                    version: version.clone(),
                    charter_url: format!(
                        "{}/espace/organisations/{provider_id}",
                        state.config.base_url
                    ),
                    deadline: deadline.clone(),
                }
            })?;
            step.write(conn)?;
            Ok(true)
        })?;
        notified += usize::from(sent);
    }
    Ok(notified)
}
