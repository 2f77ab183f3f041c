use super::*;
use std::collections::BTreeMap;

const REFERENCE: &str =
    include_str!("../../../../../fixtures/observatory/farrington_reference.csv");

/// A reference line: `None` where R gave `NA`; not `evaluated` before the first week.
struct Row {
    week: usize,
    observed: u64,
    evaluated: bool,
    expected: Option<f64>,
    upper_bound: Option<f64>,
    alarm: Option<bool>,
}

fn reference() -> BTreeMap<String, Vec<Row>> {
    let mut by_series: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for line in REFERENCE.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        by_series.entry(f[0].to_owned()).or_default().push(Row {
            week: f[1].parse().unwrap(),
            observed: f[2].parse().unwrap(),
            evaluated: !f[5].is_empty(),
            expected: f[3].parse().ok(),
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

fn close(ours: f64, theirs: Option<f64>, tolerance: f64) -> bool {
    match theirs {
        None => ours.is_nan(),
        Some(r) => (ours - r).abs() <= tolerance * r.abs().max(1.0),
    }
}

#[test]
fn every_threshold_expectation_and_alarm_is_the_r_packages() {
    let settings = Settings::default();
    let (mut compared, mut alarms) = (0, 0);
    for (name, rows) in reference() {
        let series: Vec<u64> = rows.iter().map(|r| r.observed).collect();
        let weeks: BTreeMap<usize, Week> = evaluate(&series, &settings).into_iter().collect();
        for r in &rows {
            let at = format!("{name} week {}", r.week);
            let Some(week) = weeks.get(&(r.week - 1)) else {
                assert!(!r.evaluated, "{at}: R evaluates it");
                continue;
            };
            assert!(r.evaluated, "{at}: R does not evaluate it");
            // The thresholds are counts: equal. The expectations come out of an iterative
            // fit stopped at R's tolerance: equal to 1e-6.
            assert!(
                close(week.upper_bound, r.upper_bound, 0.0),
                "{at}: threshold {} against R's {:?}",
                week.upper_bound,
                r.upper_bound
            );
            assert!(
                close(week.expected, r.expected, 1e-6) || r.expected.is_some_and(|e| e < 1e-6),
                "{at}: expected {} against R's {:?}",
                week.expected,
                r.expected
            );
            assert_eq!(week.alarm, r.alarm, "{at}");
            alarms += usize::from(r.alarm == Some(true));
            compared += 1;
        }
    }
    assert!(compared >= 500, "{compared} weeks compared");
    assert!(alarms >= 10, "the reference holds alarms ({alarms})");
}

#[test]
fn a_series_shorter_than_the_years_back_evaluates_nothing() {
    let settings = Settings::default();
    assert!(evaluate(&[3; 150], &settings).is_empty());
    assert_eq!(evaluate(&[3; 160], &settings).len(), 1);
}

#[test]
fn the_thresholds_are_the_quantiles_r_gives() {
    // qpois(0.99, 4.2) = 10; qnbinom(0.99, size = 4.2 / 1.5, prob = 1 / 2.5) = 14.
    assert_eq!(quantile(4.2, 1.0, 0.99), 10.0);
    assert_eq!(quantile(4.2, 2.5, 0.99), 14.0);
    // Large counts: qnbinom(0.99, size = 3000 / 3, prob = 1 / 4) = 3260.
    assert_eq!(quantile(3000.0, 4.0, 0.99), 3260.0);
    assert_eq!(quantile(0.0, 1.0, 0.99), 0.0);
}
