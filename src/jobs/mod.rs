//! Scheduled work. Each job is idempotent and safe with several processes on one database
//! (it claims its work with a conditional write), and takes `now` from the injectable clock.

pub mod charter;

use std::sync::Arc;
use std::time::Duration;

use crate::error::AppError;
use crate::state::AppState;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub charter_notifications: usize,
    pub label_reminders: usize,
    pub labels_expired: usize,
    pub label_applications_refused: usize,
    pub assignment_timeouts: usize,
    pub requests_anonymised: usize,
    /// Documents (insurance certificates) whose members were asked for the next one.
    pub document_renewals: usize,
    /// Old events of the rate limits, deleted.
    pub rate_events_purged: usize,
}

impl JobReport {
    /// What the pass did, in French, one line per job.
    pub fn lines_fr(&self) -> Vec<String> {
        [
            (
                self.charter_notifications,
                "prestataire(s) invité(s) à accepter la nouvelle charte",
            ),
            (
                self.document_renewals,
                "document(s) à renouveler signalé(s)",
            ),
            (
                self.label_reminders,
                "rappel(s) d'échéance de label envoyé(s)",
            ),
            (self.labels_expired, "label(s) expiré(s)"),
            (
                self.label_applications_refused,
                "demande(s) de label refusée(s) (délai dépassé)",
            ),
            (
                self.assignment_timeouts,
                "proposition(s) d'assistance sans réponse réattribuée(s)",
            ),
            (
                self.requests_anonymised,
                "demande(s) d'assistance effacée(s) (durée de conservation)",
            ),
            (self.rate_events_purged, "trace(s) de limitation purgée(s)"),
        ]
        .into_iter()
        .map(|(n, what)| format!("{n} {what}."))
        .collect()
    }
}

/// Runs every job once.
pub fn run_once(state: &AppState) -> Result<JobReport, AppError> {
    Ok(JobReport {
        charter_notifications: charter::notify_new_version(state)?,
        document_renewals: crate::referencing::documents::ask_renewals(state)?,
        label_reminders: crate::label::schedule::send_reminders(state)?,
        labels_expired: crate::label::schedule::expire_labels(state)?,
        label_applications_refused: crate::label::schedule::refuse_past_deadline(state)?,
        assignment_timeouts: crate::assistance::schedule::process_timeouts(state)?,
        requests_anonymised: crate::assistance::schedule::anonymise_old_requests(state)?,
        rate_events_purged: crate::auth::accounts::purge_rate_events(state)?,
    })
}

/// Runs the jobs forever on a background thread (inside `cyberdir serve`).
pub fn spawn(
    state: Arc<AppState>,
    every: Duration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("scheduled-jobs".into())
        .spawn(move || {
            loop {
                match run_once(&state) {
                    Ok(report) if report != JobReport::default() => {
                        tracing::info!(?report, "scheduled jobs")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "scheduled jobs failed"),
                }
                std::thread::sleep(every);
            }
        })
}
