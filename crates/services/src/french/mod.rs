//! French as users read it: dates in Paris time, sizes, amounts and plurals. Shared by the
//! pages and the emails.

pub mod numbers;
pub mod time;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

pub use self::numbers::{change_fr, decimal_fr, number_fr, share_fr, value_fr};
pub use self::time::{paris, paris_date, paris_midnight};

/// `23/11/2026` (Paris time).
pub fn date_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%d/%m/%Y").to_string()
}

/// `10/12/2026`, for a calendar day.
pub fn day_fr(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The year and month as French reads them ("novembre 2026").
pub fn month_fr(first: NaiveDate) -> String {
    format!("{} {}", month_name(first), first.year())
}

/// A month written `YYYY-MM` as French reads it ("novembre 2026"); as written if it is not
/// one.
pub fn month_code_fr(code: &str) -> String {
    crate::domain::observatory::parse_month(code).map_or_else(|| code.to_owned(), month_fr)
}

/// The month's name alone ("novembre").
pub fn month_name(day: NaiveDate) -> &'static str {
    const NAMES: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    NAMES[day.month0() as usize]
}

/// `23/11/2026 à 10:00` (Paris time).
pub fn datetime_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%d/%m/%Y à %H:%M").to_string()
}

/// `14:35` (Paris time): a deadline within the next hours.
pub fn time_fr(utc: NaiveDateTime) -> String {
    paris(utc).format("%H:%M").to_string()
}

/// The machine-readable form of a time for `<time datetime>` (Paris time).
pub fn iso(utc: NaiveDateTime) -> String {
    paris(utc).format("%Y-%m-%dT%H:%M").to_string()
}

/// `80 octets`, `2 Ko`, `1,5 Mo`.
pub fn size_fr(bytes: i32) -> String {
    let bytes = f64::from(bytes.max(0));
    if bytes < 1024.0 {
        format!("{bytes} octets")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{} Ko", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} Mo", bytes / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// `800 €` (whole euros, as fees are set).
pub fn euros(cents: i32) -> String {
    format!("{} €", cents / 100)
}

/// French agreement: 0 and 1 take the singular; the number grouped by thousands.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    let word = if n <= 1 { one } else { many };
    format!("{} {word}", number_fr(n as u64))
}

/// A distance as pages show it: one decimal, a French comma ("7,1 km").
pub fn km(distance_km: f64) -> String {
    format!("{} km", (distance_km * 10.0).round() / 10.0).replace('.', ",")
}

/// A delay as a person says it: "2 heures", "1 heure", "90 minutes" (whole hours in hours).
pub fn duration_fr(delay: chrono::Duration) -> String {
    let minutes = usize::try_from(delay.num_minutes()).unwrap_or(0);
    if minutes >= 60 && minutes % 60 == 0 {
        plural(minutes / 60, "heure", "heures")
    } else {
        plural(minutes, "minute", "minutes")
    }
}

/// How long something has waited, as a person reads it at a glance: "12 min", "3 h 05",
/// "2 j 4 h" (U+202F before each unit).
pub fn elapsed_fr(delay: chrono::Duration) -> String {
    let minutes = delay.num_minutes().max(0);
    let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    if days > 0 {
        format!("{days}\u{202F}j {hours}\u{202F}h")
    } else if hours > 0 {
        format!("{hours}\u{202F}h {rest:02}")
    } else {
        format!("{rest}\u{202F}min")
    }
}

/// "de" before a place name, elided or contracted as French writes it: "d'Ajaccio",
/// "du Mans", "des Abymes", "de Rennes". An initial h is left alone (h aspiré is common in
/// place names: "de Haguenau").
pub fn de(place: &str) -> String {
    if let Some(rest) = place.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = place.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    let vowel = place
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouyàâäéèêëîïôöùûü".contains(c));
    if vowel {
        format!("d'{place}")
    } else {
        format!("de {place}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_have_one_decimal_and_a_comma() {
        assert_eq!(km(7.06), "7,1 km");
        assert_eq!(km(12.0), "12 km");
    }

    #[test]
    fn waits_read_at_a_glance() {
        let m = chrono::Duration::minutes;
        assert_eq!(elapsed_fr(m(12)), "12\u{202F}min");
        assert_eq!(elapsed_fr(m(185)), "3\u{202F}h 05");
        assert_eq!(elapsed_fr(m(2 * 1440 + 250)), "2\u{202F}j 4\u{202F}h");
        assert_eq!(elapsed_fr(m(-5)), "0\u{202F}min");
    }

    #[test]
    fn delays_read_as_spoken() {
        assert_eq!(duration_fr(chrono::Duration::hours(2)), "2 heures");
        assert_eq!(duration_fr(chrono::Duration::hours(1)), "1 heure");
        assert_eq!(duration_fr(chrono::Duration::minutes(90)), "90 minutes");
        assert_eq!(duration_fr(chrono::Duration::minutes(1)), "1 minute");
    }

    #[test]
    fn de_is_elided_and_contracted_before_a_place() {
        assert_eq!(de("Ajaccio"), "d'Ajaccio");
        assert_eq!(de("Évreux"), "d'Évreux");
        assert_eq!(de("Le Mans"), "du Mans");
        assert_eq!(de("Les Abymes"), "des Abymes");
        assert_eq!(de("La Rochelle"), "de La Rochelle");
        assert_eq!(
            de("Rennes (Ille-et-Vilaine)"),
            "de Rennes (Ille-et-Vilaine)"
        );
        assert_eq!(de("Haguenau"), "de Haguenau");
    }

    #[test]
    fn sizes_are_french() {
        assert_eq!(size_fr(80), "80 octets");
        assert_eq!(size_fr(2048), "2 Ko");
        assert_eq!(size_fr(3 * 1024 * 1024 / 2), "1,5 Mo");
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn times_are_shown_in_paris_time() {
        // Winter: UTC+1; summer: UTC+2; the switch at 01:00 UTC on the last Sundays.
        assert_eq!(datetime_fr(at(2026, 11, 23, 9, 0)), "23/11/2026 à 10:00");
        assert_eq!(datetime_fr(at(2026, 7, 1, 22, 30)), "02/07/2026 à 00:30");
        assert_eq!(datetime_fr(at(2026, 3, 29, 0, 59)), "29/03/2026 à 01:59");
        assert_eq!(datetime_fr(at(2026, 3, 29, 1, 0)), "29/03/2026 à 03:00");
        assert_eq!(datetime_fr(at(2026, 10, 25, 0, 59)), "25/10/2026 à 02:59");
        assert_eq!(datetime_fr(at(2026, 10, 25, 1, 0)), "25/10/2026 à 02:00");
        assert_eq!(date_fr(at(2026, 12, 31, 23, 30)), "01/01/2027");
        assert_eq!(iso(at(2026, 7, 1, 22, 30)), "2026-07-02T00:30");
    }

    #[test]
    fn plurals_agree() {
        assert_eq!(plural(0, "demande", "demandes"), "0 demande");
        assert_eq!(plural(2, "demande", "demandes"), "2 demandes");
    }
}
