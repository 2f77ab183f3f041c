//! The observatory's emails.

use serde::Serialize;

/// To each staff member: the daily pass detected a wave (sent once per wave).
#[derive(Serialize)]
pub struct StaffObservatorySignal {
    pub name: String,
    pub incident_label: String,
    pub audience_label: String,
    /// The wave's first day, in French.
    pub since: String,
    pub observed_3_days: String,
    pub expected_3_days: String,
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

    #[test]
    fn staff_observatory_signal() {
        assert_snapshot!(rendered(&StaffObservatorySignal {
            name: "Julien Moreau".into(),
            incident_label: "Sextorsion (chantage à la vidéo intime par courriel)".into(),
            audience_label: "Particulier".into(),
            since: "12/01/2027".into(),
            observed_3_days: "1\u{202f}840".into(),
            expected_3_days: "310".into(),
            dashboard_url: "https://cyberdir.example/observatoire?type=sextorsion&public=particulier&periode=trimestre".into(),
            alert_url: "https://cyberdir.example/observatoire/alertes/nouvelle?signal=0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1b".into(),
        }));
    }
}
