//! The directory's public JSON: a provider as the public sees it (the same fields wherever a
//! provider appears) and the search answer, rendered from pieces cached per snapshot.

use crate::domain::label::LabelStatus;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::search::SearchOutcome;
use crate::domain::audience::Audience;
use crate::domain::provider::{LabelSummary, Provider};
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::geo::location::Location;

/// A provider as the public sees it (the same fields wherever a provider appears).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub id: String,
    pub legal_name: String,
    /// Trade name shown to the public.
    pub name: String,
    pub siret: String,
    pub address_line: String,
    pub postcode: String,
    /// INSEE code of the commune.
    pub commune_code: Option<String>,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: String,
    pub email: String,
    pub website: Option<String>,
    pub description: String,
    pub audiences: Vec<Audience>,
    pub incident_types: Vec<String>,
    /// Offers remote assistance.
    pub remote: bool,
    pub zone: Zone,
    /// The ExpertCyber label, or null.
    pub expertcyber: Option<LabelSummary>,
}

impl ProviderView {
    pub fn new(p: &Provider, today: chrono::NaiveDate) -> Self {
        Self {
            id: p.id.clone(),
            legal_name: p.legal_name.clone(),
            name: p.name.clone(),
            siret: p.siret.clone(),
            address_line: p.address_line.clone(),
            postcode: p.postcode.clone(),
            commune_code: p.commune_code.clone(),
            city: p.city.clone(),
            latitude: p.latitude,
            longitude: p.longitude,
            phone: p.phone.clone(),
            email: p.email.clone(),
            website: p.website.clone(),
            description: p.description.clone(),
            audiences: p.audiences.clone(),
            incident_types: p.incident_types.clone(),
            remote: p.remote,
            zone: p.zone.clone(),
            expertcyber: p.label.clone().map(|l| l.as_of(today)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    #[serde(flatten)]
    pub provider: ProviderView,
    /// Great-circle distance from the searched place, km, one decimal.
    pub distance_km: f64,
    /// False for a remote-help provider whose zone does not cover the place.
    pub covers_location: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub location: Location,
    pub total: usize,
    pub page: usize,
    pub limit: usize,
    pub results: Vec<SearchResult>,
}

pub fn round_km(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
}

/// The provider's public JSON, in pieces that do not depend on the day or the search.
fn render_provider(p: &Provider) -> Result<RenderedProvider, AppError> {
    let mut view = ProviderView::new(p, NaiveDate::MIN);
    view.expertcyber = None;
    let json = serde_json::to_string(&view).map_err(internal)?;
    // `expertcyber` is the view's last field: cut its `null` and the closing brace.
    let head = json
        .strip_suffix("null}")
        .ok_or_else(|| AppError::Internal("unexpected provider JSON".into()))?;
    let label = |l: Option<LabelSummary>| serde_json::to_string(&l).map_err(internal);
    let lapsed_label = match &p.label {
        Some(l) if l.status == LabelStatus::Valid => Some((
            l.valid_until,
            label(Some(
                l.clone()
                    .as_of(l.valid_until.succ_opt().unwrap_or(NaiveDate::MAX)),
            ))?
            .into_boxed_str(),
        )),
        _ => None,
    };
    Ok(RenderedProvider {
        head: head.into(),
        label: label(p.label.clone())?.into_boxed_str(),
        lapsed_label,
    })
}

fn internal(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("JSON: {e}"))
}

/// The JSON of a [`SearchResponse`], byte for byte, from each provider's JSON rendered once
/// per snapshot instead of a [`ProviderView`] built and serialised per result.
pub fn search_response_json(
    outcome: &SearchOutcome,
    today: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    let mut body = Vec::with_capacity(512 + 1400 * outcome.matches.len());
    body.extend_from_slice(b"{\"location\":");
    serde_json::to_writer(&mut body, &outcome.location).map_err(internal)?;
    body.extend_from_slice(
        format!(
            ",\"total\":{},\"page\":{},\"limit\":{},\"results\":[",
            outcome.total, outcome.page, outcome.limit
        )
        .as_bytes(),
    );
    for (i, m) in outcome.matches.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let rendered = outcome.snapshot.rendered(m, render_provider)?;
        body.extend_from_slice(rendered.head.as_bytes());
        body.extend_from_slice(rendered.label_on(today).as_bytes());
        body.extend_from_slice(b",\"distance_km\":");
        serde_json::to_writer(&mut body, &round_km(m.distance_km)).map_err(internal)?;
        body.extend_from_slice(if m.covers {
            b",\"covers_location\":true}"
        } else {
            b",\"covers_location\":false}"
        });
    }
    body.extend_from_slice(b"]}");
    Ok(body)
}

/// A provider's public JSON, rendered once per snapshot.
#[derive(Debug)]
pub struct RenderedProvider {
    /// The view up to, and including, the key of its last field (`…,"expertcyber":`).
    pub head: Box<str>,
    /// The label's JSON (`null` without one) and, when it can lapse, the JSON once it has.
    pub label: Box<str>,
    pub lapsed_label: Option<(NaiveDate, Box<str>)>,
}

impl RenderedProvider {
    /// The label's JSON as shown on `today`.
    pub fn label_on(&self, today: NaiveDate) -> &str {
        match &self.lapsed_label {
            Some((last_valid_day, lapsed)) if today > *last_valid_day => lapsed,
            _ => &self.label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::index::Snapshot;
    use crate::domain::provider::ReferencingStatus;
    use crate::domain::taxonomy::Taxonomy;
    use std::sync::Arc;

    /// (year, month, day).
    type Day = (i32, u32, u32);

    fn provider(id: &str, label: Option<(&str, Day, Day)>) -> Provider {
        let day = |(y, m, d): Day| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Provider {
            id: id.into(),
            legal_name: format!("{id} « SAS » \"quoted\" \\ back\u{1}slash"),
            name: format!("Prestataire {id} – é"),
            siret: "73282932000074".into(),
            address_line: "1 rue de la Paix\nbât. B".into(),
            postcode: "35000".into(),
            commune_code: id.len().is_multiple_of(2).then(|| "35238".into()),
            city: "Rennes".into(),
            latitude: 48.1159,
            longitude: -1.6884 + id.len() as f64 * 0.01,
            phone: "02 99 00 00 00".into(),
            email: format!("contact@{id}.fr"),
            website: (id.len() % 2 == 1).then(|| "https://example.fr/?a=1&b=<2>".into()),
            description: "Assistance 24/7 ✓".into(),
            audiences: vec![Audience::Particulier, Audience::Collectivite],
            incident_types: vec!["rancongiciel".into(), "hameconnage".into()],
            remote: id.len().is_multiple_of(2),
            zone: match id.len() % 3 {
                0 => Zone::National,
                1 => Zone::Radius { radius_km: 30 },
                _ => Zone::Departements {
                    departements: vec!["35".into(), "22".into()],
                },
            },
            status: ReferencingStatus::Approved,
            label: label.map(|(status, from, until)| LabelSummary {
                number: "EC-2026-0001".into(),
                status: LabelStatus::parse(status).unwrap(),
                valid_from: day(from),
                valid_until: day(until),
                renewal_until: None,
            }),
        }
    }

    /// What the handler answered before it rendered providers once per snapshot.
    fn serialised(outcome: &SearchOutcome, today: NaiveDate) -> Vec<u8> {
        serde_json::to_vec(&SearchResponse {
            location: outcome.location.clone(),
            total: outcome.total,
            page: outcome.page,
            limit: outcome.limit,
            results: outcome
                .matches
                .iter()
                .map(|m| SearchResult {
                    provider: ProviderView::new(outcome.snapshot.provider(m), today),
                    distance_km: round_km(m.distance_km),
                    covers_location: m.covers,
                })
                .collect(),
        })
        .unwrap()
    }

    #[test]
    fn rendered_search_response_is_the_serialised_one_byte_for_byte() {
        let providers = vec![
            provider("a", None),
            provider("bb", Some(("valid", (2025, 1, 10), (2027, 1, 10)))),
            provider("ccc", Some(("suspended", (2025, 1, 10), (2027, 1, 10)))),
            provider("dddd", Some(("valid", (2024, 1, 1), (2026, 1, 1)))),
            provider("eeeee", Some(("withdrawn", (2024, 1, 1), (2026, 1, 1)))),
        ];
        let taxonomy = Taxonomy::from_fixture().unwrap();
        let snapshot = Arc::new(Snapshot::build(
            Default::default(),
            providers,
            &Default::default(),
            &taxonomy,
        ));
        let location = Location {
            commune: Some("Rennes".into()),
            commune_code: Some("35238".into()),
            departement: Some("35".into()),
            departement_name: Some("Ille-et-Vilaine".into()),
            latitude: 48.1159,
            longitude: -1.6884,
            approximate: false,
        };
        let matches: Vec<crate::domain::matching::Match> = (0..snapshot.len())
            .map(|entry| crate::domain::matching::Match {
                entry,
                distance_km: entry as f64 * 1.2345 + 0.05,
                covers: entry != 3,
            })
            .collect();
        for (page_matches, today) in [
            (matches.clone(), (2026, 11, 23)),
            (matches.clone(), (2027, 1, 10)),
            (matches.clone(), (2027, 1, 11)),
            (Vec::new(), (2026, 11, 23)),
        ] {
            let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap();
            let outcome = SearchOutcome {
                location: location.clone(),
                total: 42,
                page: 2,
                limit: 10,
                snapshot: snapshot.clone(),
                matches: page_matches,
            };
            let fast = search_response_json(&outcome, today).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(serialised(&outcome, today)).unwrap(),
                "on {today}"
            );
        }
    }
}
