//! Scheduled work of the label: renewal reminders 90, 30 and 7 days before expiry, expiry at
//! `valid_until`, and refusal of applications past their corrective-action deadline.
//!
//! Each item is handled in its own transaction and claimed by a conditional write (a reminder's
//! primary key, a status that must still be the expected one), so several processes running
//! the same pass never send an email twice.

use chrono::NaiveDate;

use super::notify;
use crate::audit::{Event, Step};
use crate::db::labels::{self as queries};
use crate::db::{counters, providers, write_transaction};
use crate::domain::label::{Facts, LABEL, LabelChange};
use crate::domain::label_application::ApplicationStatus;
use crate::error::AppError;
use crate::infra::Infra;

/// Days before expiry at which the holder is reminded, most urgent last.
pub const REMINDER_DAYS: [i64; 3] = [90, 30, 7];

/// The reminder due on `today` for a label ending on `valid_until`: the most urgent threshold
/// crossed (a label first seen 20 days before its end gets the 30-day reminder only).
pub fn reminder_due(valid_until: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (valid_until - today).num_days();
    if left < 0 {
        return None;
    }
    REMINDER_DAYS.iter().copied().filter(|d| left <= *d).min()
}

/// Sends the reminders due today; returns how many went.
pub fn send_reminders(state: &Infra) -> Result<usize, AppError> {
    let today = state.clock.today();
    let horizon = today + chrono::Days::new(REMINDER_DAYS[0] as u64);
    let mut conn = state.pool.get()?;
    let due: Vec<_> = queries::labels_expiring_by(&mut conn, horizon)?
        .into_iter()
        .filter(|(label, _)| label.valid_until >= today && label.renewal_until.is_none())
        .collect();
    let mut sent = 0;
    for (label, _) in due {
        let Some(days) = reminder_due(label.valid_until, today) else {
            continue;
        };
        let claimed = write_transaction(&mut conn, |conn| {
            let now = state.clock.now_naive();
            // Claiming every threshold already crossed keeps a later pass from sending the
            // less urgent ones it skipped.
            let mut claimed = false;
            for d in REMINDER_DAYS.iter().copied().filter(|d| *d >= days) {
                let won =
                    queries::claim_reminder(conn, &label.number, label.valid_until, d as i32, now)?;
                if d == days {
                    claimed = won;
                }
            }
            if !claimed {
                return Ok::<bool, AppError>(false);
            }
            let Some((provider, _)) = providers::find(conn, &label.provider_id)? else {
                return Ok(false);
            };
            let mut step = Step::new(now);
            notify::reminder(
                conn,
                &mut step,
                state,
                &provider,
                &label,
                (label.valid_until - today).num_days(),
            )?;
            step.record(Event::label(
                &label.number,
                format!("reminder-{days}"),
                Some(label.status),
                label.status,
            ));
            step.write(conn)?;
            Ok(true)
        })?;
        if claimed {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Records expiry of labels past `valid_until` with no renewal under way; returns how many.
pub fn expire_labels(state: &Infra) -> Result<usize, AppError> {
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let mut expired = 0;
    let (expiry_from, to_expired) = LabelChange::Expired.moves();
    for number in queries::labels_to_expire(&mut conn, today)? {
        let done = write_transaction(&mut conn, |conn| {
            let now = state.clock.now_naive();
            let Some(label) = queries::label(conn, &number)? else {
                return Ok::<bool, AppError>(false);
            };
            let facts = Facts {
                today,
                held_through: label.summary().held_through(),
                holder_referenced: true,
            };
            if LABEL.unmet_guard(LabelChange::Expired, &facts).is_some()
                || !queries::set_label_status(conn, &number, expiry_from, to_expired, None, now)?
            {
                return Ok(false);
            }
            let mut step = Step::new(now);
            step.record(Event::label(
                &number,
                "expire",
                Some(label.status),
                to_expired,
            ));
            counters::bump(conn, counters::DIRECTORY)?;
            if let Some((provider, _)) = providers::find(conn, &label.provider_id)? {
                let change = LabelChange::Expired;
                notify::label_changed(conn, &mut step, state, &provider, &label, change, None)?;
            }
            step.write(conn)?;
            Ok(true)
        })?;
        if done {
            expired += 1;
        }
    }
    Ok(expired)
}

/// Refuses applications whose corrective-action deadline has passed; returns how many.
pub fn refuse_past_deadline(state: &Infra) -> Result<usize, AppError> {
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let mut refused = 0;
    for id in queries::past_corrective_deadline(&mut conn, today)? {
        let done = write_transaction(&mut conn, |conn| {
            let now = state.clock.now_naive();
            let Some(mut row) = queries::application(conn, &id)? else {
                return Ok::<bool, AppError>(false);
            };
            if row.status != ApplicationStatus::CorrectiveActions
                || row.corrective_deadline.is_none_or(|d| d >= today)
            {
                return Ok(false);
            }
            let reason = format!(
                "Les actions correctives n'ont pas été transmises avant la date limite du {}.",
                row.corrective_deadline
                    .map(crate::french::day_fr)
                    .unwrap_or_default()
            );
            row.status = ApplicationStatus::Refused;
            row.decision_reason = Some(reason.clone());
            if !queries::update_application(conn, &row, now)? {
                return Ok(false);
            }
            super::release_renewal(conn, &row)?;
            let mut step = Step::new(now);
            step.record(
                Event::application(
                    &id,
                    "deadline-passed",
                    Some(ApplicationStatus::CorrectiveActions),
                    ApplicationStatus::Refused,
                )
                .because(Some(&reason)),
            );
            if let Some((provider, _)) = providers::find(conn, &row.provider_id)? {
                notify::deadline_passed(conn, &mut step, state, &provider, &row)?;
            }
            step.write(conn)?;
            Ok(true)
        })?;
        if done {
            refused += 1;
        }
    }
    Ok(refused)
}

#[cfg(test)]
mod tests {
    use super::reminder_due;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    #[test]
    fn the_most_urgent_threshold_crossed_is_due() {
        let end = NaiveDate::from_ymd_opt(2027, 4, 30).unwrap();
        assert_eq!(reminder_due(end, day(1)), None, "119 days left");
        let end = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert_eq!(reminder_due(end, day(1)), Some(30));
        assert_eq!(reminder_due(end, day(24)), Some(7));
        assert_eq!(reminder_due(end, day(31)), Some(7), "the last day");
        assert_eq!(reminder_due(day(1), day(2)), None, "already over");
    }
}
