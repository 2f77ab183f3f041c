//! The Farrington flexible method (Noufaily, Enki, Farrington, Garthwaite, Andrews & Charlett
//! 2013, "An improved algorithm for outbreak detection in multiple surveillance systems",
//! Stat. Med. 32:1206–1222) on weekly counts, exactly as R's `surveillance` package computes
//! it (`farringtonFlexible`, version 1.20, `epochAsDate = FALSE`): fit for rare counts and
//! for seasons, which EARS's 7-day baselines are not. `fixtures/observatory/farrington_reference.csv`
//! holds the package's outputs on reference series (`scripts/farrington-reference.R`); the
//! tests below compare every week.
//!
//! For week k, with `b` years back and windows of `w` weeks:
//!
//! - the baseline is the weeks from `k − 52b − w` on, cut into the reference windows
//!   (`k − 52i ± w`, one factor level) and `periods − 1` blocks between them (a level each),
//!   without the last `past_weeks_not_included` weeks (a wave in progress stays out of its
//!   own baseline);
//! - a quasi-Poisson regression of the counts on a time trend and the levels is fitted,
//!   refitted with weights that lower the weeks whose Anscombe residual passes
//!   `weights_threshold` (past outbreaks);
//! - the trend stays when it is significant (`p_threshold_trend`), `b ≥ 3` and its
//!   prediction does not pass the largest count seen; otherwise the model is fitted again
//!   without it;
//! - the threshold is the (1 − α) quantile of a negative binomial with the predicted mean and
//!   the fitted overdispersion φ (a Poisson when φ = 1): the package's `nbPlugin`;
//! - a week whose count passes it raises an alarm, unless the last 4 weeks hold fewer than 5
//!   cases (then neither threshold nor expectation is given).

pub mod glm;

use statrs::distribution::{ContinuousCDF, DiscreteCDF, NegativeBinomial, Poisson, StudentsT};

use glm::Matrix;

/// Weeks in a year, as the package counts them for weekly series.
pub const WEEKS_PER_YEAR: usize = 52;

/// The settings of `farringtonFlexible`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Years back.
    pub years: usize,
    /// Weeks either side of a reference week.
    pub window: usize,
    /// Seasonal levels (1: none but the reference windows).
    pub periods: usize,
    /// The latest weeks kept out of the baseline.
    pub past_weeks_not_included: usize,
    /// Anscombe residual above which a week is weighted down.
    pub weights_threshold: f64,
    pub alpha: f64,
    /// Largest p-value for which the trend is kept.
    pub p_threshold_trend: f64,
    /// No alarm with fewer than `min_cases` over the last `min_cases_weeks` weeks.
    pub min_cases: u64,
    pub min_cases_weeks: usize,
}

impl Default for Settings {
    /// The service's: Noufaily et al.'s improvements (10 periods, 26 weeks out of the
    /// baseline, reweighting above 2.58, the negative binomial threshold) over 3 years,
    /// α = 0.01 (the reference script's settings).
    fn default() -> Self {
        Self {
            years: 3,
            window: 3,
            periods: 10,
            past_weeks_not_included: 26,
            weights_threshold: 2.58,
            alpha: 0.01,
            p_threshold_trend: 0.05,
            min_cases: 5,
            min_cases_weeks: 4,
        }
    }
}

impl Settings {
    /// The first week (index) that can be evaluated: `52b + w`.
    pub fn first_week(&self) -> usize {
        WEEKS_PER_YEAR * self.years + self.window
    }
}

/// One evaluated week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Week {
    pub observed: u64,
    /// The count the model expects; NaN when not given (too few cases, no model).
    pub expected: f64,
    /// The threshold a count must pass to raise an alarm; NaN when not given.
    pub upper_bound: f64,
    /// None when no model could be fitted (R's `NA`).
    pub alarm: Option<bool>,
}

/// Every week of `series` from [`Settings::first_week`] on, in order: `(index, week)`.
pub fn evaluate(series: &[u64], settings: &Settings) -> Vec<(usize, Week)> {
    (settings.first_week()..series.len())
        .map(|k| (k, evaluate_week(series, k, settings)))
        .collect()
}

/// Week `k` of `series` (0-based; the package's week `k + 1`).
pub fn evaluate_week(series: &[u64], k: usize, settings: &Settings) -> Week {
    let observed = series[k];
    let missing = Week {
        observed,
        expected: f64::NAN,
        upper_bound: f64::NAN,
        alarm: None,
    };
    let Some(baseline) = Baseline::of(series, k, settings) else {
        return missing;
    };
    let Some(model) = baseline.model(settings) else {
        return missing;
    };
    // Too few recent cases: no alarm, and (as in R) no threshold given, but only once a
    // model exists (without one the alarm is missing).
    let from = (k + 1).saturating_sub(settings.min_cases_weeks);
    if series[from..=k].iter().sum::<u64>() < settings.min_cases {
        return Week {
            alarm: Some(false),
            ..missing
        };
    }
    let eta = model.eta;
    let mean = eta.exp();
    let upper = if mean.is_finite() {
        quantile(mean, model.phi, 1.0 - settings.alpha)
    } else {
        f64::NAN
    };
    // The package's score, (y − η) / (upper − η), compares the count with the bound.
    let score = (observed as f64 - eta) / (upper - eta);
    Week {
        observed,
        expected: if upper.is_nan() { f64::NAN } else { mean },
        upper_bound: upper,
        alarm: Some(!score.is_nan() && score > 1.0 && observed != 0),
    }
}

/// The weeks a week's model is fitted on.
struct Baseline {
    /// 1-based week numbers (the package's `wtime`).
    time: Vec<f64>,
    /// The seasonal level of each week, 1..=periods.
    level: Vec<usize>,
    counts: Vec<f64>,
    /// The evaluated week's number and level.
    now: f64,
    now_level: usize,
}

impl Baseline {
    /// The package's `blocks`: None when the series is too short for the years back.
    fn of(series: &[u64], k: usize, s: &Settings) -> Option<Self> {
        let (w, p) = (s.window, s.periods);
        let oldest = k.checked_sub(WEEKS_PER_YEAR * s.years + w)?;
        if p == 0 || k >= series.len() {
            return None;
        }
        let mut levels: Vec<Option<usize>> = vec![None; k + 1];
        levels[k - w..=k].fill(Some(p));
        for i in 1..=s.years {
            let reference = k - WEEKS_PER_YEAR * i;
            let later = k - WEEKS_PER_YEAR * (i - 1);
            levels[reference - w..=reference + w].fill(Some(p));
            if p > 1 {
                // The weeks between this window and the next, cut into p − 1 blocks, the
                // first ones a week longer when they do not divide evenly.
                let period = (later - w).checked_sub(reference + w + 1)?;
                let (length, rest) = (period / (p - 1), period % (p - 1));
                if length == 0 {
                    return None;
                }
                let mut start = reference + w + 1;
                for j in 1..p {
                    let len = length + usize::from(j <= rest);
                    levels[start..start + len].fill(Some(j));
                    start += len;
                }
            }
        }
        let excluded_from = k.saturating_sub(s.past_weeks_not_included);
        let (mut time, mut level, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for (t, l) in levels.iter().enumerate().skip(oldest) {
            if let Some(l) = l
                && t < excluded_from
            {
                time.push((t + 1) as f64);
                level.push(*l);
                counts.push(series[t] as f64);
            }
        }
        Some(Self {
            time,
            level,
            counts,
            now: (k + 1) as f64,
            now_level: p,
        })
    }

    /// The design: intercept, the trend if asked, one column per level after the first
    /// present (R's treatment contrasts); and the evaluated week's row.
    fn design(&self, trend: bool) -> (Matrix, Vec<f64>) {
        let mut present: Vec<usize> = self.level.clone();
        present.sort_unstable();
        present.dedup();
        let others = &present[1.min(present.len())..];
        let cols = 1 + usize::from(trend) + others.len();
        let row_of = |time: f64, level: usize| {
            let mut row = vec![1.0];
            if trend {
                row.push(time);
            }
            row.extend(others.iter().map(|&o| if o == level { 1.0 } else { 0.0 }));
            row
        };
        let mut x = Matrix::zeros(self.counts.len(), cols);
        for (i, (&t, &l)) in self.time.iter().zip(&self.level).enumerate() {
            x.values[i * cols..(i + 1) * cols].copy_from_slice(&row_of(t, l));
        }
        (x, row_of(self.now, self.now_level))
    }

    /// The package's `algo.farrington.glm` with `fitGLM.flexible`: the linear predictor η
    /// of the evaluated week and the overdispersion φ ≥ 1. None when no model converges.
    fn model(&self, s: &Settings) -> Option<Model> {
        let (fit, x0, has_trend) = self.fit(true, s)?;
        let (fit, x0) = if has_trend && !self.keeps_trend(&fit, &x0, s) {
            let (fit, x0, _) = self.fit(false, s)?;
            (fit, x0)
        } else {
            (fit, x0)
        };
        Some(Model {
            eta: glm::dot(&x0, &fit.coefficients),
            phi: fit.dispersion.max(1.0),
        })
    }

    /// The trend stays when significant (R's `summary.glm` t test), with at least 3 years
    /// back, and when its prediction does not pass the largest count of the baseline.
    fn keeps_trend(&self, fit: &glm::Fit, x0: &[f64], s: &Settings) -> bool {
        // The package replaces the model's working weights by the prior ones before its
        // `summary`, whose dispersion is then Σ ω (y − μ)² / μ² / df: kept, as R computes it.
        let dispersion = (0..self.counts.len())
            .map(|i| fit.prior[i] * ((self.counts[i] - fit.mu[i]) / fit.mu[i]).powi(2))
            .sum::<f64>()
            / fit.df_residual as f64;
        let se = (dispersion * fit.cov_unscaled.at(1, 1)).sqrt();
        let t = fit.coefficients[1] / se;
        let p_value = StudentsT::new(0.0, 1.0, fit.df_residual as f64)
            .map(|d| 2.0 * d.cdf(-t.abs()))
            .unwrap_or(f64::NAN);
        let largest = self
            .counts
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let predicted = glm::dot(x0, &fit.coefficients).exp();
        s.years >= 3 && p_value < s.p_threshold_trend && predicted <= largest
    }

    /// The package's `fitGLM.flexible`: the fit (reweighted), the evaluated week's row, and
    /// whether it holds the trend.
    fn fit(&self, trend: bool, s: &Settings) -> Option<(glm::Fit, Vec<f64>, bool)> {
        let unit = vec![1.0; self.counts.len()];
        let (mut x, mut x0) = self.design(trend);
        let mut with_trend = trend;
        let mut first = glm::fit(&x, &self.counts, &unit).filter(|f| f.converged);
        if first.is_none() && trend {
            (x, x0) = self.design(false);
            with_trend = false;
            first = glm::fit(&x, &self.counts, &unit).filter(|f| f.converged);
        }
        let first = first?;
        let phi = first.dispersion.max(1.0);
        let residuals: Vec<f64> = (0..self.counts.len())
            .map(|i| {
                let (y, mu) = (self.counts[i], first.mu[i]);
                let a = 1.5 * (y.powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt());
                a / (phi * (1.0 - first.leverages[i])).sqrt()
            })
            .collect();
        let weights = weights(&residuals, s.weights_threshold);
        let refit = glm::fit(&x, &self.counts, &weights)?;
        Some((refit, x0, with_trend))
    }
}

struct Model {
    eta: f64,
    phi: f64,
}

/// The package's `algo.farrington.assign.weights`: weeks past the threshold weighted by
/// s⁻², all scaled so that the weights average 1 over the weeks.
fn weights(residuals: &[f64], threshold: f64) -> Vec<f64> {
    let raw: Vec<f64> = residuals
        .iter()
        .map(|&s| if s > threshold { s.powi(-2) } else { 1.0 })
        .collect();
    let gamma = residuals.len() as f64 / raw.iter().sum::<f64>();
    raw.iter().map(|r| gamma * r).collect()
}

/// The (1 − α) quantile of the count: a negative binomial of mean `mean` and variance
/// φ · mean (size mean/(φ − 1), prob 1/φ), or a Poisson when φ = 1, as R's `qnbinom` and
/// `qpois`: the smallest count whose cumulative probability reaches `p` (with R's fuzz).
fn quantile(mean: f64, phi: f64, p: f64) -> f64 {
    let target = p * (1.0 - 64.0 * f64::EPSILON);
    let cdf: Box<dyn Fn(u64) -> f64> = if phi > 1.0 {
        match NegativeBinomial::new(mean / (phi - 1.0), 1.0 / phi) {
            Ok(d) => Box::new(move |x| d.cdf(x)),
            Err(_) => return f64::NAN,
        }
    } else {
        match Poisson::new(mean) {
            Ok(d) => Box::new(move |x| d.cdf(x)),
            // A mean of 0 (or below the package's floor): every quantile is 0.
            Err(_) => return 0.0,
        }
    };
    // Bisection over [0, hi]: hi grows until its probability reaches the target.
    let mut hi: u64 = (mean * phi.max(1.0)).ceil() as u64 + 16;
    while cdf(hi) < target {
        if hi > u64::MAX / 4 {
            return f64::NAN;
        }
        hi *= 2;
    }
    let mut lo = 0u64;
    if cdf(0) >= target {
        return 0.0;
    }
    // cdf(lo) < target <= cdf(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cdf(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi as f64
}

#[cfg(test)]
mod tests;
