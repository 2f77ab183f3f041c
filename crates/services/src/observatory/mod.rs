//! The observatory of the threat: anonymous facts written by each step of the journeys and the
//! requests (`facts`), kept in memory for fast views (`cube`), the staff dashboard
//! (`dashboard`), the public statistics with small counts suppressed (`statistics`), the
//! monthly open-data file (`open_data`) and its statistical secrecy (`secrecy`), the daily detection of waves (`signals`) and the
//! alerts staff publish (`alerts`).

pub mod alerts;
pub mod corrections;
pub mod cube;
pub mod dashboard;
pub mod facts;
pub mod open_data;
pub mod prevention;
pub mod secrecy;
pub mod signals;
pub mod statistics;
pub mod synthetic;

use std::sync::RwLockReadGuard;

use chrono::{Months, NaiveDate};

use crate::db::DbConnection;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

/// What a "signalement" is, in the words every page and file that counts them gives: the
/// staff dashboard, the public statistics and the open data's schema (which holds the same
/// sentence, checked by the tests), so that one figure has one definition.
pub const SIGNALEMENT: &str = "Un signalement est un parcours de diagnostic qui a nommé une menace et un public, ou une demande d'assistance faite sans diagnostic ; chaque personne est comptée une fois.";

/// The channels a fact can come from.
pub const CHANNELS: [&str; 3] = [
    facts::CHANNEL_SITE,
    facts::CHANNEL_API,
    facts::CHANNEL_MODULE,
];

/// The dashboard for staff.
pub fn dashboard(
    state: &Infra,
    cube: &cube::Cube,
    staff: &Actor,
    filter: &dashboard::Filter,
) -> Result<dashboard::Dashboard, AppError> {
    staff.require_staff()?;
    let checked = filter.check(state, state.clock.today())?;
    let mut conn = state.pool.get()?;
    let facts = facts(state, cube, &mut conn)?;
    Ok(dashboard::compute(state, &facts, &checked))
}

/// The first day a view may start: `OBSERVATORY_WINDOW_YEARS` before `today`.
pub fn window_start(state: &Infra, today: NaiveDate) -> NaiveDate {
    let years = Months::new(12 * state.config.observatory_window_years);
    today.checked_sub_months(years).unwrap_or(NaiveDate::MIN)
}

/// The facts a node keeps, caught up: the window's years and the one before, which the views
/// compare with, and at least the years the daily detection reads (a short window does not
/// switch the weekly method off).
pub fn facts<'a>(
    state: &Infra,
    cube: &'a cube::Cube,
    conn: &mut DbConnection,
) -> Result<RwLockReadGuard<'a, cube::Facts>, AppError> {
    let today = state.clock.today();
    let compared_from = window_start(state, today)
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    cube.fresh(conn, compared_from.min(signals::history_start(today)))
}
