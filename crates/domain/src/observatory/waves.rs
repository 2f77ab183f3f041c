//! The detection of waves as the daily pass runs it: every reference method on every series,
//! unchanged — EARS C1, C2 and C3 on the daily counts ([`super::ears`]), the Farrington
//! flexible method on the weekly counts ([`super::farrington`]) — and the alarms of one
//! series gathered into waves, so that staff are told once per wave.
//!
//! A wave is a run of days in alarm (under any method) with gaps of at most
//! [`MAX_GAP_DAYS`] quiet days; it starts on the run's first day. A week Farrington flags
//! puts its seven days in alarm.

use super::{ears, farrington};

/// Quiet days tolerated inside one wave: a wave that dips under the bar for a day or two (a
/// quiet Sunday) is the same wave, so staff are not emailed again.
pub const MAX_GAP_DAYS: usize = 2;

/// A reference method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Ears(ears::Method),
    /// On weeks.
    Farrington,
}

impl Method {
    /// In the order a day's alarm names them: the strictest first (C1 and C2 at α = 0.001),
    /// then C3 (α = 0.025), then the weekly method.
    pub const ALL: [Method; 4] = [
        Method::Ears(ears::Method::C1),
        Method::Ears(ears::Method::C2),
        Method::Ears(ears::Method::C3),
        Method::Farrington,
    ];

    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ears(m) => m.code(),
            Self::Farrington => "farrington",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ears(ears::Method::C1) => "EARS C1 (jour)",
            Self::Ears(ears::Method::C2) => "EARS C2 (jour)",
            Self::Ears(ears::Method::C3) => "EARS C3 (jour)",
            Self::Farrington => "Farrington flexible (semaine)",
        }
    }

    /// Whether its figures are a week's rather than a day's.
    pub fn weekly(self) -> bool {
        self == Self::Farrington
    }
}

/// Why a day (or a week) is in alarm: the method and its figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alarm {
    pub method: Method,
    pub observed: u64,
    pub expected: f64,
    /// The bound the count passed.
    pub threshold: f64,
}

/// The first alarm (in [`Method::ALL`]'s order) of each day of `daily`, oldest first, under
/// the three EARS methods with the package's defaults.
pub fn daily_alarms(daily: &[u64]) -> Vec<Option<Alarm>> {
    let mut out: Vec<Option<Alarm>> = vec![None; daily.len()];
    for method in ears::Method::ALL {
        for (t, day) in ears::evaluate(daily, &ears::Settings::of(method)) {
            if day.alarm == Some(true) && out[t].is_none() {
                out[t] = Some(Alarm {
                    method: Method::Ears(method),
                    observed: day.observed,
                    expected: day.expected,
                    threshold: day.upper_bound,
                });
            }
        }
    }
    out
}

/// The alarm of each of the last `weeks` weeks of `weekly` (oldest first) under the
/// Farrington method with the service's settings; None where it does not flag or cannot be
/// evaluated (too short a history).
pub fn weekly_alarms(weekly: &[u64], weeks: usize) -> Vec<Option<Alarm>> {
    let settings = farrington::Settings::default();
    let from = weekly.len().saturating_sub(weeks);
    (from..weekly.len())
        .map(|k| {
            if k < settings.first_week() {
                return None;
            }
            let week = farrington::evaluate_week(weekly, k, &settings);
            (week.alarm == Some(true)).then_some(Alarm {
                method: Method::Farrington,
                observed: week.observed,
                expected: week.expected,
                threshold: week.upper_bound,
            })
        })
        .collect()
}

/// The first day of the wave the last day belongs to, when the last day is in alarm: the
/// run of days in alarm with gaps of at most [`MAX_GAP_DAYS`].
pub fn wave_start(in_alarm: &[bool]) -> Option<usize> {
    if in_alarm.last() != Some(&true) {
        return None;
    }
    let mut start = in_alarm.len() - 1;
    let mut quiet = 0;
    for t in (0..start).rev() {
        if in_alarm[t] {
            start = t;
            quiet = 0;
        } else {
            quiet += 1;
            if quiet > MAX_GAP_DAYS {
                break;
            }
        }
    }
    Some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_starts_at_its_first_day_in_alarm_across_short_gaps() {
        let f = false;
        let t = true;
        assert_eq!(wave_start(&[f, f, f]), None);
        assert_eq!(wave_start(&[t, f, f]), None, "the last day is quiet");
        assert_eq!(wave_start(&[f, t, t]), Some(1));
        // Two quiet days inside a wave do not end it; three do.
        assert_eq!(wave_start(&[f, t, f, f, t]), Some(1));
        assert_eq!(wave_start(&[t, f, f, f, t]), Some(4));
        assert_eq!(wave_start(&[t]), Some(0));
    }

    #[test]
    fn a_day_of_three_after_quiet_days_is_an_alarm_as_plain_ears_says() {
        // The rare series: about 0.7 a day, then 3 in one day. The tuned detector
        // this replaces first flagged 9.
        let mut daily = vec![1, 0, 1, 0, 2, 0, 1, 1, 0, 1, 0, 1, 1, 0];
        daily.push(3);
        let alarms = daily_alarms(&daily);
        let last = alarms.last().copied().flatten().expect("an alarm");
        assert_eq!(last.method, Method::Ears(ears::Method::C1));
        assert_eq!(last.observed, 3);
        assert!(last.threshold < 3.0, "{last:?}");
        assert!(alarms[..alarms.len() - 1].iter().all(Option::is_none));
    }

    #[test]
    fn methods_are_stored_and_read_back() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.code()), Some(m));
        }
        assert_eq!(Method::parse("C4"), None);
        assert!(Method::Farrington.weekly());
    }
}
