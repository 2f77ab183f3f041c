//! The observatory of the threat: anonymous facts written by each step of the journeys and the
//! requests (`facts`), kept in memory for fast views (`cube`), the staff dashboard
//! (`dashboard`), the public statistics with small counts suppressed (`statistics`), the
//! monthly open-data file (`open_data`), the daily detection of waves (`signals`) and the
//! alerts staff publish (`alerts`).

pub mod alerts;
pub mod cube;
pub mod dashboard;
pub mod facts;
pub mod open_data;
pub mod signals;
pub mod statistics;
pub mod synthetic;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::state::AppState;

/// The channels a fact can come from.
pub const CHANNELS: [&str; 3] = [
    facts::CHANNEL_SITE,
    facts::CHANNEL_API,
    facts::CHANNEL_MODULE,
];

/// The dashboard for staff.
pub fn dashboard(
    state: &AppState,
    staff: &Actor,
    filter: &dashboard::Filter,
) -> Result<dashboard::Dashboard, AppError> {
    staff.require_staff()?;
    let checked = filter.check(state, state.clock.today())?;
    let mut conn = state.pool.get()?;
    let facts = state.observatory.fresh(&mut conn)?;
    Ok(dashboard::compute(state, &facts, &checked))
}
