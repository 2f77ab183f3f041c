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
    /// The method that raised it, and its figures for `period`.
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

    #[test]
    fn staff_observatory_signal() {
        assert_snapshot!(rendered(&StaffObservatorySignal {
            name: "Julien Moreau".into(),
            incident_label: "Sextorsion (chantage à la vidéo intime par courriel)".into(),
            audience_label: "Particulier".into(),
            since: "12/01/2027".into(),
            method: "EARS C1 (jour)".into(),
            period: "le 14/01/2027".into(),
            observed: "640".into(),
            expected: "104,3".into(),
            threshold: "212,8".into(),
            dashboard_url: "https://cyberdir.example/observatoire?type=sextorsion&public=particulier&periode=trimestre".into(),
            alert_url: "https://cyberdir.example/observatoire/alertes/nouvelle?signal=0190f4a1-7c2d-7e3f-a4b5-c6d7e8f90a1b".into(),
        }));
    }
}
