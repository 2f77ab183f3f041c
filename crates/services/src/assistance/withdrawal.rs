//! A suspended or removed provider keeps no victim. Inside the referencing step's transaction:
//! its pending offers are withdrawn and the requests go to the next provider at once; the
//! requests it had accepted go back to assignment (or to staff), and their victims are told.

use crate::audit::{Event, Step};
use crate::db::DbConnection;
use crate::db::assistance as queries;
use crate::domain::assistance::{AssignmentStatus, RequestStatus};
use crate::domain::referencing::Action;
use crate::error::AppError;
use crate::infra::Infra;
use crate::referencing::TakenStep;

use super::notify;

pub fn follow_referencing(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    taken: &TakenStep<'_>,
) -> Result<(), AppError> {
    if !matches!(taken.action, Action::Suspend | Action::Remove) {
        return Ok(());
    }
    let provider = taken.provider;
    let now = state.clock.now_naive();
    let held = queries::requests_of_provider(
        conn,
        &provider.id,
        &[AssignmentStatus::Pending, AssignmentStatus::Accepted],
    )?;
    for (assignment, request) in held {
        // Answers, timeouts and this step on one request run one after the other; the request
        // is read again once held.
        queries::lock_request(conn, &request.id)?;
        let Some(mut request) = queries::request(conn, &request.id)? else {
            continue;
        };
        let from = request.status;
        let released = match (assignment.status, from) {
            (AssignmentStatus::Pending, RequestStatus::Assigned) => queries::settle_assignment(
                conn,
                &assignment.id,
                AssignmentStatus::Withdrawn,
                None,
                now,
            )?,
            (AssignmentStatus::Accepted, RequestStatus::Accepted)
                if request.provider_id.as_deref() == Some(&provider.id) =>
            {
                queries::withdraw_accepted(conn, &assignment.id, now)?
            }
            _ => false,
        };
        if !released {
            continue;
        }
        queries::release_place(conn, &provider.id)?;
        step.record(
            Event::request(&request.id, "provider-withdrawn", Some(from), from)
                .by(taken.actor_id)
                .because(Some(&provider.name)),
        );
        if from == RequestStatus::Accepted {
            notify::provider_withdrawn(step, state, &request, provider)?;
        }
        // An urgent request's other offers may still be waiting: it moves on only without them.
        super::answer::move_on_unless_offered(conn, step, state, index, &mut request, now)?;
    }
    Ok(())
}
