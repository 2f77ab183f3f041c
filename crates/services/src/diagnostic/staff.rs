//! What staff see of the diagnostic: the tree in force, read-only, and the published versions.
//! A new version goes through the editors' review (`content::editorial`).

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::diagnostic as queries;
use crate::domain::actor::Actor;
use crate::domain::diagnostic::outcome_view;
use crate::error::AppError;
use crate::infra::Infra;

#[derive(Debug, Serialize)]
pub struct ChoiceLine {
    pub id: String,
    pub label: String,
    /// "→ question x" or "→ issue y".
    pub leads_to: String,
    pub audiences: String,
}

#[derive(Debug, Serialize)]
pub struct QuestionLine {
    pub id: String,
    pub text: String,
    pub choices: Vec<ChoiceLine>,
}

#[derive(Debug, Serialize)]
pub struct OutcomeLine {
    pub id: String,
    pub title: String,
    pub incident_type: String,
    pub urgency_label: &'static str,
    pub professional: bool,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub version: String,
    pub published_at: NaiveDateTime,
    pub questions: Vec<QuestionLine>,
    pub outcomes: Vec<OutcomeLine>,
    pub longest_path: usize,
    /// Every published version, newest first: (version, when, by whom).
    pub versions: Vec<(String, NaiveDateTime, Option<String>)>,
}

fn require_staff(actor: &Actor) -> Result<(), AppError> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden("Réservé aux équipes du dispositif."))
    }
}

pub fn overview(
    state: &Infra,
    memory: &crate::diagnostic::Memory,
    actor: &Actor,
) -> Result<Overview, AppError> {
    require_staff(actor)?;
    let published = super::current(state, memory)?;
    let tree = &published.tree;
    // Questions in the order a journey meets them.
    let mut order = vec![tree.start.clone()];
    let mut i = 0;
    while let Some(id) = order.get(i).cloned() {
        if let Some(q) = tree.questions.get(&id) {
            for next in q.choices.iter().filter_map(|c| c.next.clone()) {
                if !order.contains(&next) {
                    order.push(next);
                }
            }
        }
        i += 1;
    }
    let questions = order
        .iter()
        .filter_map(|id| tree.questions.get(id).map(|q| (id, q)))
        .map(|(id, q)| QuestionLine {
            id: id.clone(),
            text: q.text.clone(),
            choices: q
                .choices
                .iter()
                .map(|c| ChoiceLine {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    leads_to: match (&c.next, &c.outcome) {
                        (Some(n), _) => format!("question « {n} »"),
                        (_, Some(o)) => format!("issue « {o} »"),
                        _ => String::new(),
                    },
                    audiences: c
                        .audiences
                        .iter()
                        .map(|a| a.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
        })
        .collect();
    let outcomes = tree
        .outcomes
        .iter()
        .map(|(id, o)| {
            let audience = state
                .taxonomy
                .get(o.incident.as_deref().unwrap_or_default())
                .and_then(|t| t.audiences.first().copied())
                .unwrap_or(crate::domain::audience::Audience::Particulier);
            let view = outcome_view(
                tree,
                &state.taxonomy,
                &state.content().library,
                id,
                o,
                audience,
            );
            OutcomeLine {
                id: id.clone(),
                title: view.title,
                incident_type: view.incident_type.unwrap_or_else(|| "—".into()),
                urgency_label: view.urgency_label,
                professional: view.professional,
            }
        })
        .collect();
    let mut conn = state.pool.get()?;
    Ok(Overview {
        version: tree.version.clone(),
        published_at: published.published_at,
        questions,
        outcomes,
        longest_path: published.summary.longest_path,
        versions: queries::list(&mut conn)?,
    })
}
