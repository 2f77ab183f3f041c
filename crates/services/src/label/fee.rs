//! The application fee staff record (paid, waived or pending).

use serde::Deserialize;
use utoipa::ToSchema;

use super::views::LabelApplicationView;
use crate::db::labels::{self as queries};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::label_application::FeeStatus;
use crate::error::AppError;
use crate::infra::Infra;

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeUpdate {
    /// `pending`, `paid` or `waived`.
    pub status: FeeStatus,
}

/// Staff record the fee as paid, waived or pending.
pub fn set_fee(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    id: &str,
    status: FeeStatus,
) -> Result<LabelApplicationView, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let (mut row, access) = load(conn, user, id)?;
        let current = row.status;
        if current.is_closed() {
            return Err(AppError::Conflict(format!(
                "La demande est à l'état « {} » : ses frais ne changent plus.",
                current.label()
            )));
        }
        let before = row.fee_status;
        row.fee_status = status;
        if !queries::update_application(conn, &row, now)? {
            return Err(stale());
        }
        row.version += 1;
        audit::record(conn, now, Event::fee(id, before, status).by(Some(&user.id)))?;
        view(conn, criteria, &row, access)
    })
}
