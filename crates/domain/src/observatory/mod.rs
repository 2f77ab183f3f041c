//! The observatory's rules: what a fact is, the weeks and months it is counted in, the
//! statistics of response times, and (in their modules) small-count suppression and the
//! detection of waves.

pub mod correction;
pub mod ears;
pub mod farrington;
pub mod suppression;
pub mod waves;

use chrono::{Datelike, Days, NaiveDate};

/// What a fact records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactKind {
    /// A diagnostic journey.
    Journey,
    /// An assistance request.
    Request,
}

impl FactKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Journey => "journey",
            Self::Request => "request",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Journey, Self::Request]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// A journey's outcome before it reaches one (the victim stopped on a question).
pub const JOURNEY_STARTED: &str = "started";

/// The Monday of a day's ISO week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The first day of a day's month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// A month as `YYYY-MM`, parsed; `None` for anything else.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The last day of the month starting on `first`.
pub fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first)
}

/// The same week a year before: 52 weeks back, so that weekdays line up.
pub fn a_year_before(day: NaiveDate) -> NaiveDate {
    day.checked_sub_days(Days::new(364)).unwrap_or(day)
}

/// The value under which `share` of the sorted values fall (nearest rank); `None` when empty.
pub fn percentile(sorted: &[u32], share: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (share * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// A change in percent between two periods; `None` when there was nothing before.
pub fn change_percent(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| (now as f64 - before as f64) * 100.0 / before as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_a_year_before_is_the_same_weekday() {
        assert_eq!(week_of(day(2026, 12, 3)), day(2026, 11, 30));
        assert_eq!(week_of(day(2026, 11, 30)), day(2026, 11, 30));
        assert_eq!(week_of(day(2026, 12, 6)), day(2026, 11, 30));
        let before = a_year_before(day(2026, 11, 30));
        assert_eq!(before.weekday(), chrono::Weekday::Mon);
        assert_eq!(before, day(2025, 12, 1));
    }

    #[test]
    fn months_parse_and_end() {
        assert_eq!(parse_month("2024-02"), Some(day(2024, 2, 1)));
        assert_eq!(month_end(day(2024, 2, 1)), day(2024, 2, 29));
        assert_eq!(month_end(day(2026, 12, 1)), day(2026, 12, 31));
        for bad in ["2024-13", "2024-2", "24-02", "", "2024-02-01", "abcd-ef"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(month_of(day(2026, 12, 17)), day(2026, 12, 1));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&[42], 0.9), Some(42));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(change_percent(135, 100), Some(35.0));
        assert_eq!(change_percent(3, 0), None);
    }
}
