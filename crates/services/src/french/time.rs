//! Dates as French users read them: Paris local time. Shared by the pages.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;

/// Paris local time of a UTC instant (the IANA rules: CET, CEST in summer).
pub fn paris(utc: NaiveDateTime) -> NaiveDateTime {
    Paris.from_utc_datetime(&utc).naive_local()
}

/// An instant as Paris reads it, to the second (ISO 8601, without offset), as the exports
/// write it.
pub fn paris_iso(utc: NaiveDateTime) -> String {
    paris(utc).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The date in Paris at a UTC instant: the business date.
pub fn paris_date(utc: NaiveDateTime) -> NaiveDate {
    paris(utc).date()
}

/// The UTC instant of midnight, Paris time, on `day` (midnight is never skipped nor repeated
/// in Paris: the clocks change at night's end).
pub fn paris_midnight(day: NaiveDate) -> NaiveDateTime {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Paris
        .from_local_datetime(&local)
        .earliest()
        .map_or(local - chrono::Duration::hours(1), |at| at.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn paris_time_switches_on_the_last_sundays() {
        assert_eq!(paris(at(2026, 3, 29, 0, 59)), at(2026, 3, 29, 1, 59));
        assert_eq!(paris(at(2026, 3, 29, 1, 0)), at(2026, 3, 29, 3, 0));
        assert_eq!(paris(at(2026, 10, 25, 0, 59)), at(2026, 10, 25, 2, 59));
        assert_eq!(paris(at(2026, 10, 25, 1, 0)), at(2026, 10, 25, 2, 0));
        let day = NaiveDate::from_ymd_opt(2026, 7, 14).unwrap();
        assert_eq!(paris_midnight(day), at(2026, 7, 13, 22, 0));
        let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(paris_midnight(day), at(2026, 12, 24, 23, 0));
    }
}
