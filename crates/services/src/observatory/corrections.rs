//! An admin's correction of a month's open-data file: asked from the files page (or the
//! command line), then computed in the background, because protecting the new revision with
//! the earlier ones and auditing it take minutes on a busy month. The admin's page answers at
//! once and shows the progress; a node claims the correction under a lease (a conditional
//! write, as the outbox's messages are claimed), records its progress and extends the lease as
//! it goes, and publishes the revision and the correction's outcome in one transaction. If
//! that node stops, another takes the correction over once the lease has run out.

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};

use super::cube::Cube;
use super::open_data::{Axes, csv_of, month_interior, protect_interior, release};
use super::secrecy::{audit_before_release_watched, publication_of};
use crate::audit::Event;
use crate::auth::tokens;
use crate::db::observatory as releases;
use crate::db::open_data_corrections::{self as queries, CorrectionRow, Progress as Stored};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::observatory::correction::{CorrectionState, percent_done};
use crate::domain::observatory::suppression::Progress;
use crate::domain::observatory::{month_of, parse_month};
use crate::error::AppError;
use crate::infra::Infra;

/// The longest note a correction carries.
pub const NOTE_MAX: usize = 1_000;

/// How long a node holds a correction without a sign of progress before another may take it
/// over. Progress is recorded every [`PROGRESS_EVERY`], each time extending the lease; a
/// single solver step on October's table takes well under a minute.
pub const LEASE_SECONDS: i64 = 180;

/// How often a node records its progress (and extends its lease).
pub const PROGRESS_EVERY: StdDuration = StdDuration::from_secs(1);

/// A correction interrupted this many times (a node stopped each time) is not tried again.
pub const MAX_ATTEMPTS: i32 = 3;

/// A correction asked (admins): checked at once (the note, the month, a file to correct, no
/// other correction of the month under way), then recorded for a node to compute. Returns its
/// id, the address of its page.
pub fn ask(state: &Infra, admin: &Actor, month: &str, note: &str) -> Result<String, AppError> {
    admin.require_admin()?;
    let note = note.trim();
    if note.chars().count() < 10 {
        return Err(AppError::field(
            "note",
            "Expliquez la correction en quelques mots (10 caractères au moins).",
        ));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::field(
            "note",
            format!("La note tient en {NOTE_MAX} caractères au plus."),
        ));
    }
    let first = parse_month(month)
        .ok_or_else(|| AppError::field("mois", "Indiquez le mois sous la forme AAAA-MM."))?;
    let window_start = super::window_start(state, state.clock.today());
    if first < month_of(window_start) {
        return Err(AppError::Conflict(format!(
            "Ce mois est antérieur aux {} années que l'observatoire recalcule : son fichier publié reste tel quel.",
            state.config.observatory_window_years
        )));
    }
    let mut conn = state.pool.get()?;
    if releases::release(&mut conn, month)?.is_none() {
        return Err(AppError::not_found(
            "Ce mois n'a pas encore de fichier publié : il n'y a rien à corriger.",
        ));
    }
    let row = CorrectionRow {
        id: uuid::Uuid::now_v7().to_string(),
        month: month.to_owned(),
        note: note.to_owned(),
        asked_by: admin.id.clone(),
        asked_at: state.clock.now_naive(),
        state: CorrectionState::Waiting,
        claimed_by: None,
        claimed_until: None,
        attempts: 0,
        progress_phase: None,
        progress_round: 0,
        progress_done: 0,
        progress_of: 0,
        progress_at: None,
        finished_at: None,
        revision: None,
        outcome: None,
    };
    if !queries::insert(&mut conn, &row)? {
        return Err(AppError::Conflict(
            "Une correction de ce mois est déjà en cours : suivez son calcul avant d'en demander une autre.".into(),
        ));
    }
    Ok(row.id)
}

/// The scheduled pass: claims the oldest correction waiting (or left by a node that stopped)
/// and computes it. Returns how many it computed, published or refused (0 or 1).
pub fn run_next(state: &Infra, cube: &Cube) -> Result<usize, AppError> {
    let ended = run_claimed(state, cube, None, &mut |_| {})?.map(|row| row.state);
    Ok(usize::from(matches!(
        ended,
        Some(CorrectionState::Published | CorrectionState::Refused)
    )))
}

/// A correction asked and computed at once, its progress told to `watch` (the command line,
/// the tests): the revision published, or why not.
pub fn correct_now(
    state: &Infra,
    cube: &Cube,
    admin: &Actor,
    (month, note): (&str, &str),
    watch: &mut dyn FnMut(&CorrectionView),
) -> Result<i32, AppError> {
    let id = ask(state, admin, month, note)?;
    let mut told = |row: &CorrectionRow| watch(&CorrectionView::of(row));
    let Some(done) = run_claimed(state, cube, Some(&id), &mut told)? else {
        return Err(AppError::Conflict(
            "Un autre processus calcule déjà cette correction : suivez-la sur la page des fichiers."
                .into(),
        ));
    };
    match (done.state, done.revision, done.outcome) {
        (CorrectionState::Published, Some(revision), _) => Ok(revision),
        (CorrectionState::Refused | CorrectionState::Failed, _, Some(said)) => {
            Err(AppError::Conflict(said))
        }
        _ => Err(AppError::Conflict(
            "Un autre processus a repris cette correction : suivez-la sur la page des fichiers."
                .into(),
        )),
    }
}

/// Claims a correction (the one named, or the oldest due), computes it and records how it
/// ended: the correction as it ended, or None when there was nothing to claim.
fn run_claimed(
    state: &Infra,
    cube: &Cube,
    id: Option<&str>,
    watch: &mut dyn FnMut(&CorrectionRow),
) -> Result<Option<CorrectionRow>, AppError> {
    let claim = uuid::Uuid::now_v7().to_string();
    let lease = Duration::seconds(LEASE_SECONDS);
    let claimed = {
        let mut conn = state.pool.get()?;
        queries::claim(&mut conn, id, &claim, state.clock.now_naive(), lease)?
    };
    let Some(row) = claimed else {
        return Ok(None);
    };
    watch(&row);
    let outcome = if row.attempts > MAX_ATTEMPTS {
        Err(AppError::Internal(format!(
            "interrupted {} times",
            row.attempts - 1
        )))
    } else {
        let mut progress = Recorder::new(state, &row, &claim, watch);
        compute(state, cube, &row, &claim, &mut |p| progress.record(p))
    };
    let ended = match outcome {
        Ok(_) => None,
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            Some((CorrectionState::Refused, e.said()))
        }
        Err(e) => {
            tracing::error!(correction = %row.id, month = %row.month, error = %e, "open-data correction failed");
            Some((
                CorrectionState::Failed,
                "Le calcul n'a pas abouti (l'erreur est consignée dans le journal du service) : rien n'a été publié. Vous pouvez redemander la correction.".to_owned(),
            ))
        }
    };
    let mut conn = state.pool.get()?;
    if let Some((ended, said)) = ended {
        let now = state.clock.now_naive();
        queries::finish(&mut conn, &row.id, &claim, now, (ended, None, Some(&said)))?;
    }
    let row = queries::find(&mut conn, &row.id)?;
    if let Some(row) = &row {
        watch(row);
    }
    Ok(row)
}

/// The new revision from today's facts, protected with the earlier revisions, audited, then
/// published with the correction's outcome in one transaction. A file that would not change
/// is refused. Returns the revision.
fn compute(
    state: &Infra,
    cube: &Cube,
    asked: &CorrectionRow,
    claim: &str,
    watch: &mut dyn FnMut(Progress),
) -> Result<i32, AppError> {
    let first = parse_month(&asked.month)
        .ok_or_else(|| AppError::Internal(format!("month {:?}", asked.month)))?;
    let axes = Axes::of(state);
    // The connection is given back before the minutes of computation: the pages need it.
    let (last, earlier, interior) = {
        let mut conn = state.pool.get()?;
        let Some(last) = releases::release(&mut conn, &asked.month)? else {
            return Err(AppError::not_found(
                "Ce mois n'a plus de fichier publié : il n'y a rien à corriger.",
            ));
        };
        let earlier = releases::release_history(&mut conn, &asked.month)?
            .iter()
            .map(|row| publication_of(&axes, &row.csv))
            .collect::<Result<Vec<_>, _>>()?;
        // The month's counts, read under the cube's lock, which is given back at once: the
        // dashboard's updates would wait minutes for it.
        let interior = month_interior(&axes, &*super::facts(state, cube, &mut conn)?, first);
        (last, earlier, interior)
    };
    // Trying complements back (publishing those the others already protect) stops after
    // its budget: a try probes the cells whose witnesses its complement rules out.
    let budget = crate::domain::observatory::suppression::publish_back::BUDGET;
    let mut back_from: Option<Instant> = None;
    let mut until_budget = |p: Progress| {
        watch(p);
        // The budget counts from the first try back, not from the protection's start.
        match p {
            Progress::PublishingBack { .. } => {
                back_from.get_or_insert_with(Instant::now).elapsed() < budget
            }
            _ => true,
        }
    };
    let protected = protect_interior(&axes, &interior, &earlier, &mut until_budget)?;
    let csv = csv_of(&axes, first, &protected)?;
    if tokens::digest(&csv) == last.sha256 {
        return Err(AppError::Conflict(format!(
            "Recalculé aujourd'hui, le fichier de ce mois est identique à sa révision {} : il n'y a rien à corriger.",
            last.revision
        )));
    }
    audit_before_release_watched(&axes, &earlier, &csv, watch)?;
    let revision = last.revision + 1;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let ended = (CorrectionState::Published, Some(revision), None);
        // The claim first: a node whose lease was taken over publishes nothing.
        if !queries::finish(conn, &asked.id, claim, now, ended)? {
            return Err(AppError::Conflict(
                "Un autre processus a repris cette correction.".into(),
            ));
        }
        let note = Some(asked.note.clone());
        if !release(state, conn, first, revision, csv, note)? {
            // An error, so that the correction's outcome written above is rolled back too.
            return Err(AppError::Conflict(
                "Une autre révision de ce mois vient d'être publiée : redemandez la correction."
                    .into(),
            ));
        }
        let event = Event::open_data_file(&asked.month, last.revision, revision)
            .by(Some(&asked.asked_by))
            .because(Some(&asked.note));
        crate::audit::record(conn, now, event)?;
        Ok::<_, AppError>(())
    })?;
    Ok(revision)
}

/// Writes a correction's progress at most every [`PROGRESS_EVERY`], extending its lease.
struct Recorder<'a> {
    state: &'a Infra,
    row: CorrectionRow,
    claim: &'a str,
    last: Option<Instant>,
    /// Whether another node took the correction over.
    lost: bool,
    watch: &'a mut dyn FnMut(&CorrectionRow),
}

impl<'a> Recorder<'a> {
    fn new(
        state: &'a Infra,
        row: &CorrectionRow,
        claim: &'a str,
        watch: &'a mut dyn FnMut(&CorrectionRow),
    ) -> Self {
        Self {
            state,
            row: row.clone(),
            claim,
            last: None,
            lost: false,
            watch,
        }
    }

    /// Every new stage is written at once; within a stage, at most every [`PROGRESS_EVERY`].
    fn record(&mut self, progress: Progress) {
        if self.lost {
            return;
        }
        let stored = stored(progress);
        let same_stage = self.row.progress_phase.as_deref() == Some(stored.phase)
            && self.row.progress_round == stored.round;
        if same_stage && self.last.is_some_and(|at| at.elapsed() < PROGRESS_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let now = self.state.clock.now_naive();
        let lease = Duration::seconds(LEASE_SECONDS);
        let written = self
            .state
            .pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| {
                queries::record_progress(&mut conn, &self.row.id, self.claim, now, lease, stored)
                    .map_err(AppError::from)
            });
        match written {
            Ok(true) => {}
            // Another node took the correction over (this one was too slow to renew its
            // lease): its outcome, not this one's, will be recorded.
            Ok(false) => {
                tracing::warn!(correction = %self.row.id, "correction taken over by another node");
                self.lost = true;
            }
            // The computation goes on: its outcome is what matters, and it is written in its
            // own transaction, which refuses it if the claim was lost meanwhile.
            Err(e) => {
                tracing::warn!(correction = %self.row.id, error = %e, "correction progress not recorded")
            }
        }
        self.row.progress_phase = Some(stored.phase.to_owned());
        self.row.progress_round = stored.round;
        self.row.progress_done = stored.done;
        self.row.progress_of = stored.of;
        self.row.progress_at = Some(now);
        (self.watch)(&self.row);
    }
}

fn stored(progress: Progress) -> Stored<'static> {
    let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    match progress {
        Progress::Protecting { round, secured, of } => Stored {
            phase: PROTECTING,
            round: int(round),
            done: int(secured),
            of: int(of),
        },
        Progress::PublishingBack {
            tried,
            of,
            published,
        } => Stored {
            phase: PUBLISHING_BACK,
            // The round's column holds, at this stage, the complements published back.
            round: int(published),
            done: int(tried),
            of: int(of),
        },
        Progress::Auditing { probed, of } => Stored {
            phase: AUDITING,
            round: 0,
            done: int(probed),
            of: int(of),
        },
    }
}

const PROTECTING: &str = "protecting";
const PUBLISHING_BACK: &str = "publishing_back";
const AUDITING: &str = "auditing";

/// A correction as the admin follows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CorrectionView {
    pub id: String,
    pub month: String,
    pub note: String,
    pub asked_at: NaiveDateTime,
    pub state: CorrectionState,
    /// Whether it is still to come (the page keeps watching).
    pub pending: bool,
    /// The share done, in per cent (100 once it has ended).
    pub percent: u8,
    /// The stage reached, in a few words (it changes a few times: a screen reader says it).
    pub phase: &'static str,
    /// Where it stands, in words.
    pub step: String,
    pub revision: Option<i32>,
    pub finished_at: Option<NaiveDateTime>,
}

impl CorrectionView {
    fn of(row: &CorrectionRow) -> Self {
        let progress = match row.progress_phase.as_deref() {
            Some(PROTECTING) => Some(Progress::Protecting {
                round: count(row.progress_round),
                secured: count(row.progress_done),
                of: count(row.progress_of),
            }),
            Some(PUBLISHING_BACK) => Some(Progress::PublishingBack {
                tried: count(row.progress_done),
                of: count(row.progress_of),
                published: count(row.progress_round),
            }),
            Some(AUDITING) => Some(Progress::Auditing {
                probed: count(row.progress_done),
                of: count(row.progress_of),
            }),
            _ => None,
        };
        let number = |n: i32| crate::french::number_fr(u64::try_from(n).unwrap_or(0));
        let step = match (row.state, progress) {
            (CorrectionState::Waiting, _) => {
                "En attente : le calcul commence dans quelques secondes.".to_owned()
            }
            (CorrectionState::Running, None) => {
                "Lecture des faits du mois et des révisions déjà publiées.".to_owned()
            }
            (CorrectionState::Running, Some(Progress::Protecting { .. })) => format!(
                "Protection du nouveau fichier avec les révisions déjà publiées (tour {}) : {} cases secrètes sur {} sont sûres.",
                row.progress_round,
                number(row.progress_done),
                number(row.progress_of)
            ),
            (CorrectionState::Running, Some(Progress::PublishingBack { .. })) => format!(
                "Cases cachées pour en protéger d'autres, essayées à nouveau : {} sur {}, dont {} publiées, le secret tenant sans elles.",
                number(row.progress_done),
                number(row.progress_of),
                number(row.progress_round)
            ),
            (CorrectionState::Running, Some(Progress::Auditing { .. })) => format!(
                "Audit avant publication : {} cases secrètes sur {} vérifiées.",
                number(row.progress_done),
                number(row.progress_of)
            ),
            (CorrectionState::Published, _) => format!(
                "Révision {} du fichier {} publiée, avec sa note. Les révisions précédentes restent téléchargeables.",
                row.revision.unwrap_or_default(),
                crate::french::de(&crate::french::month_code_fr(&row.month))
            ),
            (CorrectionState::Refused | CorrectionState::Failed, _) => {
                row.outcome.clone().unwrap_or_default()
            }
        };
        let phase = match (row.state, progress) {
            (CorrectionState::Running, None) => "Lecture des faits du mois",
            (CorrectionState::Running, Some(Progress::Protecting { .. })) => {
                "Protection du nouveau fichier"
            }
            (CorrectionState::Running, Some(Progress::PublishingBack { .. })) => {
                "Cases cachées en trop publiées à nouveau"
            }
            (CorrectionState::Running, Some(Progress::Auditing { .. })) => {
                "Audit avant publication"
            }
            (state, _) => state.label_fr(),
        };
        Self {
            phase,
            id: row.id.clone(),
            month: row.month.clone(),
            note: row.note.clone(),
            asked_at: row.asked_at,
            state: row.state,
            pending: row.state.is_pending(),
            percent: if row.state.is_pending() {
                percent_done(progress)
            } else {
                100
            },
            step,
            revision: row.revision,
            finished_at: row.finished_at,
        }
    }
}

fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// One correction, for staff following it.
pub fn view(state: &Infra, id: &str) -> Result<CorrectionView, AppError> {
    let mut conn = state.pool.get()?;
    queries::find(&mut conn, id)?
        .map(|row| CorrectionView::of(&row))
        .ok_or_else(|| AppError::not_found("Cette correction n'existe pas."))
}

/// The corrections waiting or running, oldest first (the files page links each month's).
pub fn pending(state: &Infra) -> Result<Vec<CorrectionView>, AppError> {
    let mut conn = state.pool.get()?;
    Ok(queries::pending(&mut conn)?
        .iter()
        .map(CorrectionView::of)
        .collect())
}
