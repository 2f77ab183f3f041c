//! `cyberdir seed --observatory N`: N years of realistic, deterministic facts for benchmarks and
//! demonstrations — about 450,000 journeys a year (94 % individuals, 5 % businesses and
//! associations, 1 % local authorities), busier on weekdays, growing year on year, placed by
//! population, a few threats far more common than the rest, the requests that follow some
//! journeys with their acceptance times, and a sextortion-like wave (one type becoming half of
//! the journeys within days, as in January 2019) in the first January.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::db::observatory::FactValues;
use crate::domain::audience::Audience;
use crate::domain::observatory::{FactKind, JOURNEY_STARTED};
use crate::domain::taxonomy::Taxonomy;
use crate::seed::Rng;

/// Journeys a year at the start of the series.
pub const JOURNEYS_A_YEAR: f64 = 450_000.0;

/// Where victims are: each département's code, région code and weight (its population).
pub struct Place {
    pub departement: String,
    pub region: String,
    pub weight: f64,
}

/// The wave: which type, when, how long.
pub struct Wave {
    pub incident_type: String,
    pub from: NaiveDate,
    pub days: u64,
}

/// The threats of one audience, with their weights (a few common, many rare).
struct Threats {
    codes: Vec<(String, String, bool)>,
    cumulative: Vec<f64>,
}

impl Threats {
    fn of(taxonomy: &Taxonomy, audience: Audience, rng: &mut Rng) -> Self {
        let mut codes: Vec<(String, String, bool)> = taxonomy
            .all()
            .iter()
            .filter(|t| t.audiences.contains(&audience))
            .map(|t| (t.code.clone(), t.category.clone(), t.provider_can_help))
            .collect();
        // Keep the taxonomy's order mostly (it lists the common threats first), shuffled a little.
        for i in (1..codes.len()).rev() {
            if rng.unit() < 0.3 {
                codes.swap(i, rng.below(i + 1));
            }
        }
        let mut total = 0.0;
        let cumulative = (0..codes.len())
            .map(|rank| {
                total += 1.0 / (rank as f64 + 1.0).powf(1.1);
                total
            })
            .collect();
        Self { codes, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> Option<&(String, String, bool)> {
        let total = *self.cumulative.last()?;
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c < x);
        self.codes.get(i.min(self.codes.len() - 1))
    }
}

fn weekday_factor(day: NaiveDate) -> f64 {
    match day.weekday() {
        Weekday::Sat => 0.7,
        Weekday::Sun => 0.55,
        _ => 1.15,
    }
}

/// Draws the facts of `years` years ending on `end`, giving each to `emit` in day order.
/// Returns how many there were.
pub fn generate<E>(
    years: u32,
    end: NaiveDate,
    taxonomy: &Taxonomy,
    places: &[Place],
    wave: Option<&Wave>,
    mut emit: impl FnMut(FactValues) -> Result<(), E>,
) -> Result<usize, E> {
    let mut rng = Rng::new(0x0b5e_7a70);
    let threats: Vec<Threats> = Audience::ALL
        .iter()
        .map(|a| Threats::of(taxonomy, *a, &mut rng))
        .collect();
    let wave_threat = wave.and_then(|w| {
        let t = taxonomy.get(&w.incident_type)?;
        Some((t.code.clone(), t.category.clone(), t.provider_can_help))
    });
    let mut place_cumulative = Vec::with_capacity(places.len());
    let mut total_weight = 0.0;
    for p in places {
        total_weight += p.weight.max(0.0);
        place_cumulative.push(total_weight);
    }
    let days = u64::from(years) * 365;
    let Some(start) = end.checked_sub_days(Days::new(days.saturating_sub(1))) else {
        return Ok(0);
    };
    let mut emitted = 0usize;
    let mut serial = 0u64;
    for offset in 0..days {
        let Some(day) = start.checked_add_days(Days::new(offset)) else {
            break;
        };
        let growth = 1.0 + 0.1 * offset as f64 / 365.0;
        let expected = JOURNEYS_A_YEAR / 365.0 * growth * weekday_factor(day);
        let count = (expected * (0.9 + 0.2 * rng.unit())).round() as u64;
        let in_wave =
            wave.is_some_and(|w| day >= w.from && (day - w.from).num_days() < w.days as i64);
        // The wave doubles the day's journeys: half of them are the wave's type.
        let count = if in_wave { count * 2 } else { count };
        for _ in 0..count {
            serial += 1;
            let share = rng.unit();
            let audience = if share < 0.94 {
                Audience::Particulier
            } else if share < 0.99 {
                Audience::Entreprise
            } else {
                Audience::Collectivite
            };
            let threat = if in_wave && audience == Audience::Particulier && rng.unit() < 0.53 {
                wave_threat.as_ref()
            } else {
                threats[audience as usize].pick(&mut rng)
            };
            let place = (rng.unit() < 0.8 && total_weight > 0.0).then(|| {
                let x = rng.unit() * total_weight;
                let i = place_cumulative.partition_point(|c| *c < x);
                &places[i.min(places.len() - 1)]
            });
            let finished = rng.unit() >= 0.15;
            let threat = threat.filter(|_| finished);
            let can_help = threat.is_some_and(|t| t.2);
            let ending = match (finished, rng.unit()) {
                (false, _) => JOURNEY_STARTED,
                (true, x) if can_help && x < 0.10 => "request",
                (true, x) if can_help && x < 0.25 => "search",
                (true, x) if x < 0.6 => "redirection",
                _ => "advice",
            };
            let journey = FactValues {
                source_id: format!("synthetic-j{serial}"),
                kind: FactKind::Journey.code().into(),
                occurred_on: day,
                audience: Some(audience.code().into()),
                incident_type: threat.map(|t| t.0.clone()),
                category: threat.map(|t| t.1.clone()),
                departement: place.map(|p| p.departement.clone()),
                region: place.map(|p| p.region.clone()),
                channel: "site".into(),
                partner: None,
                outcome: ending.into(),
                urgency: None,
                counted: true,
                escalated: false,
                minutes_to_acceptance: None,
                confirmed_incident_type: None,
                revision: 0,
            };
            // Some requests come without a diagnostic (the API), counted as cases themselves.
            let request = (ending == "request" || (can_help && rng.unit() < 0.01))
                .then(|| request_of(&journey, ending == "request", &mut rng));
            emit(journey)?;
            emitted += 1;
            if let Some(r) = request {
                emit(r)?;
                emitted += 1;
            }
        }
    }
    Ok(emitted)
}

fn request_of(journey: &FactValues, from_journey: bool, rng: &mut Rng) -> FactValues {
    let fate = rng.unit();
    // About three in four are accepted, a log-normal delay around 40 minutes.
    let minutes = (fate < 0.78).then(|| {
        let normal =
            (-2.0 * rng.unit().max(1e-12).ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos();
        (40.0 * (1.1 * normal).exp()).round().min(20_000.0) as i32
    });
    let outcome = match (minutes, rng.unit()) {
        (Some(_), x) if x < 0.7 => "resolved",
        (Some(_), x) if x < 0.85 => "not_resolved",
        (Some(_), _) => "accepted",
        (None, x) if x < 0.6 => "escalated",
        (None, _) => "cancelled",
    };
    FactValues {
        source_id: journey.source_id.replacen("-j", "-r", 1),
        kind: FactKind::Request.code().into(),
        channel: if from_journey { "site" } else { "api" }.into(),
        outcome: outcome.into(),
        counted: !from_journey,
        escalated: minutes.is_none() || rng.unit() < 0.05,
        minutes_to_acceptance: minutes,
        confirmed_incident_type: (outcome == "resolved" || outcome == "not_resolved")
            .then(|| journey.incident_type.clone())
            .flatten(),
        ..journey.clone()
    }
}

/// How many facts one statement writes (SQLite binds at most 32,766 values in one).
const BATCH: usize = 1_000;

/// Writes `years` years of synthetic facts ending yesterday, with the wave in the first January;
/// `progress` hears the count after each batch. Refused when synthetic facts exist already.
pub fn seed(
    state: &crate::infra::Infra,
    conn: &mut crate::db::DbConnection,
    years: u32,
    mut progress: impl FnMut(usize),
) -> Result<usize, crate::error::AppError> {
    use crate::db::observatory as queries;
    use crate::error::AppError;
    if !(1..=10).contains(&years) {
        return Err(AppError::BadRequest(
            "Choisissez entre 1 et 10 années de données.".into(),
        ));
    }
    if queries::by_source(conn, "synthetic-j1")?.is_some() {
        return Err(AppError::Conflict(
            "Les données de démonstration de l'observatoire sont déjà là.".into(),
        ));
    }
    let population: std::collections::HashMap<String, i64> =
        crate::db::geo::population_by_departement(conn)?
            .into_iter()
            .collect();
    let places: Vec<Place> = state
        .departements
        .all()
        .iter()
        .map(|d| Place {
            departement: d.code.clone(),
            region: d.region_code(),
            // Without the geography, every département weighs the same.
            weight: population.get(&d.code).copied().unwrap_or(100_000) as f64,
        })
        .collect();
    let end = state
        .clock
        .today()
        .pred_opt()
        .unwrap_or(state.clock.today());
    let start_year = end.year() - i32::try_from(years).unwrap_or(1) + 1;
    let wave = NaiveDate::from_ymd_opt(start_year, 1, 10).map(|from| Wave {
        incident_type: "sextorsion".into(),
        from,
        days: 21,
    });
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0usize;
    let mut flush =
        |conn: &mut crate::db::DbConnection, batch: &mut Vec<FactValues>| -> Result<(), AppError> {
            crate::db::write_transaction(conn, |conn| {
                let revision = queries::next_revision(conn)?;
                for row in batch.iter_mut() {
                    row.revision = revision;
                }
                queries::insert_many(conn, batch)?;
                Ok::<_, AppError>(())
            })?;
            written += batch.len();
            batch.clear();
            progress(written);
            Ok(())
        };
    generate(
        years,
        end,
        &state.taxonomy,
        &places,
        wave.as_ref(),
        |fact| {
            batch.push(fact);
            if batch.len() >= BATCH {
                flush(conn, &mut batch)?;
            }
            Ok::<_, AppError>(())
        },
    )?;
    flush(conn, &mut batch)?;
    Ok(written)
}
