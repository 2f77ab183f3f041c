//! Steps whose effects cross features, orchestrated above them: a referencing step (taken by
//! staff, a member, or the scheduler) is followed, in its transaction, by what the label and
//! the assistance built on referencing do about it. Referencing knows neither; each follower
//! reads the typed step (`referencing::TakenStep`), and go-to-definition leads from here to
//! every one of them.

use crate::audit::Step;
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;
use crate::referencing::views::ApplicationView;
use crate::referencing::{self, Stepped};

/// What follows a referencing step, in its transaction: a suspended or removed provider's
/// label follows its referencing, and the requests it holds move on.
pub fn follow_referencing(
    conn: &mut DbConnection,
    step: &mut Step,
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    stepped: &Stepped,
) -> Result<(), AppError> {
    let taken = stepped.taken();
    crate::label::labels::follow_referencing(conn, step, state, &taken)?;
    crate::assistance::withdrawal::follow_referencing(conn, step, state, index, &taken)?;
    Ok(())
}

/// A referencing action (`submit`, `approve`, `suspend`, ...) and what follows it, in one
/// transaction.
pub fn referencing_act(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    charter: &crate::referencing::charter::Charter,
    user: &Actor,
    asked: referencing::Asked<'_>,
) -> Result<ApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let mut step = Step::new(state.clock.now_naive());
        let stepped = referencing::act_in(conn, state, charter, &mut step, user, asked)?;
        follow_referencing(conn, &mut step, state, index, &stepped)?;
        step.write(conn)?;
        referencing::view(
            conn,
            state,
            charter,
            &stepped.provider,
            stepped.version,
            stepped.access,
        )
    })
}

/// Suspends the approved providers whose insurance ended more than the grace period ago
/// (`INSURANCE_GRACE_DAYS`), each in its own transaction with what follows; returns how many
/// this process suspended.
pub fn suspend_uninsured(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
) -> Result<usize, AppError> {
    let mut conn = state.pool.get()?;
    let due = referencing::insurance::uninsured_past_grace(&mut conn, state)?;
    let mut suspended = 0;
    for id in due {
        let done = write_transaction(&mut conn, |conn| {
            let mut step = Step::new(state.clock.now_naive());
            let Some(stepped) = referencing::insurance::suspend_in(conn, state, &mut step, &id)?
            else {
                return Ok::<bool, AppError>(false);
            };
            follow_referencing(conn, &mut step, state, index, &stepped)?;
            step.write(conn)?;
            Ok(true)
        })?;
        if done {
            suspended += 1;
        }
    }
    Ok(suspended)
}
