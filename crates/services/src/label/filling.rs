//! Creating and filling a label application: answers to the criteria, while it is editable.

use crate::domain::label::LabelStatus;
use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::LabelApplicationView;
use crate::db::labels::{self as queries, ApplicationRow};
use crate::db::{DbConnection, write_transaction};
use crate::domain::actor::Actor;
use crate::domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use crate::domain::provider::ReferencingStatus;
use crate::error::{AppError, FieldErrors};
use crate::infra::Infra;
use crate::label::criteria::Framework;

use super::*;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct NewApplication {
    /// `initial` or `renewal`; by default `renewal` when the provider holds a valid label.
    pub kind: Option<ApplicationKind>,
}

/// A member opens an application for its (approved, not suspended) organisation.
pub fn create(
    state: &Infra,
    criteria: &Framework,
    user: &Actor,
    provider_id: &str,
    input: NewApplication,
) -> Result<LabelApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let today = state.clock.today();
        let (provider, _, access) = crate::referencing::load(conn, user, provider_id)?;
        if access == crate::referencing::Access::Staff {
            return Err(AppError::forbidden(
                "Seuls les membres de l'organisation peuvent demander le label.",
            ));
        }
        if provider.status != ReferencingStatus::Approved {
            return Err(AppError::Conflict(
                "Seul un prestataire référencé (et non suspendu) peut demander le label ExpertCyber."
                    .into(),
            ));
        }
        let current = super::renewal::require_may_apply(conn, state, provider_id, today)?;
        let renewable = current
            .as_ref()
            .filter(|l| l.status == LabelStatus::Valid && l.valid_until >= today);
        let kind = input.kind.unwrap_or(if renewable.is_some() {
            ApplicationKind::Renewal
        } else {
            ApplicationKind::Initial
        });
        let label_number = match (kind, renewable) {
            (ApplicationKind::Renewal, Some(label)) => Some(label.number.clone()),
            (ApplicationKind::Renewal, None) => {
                return Err(AppError::field(
                    "kind",
                    "Aucun label valide à renouveler : faites une demande initiale.",
                ));
            }
            (ApplicationKind::Initial, Some(label)) => {
                return Err(AppError::field(
                    "kind",
                    format!(
                        "Votre label {} est valide jusqu'au {} : demandez son renouvellement.",
                        label.number,
                        crate::french::day_fr(label.valid_until)
                    ),
                ));
            }
            (ApplicationKind::Initial, None) => None,
        };
        let row = ApplicationRow {
            id: uuid::Uuid::now_v7().to_string(),
            provider_id: provider_id.to_owned(),
            kind,
            status: ApplicationStatus::Draft,
            label_number,
            criteria_version: criteria.version.clone(),
            fee_cents: state.config.label_fee_cents,
            fee_status: if state.config.label_fee_cents == 0 {
                FeeStatus::Waived
            } else {
                FeeStatus::Pending
            },
            auditor_id: None,
            audit_date: None,
            audit_round: 0,
            recommendation: None,
            corrective_deadline: None,
            decision_reason: None,
            version: 1,
            created_by: user.id.clone(),
            created_at: now,
            submitted_at: None,
            updated_at: now,
        };
        if !queries::insert_application(conn, &row)? {
            return Err(AppError::Conflict(
                "Votre organisation a déjà une demande de label en cours.".into(),
            ));
        }
        audit::record(
            conn,
            now,
            Event::application(&row.id, "create", None, row.status).by(Some(&user.id)),
        )?;
        view(conn, criteria, &row, Access::Member)
    })
}

/// States in which the provider may edit its answers and evidence.
pub fn editable(status: ApplicationStatus) -> bool {
    matches!(
        status,
        ApplicationStatus::Draft
            | ApplicationStatus::Incomplete
            | ApplicationStatus::CorrectiveActions
    )
}

pub(super) fn require_editable(row: &ApplicationRow, access: Access) -> Result<(), AppError> {
    if access != Access::Member {
        return Err(AppError::forbidden(
            "Seuls les membres de l'organisation candidate modifient la demande.",
        ));
    }
    let status = row.status;
    if !editable(status) {
        return Err(AppError::Conflict(format!(
            "La demande ne peut plus être modifiée : elle est à l'état « {} ».",
            status.label()
        )));
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ApplicationUpdate {
    /// The provider's statement per criterion code (`{"ADM-01": "..."}`); an empty text clears it.
    pub answers: BTreeMap<String, String>,
}

pub(super) fn check_answers(
    criteria: &Framework,
    answers: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    for (code, answer) in answers {
        if criteria.criterion(code).is_none() {
            errors.insert(
                format!("answers.{code}"),
                vec![format!("Critère inconnu : {code}.")],
            );
        } else if answer.chars().count() > MAX_ANSWER_CHARS {
            errors.insert(
                format!("answers.{code}"),
                vec!["La réponse est limitée à 5 000 caractères.".into()],
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub(super) fn save_answers(
    conn: &mut DbConnection,
    id: &str,
    answers: &BTreeMap<String, String>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for (code, answer) in answers {
        queries::save_answer(conn, id, code, answer.trim(), now)?;
    }
    Ok(())
}

/// The provider answers criteria (draft, incomplete, or answering corrective actions).
pub fn update(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    id: &str,
    input: ApplicationUpdate,
) -> Result<LabelApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        // Who may edit which application first: an unknown one is 404 whatever the answers.
        let (row, access) = load(conn, user, id)?;
        require_editable(&row, access)?;
        check_answers(criteria, &input.answers)?;
        save_answers(conn, id, &input.answers, now)?;
        view(conn, criteria, &row, access)
    })
}

pub fn application(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    id: &str,
) -> Result<LabelApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    let (row, access) = load(&mut conn, user, id)?;
    view(&mut conn, criteria, &row, access)
}

/// The applications of an organisation, newest first (members and staff).
pub fn applications_of_provider(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    provider_id: &str,
) -> Result<Vec<LabelApplicationView>, AppError> {
    let mut conn = state.pool.get()?;
    let (_, _, access) = crate::referencing::load(&mut conn, user, provider_id)?;
    applications_on(&mut conn, criteria, provider_id, access)
}

/// The applications of an organisation whose access was already checked.
pub(super) fn applications_on(
    conn: &mut DbConnection,
    criteria: &crate::label::criteria::Framework,
    provider_id: &str,
    access: crate::referencing::Access,
) -> Result<Vec<LabelApplicationView>, AppError> {
    let access = match access {
        crate::referencing::Access::Staff => Access::Staff,
        crate::referencing::Access::Member { .. } => Access::Member,
    };
    queries::applications_of(conn, provider_id)?
        .iter()
        .map(|row| view(conn, criteria, row, access))
        .collect()
}
