//! The daily detection of waves: for each incident type × audience, the daily cases up to
//! yesterday go through the reference methods unchanged (EARS C1, C2 and C3 on days, the
//! Farrington flexible method on the weeks that ended: `domain::observatory::waves`); a series
//! whose last day is in alarm records its wave, and staff are emailed the first time a wave is
//! seen. Idempotent and safe with several processes: a wave is one row, keyed by its type,
//! audience and first day, and only the process that adds it sends the emails.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::cube::{Codes, Facts, day_number};
use crate::audit::Step;
use crate::db::accounts;
use crate::db::observatory::{self as queries, SignalRow};
use crate::db::write_transaction;
use crate::domain::actor::Role;
use crate::domain::audience::Audience;
use crate::domain::observatory::farrington;
use crate::domain::observatory::waves::{self, Alarm, Method};
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::emails::observatory::{StaffObservatorySignal, WaveLine};

/// The days a wave is looked for in: its start across short gaps, and 8 whole weeks.
pub const RECENT_DAYS: usize = 63;

/// The whole weeks the Farrington method needs (3 years and its windows) and the 8 recent ones
/// it is evaluated on.
const HISTORY_WEEKS: usize = farrington::WEEKS_PER_YEAR * 3 + 3 + 1 + 8;

/// A wave found in the series of one incident type × audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub incident_type: String,
    pub audience: Audience,
    pub since: NaiveDate,
    /// Why the last day is in alarm.
    pub alarm: Alarm,
}

/// The daily cases of every incident type × audience over the `days` days up to `last_day`
/// (oldest first); the series without a case are left out.
pub fn series(facts: &Facts, last_day: NaiveDate, days: usize) -> Vec<(u16, Audience, Vec<u64>)> {
    let last = day_number(last_day);
    let first = last - days as i32 + 1;
    let incidents = facts.dims.incident.codes_len() + 1;
    let audiences: Vec<Option<Audience>> = (0..=facts.dims.audience.codes_len())
        .map(|i| facts.dims.audience.code(i as u16).and_then(Audience::parse))
        .collect();
    let mut counts = vec![0u64; incidents * Audience::ALL.len() * days];
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
        let slot = (f.incident as usize * Audience::ALL.len() + *audience as usize) * days
            + (f.day - first) as usize;
        if let Some(c) = counts.get_mut(slot) {
            *c += 1;
        }
    }
    let mut all = Vec::new();
    for incident in 1..incidents {
        for audience in Audience::ALL {
            let start = (incident * Audience::ALL.len() + audience as usize) * days;
            let daily = counts[start..start + days].to_vec();
            if daily.iter().any(|c| *c > 0) {
                all.push((incident as u16, audience, daily));
            }
        }
    }
    all
}

/// The days the detection of `last_day` reads: the whole weeks the weekly method needs and
/// the days after the last of them (0 when `last_day` is a Sunday).
fn days_read(last_day: NaiveDate) -> usize {
    HISTORY_WEEKS * 7 + last_day.weekday().num_days_from_sunday() as usize
}

/// The first day any detection from `today` on reads: the facts a node keeps reach it,
/// whatever the window of the views (`OBSERVATORY_WINDOW_YEARS`).
pub fn history_start(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new((HISTORY_WEEKS * 7 + 7) as u64))
        .unwrap_or(NaiveDate::MIN)
}

/// Whether the weekly method runs on the series ending `last_day`, the first fact being
/// `first_fact`: it reads 3 years back, and the years before the observatory's first fact
/// would read as years without a case.
fn weekly_runs(first_fact: Option<NaiveDate>, last_day: NaiveDate) -> bool {
    let days = days_read(last_day) as u64;
    first_fact.is_some_and(|first| {
        last_day
            .checked_sub_days(Days::new(days - 1))
            .is_some_and(|start| first <= start)
    })
}

/// Whether the weekly method runs in the daily pass, for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeeklyMethod {
    Runs,
    /// Not before the pass of `from`: the observatory's first fact is too recent.
    Waits {
        first_fact: NaiveDate,
        from: NaiveDate,
    },
    /// No fact yet.
    NoFacts,
}

impl WeeklyMethod {
    /// The method's state for the pass of `today` (which reads up to yesterday).
    pub fn of(facts: &Facts, today: NaiveDate) -> Self {
        let Some(first) = facts.first_day() else {
            return Self::NoFacts;
        };
        if today
            .pred_opt()
            .is_none_or(|yesterday| weekly_runs(Some(first), yesterday))
        {
            return Self::Runs;
        }
        // A pass reads at least the whole weeks: the first that reaches back to the first
        // fact is within a week of them.
        let from = (0..8u64)
            .filter_map(|k| first.checked_add_days(Days::new((HISTORY_WEEKS * 7 - 1) as u64 + k)))
            .find(|&last_day| weekly_runs(Some(first), last_day))
            .and_then(|last_day| last_day.succ_opt())
            .unwrap_or(NaiveDate::MAX);
        Self::Waits {
            first_fact: first,
            from,
        }
    }

    /// What staff are told when the method does not run yet.
    pub fn pending_fr(self) -> Option<String> {
        let why = format!(
            "elle lit {HISTORY_WEEKS} semaines d'historique (un peu plus de trois ans) pour connaître les saisons de chaque menace"
        );
        match self {
            Self::Runs => None,
            Self::Waits { first_fact, from } => Some(format!(
                "La méthode de Farrington flexible (semaines) cherchera les vagues à partir du {} : {why}, et le premier parcours ou la première demande de l'observatoire date du {}. D'ici là, seules les méthodes EARS C1, C2 et C3 (jours) cherchent les vagues.",
                crate::french::day_fr(from),
                crate::french::day_fr(first_fact),
            )),
            Self::NoFacts => Some(format!(
                "La méthode de Farrington flexible (semaines) cherchera les vagues {HISTORY_WEEKS} semaines après le premier parcours ou la première demande : {why}, et l'observatoire n'en a encore enregistré aucun."
            )),
        }
    }
}

/// The weekly method's state today, for staff's page of alerts.
pub fn weekly_method(state: &Infra, cube: &super::cube::Cube) -> Result<WeeklyMethod, AppError> {
    let mut conn = state.pool.get()?;
    let facts = super::facts(state, cube, &mut conn)?;
    Ok(WeeklyMethod::of(&facts, state.clock.today()))
}

/// The waves going on at `last_day`.
pub fn find(facts: &Facts, last_day: NaiveDate) -> Vec<Found> {
    // Days after the last whole week (Monday to Sunday): 0 when `last_day` is a Sunday.
    let after_week = last_day.weekday().num_days_from_sunday() as usize;
    let days = days_read(last_day);
    let first_recent = last_day - Days::new(RECENT_DAYS as u64 - 1);
    let weekly = weekly_runs(facts.first_day(), last_day);
    series(facts, last_day, days)
        .into_iter()
        .filter_map(|(incident, audience, daily)| {
            let (since, alarm) = wave(&daily, after_week, weekly)?;
            Some(Found {
                incident_type: facts.dims.incident.code(incident)?.to_owned(),
                audience,
                since: first_recent.checked_add_days(Days::new(since as u64))?,
                alarm,
            })
        })
        .collect()
}

/// The wave of one series, when its last day is in alarm: its first day (an index into the
/// last [`RECENT_DAYS`]) and the last day's alarm (a day's method first, else the week's).
/// `daily` ends `after_week` days after the last whole week; the weeks are evaluated when
/// `evaluate_weeks` is set.
fn wave(daily: &[u64], after_week: usize, evaluate_weeks: bool) -> Option<(usize, Alarm)> {
    let recent = &daily[daily.len() - RECENT_DAYS..];
    let by_day = waves::daily_alarms(recent);
    let mut in_alarm: Vec<bool> = by_day.iter().map(Option::is_some).collect();
    // The whole weeks, each flagged by Farrington putting its days in alarm.
    let weeks_end = daily.len() - after_week;
    let weeks: Vec<u64> = daily[..weeks_end]
        .rchunks(7)
        .rev()
        .map(|week| week.iter().sum())
        .collect();
    let recent_weeks = (RECENT_DAYS - after_week) / 7;
    let by_week = if evaluate_weeks {
        waves::weekly_alarms(&weeks, recent_weeks)
    } else {
        vec![None; recent_weeks]
    };
    for (i, alarm) in by_week.iter().enumerate() {
        if alarm.is_some() {
            // Week i of the recent ones ends `after_week + 7 (recent_weeks − 1 − i)` days
            // before the last day.
            let end = RECENT_DAYS - after_week - 7 * (recent_weeks - 1 - i);
            in_alarm[end - 7..end].fill(true);
        }
    }
    let since = waves::wave_start(&in_alarm)?;
    let last_week = (after_week == 0).then(|| by_week.last().copied().flatten());
    let alarm = by_day.last().copied().flatten().or(last_week.flatten())?;
    Some((since, alarm))
}

/// The daily pass: yesterday's waves recorded, staff told of the new ones in one email.
/// Returns how many waves this process saw first.
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
    let rows: Vec<SignalRow> = found
        .into_iter()
        .map(|wave| SignalRow {
            id: uuid::Uuid::now_v7().to_string(),
            incident_type: wave.incident_type,
            audience: wave.audience.code().to_owned(),
            since: wave.since,
            last_day: yesterday,
            method: wave.alarm.method.code().to_owned(),
            observed: i64::try_from(wave.alarm.observed).unwrap_or(i64::MAX),
            expected: wave.alarm.expected,
            threshold: Some(wave.alarm.threshold),
            detected_at: now,
        })
        .collect();
    // One transaction for the pass: the waves recorded and, for those nobody recorded
    // before, one email per staff member listing them all (a day with several waves is one
    // email, not one per wave).
    write_transaction(&mut conn, |conn| {
        let mut new = Vec::new();
        for row in &rows {
            if queries::record_signal(conn, row)? {
                new.push(SignalView::of(state, row));
            }
        }
        if !new.is_empty() {
            let mut step = Step::new(now);
            tell_staff(conn, &mut step, state, &new)?;
            step.write(conn)?;
        }
        Ok::<_, AppError>(new.len())
    })
}

fn tell_staff(
    conn: &mut crate::db::DbConnection,
    step: &mut Step,
    state: &Infra,
    waves: &[SignalView],
) -> Result<(), AppError> {
    let base = &state.config.base_url;
    let lines: Vec<WaveLine> = waves
        .iter()
        .map(|view| WaveLine {
            incident_label: view.incident_label.clone(),
            audience_label: view.audience_label.clone(),
            since: view.since.clone(),
            method: view.method.clone(),
            period: view.period.clone(),
            observed: view.observed.clone(),
            expected: view.expected.clone(),
            threshold: view.threshold.clone(),
            dashboard_url: format!("{base}{}", view.dashboard_path),
            alert_url: format!("{base}/observatoire/alertes/nouvelle?signal={}", view.id),
        })
        .collect();
    for staff in accounts::users_with_roles(conn, &Role::REVIEWERS)? {
        step.mail(
            state,
            &staff.email,
            &StaffObservatorySignal {
                name: staff.display_name,
                count: lines.len(),
                waves: lines.clone(),
                alerts_url: format!("{base}/observatoire/alertes"),
            },
        )?;
    }
    Ok(())
}

/// A wave as staff read it: which method raised it and why (the count, the count expected,
/// the threshold it passed), for its latest day or week in alarm.
#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    pub id: String,
    pub incident_type: String,
    pub incident_label: String,
    pub audience: String,
    pub audience_label: String,
    pub since: String,
    pub last_day: String,
    /// The method, as staff read it ("EARS C1 (jour)").
    pub method: String,
    /// What the figures count: "le 3 décembre 2026", "la semaine du 23 au 29 novembre 2026".
    pub period: String,
    pub observed: String,
    pub expected: String,
    /// "—" for the waves recorded before the thresholds were.
    pub threshold: String,
    pub dashboard_path: String,
}

impl SignalView {
    pub fn of(state: &Infra, row: &SignalRow) -> Self {
        let method = Method::parse(&row.method);
        let period = match method {
            Some(m) if m.weekly() => {
                let monday = row.last_day - Days::new(6);
                format!(
                    "la semaine du {} au {}",
                    crate::french::day_fr(monday),
                    crate::french::day_fr(row.last_day)
                )
            }
            _ => format!("le {}", crate::french::day_fr(row.last_day)),
        };
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
            method: method.map_or_else(|| row.method.clone(), |m| m.label().to_owned()),
            period,
            observed: crate::french::number_fr(u64::try_from(row.observed).unwrap_or(0)),
            expected: crate::french::value_fr(row.expected.max(0.0)),
            threshold: row
                .threshold
                .map_or_else(|| "—".to_owned(), |t| crate::french::value_fr(t.max(0.0))),
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
