//! Urgent requests and the hours they are offered in: the office hours (when staff answer), the
//! providers' declared on-call hours ("astreinte"), and the choice of the few nearest providers
//! an urgent request is offered to at once. All times are Paris local time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::assistance::Eligible;

/// How many providers an urgent request is offered to at once: the first to accept takes it.
pub const URGENT_PARALLEL_OFFERS: usize = 3;

/// The days as providers read them, Monday first.
pub const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// Staff answer on working days from 9:00 to 18:00; outside, urgent requests go to the on-call
/// providers and, when nobody accepts, to the operators on duty.
pub fn is_office_hours(local: NaiveDateTime) -> bool {
    let day = local.date();
    let working_day = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(day);
    working_day && (9..18).contains(&local.hour())
}

/// The French public holidays (jours fériés) of metropolitan France.
pub fn is_holiday(day: NaiveDate) -> bool {
    let fixed = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
    ];
    if fixed.contains(&(day.month(), day.day())) {
        return true;
    }
    let easter = easter_sunday(day.year());
    // Easter Monday, Ascension Thursday, Whit Monday.
    [1, 39, 50]
        .iter()
        .any(|offset| easter.is_some_and(|e| e + Duration::days(*offset) == day))
}

/// Easter Sunday of `year` (Gregorian, the anonymous "Meeus/Jones/Butcher" algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// One day's on-call span: from `start` to `end`; an `end` not after `start` runs past
/// midnight into the next day (18:00–08:00), and 00:00–00:00 is the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Span {
    fn overnight(&self) -> bool {
        self.end <= self.start
    }
}

/// A provider's weekly on-call hours, Monday first; `None` is a day without.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCall {
    pub days: [Option<Span>; 7],
}

impl OnCall {
    /// Whether the provider is on call at `local` (Paris time): within the day's span, or
    /// within the previous day's span that runs past midnight.
    pub fn covers(&self, local: NaiveDateTime) -> bool {
        let time = local.time();
        let today = local.weekday().num_days_from_monday() as usize;
        let yesterday = (today + 6) % 7;
        let from_today =
            self.days[today].is_some_and(|s| time >= s.start && (s.overnight() || time < s.end));
        let from_yesterday = self.days[yesterday].is_some_and(|s| s.overnight() && time < s.end);
        from_today || from_yesterday
    }

    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Option::is_none)
    }

    /// Reads the form: for each day, a start and an end as `HH:MM`, both empty for a day
    /// without. Errors are per day (index, French message).
    pub fn from_form(entries: &[(String, String); 7]) -> Result<Self, Vec<(usize, String)>> {
        let mut days = [None; 7];
        let mut errors = Vec::new();
        for (i, (start, end)) in entries.iter().enumerate() {
            let (start, end) = (start.trim(), end.trim());
            if start.is_empty() && end.is_empty() {
                continue;
            }
            match (parse_time(start), parse_time(end)) {
                (Some(start), Some(end)) => days[i] = Some(Span { start, end }),
                _ => errors.push((
                    i,
                    format!(
                        "{} : indiquez le début et la fin de l'astreinte au format HH:MM (par exemple 18:00 et 08:00), ou laissez les deux vides.",
                        capitalised(DAYS[i])
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(Self { days })
        } else {
            Err(errors)
        }
    }

    /// The form's values: each day's start and end as `HH:MM`, empty for a day without.
    pub fn to_form(&self) -> [(String, String); 7] {
        self.days.map(|d| match d {
            Some(s) => (
                s.start.format("%H:%M").to_string(),
                s.end.format("%H:%M").to_string(),
            ),
            None => (String::new(), String::new()),
        })
    }

    /// As providers and staff read it: "lundi 18:00–08:00 ; samedi toute la journée".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .days
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                d.map(|s| {
                    if s.start == s.end && s.start == NaiveTime::MIN {
                        format!("{} toute la journée", DAYS[i])
                    } else {
                        format!(
                            "{} {}–{}",
                            DAYS[i],
                            s.start.format("%H:%M"),
                            s.end.format("%H:%M")
                        )
                    }
                })
            })
            .collect();
        if parts.is_empty() {
            "aucune astreinte déclarée".into()
        } else {
            parts.join(" ; ")
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `HH:MM` (or `H:MM`, `HHhMM`, `HHh`), 24:00 read as midnight.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.to_ascii_lowercase().replace('h', ":");
    let (h, m) = text.split_once(':')?;
    let hour: u32 = h.trim().parse().ok()?;
    let minute: u32 = if m.trim().is_empty() {
        0
    } else {
        m.trim().parse().ok()?
    };
    if hour == 24 && minute == 0 {
        return Some(NaiveTime::MIN);
    }
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// The providers an urgent request is offered to at once: the nearest ones, at most
/// [`URGENT_PARALLEL_OFFERS`] (ties: labelled first, then fewer recent assignments, then id).
pub fn nearest_for_urgent(candidates: &[Eligible]) -> Vec<&Eligible> {
    let mut sorted: Vec<&Eligible> = candidates.iter().collect();
    sorted.sort_by(|a, b| {
        a.distance_km
            .total_cmp(&b.distance_km)
            .then(b.labelled.cmp(&a.labelled))
            .then(a.recent_assignments.cmp(&b.recent_assignments))
            .then(a.provider_id.cmp(&b.provider_id))
    });
    sorted.truncate(URGENT_PARALLEL_OFFERS);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    fn form(days: &[(usize, &str, &str)]) -> [(String, String); 7] {
        let mut f: [(String, String); 7] = Default::default();
        for (i, s, e) in days {
            f[*i] = ((*s).into(), (*e).into());
        }
        f
    }

    #[test]
    fn easter_dates_are_the_published_ones() {
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), NaiveDate::from_ymd_opt(y, m, d), "{y}");
        }
    }

    #[test]
    fn office_hours_are_working_days_nine_to_six_except_holidays() {
        // Friday 4 December 2026.
        assert!(is_office_hours(at(2026, 12, 4, 9, 0)));
        assert!(is_office_hours(at(2026, 12, 4, 17, 59)));
        assert!(!is_office_hours(at(2026, 12, 4, 18, 0)));
        assert!(!is_office_hours(at(2026, 12, 4, 8, 59)));
        // Saturday, and Christmas, a Friday.
        assert!(!is_office_hours(at(2026, 12, 5, 11, 0)));
        assert!(!is_office_hours(at(2026, 12, 25, 11, 0)));
        // Ascension 2026 is Thursday 14 May; Whit Monday 25 May.
        assert!(!is_office_hours(at(2026, 5, 14, 11, 0)));
        assert!(!is_office_hours(at(2026, 5, 25, 11, 0)));
        assert!(is_office_hours(at(2026, 5, 13, 11, 0)));
    }

    #[test]
    fn an_overnight_span_covers_the_next_morning() {
        // Monday 18:00 to 08:00.
        let on_call = OnCall::from_form(&form(&[(0, "18:00", "08:00")])).unwrap();
        // Monday 30 November 2026.
        assert!(!on_call.covers(at(2026, 11, 30, 17, 59)));
        assert!(on_call.covers(at(2026, 11, 30, 18, 0)));
        assert!(on_call.covers(at(2026, 11, 30, 23, 30)));
        assert!(on_call.covers(at(2026, 12, 1, 7, 59)));
        assert!(!on_call.covers(at(2026, 12, 1, 8, 0)));
        // Sunday night is not Monday's.
        assert!(!on_call.covers(at(2026, 11, 30, 2, 0)));
    }

    #[test]
    fn a_whole_day_and_a_day_span() {
        let on_call =
            OnCall::from_form(&form(&[(5, "00:00", "24:00"), (2, "8h", "12h30")])).unwrap();
        // Saturday 5 December 2026, all day; into Sunday until midnight only.
        assert!(on_call.covers(at(2026, 12, 5, 0, 0)));
        assert!(on_call.covers(at(2026, 12, 5, 23, 59)));
        assert!(!on_call.covers(at(2026, 12, 6, 0, 1)));
        // Wednesday 2 December, 08:00–12:30.
        assert!(on_call.covers(at(2026, 12, 2, 12, 29)));
        assert!(!on_call.covers(at(2026, 12, 2, 12, 30)));
        assert_eq!(
            on_call.describe(),
            "mercredi 08:00–12:30 ; samedi toute la journée"
        );
        assert_eq!(OnCall::from_form(&on_call.to_form()).unwrap(), on_call);
    }

    #[test]
    fn a_half_filled_or_wrong_day_is_refused_in_french() {
        let errors =
            OnCall::from_form(&form(&[(1, "18:00", ""), (3, "25:00", "02:00")])).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, 1);
        assert!(
            errors[0].1.starts_with("Mardi : indiquez"),
            "{}",
            errors[0].1
        );
        assert_eq!(errors[1].0, 3);
        assert!(OnCall::from_form(&form(&[])).unwrap().is_empty());
    }

    #[test]
    fn urgent_offers_go_to_the_three_nearest() {
        let e = |id: &str, km: f64, labelled: bool| Eligible {
            provider_id: id.into(),
            distance_km: km,
            labelled,
            recent_assignments: 0,
        };
        let all = [
            e("far", 40.0, true),
            e("a", 2.0, false),
            e("b", 5.0, false),
            e("c", 5.0, true),
            e("d", 9.0, false),
        ];
        let chosen: Vec<&str> = nearest_for_urgent(&all)
            .iter()
            .map(|e| e.provider_id.as_str())
            .collect();
        assert_eq!(chosen, ["a", "c", "b"]);
    }
}
