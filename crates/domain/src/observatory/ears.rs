//! EARS C1, C2 and C3 (the CDC's Early Aberration Reporting System) exactly as R's
//! `surveillance` package computes them (`earsC`, version 1.20): the same baselines, the same
//! bounds, the same missing values. `fixtures/observatory/ears_reference.csv` holds the
//! package's outputs on reference series (`scripts/ears-reference.R`); the tests below
//! compare every day of every series and method.
//!
//! For day t, with a baseline of `b` days (7):
//!
//! - **C1**: the baseline is the `b` days before t; the upper bound is
//!   `mean + z(1 − α) · max(sd, min_sigma)` (α = 0.001);
//! - **C2**: the same with a 2-day guard band: the baseline is t−b−2 ..= t−3;
//! - **C3**: with `C2_s = (x_s − mean_s) / max(sd_s, min_sigma)` over C2's baselines, the
//!   bound is `x_t + max(sd_t, min_sigma) · (z − (max(0, C2_{t−2} − 1) + max(0, C2_{t−1} − 1)))`,
//!   at least 0 (α = 0.025);
//! - the day raises an alarm when its count is above the bound.
//!
//! A bound the package cannot compute (a baseline of equal counts when `min_sigma` is 0, for
//! C3) is missing, as R's `NA`: no alarm either way.

/// The three EARS methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    C1,
    C2,
    C3,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::C1, Method::C2, Method::C3];

    pub fn code(self) -> &'static str {
        match self {
            Self::C1 => "C1",
            Self::C2 => "C2",
            Self::C3 => "C3",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The package's default α: 0.001 for C1 and C2, 0.025 for C3.
    pub fn default_alpha(self) -> f64 {
        match self {
            Self::C1 | Self::C2 => 0.001,
            Self::C3 => 0.025,
        }
    }

    /// Days before the first day evaluated (the package's `maxLag`).
    fn lag(self, baseline: usize) -> usize {
        match self {
            Self::C1 => baseline,
            Self::C2 => baseline + 2,
            Self::C3 => baseline + 4,
        }
    }
}

/// The settings of `earsC`, with its defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub method: Method,
    /// Days in a baseline (at least 3).
    pub baseline: usize,
    pub alpha: f64,
    /// Smallest standard deviation used (0: none).
    pub min_sigma: f64,
}

impl Settings {
    pub fn of(method: Method) -> Self {
        Self {
            method,
            baseline: 7,
            alpha: method.default_alpha(),
            min_sigma: 0.0,
        }
    }
}

/// One evaluated day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    /// Its count.
    pub observed: u64,
    /// The count expected from the baseline (its mean; C3: the day's C2 baseline).
    pub expected: f64,
    /// The bound a count must exceed to raise an alarm; NaN when it cannot be computed.
    pub upper_bound: f64,
    /// Whether the day raises an alarm; `None` when the bound is missing.
    pub alarm: Option<bool>,
}

/// Every day of `series` from the first the method can evaluate (index `lag`), in order:
/// `(index, day)`. Too short a series, or a baseline under 3 days, evaluates nothing.
pub fn evaluate(series: &[u64], settings: &Settings) -> Vec<(usize, Day)> {
    let b = settings.baseline;
    let lag = settings.method.lag(b);
    if b < 3 || series.len() <= lag {
        return Vec::new();
    }
    let z = normal_quantile(1.0 - settings.alpha);
    let sigma = |sd: f64| r_pmax(sd, settings.min_sigma);
    // (mean, sd) of C2's baseline of day s: s−b−2 ..= s−3.
    let c2_baseline = |s: usize| mean_sd(&series[s - b - 2..=s - 3]);
    (lag..series.len())
        .map(|t| {
            let x = series[t] as f64;
            let (expected, upper_bound) = match settings.method {
                Method::C1 => {
                    let (mean, sd) = mean_sd(&series[t - b..t]);
                    (mean, mean + z * sigma(sd))
                }
                Method::C2 => {
                    let (mean, sd) = c2_baseline(t);
                    (mean, mean + z * sigma(sd))
                }
                Method::C3 => {
                    let c2 = |s: usize| {
                        let (mean, sd) = c2_baseline(s);
                        (series[s] as f64 - mean) / sigma(sd)
                    };
                    let part = |s: usize| r_pmax(0.0, c2(s) - 1.0);
                    let (mean, sd) = c2_baseline(t);
                    let bound = x + sigma(sd) * (z - (part(t - 2) + part(t - 1)));
                    (mean, r_pmax(0.0, bound))
                }
            };
            let alarm = (!upper_bound.is_nan()).then_some(x > upper_bound);
            (
                t,
                Day {
                    observed: series[t],
                    expected,
                    upper_bound,
                    alarm,
                },
            )
        })
        .collect()
}

/// R's `pmax` of two numbers: a NaN wins (`f64::max` would drop it).
fn r_pmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Mean and sample standard deviation (n − 1), as R's `mean` and `sd`.
fn mean_sd(values: &[u64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let squares: f64 = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum();
    (mean, (squares / (n - 1.0)).sqrt())
}

/// The standard normal quantile (R's `qnorm`): Wichura's algorithm AS 241 (PPND16), exact
/// to about 1e-16, which R itself uses.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&as241::A, r) / poly(&as241::B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        poly(&as241::C, r) / poly(&as241::D, r)
    } else {
        let r = r - 5.0;
        poly(&as241::E, r) / poly(&as241::F, r)
    };
    if q < 0.0 { -value } else { value }
}

/// A polynomial with coefficients from the constant term up, by Horner's rule.
fn poly(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

/// The coefficients of AS 241 (PPND16), as published, digit for digit.
#[allow(clippy::excessive_precision)]
mod as241 {
    pub const A: [f64; 8] = [
        3.387_132_872_796_366_5,
        133.141_667_891_784_38,
        1_971.590_950_306_551_3,
        13_731.693_765_509_461,
        45_921.953_931_549_87,
        67_265.770_927_008_7,
        33_430.575_583_588_13,
        2_509.080_928_730_122_7,
    ];
    pub const B: [f64; 8] = [
        1.0,
        42.313_330_701_600_91,
        687.187_007_492_057_9,
        5_394.196_021_424_751,
        21_213.794_301_586_597,
        39_307.895_800_092_71,
        28_729.085_735_721_943,
        5_226.495_278_852_545,
    ];
    pub const C: [f64; 8] = [
        1.423_437_110_749_683_5,
        4.630_337_846_156_546,
        5.769_497_221_460_691,
        3.647_848_324_763_204_5,
        1.270_458_252_452_368_4,
        0.241_780_725_177_450_6,
        0.022_723_844_989_269_184,
        7.745_450_142_783_414e-4,
    ];
    pub const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_759,
        1.676_384_830_183_803_8,
        0.689_767_334_985_1,
        0.148_103_976_427_480_08,
        0.015_198_666_563_616_457,
        5.475_938_084_995_345e-4,
        1.050_750_071_644_416_9e-9,
    ];
    pub const E: [f64; 8] = [
        6.657_904_643_501_103,
        5.463_784_911_164_114,
        1.784_826_539_917_291_3,
        0.296_560_571_828_504_9,
        0.026_532_189_526_576_124,
        0.001_242_660_947_388_078_4,
        2.711_555_568_743_487_6e-5,
        2.010_334_399_292_288_1e-7,
    ];
    pub const F: [f64; 8] = [
        1.0,
        0.599_832_206_555_888,
        0.136_929_880_922_735_8,
        0.014_875_361_290_850_615,
        7.868_691_311_456_133e-4,
        1.846_318_317_510_054_8e-5,
        1.421_511_758_316_446e-7,
        2.044_263_103_389_939_7e-15,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const REFERENCE: &str = include_str!("../../../../fixtures/observatory/ears_reference.csv");

    /// A reference line: `None` bound when R gave `NA`; not `evaluated` before the method's
    /// first day.
    struct Row {
        day: usize,
        observed: u64,
        method: Method,
        evaluated: bool,
        upper_bound: Option<f64>,
        alarm: Option<bool>,
    }

    fn reference() -> BTreeMap<String, Vec<Row>> {
        let mut by_series: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for line in REFERENCE.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            by_series.entry(f[0].to_owned()).or_default().push(Row {
                day: f[1].parse().unwrap(),
                observed: f[2].parse().unwrap(),
                method: Method::parse(f[3]).unwrap(),
                evaluated: !f[4].is_empty(),
                upper_bound: f[4].parse().ok(),
                alarm: match f[5] {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
            });
        }
        by_series
    }

    #[test]
    fn every_bound_and_alarm_is_the_r_packages() {
        let mut compared = 0;
        let mut alarms = 0;
        for (name, rows) in reference() {
            let mut series = vec![0; rows.iter().map(|r| r.day).max().unwrap()];
            for r in &rows {
                series[r.day - 1] = r.observed;
            }
            for method in Method::ALL {
                let days: BTreeMap<usize, Day> = evaluate(&series, &Settings::of(method))
                    .into_iter()
                    .collect();
                for r in rows.iter().filter(|r| r.method == method) {
                    let at = format!("{name} {} day {}", method.code(), r.day);
                    let Some(day) = days.get(&(r.day - 1)) else {
                        assert!(!r.evaluated, "{at}: R evaluates it");
                        continue;
                    };
                    assert!(r.evaluated, "{at}: R does not evaluate it");
                    match r.upper_bound {
                        None => assert!(day.upper_bound.is_nan(), "{at}: {day:?}"),
                        Some(expected) => assert!(
                            (day.upper_bound - expected).abs() <= 1e-8 * expected.abs().max(1.0),
                            "{at}: {} against R's {expected}",
                            day.upper_bound
                        ),
                    }
                    assert_eq!(day.alarm, r.alarm, "{at}");
                    alarms += usize::from(r.alarm == Some(true));
                    compared += 1;
                }
            }
        }
        assert!(compared > 1_900, "{compared} days compared");
        assert!(alarms > 20, "the reference holds alarms ({alarms})");
    }

    #[test]
    fn the_quantile_is_rs_qnorm() {
        // qnorm(0.999), qnorm(0.975), qnorm(1e-10) in R, printed with 17 digits.
        assert!((normal_quantile(0.999) - 3.090_232_306_167_813_5).abs() < 1e-14);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn a_short_series_evaluates_nothing() {
        assert!(evaluate(&[1, 2, 3], &Settings::of(Method::C3)).is_empty());
        let mut settings = Settings::of(Method::C1);
        settings.baseline = 2;
        assert!(evaluate(&[1; 30], &settings).is_empty());
    }
}
