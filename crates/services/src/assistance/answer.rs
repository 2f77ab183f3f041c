//! A provider answers an offer, from its portal (session) or from the signed email link:
//! accept (contacts are exchanged) or decline with a reason (the next provider gets it).
//! The pending assignment's conditional update makes exactly one answer win, whether against
//! another answer or the timeout.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::RequestView;
use super::{assign, links, notify, staff};
use crate::audit::{Event, Step};
use crate::db::assistance::{self as queries, AssignmentRow, RequestRow};
use crate::db::{DbConnection, providers, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::assistance::{AssignmentStatus, DeclineReason, RequestStatus};
use crate::domain::provider::ReferencingStatus;
use crate::error::AppError;
use crate::infra::Infra;

/// Who answers: a signed-in member of the provider, or the holder of the signed link.
pub enum Answerer<'a> {
    Member(&'a Actor),
    Link(&'a str),
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct AnswerInput {
    /// The signed link's token, when answering without a session.
    pub token: Option<String>,
    /// To decline: `indisponible`, `hors_competence`, `trop_loin` or `autre`.
    pub reason: Option<String>,
    /// Required with `autre`.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

impl Answer {
    fn slug(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
        }
    }
}

fn gone() -> AppError {
    AppError::Conflict(
        "Cette demande n'est plus proposée à votre organisation : elle a déjà reçu une réponse ou le délai est passé."
            .into(),
    )
}

/// The pending offer this answerer may answer for request `id`.
fn pending_offer(
    conn: &mut DbConnection,
    state: &Infra,
    id: &str,
    who: &Answerer,
    answer: Answer,
) -> Result<(RequestRow, AssignmentRow, Option<String>), AppError> {
    let not_found = || AppError::not_found("Demande introuvable.");
    let request = queries::request(conn, id)?.ok_or_else(not_found)?;
    match who {
        Answerer::Link(token) => {
            let (assignment_id, action) =
                links::verify(&state.link_key, token, state.clock.now_naive())?;
            if action != answer.slug() {
                return Err(AppError::Forbidden(
                    "Ce lien ne permet pas cette action.".into(),
                ));
            }
            let assignment = queries::assignment(conn, &assignment_id)?.ok_or_else(not_found)?;
            if assignment.request_id != request.id {
                return Err(AppError::Forbidden(
                    "Ce lien ne concerne pas cette demande.".into(),
                ));
            }
            if assignment.status != AssignmentStatus::Pending {
                return Err(gone());
            }
            Ok((request, assignment, None))
        }
        Answerer::Member(user) => {
            let assignment = queries::pending_assignments(conn, &request.id)?
                .into_iter()
                .find(|a| user.is_member_of(&a.provider_id));
            match assignment {
                Some(a) => Ok((request, a, Some(user.id.clone()))),
                None => {
                    // A provider that was offered it earlier knows it exists; others do not.
                    let offered_before = queries::assignments_of(conn, &request.id)?
                        .iter()
                        .any(|a| user.is_member_of(&a.provider_id));
                    if offered_before {
                        Err(gone())
                    } else {
                        Err(not_found())
                    }
                }
            }
        }
    }
}

pub const MAX_DECLINE_TEXT: usize = 1000;

fn check_decline(input: &AnswerInput) -> Result<(DeclineReason, Option<String>), AppError> {
    let reason = input
        .reason
        .as_deref()
        .and_then(DeclineReason::parse)
        .ok_or_else(|| {
            AppError::field(
                "reason",
                "Indiquez la raison : indisponible, hors_competence, trop_loin ou autre.",
            )
        })?;
    if input
        .text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_DECLINE_TEXT)
    {
        return Err(AppError::field("text", "1 000 caractères au plus."));
    }
    let text = input
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if reason == DeclineReason::Autre && text.is_none() {
        return Err(AppError::field("text", "Précisez la raison."));
    }
    Ok((reason, text))
}

/// What the emailed accept/decline link shows: its action (`accept` or `decline`), whether the
/// offer still waits for an answer, and the request as the offered provider sees it.
pub fn offer_by_link(state: &Infra, token: &str) -> Result<(String, bool, RequestView), AppError> {
    let (assignment_id, action) = links::verify(&state.link_key, token, state.clock.now_naive())?;
    let mut conn = state.pool.get()?;
    let assignment = queries::assignment(&mut conn, &assignment_id)?
        .ok_or_else(|| AppError::not_found("Demande introuvable."))?;
    let request = queries::request(&mut conn, &assignment.request_id)?
        .ok_or_else(|| AppError::not_found("Demande introuvable."))?;
    let view = staff::view(
        &mut conn,
        state,
        &request,
        &staff::Viewer::Offer(assignment.provider_id.clone()),
    )?;
    Ok((action, assignment.status == AssignmentStatus::Pending, view))
}

/// Answers an offer through its emailed link (the link names the answer).
pub fn answer_by_link(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    token: &str,
    input: &AnswerInput,
) -> Result<(Answer, RequestView), AppError> {
    let (assignment_id, action) = links::verify(&state.link_key, token, state.clock.now_naive())?;
    let which = if action == "accept" {
        Answer::Accept
    } else {
        Answer::Decline
    };
    let request_id = {
        let mut conn = state.pool.get()?;
        queries::assignment(&mut conn, &assignment_id)?
            .map(|a| a.request_id)
            .ok_or_else(|| AppError::not_found("Demande introuvable."))?
    };
    let view = answer(
        state,
        index,
        Answerer::Link(token),
        &request_id,
        which,
        input,
    )?;
    Ok((which, view))
}

/// Accepts or declines the pending offer of request `id`.
pub fn answer(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    who: Answerer,
    id: &str,
    answer: Answer,
    input: &AnswerInput,
) -> Result<RequestView, AppError> {
    let decline = match answer {
        Answer::Decline => Some(check_decline(input)?),
        Answer::Accept => None,
    };
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let step = &mut Step::new(now);
        // Answers, timeouts and cancellations of one request run one after the other: the
        // providers an urgent request is offered to at once may all answer in the same second.
        queries::lock_request(conn, id)?;
        let (mut request, assignment, actor) = pending_offer(conn, state, id, &who, answer)?;
        if now >= assignment.expires_at {
            return Err(gone());
        }
        let status = if answer == Answer::Accept {
            AssignmentStatus::Accepted
        } else {
            AssignmentStatus::Declined
        };
        let reason = decline
            .as_ref()
            .map(|(r, text)| (r.as_str(), text.as_deref()));
        let provider = providers::find(conn, &assignment.provider_id)?
            .ok_or_else(|| AppError::not_found("Prestataire introuvable."))?
            .0;
        if provider.status != ReferencingStatus::Approved {
            return Err(AppError::Conflict(
                "Votre organisation n'est plus référencée (suspendue ou retirée) : elle ne peut plus répondre à une demande d'assistance."
                    .into(),
            ));
        }
        if !queries::settle_assignment(conn, &assignment.id, status, reason, now)? {
            return Err(gone());
        }
        let from = request.status;
        match answer {
            Answer::Accept => {
                request.status = RequestStatus::Accepted;
                request.provider_id = Some(provider.id.clone());
                assign::write(conn, &mut request, now)?;
                // The others offered the same urgent request are told it is taken.
                for other in queries::pending_assignments(conn, &request.id)? {
                    if queries::settle_assignment(
                        conn,
                        &other.id,
                        AssignmentStatus::Taken,
                        None,
                        now,
                    )? {
                        queries::release_place(conn, &other.provider_id)?;
                        notify::taken(conn, step, state, &request, &other.provider_id)?;
                    }
                }
                step.record(
                    Event::request(&request.id, "accept", Some(from), request.status)
                        .by(actor.as_deref())
                        .because(Some(&provider.name)),
                );
                notify::accepted(conn, step, state, &request, &provider)?;
            }
            Answer::Decline => {
                queries::release_place(conn, &assignment.provider_id)?;
                request.failed_assignments += 1;
                let why = decline
                    .as_ref()
                    .map(|(r, text)| match text {
                        Some(t) => format!("{} : {t}", r.label()),
                        None => r.label().to_owned(),
                    })
                    .unwrap_or_default();
                step.record(
                    Event::request(&request.id, "decline", Some(from), from)
                        .by(actor.as_deref())
                        .because(Some(&format!("{} – {why}", provider.name))),
                );
                move_on_unless_offered(conn, step, state, index, &mut request, now)?;
            }
        }
        step.write(conn)?;
        // The acceptance shows the contact to whoever accepted (once: the link then shows only
        // that the answer was recorded); a decline shows what an answered offer shows.
        let viewer = match (&who, answer) {
            (Answerer::Member(user), Answer::Accept) => staff::Viewer::Provider(user),
            (Answerer::Link(_), Answer::Accept) => {
                staff::Viewer::Accepting(assignment.provider_id.clone())
            }
            (_, Answer::Decline) => staff::Viewer::Offer(assignment.provider_id.clone()),
        };
        staff::view(conn, state, &request, &viewer)
    })
}

/// Lets the next pending offer past its deadline go: the provider is told, the request moves on.
/// Returns false when the offer had already been answered (or processed by another process).
pub fn time_out(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    assignment_id: &str,
) -> Result<bool, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let step = &mut Step::new(now);
        let Some(assignment) = queries::assignment(conn, assignment_id)? else {
            return Ok(false);
        };
        queries::lock_request(conn, &assignment.request_id)?;
        if assignment.status != AssignmentStatus::Pending
            || assignment.expires_at > now
            || !queries::settle_assignment(
                conn,
                &assignment.id,
                AssignmentStatus::TimedOut,
                None,
                now,
            )?
        {
            return Ok(false);
        }
        queries::release_place(conn, &assignment.provider_id)?;
        let Some(mut request) = queries::request(conn, &assignment.request_id)? else {
            return Ok(true);
        };
        request.failed_assignments += 1;
        let from = request.status;
        step.record(Event::request(&request.id, "timeout", Some(from), from));
        crate::metrics::count_on_commit(
            conn,
            &state.metrics.assistance_offers_expired,
            &[&crate::monitoring::region_of(
                state,
                request.departement.as_deref(),
            )],
        );
        notify::timed_out(conn, step, state, &request, &assignment.provider_id)?;
        move_on_unless_offered(conn, step, state, index, &mut request, now)?;
        step.write(conn)?;
        Ok(true)
    })
}

/// After an offer failed (declined, timed out): the request moves on, unless other offers of
/// the same urgent request still wait for their answer.
pub(super) fn move_on_unless_offered(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    request: &mut RequestRow,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    if request.status == RequestStatus::Assigned
        && !queries::pending_assignments(conn, &request.id)?.is_empty()
    {
        // Still counted: the failure is kept on the request.
        return assign::write(conn, request, now);
    }
    assign::assign_next(conn, step, state, index, request, now)
}
