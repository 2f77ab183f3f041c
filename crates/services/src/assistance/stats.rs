//! Statistics fed by intervention reports (anonymisation keeps them).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::assistance as queries;
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOf {
    pub key: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionStats {
    pub reports: usize,
    pub resolved: usize,
    pub average_minutes: Option<f64>,
    /// Confirmed incident types, most frequent first.
    pub by_incident_type: Vec<CountOf>,
    /// Attack vectors as providers wrote them (case-insensitive), most frequent first.
    pub by_attack_vector: Vec<CountOf>,
}

fn ranked(counts: BTreeMap<String, (String, usize)>) -> Vec<CountOf> {
    let mut list: Vec<CountOf> = counts
        .into_iter()
        .map(|(key, (label, count))| CountOf { key, label, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    list
}

pub fn interventions(state: &Infra, user: &Actor) -> Result<InterventionStats, AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    let reports = queries::all_reports(&mut conn)?;
    let mut by_type: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut by_vector: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for r in &reports {
        let label = state
            .taxonomy
            .get(&r.confirmed_incident_type)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| r.confirmed_incident_type.clone());
        by_type
            .entry(r.confirmed_incident_type.clone())
            .or_insert((label, 0))
            .1 += 1;
        let key = crate::domain::text::fold(&r.attack_vector);
        by_vector
            .entry(key)
            .or_insert((r.attack_vector.clone(), 0))
            .1 += 1;
    }
    let total_minutes: i64 = reports.iter().map(|r| i64::from(r.minutes_spent)).sum();
    Ok(InterventionStats {
        reports: reports.len(),
        resolved: reports.iter().filter(|r| r.resolved).count(),
        average_minutes: (!reports.is_empty())
            .then(|| (total_minutes as f64 / reports.len() as f64 * 10.0).round() / 10.0),
        by_incident_type: ranked(by_type),
        by_attack_vector: ranked(by_vector),
    })
}
