//! The staff dashboard's views, for any combination of filters, computed in one scan of the
//! facts: cases per week beside the same weeks a year before, the top threats per audience
//! against the previous period, the places, the journeys' outcomes, the assistance funnel and
//! the providers' response times.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::cube::{Codes, Fact, Facts, day_number, day_of};
use crate::domain::audience::Audience;
use crate::domain::observatory::{
    FactKind, JOURNEY_STARTED, a_year_before, change_percent, percentile, week_of,
};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;

/// The longest period a view covers.
pub const MAX_DAYS: i64 = 5 * 366;

/// What the views are restricted to; every field but the period is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub audience: Option<String>,
    pub incident_type: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    pub departement: Option<String>,
    pub channel: Option<String>,
}

/// A filter checked against the reference data: each value known, the period in order.
#[derive(Debug, Clone)]
pub struct Checked {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub filter: Filter,
}

impl Filter {
    /// Checks the filter; each unknown value is a field error in French.
    pub fn check(&self, state: &Infra, today: NaiveDate) -> Result<Checked, AppError> {
        let mut errors = FieldErrors::new();
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or_else(|| to - Days::new(27));
        let window_start = super::window_start(state, today);
        if to > today {
            // The days to come have no figures yet: counted in, they would read as a drop.
            push_error(
                &mut errors,
                "au",
                "La date de fin ne peut pas être postérieure à aujourd'hui : les jours à venir n'ont pas encore de chiffres.",
            );
        }
        if from > to {
            push_error(
                &mut errors,
                "du",
                "La date de début doit précéder la date de fin.",
            );
        } else if (to - from).num_days() >= MAX_DAYS {
            push_error(
                &mut errors,
                "du",
                "Choisissez une période de cinq ans au plus.",
            );
        } else if from < window_start {
            push_error(
                &mut errors,
                "du",
                format!(
                    "L'observatoire couvre les {} dernières années : choisissez une date de début à partir du {}.",
                    state.config.observatory_window_years,
                    crate::french::day_fr(window_start)
                ),
            );
        }
        if let Some(a) = &self.audience
            && Audience::parse(a).is_none()
        {
            push_error(&mut errors, "public", "Ce public n'existe pas.");
        }
        if let Some(t) = &self.incident_type
            && state.taxonomy.get(t).is_none()
        {
            push_error(&mut errors, "type", "Ce type d'incident n'existe pas.");
        }
        if let Some(c) = &self.category
            && !state.taxonomy.categories().contains(&c.as_str())
        {
            push_error(&mut errors, "categorie", "Cette catégorie n'existe pas.");
        }
        if let Some(r) = &self.region
            && !state
                .departements
                .regions()
                .iter()
                .any(|(code, _)| code == r)
        {
            push_error(&mut errors, "region", "Cette région n'existe pas.");
        }
        if let Some(d) = &self.departement
            && state.departements.get(d).is_none()
        {
            push_error(&mut errors, "departement", "Ce département n'existe pas.");
        }
        if let Some(c) = &self.channel
            && !super::CHANNELS.contains(&c.as_str())
        {
            push_error(&mut errors, "canal", "Ce canal n'existe pas.");
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Checked {
            from,
            to,
            filter: self.clone(),
        })
    }
}

/// The filter as numbers of the facts' dimensions: a fact passes when each set one matches.
pub struct Matcher {
    audience: Option<u16>,
    incident: Option<u16>,
    category: Option<u16>,
    region: Option<u16>,
    departement: Option<u16>,
    channel: Option<u16>,
}

impl Matcher {
    pub fn new(filter: &Filter, facts: &Facts) -> Self {
        let d = &facts.dims;
        let find = |codes: &Codes, value: &Option<String>| value.as_deref().map(|v| codes.find(v));
        Self {
            audience: find(&d.audience, &filter.audience),
            incident: find(&d.incident, &filter.incident_type),
            category: find(&d.category, &filter.category),
            region: find(&d.region, &filter.region),
            departement: find(&d.departement, &filter.departement),
            channel: find(&d.channel, &filter.channel),
        }
    }

    pub fn matches(&self, f: &Fact) -> bool {
        let is = |want: Option<u16>, have: u16| want.is_none_or(|w| w == have);
        f.kind.is_some()
            && is(self.audience, f.audience)
            && is(self.incident, f.incident)
            && is(self.category, f.category)
            && is(self.region, f.region)
            && is(self.departement, f.departement)
            && is(self.channel, f.channel)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WeekCount {
    pub week: NaiveDate,
    pub count: u64,
    pub year_before: u64,
    /// The days of the week inside the period: under 7 for a partial first or last week,
    /// whose count is not a drop.
    pub days: u8,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Threat {
    pub code: String,
    pub label: String,
    pub count: u64,
    pub previous: u64,
    pub change_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AudienceThreats {
    pub audience: Audience,
    pub threats: Vec<Threat>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlaceCount {
    pub code: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionCount {
    pub code: String,
    pub name: String,
    pub count: u64,
    pub departements: Vec<PlaceCount>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct JourneyOutcomes {
    pub total: u64,
    pub started: u64,
    pub advice: u64,
    pub redirection: u64,
    pub search: u64,
    pub request: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Funnel {
    pub requests: u64,
    pub accepted: u64,
    pub resolved: u64,
    pub escalated: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ResponseTimes {
    pub accepted: u64,
    pub median_minutes: Option<u32>,
    pub p90_minutes: Option<u32>,
    /// The share of accepted requests accepted within an hour, in percent.
    pub within_hour_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Signalements: counted facts that name a threat and a public, as the open data and the
    /// wave detection count them.
    pub cases: u64,
    pub previous_cases: u64,
    /// Counted journeys of the period that named no threat or no public (left before): not
    /// signalements.
    pub unnamed: u64,
    pub weeks: Vec<WeekCount>,
    pub top: Vec<AudienceThreats>,
    pub regions: Vec<RegionCount>,
    pub unplaced: u64,
    pub journeys: JourneyOutcomes,
    pub funnel: Funnel,
    pub response: ResponseTimes,
}

/// How many threats the top lists name.
pub const TOP: usize = 10;

/// The views for `checked`, from the facts.
pub fn compute(state: &Infra, facts: &Facts, checked: &Checked) -> Dashboard {
    let matcher = Matcher::new(&checked.filter, facts);
    let (from, to) = (day_number(checked.from), day_number(checked.to));
    let length = to - from + 1;
    let (previous_from, previous_to) = (from - length, from - 1);
    let first_week = day_number(week_of(checked.from));
    let weeks = ((day_number(week_of(checked.to)) - first_week) / 7 + 1) as usize;
    let year_shift = first_week - day_number(a_year_before(week_of(checked.from)));
    let incidents = facts.dims.incident.codes_len();
    let mut week_counts = vec![(0u64, 0u64); weeks];
    let mut by_audience = vec![vec![(0u64, 0u64); incidents + 1]; Audience::ALL.len()];
    let mut by_departement = vec![0u64; facts.dims.departement.codes_len() + 1];
    let mut journeys = JourneyOutcomes::default();
    let mut funnel = Funnel::default();
    let mut minutes = Vec::new();
    let (mut cases, mut previous_cases, mut unnamed) = (0u64, 0u64, 0u64);
    let outcome = |code: &str| facts.dims.outcome.find(code);
    let (started, advice, redirection, search, request, resolved) = (
        outcome(JOURNEY_STARTED),
        outcome("advice"),
        outcome("redirection"),
        outcome("search"),
        outcome("request"),
        outcome("resolved"),
    );
    let audience_slot = |f: &Fact| {
        facts
            .dims
            .audience
            .code(f.audience)
            .and_then(Audience::parse)
            .map(|a| a as usize)
    };
    for f in &facts.rows {
        if !matcher.matches(f) {
            continue;
        }
        let current = (from..=to).contains(&f.day);
        // One definition of a signalement, the open data's: it names a threat and a public.
        let case = f.counted && f.incident != Codes::NONE && f.audience != Codes::NONE;
        unnamed += u64::from(f.counted && !case && current);
        if case {
            if current {
                cases += 1;
                by_departement[f.departement as usize] += 1;
                if let Some(a) = audience_slot(f) {
                    by_audience[a][f.incident as usize].0 += 1;
                }
            } else if (previous_from..=previous_to).contains(&f.day) {
                previous_cases += 1;
                if let Some(a) = audience_slot(f) {
                    by_audience[a][f.incident as usize].1 += 1;
                }
            }
            let in_week = |day: i32| {
                let offset = day - first_week;
                (offset >= 0 && (offset as usize) / 7 < weeks).then_some(offset as usize / 7)
            };
            if current && let Some(w) = in_week(f.day) {
                week_counts[w].0 += 1;
            }
            // A year before counts the same days of the same weeks (52 weeks back), so a
            // partial first or last week is compared with the same part of its week.
            let a_year_later = f.day + year_shift;
            if (from..=to).contains(&a_year_later)
                && let Some(w) = in_week(a_year_later)
            {
                week_counts[w].1 += 1;
            }
        }
        if !current {
            continue;
        }
        match f.kind {
            Some(FactKind::Journey) => {
                journeys.total += 1;
                let o = f.outcome;
                journeys.started += u64::from(o == started);
                journeys.advice += u64::from(o == advice);
                journeys.redirection += u64::from(o == redirection);
                journeys.search += u64::from(o == search);
                journeys.request += u64::from(o == request);
            }
            Some(FactKind::Request) => {
                funnel.requests += 1;
                funnel.escalated += u64::from(f.escalated);
                funnel.resolved += u64::from(f.outcome == resolved);
                if f.minutes != Fact::NOT_ACCEPTED {
                    funnel.accepted += 1;
                    minutes.push(f.minutes);
                }
            }
            None => {}
        }
    }
    minutes.sort_unstable();
    let response = ResponseTimes {
        accepted: minutes.len() as u64,
        median_minutes: percentile(&minutes, 0.5),
        p90_minutes: percentile(&minutes, 0.9),
        within_hour_percent: (!minutes.is_empty()).then(|| {
            minutes.iter().filter(|m| **m <= 60).count() as f64 * 100.0 / minutes.len() as f64
        }),
    };
    let weeks = week_counts
        .into_iter()
        .enumerate()
        .filter_map(|(i, (count, year_before))| {
            let start = first_week + 7 * i as i32;
            let days = (to.min(start + 6) - from.max(start) + 1).clamp(0, 7) as u8;
            Some(WeekCount {
                week: day_of(start)?,
                count,
                year_before,
                days,
            })
        })
        .collect();
    let (regions, unplaced) = places(state, facts, &by_departement);
    Dashboard {
        from: checked.from,
        to: checked.to,
        cases,
        previous_cases,
        unnamed,
        weeks,
        top: top_threats(state, facts, &by_audience),
        regions,
        unplaced,
        journeys,
        funnel,
        response,
    }
}

fn top_threats(state: &Infra, facts: &Facts, counts: &[Vec<(u64, u64)>]) -> Vec<AudienceThreats> {
    Audience::ALL
        .into_iter()
        .zip(counts)
        .map(|(audience, counts)| {
            let mut threats: Vec<Threat> = counts
                .iter()
                .enumerate()
                .filter(|(i, (now, _))| *i != Codes::NONE as usize && *now > 0)
                .filter_map(|(i, (now, before))| {
                    let code = facts.dims.incident.code(i as u16)?;
                    Some(Threat {
                        code: code.to_owned(),
                        label: state
                            .taxonomy
                            .get(code)
                            .map_or_else(|| code.to_owned(), |t| t.label.clone()),
                        count: *now,
                        previous: *before,
                        change_percent: change_percent(*now, *before),
                    })
                })
                .collect();
            threats.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            threats.truncate(TOP);
            AudienceThreats { audience, threats }
        })
        .collect()
}

/// Counts by région, each with its départements, largest first; and the cases with no place.
fn places(state: &Infra, facts: &Facts, by_departement: &[u64]) -> (Vec<RegionCount>, u64) {
    let mut regions: Vec<RegionCount> = Vec::new();
    let mut unplaced = by_departement.first().copied().unwrap_or(0);
    for (i, count) in by_departement.iter().enumerate().skip(1) {
        if *count == 0 {
            continue;
        }
        let Some(d) = facts
            .dims
            .departement
            .code(i as u16)
            .and_then(|code| state.departements.get(code))
        else {
            unplaced += count;
            continue;
        };
        let region = match regions.iter_mut().position(|r| r.name == d.region) {
            Some(k) => &mut regions[k],
            None => {
                regions.push(RegionCount {
                    code: d.region_code(),
                    name: d.region.clone(),
                    count: 0,
                    departements: Vec::new(),
                });
                let last = regions.len() - 1;
                &mut regions[last]
            }
        };
        region.count += count;
        region.departements.push(PlaceCount {
            code: d.code.clone(),
            name: d.name.clone(),
            count: *count,
        });
    }
    for r in &mut regions {
        r.departements
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    }
    regions.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    (regions, unplaced)
}
