//! The daily detection of waves: for each incident type × audience, the daily cases of the last
//! `HISTORY_DAYS` days up to yesterday go through EARS (`domain::observatory::spikes`); a
//! signalling series records its wave, and staff are emailed the first time a wave is seen.
//! Idempotent and safe with several processes: a wave is one row, keyed by its type, audience
//! and first day, and only the process that adds it sends the emails.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::cube::{Codes, Facts, day_number};
use crate::audit::Step;
use crate::db::accounts;
use crate::db::observatory::{self as queries, SignalRow};
use crate::db::write_transaction;
use crate::domain::actor::Role;
use crate::domain::audience::Audience;
use crate::domain::observatory::spikes::{self, Method, Params};
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::observatory::StaffObservatorySignal;

/// How far back a series goes: enough for EARS and for its cleaning of past waves.
pub const HISTORY_DAYS: usize = 120;

/// A wave found in the series of one incident type × audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub incident_type: String,
    pub audience: Audience,
    pub since: NaiveDate,
    pub signal: spikes::Signal,
}

/// The daily cases of every incident type × audience over the days up to `last_day`.
pub fn series(facts: &Facts, last_day: NaiveDate) -> Vec<(u16, Audience, Vec<u64>)> {
    let last = day_number(last_day);
    let first = last - HISTORY_DAYS as i32 + 1;
    let incidents = facts.dims.incident.codes_len() + 1;
    let audiences: Vec<Option<Audience>> = (0..=facts.dims.audience.codes_len())
        .map(|i| facts.dims.audience.code(i as u16).and_then(Audience::parse))
        .collect();
    let mut counts = vec![0u64; incidents * Audience::ALL.len() * HISTORY_DAYS];
    for f in &facts.rows {
        if !f.counted
            || f.kind.is_none()
            || f.incident == Codes::NONE
            || f.day < first
            || f.day > last
        {
            continue;
        }
        let Some(Some(audience)) = audiences.get(f.audience as usize) else {
            continue;
        };
        let slot = (f.incident as usize * Audience::ALL.len() + *audience as usize) * HISTORY_DAYS
            + (f.day - first) as usize;
        if let Some(c) = counts.get_mut(slot) {
            *c += 1;
        }
    }
    let mut all = Vec::new();
    for incident in 1..incidents {
        for audience in Audience::ALL {
            let start = (incident * Audience::ALL.len() + audience as usize) * HISTORY_DAYS;
            let daily = counts[start..start + HISTORY_DAYS].to_vec();
            if daily.iter().any(|c| *c > 0) {
                all.push((incident as u16, audience, daily));
            }
        }
    }
    all
}

/// The waves going on at `last_day`.
pub fn find(facts: &Facts, last_day: NaiveDate) -> Vec<Found> {
    let params = Params::default();
    let first = last_day - Days::new(HISTORY_DAYS as u64 - 1);
    series(facts, last_day)
        .into_iter()
        .filter_map(|(incident, audience, daily)| {
            let signal = spikes::detect(&daily, &params)?;
            Some(Found {
                incident_type: facts.dims.incident.code(incident)?.to_owned(),
                audience,
                since: first.checked_add_days(Days::new(signal.since as u64))?,
                signal,
            })
        })
        .collect()
}

/// The daily pass: yesterday's waves recorded, staff told of new ones. Returns how many waves
/// this process saw first.
pub fn detect(state: &Infra, cube: &super::cube::Cube) -> Result<usize, AppError> {
    let today = state.clock.today();
    let Some(yesterday) = today.pred_opt() else {
        return Ok(0);
    };
    let mut conn = state.pool.get()?;
    let found = {
        let facts = super::facts(state, cube, &mut conn)?;
        find(&facts, yesterday)
    };
    let now = state.clock.now_naive();
    let mut new = 0;
    for wave in found {
        let row = SignalRow {
            id: uuid::Uuid::now_v7().to_string(),
            incident_type: wave.incident_type.clone(),
            audience: wave.audience.code().to_owned(),
            since: wave.since,
            last_day: yesterday,
            method: match wave.signal.method {
                Method::C2 => "C2",
                Method::C3 => "C3",
            }
            .to_owned(),
            observed: i64::try_from(wave.signal.observed).unwrap_or(i64::MAX),
            expected: wave.signal.expected,
            score: wave.signal.score,
            observed_3_days: i64::try_from(wave.signal.observed_3_days).unwrap_or(i64::MAX),
            expected_3_days: wave.signal.expected_3_days,
            detected_at: now,
        };
        let is_new = write_transaction(&mut conn, |conn| {
            if !queries::record_signal(conn, &row)? {
                return Ok::<_, AppError>(false);
            }
            let mut step = Step::new(now);
            tell_staff(conn, &mut step, state, &row)?;
            step.write(conn)?;
            Ok(true)
        })?;
        new += usize::from(is_new);
    }
    Ok(new)
}

fn tell_staff(
    conn: &mut crate::db::DbConnection,
    step: &mut Step,
    state: &Infra,
    row: &SignalRow,
) -> Result<(), AppError> {
    let view = SignalView::of(state, row);
    let base = &state.config.base_url;
    for staff in accounts::users_with_roles(conn, &Role::REVIEWERS)? {
        step.mail(
            state,
            &staff.email,
            &StaffObservatorySignal {
                name: staff.display_name,
                incident_label: view.incident_label.clone(),
                audience_label: view.audience_label.clone(),
                since: view.since.clone(),
                observed_3_days: view.observed_3_days.clone(),
                expected_3_days: view.expected_3_days.clone(),
                dashboard_url: format!("{base}{}", view.dashboard_path),
                alert_url: format!("{base}/observatoire/alertes/nouvelle?signal={}", row.id),
            },
        )?;
    }
    Ok(())
}

/// A wave as staff read it.
#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    pub id: String,
    pub incident_type: String,
    pub incident_label: String,
    pub audience: String,
    pub audience_label: String,
    pub since: String,
    pub last_day: String,
    pub observed_3_days: String,
    pub expected_3_days: String,
    pub score: String,
    pub method: String,
    pub dashboard_path: String,
}

impl SignalView {
    pub fn of(state: &Infra, row: &SignalRow) -> Self {
        let number = |n: u64| crate::french::number_fr(n);
        Self {
            id: row.id.clone(),
            incident_type: row.incident_type.clone(),
            incident_label: state
                .taxonomy
                .get(&row.incident_type)
                .map_or_else(|| row.incident_type.clone(), |t| t.label.clone()),
            audience: row.audience.clone(),
            audience_label: Audience::parse(&row.audience)
                .map_or_else(|| row.audience.clone(), |a| a.label().to_owned()),
            since: crate::french::day_fr(row.since),
            last_day: crate::french::day_fr(row.last_day),
            observed_3_days: number(u64::try_from(row.observed_3_days).unwrap_or(0)),
            expected_3_days: number(row.expected_3_days.round().max(0.0) as u64),
            score: format!("{:.1}", row.score).replace('.', ","),
            method: row.method.clone(),
            dashboard_path: format!(
                "/observatoire?periode=trimestre&type={}&public={}",
                row.incident_type, row.audience
            ),
        }
    }
}

/// The waves seen in the last `days` days, for the dashboard.
pub fn recent(state: &Infra, days: u64) -> Result<Vec<SignalView>, AppError> {
    let since = state.clock.today() - Days::new(days);
    let mut conn = state.pool.get()?;
    Ok(queries::recent_signals(&mut conn, since)?
        .iter()
        .map(|row| SignalView::of(state, row))
        .collect())
}
