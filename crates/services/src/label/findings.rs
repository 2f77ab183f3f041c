//! The audit: scheduling it, recording its findings, and what is still unanswered.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::auth::Role;
use crate::db::labels::{self as queries, ApplicationRow};
use crate::db::{DbConnection, accounts};
use crate::domain::label_application::Finding;
use crate::error::{AppError, FieldErrors};
use crate::label::criteria::Framework;

use super::*;

/// Criteria the provider has neither answered nor backed with evidence, as field errors.
pub(super) fn unanswered(
    conn: &mut DbConnection,
    criteria: &Framework,
    id: &str,
) -> Result<FieldErrors, AppError> {
    let answered: BTreeSet<String> = queries::answers_of(conn, id)?
        .into_iter()
        .filter(|(_, answer)| !answer.trim().is_empty())
        .map(|(code, _)| code)
        .chain(
            queries::evidence_of(conn, id)?
                .into_iter()
                .map(|e| e.criterion),
        )
        .collect();
    Ok(criteria
        .criteria()
        .filter(|c| !answered.contains(&c.code))
        .map(|c| {
            (
                format!("answers.{}", c.code),
                vec![format!(
                    "Répondez au critère {} ({}) ou joignez une pièce justificative.",
                    c.code, c.title
                )],
            )
        })
        .collect())
}

pub(super) fn schedule_audit(
    conn: &mut DbConnection,
    row: &mut ApplicationRow,
    input: &ActionInput,
    today: NaiveDate,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let auditor = match input.auditor_id.as_deref().map(str::trim) {
        None | Some("") => {
            errors.insert("auditor_id".into(), vec!["Choisissez l'auditeur.".into()]);
            None
        }
        Some(id) => {
            let auditor = accounts::user_by_id(conn, id)?
                .filter(|u| u.role == Role::Auditor.as_str() && !u.disabled);
            if auditor.is_none() {
                errors.insert(
                    "auditor_id".into(),
                    vec!["Ce compte n'est pas celui d'un auditeur actif.".into()],
                );
            }
            auditor
        }
    };
    match input.audit_date {
        None => {
            errors.insert(
                "audit_date".into(),
                vec!["Indiquez la date de l'audit (AAAA-MM-JJ).".into()],
            );
        }
        Some(date) if date < today => {
            errors.insert(
                "audit_date".into(),
                vec!["La date de l'audit ne peut pas être passée.".into()],
            );
        }
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    row.auditor_id = auditor.map(|a| a.id);
    row.audit_date = input.audit_date;
    Ok(())
}

/// Every criterion of the framework exactly once, each with a valid finding; non-conformities
/// need a comment saying what is wrong.
pub(super) fn check_findings(
    criteria: &Framework,
    input: &ActionInput,
) -> Result<Vec<FindingInput>, AppError> {
    let mut errors = FieldErrors::new();
    let mut by_code: BTreeMap<&str, &FindingInput> = BTreeMap::new();
    for f in &input.findings {
        if criteria.criterion(&f.criterion).is_none() {
            errors.insert(
                format!("findings.{}", f.criterion),
                vec![format!("Critère inconnu : {}.", f.criterion)],
            );
        } else if by_code.insert(&f.criterion, f).is_some() {
            errors.insert(
                format!("findings.{}", f.criterion),
                vec!["Ce critère est évalué deux fois.".into()],
            );
        }
        let needs_comment = matches!(
            f.finding,
            Finding::NonConformiteMineure | Finding::NonConformiteMajeure
        );
        if needs_comment && f.comment.trim().is_empty() {
            errors.insert(
                format!("findings.{}", f.criterion),
                vec!["Décrivez l'écart constaté.".into()],
            );
        }
        if f.comment.chars().count() > MAX_REASON_CHARS {
            errors.insert(
                format!("findings.{}", f.criterion),
                vec!["Le commentaire est limité à 2 000 caractères.".into()],
            );
        }
    }
    for c in criteria.criteria() {
        if !by_code.contains_key(c.code.as_str()) {
            errors.insert(
                format!("findings.{}", c.code),
                vec![format!("Évaluez le critère {} ({}).", c.code, c.title)],
            );
        }
    }
    match input.recommendation.as_deref().map(str::trim) {
        None | Some("") => {
            errors.insert(
                "recommendation".into(),
                vec!["Indiquez votre recommandation.".into()],
            );
        }
        Some(r) if r.chars().count() > MAX_REASON_CHARS => {
            errors.insert(
                "recommendation".into(),
                vec!["La recommandation est limitée à 2 000 caractères.".into()],
            );
        }
        Some(_) => {}
    }
    if errors.is_empty() {
        Ok(input.findings.clone())
    } else {
        Err(AppError::Validation(errors))
    }
}
