//! Detection of the start of a wave in a daily count series (one incident type × audience).
//!
//! The method is the CDC's EARS C2 and C3 (Hutwagner, Thompson, Seeman & Treadwell 2003, "The
//! bioterrorism preparedness and response Early Aberration Reporting System (EARS)", J. Urban
//! Health 80(2 Suppl. 1):i89–i96; notation of Fricker, Hegler & Dunfee 2008, "Comparing
//! syndromic surveillance detection methods: EARS' versus a CUSUM-based methodology", Stat.
//! Med. 27:3407–3429):
//!
//! - the baseline of day t is the 7 days t-9..=t-3 (the 2-day guard band keeps a wave's first
//!   days out of its own baseline): mean μ, sample standard deviation σ;
//! - `C2_t = max(0, (x_t − (μ + σ)) / σ)`, so `C2 > 2` is EARS' "more than μ + 3σ" (k = 1);
//! - `C3_t = C2_t + C2_{t-1} + C2_{t-2}`, the two earlier terms counted only when they did not
//!   cross the threshold themselves (EARS: a flagged day is not counted twice);
//! - EARS flags the day when `C2_t > 2` or `C3_t > 2` (threshold h = 2 for both, as in EARS).
//!
//! Ten days of history suffice. With μ and σ estimated from 7 days, "μ + 3σ" is crossed on
//! about 1.5 % of days of pure Gaussian noise (Student t with 6 df), more on small skewed
//! counts, and every signal e-mails staff: hence the refinements documented on [`Params`] and
//! [`scan`] (a σ floor, volume gates, baselines cleaned of past waves, runs so that one wave
//! is one `since`, and the acceptance of a lasting new level).

/// Days summed by C3 and by the volume gates.
const WINDOW_3: usize = 3;

/// Quiet days tolerated inside one run: a wave that dips under the bar for a day or two (a
/// quiet Sunday) is the same wave, so `since` does not move and the caller e-mails once.
pub const MAX_GAP_DAYS: usize = 2;

/// A run this long is accepted as the new normal: its days re-enter the baselines with their
/// real counts and the run ends. Four weeks: staff have long been told, and whole weeks keep
/// the new baseline weekday-balanced.
pub const NEW_NORMAL_DAYS: usize = 28;

/// Weeks back whose same three weekdays (cleaned) also set the 3-day expectation.
const REFERENCE_WEEKS: usize = 2;

/// Smallest σ whatever the parameters, so that no division is by zero.
const MIN_SIGMA: f64 = 1e-6;

/// Tuning of the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Days between the baseline and the evaluated day (EARS C2: 2), so that a wave's first
    /// days are not in their own baseline.
    pub guard_days: usize,
    /// Length of the baseline (EARS: 7): one whole week, so that weekdays average out.
    pub baseline_days: usize,
    /// EARS threshold h on C2 and C3 (2.0: C2 > 2 means above μ + 3σ).
    pub threshold: f64,
    /// Minimum count over the last 3 days for a run to start or go on (10): a handful of
    /// journeys is no wave worth an e-mail, and small Poisson counts have heavy tails.
    pub min_count: u64,
    /// Minimum ratio of the last 3 days' count to their expectation (see
    /// [`Signal::expected_3_days`]) on every signalling day (1.5): on high counts 3σ is a
    /// small relative change nobody needs to hear of.
    pub min_ratio: f64,
    /// σ is at least `sigma_floor` Poisson standard deviations: σ ≥ `sigma_floor` · √(μ + 1)
    /// (2.0). With μ and σ from 7 days, a quiet week gives σ ≈ 0, μ is often underestimated
    /// and small counts are skewed: on simulated Poisson series (with the gates) the floor √μ
    /// let 0.2–1.8 % of days start a false run at means 2–20; 2√(μ + 1) lets 1–3 in 100 000 at
    /// means 1–10 and none were seen at 20 or 200. The `+ 1` keeps the floor at 2 on a series
    /// of zeros, so a 1 (or a 6) after zeros is nothing.
    pub sigma_floor: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            guard_days: 2,
            baseline_days: 7,
            threshold: 2.0,
            min_count: 10,
            min_ratio: 1.5,
            sigma_floor: 2.0,
        }
    }
}

/// The EARS statistic behind a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The day alone is far above its baseline (also reported on a day that only continues a
    /// run, with its C2 as score).
    C2,
    /// The last three days together are (a slower start).
    C3,
}

/// A signalling day.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// Index (into the series) of the first day of the current run of signalling days (gaps of
    /// up to [`MAX_GAP_DAYS`] quiet days do not end a run): the caller e-mails once per
    /// distinct `since`.
    pub since: usize,
    /// The statistic that crossed the threshold (C2 when both did).
    pub method: Method,
    /// The last day's count.
    pub observed: u64,
    /// Mean μ of the day's (cleaned) baseline.
    pub expected: f64,
    /// σ of the day's baseline, after the floor.
    pub sigma: f64,
    /// The statistic that crossed the threshold; below `threshold` on a day that only
    /// continues a run.
    pub score: f64,
    /// Count over the day and the two before it.
    pub observed_3_days: u64,
    /// Their expectation: the larger of 3μ and the (cleaned) counts of the same three weekdays
    /// one and two weeks before, so that busy weekdays are compared with busy weekdays and one
    /// quiet week does not make an ordinary one look like a wave.
    pub expected_3_days: f64,
}

/// Evaluates the LAST day of `daily` (oldest first). None when it does not signal or the series
/// is too short (fewer than `guard_days + baseline_days + 1` days: 10 by default).
pub fn detect(daily: &[u64], params: &Params) -> Option<Signal> {
    // Cleaned baselines depend on the whole history, so the last day needs the full scan:
    // O(n · baseline_days), microseconds for a year.
    scan(daily, params).pop().flatten()
}

/// The per-day verdicts over the whole series (for tests and the dashboard): Some on
/// signalling days. Causal: `scan(d)[t] == detect(&d[..=t])`.
///
/// Rules, day by day from the start (μ, σ, C2, C3 as in the module doc; `obs3` and `exp3` the
/// last 3 days' count and expectation, see [`Signal`]):
/// - every signalling day passes the volume gates `obs3 ≥ min_count` and
///   `obs3 ≥ min_ratio · exp3`;
/// - a run starts on a day EARS flags (C2 or C3 above the threshold);
/// - an open run (last signalling day at most [`MAX_GAP_DAYS`] + 1 days before) goes on with
///   any day above μ + σ (C2 > 0): hysteresis, because EARS' C3 skips flagged days, so the
///   ordinary days of a moderate wave would otherwise break it into several runs and e-mails;
/// - after [`NEW_NORMAL_DAYS`] days a run is accepted as the new normal (below).
///
/// Baselines are computed on a cleaned copy of the series: a day EARS flags (even when the
/// gates keep it silent, e.g. the first day of a doubling at high counts), or a day above μ
/// while a run is open, enters later baselines as `min(x, μ)` of its own baseline; when a run
/// starts, its onset days still in the guard band that were above μ + σ are cleaned too.
/// - Not the raw value: a wave would be in its own baseline 3 days after it starts, and a
///   burst in the last 9 days would inflate μ and σ enough to hide the next wave.
/// - μ rather than μ + σ: a burst leaves the baseline as it was, and a wave is never absorbed
///   into its own baseline however long it lasts. With μ + σ the baseline creeps up by about
///   σ/6 a day, which with the floored σ absorbs a 3× plateau in about 10 days, at a pace set
///   by the noise rather than by a decision.
/// - The decision: a run lasting [`NEW_NORMAL_DAYS`] gets its days' real counts back in the
///   baselines and ends, so a lasting new level signals for 4 weeks, then the series is
///   watched from that level (a further rise signals again, a return to the old level does
///   not).
pub fn scan(daily: &[u64], params: &Params) -> Vec<Option<Signal>> {
    let n = daily.len();
    let mut out: Vec<Option<Signal>> = vec![None; n];
    let (guard, len) = (params.guard_days, params.baseline_days);
    let Some(first) = guard.checked_add(len) else {
        return out;
    };
    if len == 0 || first >= n {
        return out;
    }
    let h = params.threshold;
    let floor = if params.sigma_floor.is_nan() {
        MIN_SIGMA
    } else {
        params.sigma_floor.clamp(MIN_SIGMA, 1e100)
    };

    let mut cleaned: Vec<f64> = daily.iter().map(|&x| x as f64).collect();
    // C2 and baseline mean of each evaluated day (0 before the first), for C3 and for cleaning
    // a wave's onset.
    let mut c2s = vec![0.0_f64; n];
    let mut mus = vec![0.0_f64; n];
    // (first day, last signalling day) of the current run.
    let mut run: Option<(usize, usize)> = None;

    for t in first..n {
        let (mu, sd) = mean_sd(&cleaned[t - first..t - guard]);
        let sigma = sd.max(floor * (mu + 1.0).sqrt()).max(MIN_SIGMA);
        let x = daily[t] as f64;

        let c2 = ((x - mu - sigma) / sigma).max(0.0);
        let earlier: f64 = (t.saturating_sub(WINDOW_3 - 1)..t)
            .filter(|&d| d >= first)
            .map(|d| c2s[d])
            .filter(|&c| c <= h)
            .sum();
        let c3 = c2 + earlier;
        c2s[t] = c2;
        mus[t] = mu;

        let open = run.filter(|&(_, last)| t - last - 1 <= MAX_GAP_DAYS);
        let flagged = c2 > h || c3 > h;
        if flagged || (open.is_some() && x > mu) {
            cleaned[t] = x.min(mu);
        }

        let from = t.saturating_sub(WINDOW_3 - 1);
        let observed_3_days = daily[from..=t]
            .iter()
            .fold(0_u64, |sum, &v| sum.saturating_add(v));
        // The expectation is the larger of 3μ and the same weekdays 1 and 2 weeks before.
        let mut expected_3_days = mu * (t - from + 1) as f64;
        for weeks in 1..=REFERENCE_WEEKS {
            let back = 7 * weeks;
            if let Some(lo) = from.checked_sub(back).filter(|_| back > guard) {
                expected_3_days = expected_3_days.max(cleaned[lo..=t - back].iter().sum());
            }
        }
        let loud = observed_3_days >= params.min_count
            && observed_3_days as f64 >= params.min_ratio * expected_3_days;
        let starts = flagged && loud;
        let goes_on = open.is_some() && c2 > 0.0 && loud;
        if !(starts || goes_on) {
            continue;
        }

        let since = match open {
            Some((start, _)) => start,
            None => {
                // The onset days in the guard band have not entered any baseline yet.
                for d in t.saturating_sub(guard).max(first)..t {
                    if c2s[d] > 0.0 {
                        cleaned[d] = cleaned[d].min(mus[d]);
                    }
                }
                t
            }
        };
        run = Some((since, t));
        if t - since + 1 >= NEW_NORMAL_DAYS {
            for d in since..=t {
                cleaned[d] = daily[d] as f64;
            }
            run = None;
        }

        let (method, score) = if c2 <= h && c3 > h {
            (Method::C3, c3)
        } else {
            (Method::C2, c2)
        };
        out[t] = Some(Signal {
            since,
            method,
            observed: daily[t],
            expected: mu,
            sigma,
            score,
            observed_3_days,
            expected_3_days,
        });
    }
    out
}

/// Mean and sample standard deviation (n − 1; 0 for fewer than two values), in two passes for
/// accuracy on large counts.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64 with a Poisson sampler (Knuth's product of uniforms, in chunks of mean ≤ 500
    /// so that e^-λ stays representable): deterministic and crate-free.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Self(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(seed.wrapping_add(1)) | 1)
        }

        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        /// Uniform in (0, 1).
        fn uniform(&mut self) -> f64 {
            ((self.next() >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
        }

        fn poisson(&mut self, mean: f64) -> u64 {
            let mut left = mean;
            let mut total = 0;
            while left > 0.0 {
                let lambda = left.min(500.0);
                left -= lambda;
                let limit = (-lambda).exp();
                let mut product = self.uniform();
                while product > limit {
                    total += 1;
                    product *= self.uniform();
                }
            }
            total
        }

        fn series(&mut self, days: usize, mean: impl Fn(usize) -> f64) -> Vec<u64> {
            (0..days).map(|t| self.poisson(mean(t))).collect()
        }
    }

    fn params() -> Params {
        Params::default()
    }

    fn signalling_days(daily: &[u64]) -> Vec<usize> {
        let verdicts = scan(daily, &params());
        (0..daily.len())
            .filter(|&t| verdicts[t].is_some())
            .collect()
    }

    /// Distinct runs (distinct `since`), i.e. e-mails.
    fn runs(daily: &[u64]) -> Vec<usize> {
        let mut starts: Vec<usize> = scan(daily, &params())
            .into_iter()
            .flatten()
            .map(|s| s.since)
            .collect();
        starts.dedup();
        starts
    }

    const SEEDS: u64 = 20;

    #[test]
    fn a_sextortion_wave_signals_within_two_days_and_stays_one_run() {
        // The type is ~20 of ~200 journeys a day, then 100, then 200 a day (about half of all
        // journeys) for three weeks.
        let jump = 120;
        let plateau = 21;
        for seed in 0..SEEDS {
            let daily = Rng::new(seed).series(jump + 1 + plateau, |t| match t {
                t if t < jump => 20.0,
                t if t == jump => 100.0,
                _ => 200.0,
            });
            assert!(
                scan(&daily[..jump], &params()).iter().all(Option::is_none),
                "seed {seed}"
            );
            let start = (jump..jump + 2)
                .find(|&t| detect(&daily[..=t], &params()).is_some())
                .unwrap_or_else(|| panic!("seed {seed}: no signal within 2 days"));
            for t in start..daily.len() {
                let signal = detect(&daily[..=t], &params())
                    .unwrap_or_else(|| panic!("seed {seed}: day {t} does not signal"));
                assert_eq!(signal.since, start, "seed {seed}, day {t}");
            }
            assert_eq!(runs(&daily), vec![start], "seed {seed}");
        }
    }

    #[test]
    fn flat_poisson_series_never_signal() {
        for mean in [0.3, 2.0, 20.0, 200.0] {
            for seed in 0..SEEDS {
                let daily = Rng::new(seed * 7919 + mean as u64).series(365, |_| mean);
                assert_eq!(
                    signalling_days(&daily),
                    Vec::<usize>::new(),
                    "mean {mean}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn weekly_seasonality_does_not_signal() {
        // Mean 50 with weekdays 1.6× weekends: 56 on weekdays, 35 on weekends.
        for seed in 0..SEEDS {
            let offset = seed as usize % 7;
            let daily = Rng::new(1000 + seed)
                .series(365, |t| if (t + offset) % 7 >= 5 { 35.0 } else { 56.0 });
            assert_eq!(signalling_days(&daily), Vec::<usize>::new(), "seed {seed}");
        }
    }

    #[test]
    fn a_slow_annual_trend_does_not_signal() {
        for seed in 0..SEEDS {
            let phase = seed as f64;
            let daily = Rng::new(2000 + seed).series(365, |t| {
                50.0 * (1.0 + 0.3 * (std::f64::consts::TAU * t as f64 / 365.0 + phase).sin())
            });
            assert_eq!(signalling_days(&daily), Vec::<usize>::new(), "seed {seed}");
        }
    }

    #[test]
    fn a_past_burst_does_not_mask_a_new_wave_of_the_same_size() {
        // A 5-day burst at 100 a day, 60 days ago or ending just before the new wave's baseline
        // window (so that it is inside it), then a wave at 100 a day from `today`.
        let today = 200;
        for burst_start in [today - 60, today - 11] {
            for seed in 0..SEEDS {
                let daily = Rng::new(3000 + seed).series(today + 1, |t| {
                    if (burst_start..burst_start + 5).contains(&t) || t == today {
                        100.0
                    } else {
                        20.0
                    }
                });
                let burst = runs(&daily[..today]);
                assert_eq!(burst.len(), 1, "seed {seed}: the burst is one run");
                assert!(burst[0] <= burst_start + 1, "seed {seed}");
                let signal = detect(&daily, &params()).unwrap_or_else(|| {
                    panic!("seed {seed}: burst at {burst_start} masks the wave")
                });
                assert_eq!(
                    signal.since, today,
                    "seed {seed}: a new run, hence a new e-mail"
                );
                assert!(
                    (signal.expected - 20.0).abs() < 5.0,
                    "seed {seed}: {signal:?}"
                );
            }
        }
    }

    #[test]
    fn a_lasting_new_level_signals_for_four_weeks_then_becomes_the_new_normal() {
        // 20 → 60 a day for 70 days: one run, never absorbed within 10 days; after
        // NEW_NORMAL_DAYS days its counts become the baseline and the signal stops for good.
        let shift = 100;
        for seed in 0..SEEDS {
            let daily =
                Rng::new(4000 + seed).series(shift + 70, |t| if t < shift { 20.0 } else { 60.0 });
            let days = signalling_days(&daily);
            let start = days.first().copied().unwrap_or(usize::MAX);
            // Within 3 days: a 3× step may need C3's second day after a first day that EARS
            // flagged but the ratio gate kept silent (C3 then skips it, as in EARS).
            assert!((shift..shift + 3).contains(&start), "seed {seed}: {days:?}");
            let expected: Vec<usize> = (start..start + NEW_NORMAL_DAYS).collect();
            assert_eq!(days, expected, "seed {seed}");
            assert_eq!(runs(&daily), vec![start], "seed {seed}");
        }
    }

    #[test]
    fn a_dip_inside_a_wave_does_not_start_a_new_run() {
        let mut daily = vec![20; 60];
        daily.extend([200, 200, 200, 200, 20, 20, 200, 200]);
        let verdicts = scan(&daily, &params());
        assert!(verdicts[64].is_none() && verdicts[65].is_none());
        assert_eq!(verdicts[66].as_ref().map(|s| s.since), Some(60));
        assert_eq!(detect(&daily, &params()).map(|s| s.since), Some(60));
        // Three quiet days end the run: the next rise is a new wave.
        daily.extend([20, 20, 20, 200]);
        assert_eq!(
            detect(&daily, &params()).map(|s| s.since),
            Some(daily.len() - 1)
        );
    }

    #[test]
    fn c2_by_hand_and_the_volume_gates() {
        // Baseline of constant 20: σ = max(0, 2·√21) = 9.165, so μ + 3σ = 47.5.
        let mut daily = vec![20; 10];
        daily.push(48);
        // C2 = 2.06 > 2, but 88 journeys over 3 days < 1.5 × 60.
        assert_eq!(detect(&daily, &params()), None);
        daily.pop();
        daily.push(50);
        let signal = detect(&daily, &params()).expect("50 after a flat 20");
        let sigma = 2.0 * 21.0_f64.sqrt();
        assert_eq!(signal.method, Method::C2);
        assert_eq!(
            (signal.since, signal.observed, signal.observed_3_days),
            (10, 50, 90)
        );
        assert!((signal.expected - 20.0).abs() < 1e-9);
        assert!((signal.expected_3_days - 60.0).abs() < 1e-9);
        assert!((signal.sigma - sigma).abs() < 1e-9);
        assert!((signal.score - (50.0 - 20.0 - sigma) / sigma).abs() < 1e-9);
        // min_count: after zeros σ = 2, so 7 gives C2 = 2.5, but 7 journeys are too few.
        let mut zeros = vec![0; 30];
        zeros.push(7);
        assert_eq!(detect(&zeros, &params()), None);
    }

    #[test]
    fn c3_by_hand_catches_a_slower_start() {
        // 40 after a flat 20: C2 = (40 − 29.165) / 9.165 = 1.18 each day, under 2; on the
        // second day C3 = 2.36 > 2 and 100 ≥ 1.5 × 60.
        let mut daily = vec![20; 10];
        daily.push(40);
        assert_eq!(detect(&daily, &params()), None);
        daily.push(40);
        let signal = detect(&daily, &params()).expect("C3");
        let sigma = 2.0 * 21.0_f64.sqrt();
        let c2 = (40.0 - 20.0 - sigma) / sigma;
        assert_eq!(signal.method, Method::C3);
        assert_eq!(signal.since, 11);
        assert!((signal.score - 2.0 * c2).abs() < 1e-9);
        assert_eq!(signal.observed_3_days, 100);
    }

    #[test]
    fn short_empty_and_zero_series_never_signal() {
        let p = params();
        assert_eq!(detect(&[], &p), None);
        assert!(scan(&[], &p).is_empty());
        for len in 1..10 {
            let daily = vec![1000; len];
            assert_eq!(detect(&daily, &p), None);
            assert_eq!(scan(&daily, &p).len(), len);
        }
        // Too short even with a wave: 9 days leave no baseline for the last.
        assert_eq!(detect(&[0, 0, 0, 0, 0, 0, 0, 0, 500], &p), None);
        assert!(scan(&vec![0; 400], &p).iter().all(Option::is_none));
        let mut daily = vec![0; 30];
        daily.push(1);
        assert_eq!(detect(&daily, &p), None);
        daily.extend([1, 1, 2, 1]);
        assert!(scan(&daily, &p).iter().all(Option::is_none));
    }

    #[test]
    fn extreme_counts_and_parameters_do_not_panic() {
        let huge = vec![u64::MAX; 40];
        let mut mixed: Vec<u64> = (0..200)
            .map(|t| if t % 3 == 0 { u64::MAX } else { 0 })
            .collect();
        mixed.extend([u64::MAX; 5]);
        let mut rise = vec![1; 30];
        rise.extend([u64::MAX / 2; 5]);
        let odd = [
            Params::default(),
            Params {
                baseline_days: 0,
                ..Params::default()
            },
            Params {
                baseline_days: 1,
                guard_days: 0,
                ..Params::default()
            },
            Params {
                guard_days: usize::MAX,
                ..Params::default()
            },
            Params {
                guard_days: usize::MAX,
                baseline_days: usize::MAX,
                ..Params::default()
            },
            Params {
                threshold: f64::NAN,
                min_ratio: f64::NAN,
                sigma_floor: f64::NAN,
                ..Params::default()
            },
            Params {
                threshold: -1.0,
                min_count: 0,
                min_ratio: -1.0,
                sigma_floor: 0.0,
                ..Params::default()
            },
            Params {
                threshold: f64::INFINITY,
                min_ratio: f64::INFINITY,
                sigma_floor: f64::INFINITY,
                ..Params::default()
            },
            Params {
                sigma_floor: f64::NEG_INFINITY,
                min_count: u64::MAX,
                ..Params::default()
            },
        ];
        for p in &odd {
            for daily in [&huge[..], &mixed[..], &rise[..], &[0; 40][..], &[][..]] {
                let verdicts = scan(daily, p);
                assert_eq!(verdicts.len(), daily.len());
                for s in verdicts.iter().flatten() {
                    assert!(
                        s.score.is_finite() && s.expected.is_finite() && s.sigma > 0.0,
                        "{p:?} {s:?}"
                    );
                }
                assert_eq!(detect(daily, p), verdicts.last().cloned().flatten());
            }
        }
        assert!(detect(&rise, &Params::default()).is_some());
    }

    #[test]
    fn scan_is_causal_and_detect_is_its_last_day() {
        for seed in 0..5 {
            let mut rng = Rng::new(5000 + seed);
            let daily = rng.series(150, |t| match t {
                40..=44 => 120.0,
                90..=129 => 70.0,
                _ => 15.0,
            });
            let verdicts = scan(&daily, &params());
            assert!(verdicts.iter().any(Option::is_some));
            for t in 0..daily.len() {
                assert_eq!(
                    detect(&daily[..=t], &params()),
                    verdicts[t],
                    "seed {seed}, day {t}"
                );
            }
        }
    }

    /// `cargo test --release -- --ignored --nocapture`: the daily job's load.
    #[test]
    #[ignore]
    fn timing_147_series_of_400_days() {
        let mut rng = Rng::new(6000);
        let series: Vec<Vec<u64>> = (0..147)
            .map(|i| {
                let mean = [0.3, 2.0, 5.0, 20.0, 200.0][i % 5];
                rng.series(400, |t| {
                    if t > 380 && i % 7 == 0 {
                        mean * 5.0
                    } else {
                        mean
                    }
                })
            })
            .collect();
        let started = std::time::Instant::now();
        let mut signals = 0;
        for daily in &series {
            signals += usize::from(detect(daily, &params()).is_some());
            signals += scan(daily, &params()).iter().flatten().count();
        }
        let elapsed = started.elapsed();
        println!("147 series × 400 days, detect + scan each: {elapsed:?} ({signals} signals)");
        assert!(elapsed.as_millis() < 50);
    }
}
