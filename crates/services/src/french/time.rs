//! Dates as French users read them: Paris local time. Shared by the pages.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// Paris local time of a UTC instant (CET, CEST from the last Sunday of March to the last
/// Sunday of October, both at 01:00 UTC).
pub fn paris(utc: NaiveDateTime) -> NaiveDateTime {
    let last_sunday_1am = |month: u32| {
        let last = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap_or_default();
        let back = i64::from(last.weekday().num_days_from_sunday());
        (last - Duration::days(back))
            .and_hms_opt(1, 0, 0)
            .unwrap_or_default()
    };
    let summer = utc >= last_sunday_1am(3) && utc < last_sunday_1am(10);
    utc + Duration::hours(if summer { 2 } else { 1 })
}

/// The date in Paris at a UTC instant: the business date.
pub fn paris_date(utc: NaiveDateTime) -> NaiveDate {
    paris(utc).date()
}

/// The UTC instant of midnight, Paris time, on `day`.
pub fn paris_midnight(day: NaiveDate) -> NaiveDateTime {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let winter = local - Duration::hours(1);
    if paris(winter) == local {
        winter
    } else {
        local - Duration::hours(2)
    }
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
