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

/// `23/11/2026` (Paris time).
pub fn date_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%d/%m/%Y").to_string()
}
