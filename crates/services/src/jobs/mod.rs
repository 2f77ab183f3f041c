//! Scheduled work. Each job is idempotent and safe with several processes on one database
//! (it claims its work with a conditional write), and takes `now` from the injectable clock.

pub mod charter;

use std::time::Duration;

use crate::error::AppError;
use crate::infra::Infra;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub charter_notifications: usize,
    pub label_reminders: usize,
    pub labels_expired: usize,
    pub label_applications_refused: usize,
    pub assignment_timeouts: usize,
    pub requests_anonymised: usize,
    /// Anonymous diagnostic journeys past their retention, deleted.
    pub journeys_purged: usize,
    /// Documents (insurance certificates) whose members were asked for the next one.
    pub document_renewals: usize,
    /// Providers suspended for an insurance certificate lapsed past the grace period.
    pub uninsured_suspended: usize,
    /// Old events of the rate limits, deleted.
    pub rate_events_purged: usize,
    /// Waves of a threat the observatory saw first (staff emailed).
    pub waves_detected: usize,
    /// Monthly open-data files published.
    pub open_data_files: usize,
    /// Counts of the fiches' views and the library's downloads written (per fiche and kind).
    pub content_uses: usize,
    /// Chats sent back to the queue's head, their operator gone silent.
    pub chats_requeued: usize,
    /// Waiting chats routed to an operator by the pass (those queued from an urgent request
    /// at night, and any a missed routing left).
    pub chats_routed: usize,
    /// Chat transcripts erased past the retention period.
    pub chats_erased: usize,
    /// Admins' corrections of an open-data file computed (published or refused).
    pub open_data_corrections: usize,
}

impl JobReport {
    /// What the pass did, in French, one line per job, agreed with its number.
    pub fn lines_fr(&self) -> Vec<String> {
        use crate::french::plural;
        [
            plural(
                self.charter_notifications,
                "prestataire invité à accepter la nouvelle charte",
                "prestataires invités à accepter la nouvelle charte",
            ),
            plural(
                self.document_renewals,
                "document à renouveler signalé",
                "documents à renouveler signalés",
            ),
            plural(
                self.uninsured_suspended,
                "prestataire suspendu faute d'attestation d'assurance",
                "prestataires suspendus faute d'attestation d'assurance",
            ),
            plural(
                self.label_reminders,
                "rappel d'échéance de label envoyé",
                "rappels d'échéance de label envoyés",
            ),
            plural(self.labels_expired, "label expiré", "labels expirés"),
            plural(
                self.label_applications_refused,
                "demande de label refusée (délai dépassé)",
                "demandes de label refusées (délai dépassé)",
            ),
            plural(
                self.assignment_timeouts,
                "proposition d'assistance sans réponse réattribuée",
                "propositions d'assistance sans réponse réattribuées",
            ),
            plural(
                self.requests_anonymised,
                "demande d'assistance effacée (durée de conservation)",
                "demandes d'assistance effacées (durée de conservation)",
            ),
            plural(
                self.journeys_purged,
                "parcours de diagnostic effacé",
                "parcours de diagnostic effacés",
            ),
            plural(
                self.rate_events_purged,
                "trace de limitation purgée",
                "traces de limitation purgées",
            ),
            plural(
                self.waves_detected,
                "vague de signalements détectée",
                "vagues de signalements détectées",
            ),
            plural(
                self.open_data_files,
                "fichier mensuel de données ouvertes publié",
                "fichiers mensuels de données ouvertes publiés",
            ),
            plural(
                self.chats_requeued,
                "échange remis en tête de file (opérateur déconnecté)",
                "échanges remis en tête de file (opérateur déconnecté)",
            ),
            plural(
                self.chats_routed,
                "échange en attente confié à un opérateur",
                "échanges en attente confiés à un opérateur",
            ),
            plural(
                self.chats_erased,
                "échange effacé (durée de conservation)",
                "échanges effacés (durée de conservation)",
            ),
            plural(
                self.open_data_corrections,
                "correction de fichier de données ouvertes calculée",
                "corrections de fichiers de données ouvertes calculées",
            ),
            plural(
                self.content_uses,
                "compte de consultation des fiches enregistré",
                "comptes de consultation des fiches enregistrés",
            ),
        ]
        .into_iter()
        .map(|line| format!("{line}."))
        .collect()
    }
}

/// Runs the tasks of a pass, each timed and counted in the metrics; a task that fails is
/// logged and the others still run (the pass then reports the first failure).
struct Runner<'a> {
    state: &'a Infra,
    failed: Option<AppError>,
}

impl<'a> Runner<'a> {
    fn new(state: &'a Infra) -> Self {
        Self {
            state,
            failed: None,
        }
    }

    fn run(&mut self, task: &str, job: impl FnOnce() -> Result<usize, AppError>) -> usize {
        let clock = &self.state.clock;
        match self.state.metrics.run_job(
            task,
            || crate::metrics::unix_now(clock),
            || job().map(|n| (n, n)),
        ) {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(task, error = %e, "scheduled task failed");
                self.failed.get_or_insert(e);
                0
            }
        }
    }

    /// Operators gone silent set absent (their chats back to the queue's head), then the
    /// waiting chats routed: how many of each.
    fn chat_tasks(&mut self, hub: &crate::chat::hub::Hub) -> (usize, usize) {
        let state = self.state;
        (
            self.run("chats_requeued", || {
                crate::chat::routing::sweep_silent(state, hub)
            }),
            self.run("chats_routed", || {
                crate::chat::routing::dispatch(state, hub)
            }),
        )
    }

    fn finish(self, report: JobReport) -> Result<JobReport, AppError> {
        match self.failed {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

/// Runs every job once.
pub fn run_once(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    charter: &crate::referencing::charter::Charter,
    cube: &crate::observatory::cube::Cube,
    hub: &crate::chat::hub::Hub,
) -> Result<JobReport, AppError> {
    let mut r = Runner::new(state);
    let (chats_requeued, chats_routed) = r.chat_tasks(hub);
    let report = JobReport {
        chats_requeued,
        chats_routed,
        chats_erased: r.run("chats_erased", || {
            crate::chat::retention::erase_past_retention(state)
        }),
        charter_notifications: r.run("charter_notifications", || {
            charter::notify_new_version(state, charter)
        }),
        document_renewals: r.run("document_renewals", || {
            crate::referencing::documents::ask_renewals(state)
        }),
        uninsured_suspended: r.run("uninsured_suspended", || {
            crate::workflow::suspend_uninsured(state, index)
        }),
        label_reminders: r.run("label_reminders", || {
            crate::label::schedule::send_reminders(state)
        }),
        labels_expired: r.run("labels_expired", || {
            crate::label::schedule::expire_labels(state)
        }),
        label_applications_refused: r.run("label_applications_refused", || {
            crate::label::schedule::refuse_past_deadline(state)
        }),
        assignment_timeouts: r.run("assignment_timeouts", || {
            crate::assistance::schedule::process_timeouts(state, index)
        }),
        requests_anonymised: r.run("requests_anonymised", || {
            crate::assistance::schedule::anonymise_old_requests(state)
        }),
        journeys_purged: r.run("journeys_purged", || {
            crate::diagnostic::journeys::purge_past_retention(state)
        }),
        rate_events_purged: r.run("rate_events_purged", || {
            crate::auth::accounts::purge_rate_events(state)
        }),
        waves_detected: r.run("waves_detected", || {
            crate::observatory::signals::detect(state, cube)
        }),
        open_data_files: r.run("open_data_files", || {
            crate::observatory::open_data::publish_due(state, cube)
        }),
        content_uses: r.run("content_uses", || {
            state
                .content_store
                .flush_uses(&mut *state.pool.get()?, state.clock.today())
        }),
        // On their own thread (`corrections_pass`): a correction takes minutes.
        open_data_corrections: 0,
    };
    r.finish(report)
}

/// The chat's frequent pass: operators gone silent set absent and their chats sent back to
/// the queue's head, then the waiting chats routed.
pub fn chat_pass(state: &Infra, hub: &crate::chat::hub::Hub) -> Result<JobReport, AppError> {
    let mut r = Runner::new(state);
    let (chats_requeued, chats_routed) = r.chat_tasks(hub);
    r.finish(JobReport {
        chats_requeued,
        chats_routed,
        ..Default::default()
    })
}

/// The corrections' pass: the oldest correction of an open-data file waiting (or left by a
/// node that stopped) computed, which takes up to minutes; on its own thread, so that the
/// other jobs never wait for it.
pub fn corrections_pass(
    state: &Infra,
    cube: &crate::observatory::cube::Cube,
) -> Result<JobReport, AppError> {
    let mut r = Runner::new(state);
    let open_data_corrections = r.run("open_data_corrections", || {
        crate::observatory::corrections::run_next(state, cube)
    });
    r.finish(JobReport {
        open_data_corrections,
        ..Default::default()
    })
}

/// Runs `pass` (every job once, see [`run_once`]) forever on a background thread (inside
/// `cyberdir serve`), `every` apart.
pub fn spawn(
    every: Duration,
    mut pass: impl FnMut() -> Result<JobReport, AppError> + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("scheduled-jobs".into())
        .spawn(move || {
            loop {
                // A pass that panics is logged and the next runs as usual: work it had
                // claimed is taken again once its claim runs out.
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut pass));
                match ran {
                    Ok(Ok(report)) if report != JobReport::default() => {
                        tracing::info!(?report, "scheduled jobs")
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "scheduled jobs failed"),
                    Err(_) => tracing::error!("a scheduled pass panicked"),
                }
                std::thread::sleep(every);
            }
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_report_agrees_each_line_with_its_number() {
        let report = super::JobReport {
            labels_expired: 1,
            assignment_timeouts: 3,
            ..Default::default()
        };
        let lines = report.lines_fr();
        assert!(lines.contains(&"1 label expiré.".to_owned()));
        assert!(
            lines.contains(&"3 propositions d'assistance sans réponse réattribuées.".to_owned())
        );
        assert!(lines.contains(&"0 trace de limitation purgée.".to_owned()));
        assert!(lines.iter().all(|l| !l.contains("(s)")));
    }
}
