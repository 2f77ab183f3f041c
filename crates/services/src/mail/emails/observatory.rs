//! The observatory's emails.

use serde::Serialize;

/// To each staff member: the daily pass detected new waves (one email a day at most, each
/// wave in one email only).
#[derive(Serialize)]
pub struct StaffObservatorySignal {
    pub name: String,
    /// How many waves it lists (the subject names the wave when there is one).
    pub count: usize,
    pub waves: Vec<WaveLine>,
    pub alerts_url: String,
}

/// One new wave: which method raised it and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct WaveLine {
    pub incident_label: String,
    pub audience_label: String,
    /// The wave's first day, in French.
    pub since: String,
    pub method: String,
    pub period: String,
    pub observed: String,
    pub expected: String,
    pub threshold: String,
    pub dashboard_url: String,
    pub alert_url: String,
}

templates! {
    StaffObservatorySignal => "staff_observatory_signal",
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::mail::emails::tests::rendered;

    fn wave(incident: &str, audience: &str, id: &str) -> WaveLine {
        WaveLine {
            incident_label: incident.into(),
            audience_label: audience.into(),
            since: "12/01/2027".into(),
            method: "EARS C1 (jour)".into(),
            period: "le 14/01/2027".into(),
            observed: "640".into(),
            expected: "104,3".into(),
            threshold: "212,8".into(),
            dashboard_url: "https://cyberdir.example/observatoire?type=sextorsion&public=particulier&periode=trimestre".into(),
            alert_url: format!("https://cyberdir.example/observatoire/alertes/nouvelle?signal={id}"),
        }
    }

    #[test]
    fn staff_observatory_signal() {
        assert_snapshot!(rendered(&StaffObservatorySignal {
            name: "Julien Moreau".into(),
            count: 1,
            waves: vec![wave(
                "Sextorsion (chantage à la vidéo intime par courriel)",
                "Particulier",
                "0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1b"
            )],
            alerts_url: "https://cyberdir.example/observatoire/alertes".into(),
        }));
    }

    #[test]
    fn staff_observatory_signals_of_one_day() {
        assert_snapshot!(rendered(&StaffObservatorySignal {
            name: "Julien Moreau".into(),
            count: 2,
            waves: vec![
                wave(
                    "Sextorsion (chantage à la vidéo intime par courriel)",
                    "Particulier",
                    "0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1b"
                ),
                wave(
                    "Rançongiciel",
                    "Collectivité",
                    "0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1c"
                ),
            ],
            alerts_url: "https://cyberdir.example/observatoire/alertes".into(),
        }));
    }
}
