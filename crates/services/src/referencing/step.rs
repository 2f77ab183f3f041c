//! A referencing step: checked against the table and the rules that must hold, then recorded
//! in the caller's `Step` (new state, event, emails, the change requests it ends). What the
//! features built on referencing do after it is `crate::workflow`'s.

use super::*;

/// A step taken, as the features built on referencing follow it (`crate::workflow`): the
/// organisation in its new state and how the caller relates to it.
#[derive(Debug, Clone)]
pub struct Stepped {
    pub provider: Provider,
    pub version: i32,
    pub access: Access,
    pub action: Action,
    pub actor_id: Option<String>,
    pub reason: Option<String>,
}

impl Stepped {
    /// The step as its followers read it.
    pub fn taken(&self) -> TakenStep<'_> {
        TakenStep {
            provider: &self.provider,
            action: self.action,
            actor_id: self.actor_id.as_deref(),
            reason: self.reason.as_deref(),
        }
    }
}

/// A step someone asks for: `action` on organisation `id`, with its reason when it needs one,
/// and the version the person saw (which, when given, must still be the current one).
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub id: &'a str,
    pub action: Action,
    pub reason: Option<&'a str>,
    pub expected_version: Option<i32>,
}

/// A workflow action (`submit`, `approve`, ...) in the caller's transaction, recorded in
/// `step` (which the caller writes, once what follows the step is recorded too).
pub fn act_in(
    conn: &mut DbConnection,
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    step: &mut Step,
    user: &Actor,
    asked: Asked<'_>,
) -> Result<Stepped, AppError> {
    let Asked {
        id,
        action,
        reason,
        expected_version,
    } = asked;
    // Checked once the step is known to be allowed: a wrong state or role answers first.
    let reason = Reason::optional(reason);
    let (provider, version, access) = load(conn, user, id)?;
    let from = provider.status;
    let (to, needs_reason) = transition(from, action, access.actor()).map_err(|e| match e {
        TransitionError::WrongActor(_) => AppError::Forbidden(e.to_string()),
        TransitionError::WrongState(_) => AppError::Conflict(e.to_string()),
    })?;
    if expected_version.is_some_and(|v| v != version) {
        return Err(stale());
    }
    let reason = reason.clone()?;
    if needs_reason && reason.is_none() {
        return Err(ReasonError::Missing.into());
    }
    let reason = reason.as_ref().map(Reason::as_str);
    let problems = match action {
        Action::Submit => submission_problems(conn, state, charter, &provider)?,
        // The documents may have lapsed, or a new charter come, during the review; a
        // reinstated provider must meet what an approved one meets.
        Action::Approve | Action::Reinstate => currency_problems(conn, state, charter, &provider)?,
        _ => FieldErrors::new(),
    };
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let taken = TakenStep {
        provider: &provider,
        action,
        actor_id: Some(&user.id),
        reason,
    };
    let next = carry_out(conn, state, step, &taken, to, version)?;
    Ok(Stepped {
        provider: next,
        version: version + 1,
        access,
        action,
        actor_id: Some(user.id.clone()),
        reason: reason.map(str::to_owned),
    })
}

/// Records a step already allowed (`taken`, to state `to`) on the provider at `version` in
/// `step`: the new state, its event, its emails and the change requests it ends, in the
/// caller's transaction. What the features built on referencing do after it is theirs
/// (`crate::workflow`). Returns the provider as it now is.
pub(crate) fn carry_out(
    conn: &mut DbConnection,
    state: &Infra,
    step: &mut Step,
    taken: &TakenStep<'_>,
    to: ReferencingStatus,
    version: i32,
) -> Result<Provider, AppError> {
    let now = step.at();
    let &TakenStep {
        provider,
        action,
        actor_id,
        reason,
    } = taken;
    let from = provider.status;
    let mut next = provider.clone();
    next.status = to;
    if !providers::update(conn, &next, version, now)? {
        return Err(stale());
    }
    step.record(
        Event::provider(&next.id, action.slug(), Some(from), to)
            .by(actor_id)
            .because(reason),
    );
    send_step_emails(conn, step, state, &next, action, from, reason)?;
    if matches!(action, Action::Suspend | Action::Remove) {
        change_requests::end_pending(conn, step, &next, actor_id, now)?;
    }
    Ok(next)
}
