//! The ExpertCyber label lifecycle: applications (answers and evidence per criterion), the
//! staff and auditor steps, the decision that issues or extends a label, and the label's own
//! states. Each step is one transaction: the new state, an audit event and the emails.

pub mod criteria;
pub mod demo;
pub mod drafts;
pub mod evidence;
mod fee;
mod filling;
mod findings;
mod issue;
pub mod labels;
mod notify;
pub mod overview;
pub mod queue;
pub mod register;
mod renewal;
pub mod schedule;
pub mod views;

pub use fee::{FeeUpdate, set_fee};
pub use filling::{
    ApplicationUpdate, NewApplication, application, applications_of_provider, create, editable,
    update,
};
use filling::{applications_on, check_answers, require_editable, save_answers};
use findings::{check_findings, schedule_audit, unanswered};
use issue::issue_label;
use renewal::release_renewal;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::views::{
    AuditorView, CriterionView, EvidenceView, FeeView, FindingView, LabelApplicationView,
};
use crate::audit::{self, Event, EventView, Step, Subject};
use crate::auth::Role;
use crate::db::labels::{self as queries, ApplicationRow, FindingRow};
use crate::db::{DbConnection, accounts, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::label_application::{
    Action, ApplicationStatus, Condition, Facts, Finding, Party, TransitionError, after_audit,
    available, transition, unmet,
};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::reason::Reason;
use crate::error::AppError;
use crate::infra::Infra;
use criteria::Framework;

const MAX_ANSWER_CHARS: usize = 5000;
const MAX_REASON_CHARS: usize = Reason::MAX_CHARS;

/// How the caller relates to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Member,
    Staff,
    Auditor,
}

impl Access {
    fn actor(self) -> Party {
        match self {
            Self::Member => Party::Member,
            Self::Staff => Party::Staff,
            Self::Auditor => Party::Auditor,
        }
    }
}

fn not_found() -> AppError {
    AppError::not_found("Demande de label introuvable.")
}

fn stale() -> AppError {
    AppError::Conflict(
        "La demande vient d'être modifiée par quelqu'un d'autre : rechargez-la et recommencez."
            .into(),
    )
}

/// Loads an application the caller may see: the provider's members, staff, and the auditor
/// assigned to it. Anyone else gets 404, so the application's existence is not revealed.
pub fn load(
    conn: &mut DbConnection,
    user: &Actor,
    id: &str,
) -> Result<(ApplicationRow, Access), AppError> {
    let row = queries::application(conn, id)?.ok_or_else(not_found)?;
    let access = if user.role.is_staff() {
        Access::Staff
    } else if user.role == Role::Auditor {
        if row.auditor_id.as_deref() != Some(user.id.as_str()) {
            return Err(not_found());
        }
        Access::Auditor
    } else if user.is_member_of(&row.provider_id) {
        Access::Member
    } else {
        return Err(not_found());
    };
    Ok((row, access))
}

fn provider_of(conn: &mut DbConnection, provider_id: &str) -> Result<Provider, AppError> {
    Ok(providers::find(conn, provider_id)?
        .ok_or_else(|| AppError::not_found("Organisation introuvable."))?
        .0)
}

// --- Workflow actions ------------------------------------------------------------------------

/// One finding of an audit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub criterion: String,
    pub finding: Finding,
    #[serde(default)]
    pub comment: String,
}

/// The body of an action; each action reads the fields it needs.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ActionInput {
    /// Required to mark incomplete (what is missing) and to refuse.
    pub reason: Option<String>,
    /// The version the caller saw; a different current version means someone acted first.
    #[serde(deserialize_with = "crate::json::whole_opt")]
    pub version: Option<i32>,
    /// `schedule-audit`: the auditor's account id and the audit date (YYYY-MM-DD).
    pub auditor_id: Option<String>,
    pub audit_date: Option<NaiveDate>,
    /// `record-audit`: one finding per criterion, and the auditor's recommendation.
    pub findings: Vec<FindingInput>,
    pub recommendation: Option<String>,
    /// `submit-corrections` (and `submit`): answers saved with the step.
    pub answers: BTreeMap<String, String>,
}

/// Why a condition of the workflow is not met, in French.
fn refusal(condition: Condition, facts: &Facts) -> String {
    let day = |d: Option<NaiveDate>| d.map(crate::french::day_fr).unwrap_or_default();
    match condition {
        Condition::ProviderReferenced => {
            "Le référencement du prestataire n'est pas actif (suspendu ou retiré) : la demande de label ne peut pas avancer."
                .into()
        }
        Condition::ProviderRemoved => {
            "Seule la demande d'un prestataire retiré de l'annuaire peut être close par l'équipe ; sinon, l'organisation la retire elle-même."
                .into()
        }
        Condition::AuditDayReached => format!(
            "L'audit est prévu le {} : il ne peut être enregistré qu'à partir de cette date.",
            day(facts.audit_date)
        ),
        Condition::BeforeCorrectiveDeadline => format!(
            "Le délai des actions correctives a expiré le {} : elles ne peuvent plus être transmises.",
            day(facts.corrective_deadline)
        ),
        Condition::FeeSettled => {
            "Les frais de labellisation sont en attente : enregistrez leur paiement ou leur exonération avant d'attribuer le label."
                .into()
        }
    }
}

/// Takes a workflow action on an application.
pub fn act(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    id: &str,
    action: Action,
    input: ActionInput,
) -> Result<LabelApplicationView, AppError> {
    let reason = Reason::optional(input.reason.as_deref())?.map(String::from);
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let today = state.clock.today();
        let (mut row, access) = load(conn, user, id)?;
        check_answers(criteria, &input.answers)?;
        let from = row.status;
        let (mut to, needs_reason) =
            transition(from, action, access.actor()).map_err(|e| match e {
                TransitionError::WrongActor(_) => AppError::Forbidden(e.to_string()),
                TransitionError::WrongState(_) => AppError::Conflict(e.to_string()),
            })?;
        if input.version.is_some_and(|v| v != row.version) {
            return Err(stale());
        }
        if needs_reason && reason.is_none() {
            return Err(AppError::field(
                "reason",
                match action {
                    Action::MarkIncomplete => {
                        "Indiquez ce qui manque : le prestataire le recevra par courriel."
                    }
                    _ => "Indiquez le motif : il sera communiqué au prestataire.",
                },
            ));
        }
        let provider = provider_of(conn, &row.provider_id)?;
        let facts = Facts {
            provider: provider.status,
            today,
            audit_date: row.audit_date,
            corrective_deadline: row.corrective_deadline,
            fee: row.fee_status,
        };
        if let Some(condition) = unmet(action, &facts) {
            return Err(AppError::Conflict(refusal(condition, &facts)));
        }
        let mut outcome_event = None;
        let mut step = Step::new(now);
        match action {
            Action::Submit | Action::SubmitCorrections => {
                save_answers(conn, id, &input.answers, now)?;
                if action == Action::Submit {
                    let missing = unanswered(conn, criteria, id)?;
                    if !missing.is_empty() {
                        return Err(AppError::Validation(missing));
                    }
                    row.submitted_at = Some(now);
                }
                renewal::on_submission(conn, state, &mut row, today)?;
            }
            Action::MarkIncomplete | Action::Refuse => {
                row.decision_reason = reason.clone();
            }
            Action::ScheduleAudit => {
                let before = row.clone();
                schedule_audit(conn, &mut row, &input, today)?;
                if before.auditor_id != row.auditor_id {
                    let why = "l'audit a été confié à un autre auditeur";
                    notify::audit_cancelled(conn, &mut step, state, &provider, &before, why)?;
                }
            }
            Action::RecordAudit => {
                let findings = check_findings(criteria, &input)?;
                // The draft has served: the findings are now the audit's.
                crate::db::audit_drafts::delete(conn, id)?;
                row.audit_round += 1;
                row.recommendation = input
                    .recommendation
                    .as_deref()
                    .map(str::trim)
                    .map(str::to_owned);
                let rows: Vec<FindingRow> = findings
                    .iter()
                    .map(|f| FindingRow {
                        application_id: id.to_owned(),
                        round: row.audit_round,
                        criterion: f.criterion.clone(),
                        finding: f.finding.as_str().to_owned(),
                        comment: f.comment.trim().to_owned(),
                        recorded_by: user.id.clone(),
                        recorded_at: now,
                    })
                    .collect();
                queries::insert_findings(conn, &rows)?;
                let next = after_audit(findings.iter().map(|f| f.finding));
                if next == ApplicationStatus::CorrectiveActions {
                    row.corrective_deadline =
                        Some(today + chrono::Days::new(u64::from(state.config.corrective_days)));
                }
                outcome_event = Some(next);
            }
            Action::Grant => {
                row.label_number = Some(issue_label(conn, state, &row, today, now)?);
            }
            Action::Close => {
                row.decision_reason = reason.clone();
            }
            Action::Withdraw => {}
            Action::StartAdmissibility | Action::MarkAdmissible => {}
        }
        let with_provider = matches!(
            outcome_event.unwrap_or(to),
            ApplicationStatus::Incomplete | ApplicationStatus::CorrectiveActions
        );
        if with_provider || matches!(action, Action::Refuse | Action::Withdraw | Action::Close) {
            // Back with the provider, or ended: the renewal no longer holds the label.
            release_renewal(conn, &row)?;
        }
        if let Some(next) = outcome_event {
            to = next;
        }
        row.status = to;
        if !queries::update_application(conn, &row, now)? {
            return Err(stale());
        }
        row.version += 1;
        let recorded_to = if outcome_event.is_some() {
            ApplicationStatus::Audited
        } else {
            to
        };
        step.record(
            Event::application(id, action.slug(), Some(from), recorded_to)
                .by(Some(&user.id))
                .because(reason.as_deref()),
        );
        if let Some(next) = outcome_event {
            step.record(
                Event::application(id, "audit-outcome", Some(ApplicationStatus::Audited), next)
                    .by(Some(&user.id)),
            );
        }
        let moved = (from, to);
        notify::application_step(conn, &mut step, state, &provider, &row, action, moved)?;
        step.write(conn)?;
        view(conn, criteria, &row, access)
    })
}

/// The audit trail of an application (its members, staff and its auditor).
pub fn events(state: &Infra, user: &Actor, id: &str) -> Result<Vec<EventView>, AppError> {
    let mut conn = state.pool.get()?;
    load(&mut conn, user, id)?;
    audit::trail(&mut conn, Subject::LabelApplication, id)
}

// --- Views -----------------------------------------------------------------------------------

/// The full view of an application for the caller.
pub fn view(
    conn: &mut DbConnection,
    framework: &Framework,
    row: &ApplicationRow,
    access: Access,
) -> Result<LabelApplicationView, AppError> {
    let status = row.status;
    let provider = provider_of(conn, &row.provider_id)?;
    let answers: BTreeMap<String, String> =
        queries::answers_of(conn, &row.id)?.into_iter().collect();
    let mut evidence: BTreeMap<String, Vec<EvidenceView>> = BTreeMap::new();
    for e in queries::evidence_of(conn, &row.id)? {
        evidence
            .entry(e.criterion.clone())
            .or_default()
            .push(EvidenceView {
                id: e.id,
                criterion: e.criterion,
                filename: e.filename,
                content_type: e.content_type,
                size_bytes: e.size_bytes,
                uploaded_at: e.uploaded_at,
            });
    }
    let mut findings: BTreeMap<String, FindingRow> =
        queries::findings_of(conn, &row.id, row.audit_round)?
            .into_iter()
            .map(|f| (f.criterion.clone(), f))
            .collect();
    let criteria = framework
        .groups
        .iter()
        .flat_map(|g| g.criteria.iter().map(move |c| (g, c)))
        .map(|(group, c)| CriterionView {
            code: c.code.clone(),
            group: group.title.clone(),
            title: c.title.clone(),
            evidence_expected: c.evidence.clone(),
            blocking: c.blocking,
            answer: answers.get(&c.code).cloned(),
            evidence: evidence.remove(&c.code).unwrap_or_default(),
            finding: findings.remove(&c.code).and_then(|f| {
                Finding::parse(&f.finding).map(|finding| FindingView {
                    finding,
                    finding_label: finding.label().to_owned(),
                    comment: f.comment,
                    round: f.round,
                })
            }),
        })
        .collect();
    let auditor = match &row.auditor_id {
        Some(id) => accounts::user_by_id(conn, id)?.map(|u| AuditorView {
            id: u.id,
            display_name: u.display_name,
        }),
        None => None,
    };
    let fee = row.fee_status;
    Ok(LabelApplicationView {
        id: row.id.clone(),
        provider_id: row.provider_id.clone(),
        provider_name: provider.name,
        kind: row.kind,
        status,
        status_label: status.label().to_owned(),
        version: row.version,
        fee: FeeView {
            amount_cents: row.fee_cents,
            status: fee,
            status_label: fee.label().to_owned(),
        },
        auditor,
        audit_date: row.audit_date,
        audit_round: row.audit_round,
        recommendation: row.recommendation.clone(),
        corrective_deadline: row.corrective_deadline,
        decision_reason: row.decision_reason.clone(),
        label_number: row.label_number.clone(),
        criteria_version: row.criteria_version.clone(),
        criteria,
        available_actions: available(status, access.actor())
            .into_iter()
            .filter(|a| *a != Action::Close || provider.status == ReferencingStatus::Removed)
            .map(|a| a.slug().to_owned())
            .collect(),
        created_at: row.created_at,
        submitted_at: row.submitted_at,
        updated_at: row.updated_at,
    })
}
