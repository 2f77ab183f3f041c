//! The auditor's findings saved as a draft, criterion by criterion, before the audit is
//! recorded (an audit takes a day; the form is long). Only the auditor assigned, while the
//! audit is scheduled; the draft is read back into the audit's form, never shown to staff or
//! the provider, and deleted once the audit is recorded (`label::act`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Access, MAX_REASON_CHARS, load};
use crate::db::audit_drafts::{self as queries, DraftRow};
use crate::domain::actor::Actor;
use crate::domain::label_application::{ApplicationStatus, Finding};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;
use crate::label::criteria::Framework;

/// What the auditor typed so far: per criterion code, the finding's code (or empty) and the
/// comment; and the recommendation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuditDraft {
    pub findings: BTreeMap<String, (String, String)>,
    pub recommendation: String,
}

/// A draft as stored, with when it was saved.
#[derive(Debug, Clone)]
pub struct SavedDraft {
    pub draft: AuditDraft,
    pub saved_at: NaiveDateTime,
}

impl AuditDraft {
    /// How many criteria have a finding chosen.
    pub fn evaluated(&self) -> usize {
        self.findings
            .values()
            .filter(|(f, _)| !f.is_empty())
            .count()
    }
}

/// Saves the draft (the assigned auditor, while the audit is scheduled): each finding chosen
/// must be one of the scale's, each text within its length; blanks are kept as blanks.
/// Returns how many criteria are evaluated.
pub fn save(
    state: &Infra,
    criteria: &Framework,
    auditor: &Actor,
    id: &str,
    draft: AuditDraft,
) -> Result<usize, AppError> {
    let mut errors = FieldErrors::new();
    let mut kept = AuditDraft {
        recommendation: draft.recommendation.trim().to_owned(),
        ..AuditDraft::default()
    };
    for c in criteria.criteria() {
        let Some((finding, comment)) = draft.findings.get(&c.code) else {
            continue;
        };
        let finding = finding.trim();
        if !finding.is_empty() && Finding::parse(finding).is_none() {
            push_error(
                &mut errors,
                &format!("findings.{}", c.code),
                format!(
                    "Choisissez une évaluation proposée pour le critère {}.",
                    c.code
                ),
            );
        }
        if comment.chars().count() > MAX_REASON_CHARS {
            push_error(
                &mut errors,
                &format!("findings.{}", c.code),
                "Le commentaire est limité à 2 000 caractères.",
            );
        }
        if !finding.is_empty() || !comment.trim().is_empty() {
            kept.findings.insert(
                c.code.clone(),
                (finding.to_owned(), comment.trim().to_owned()),
            );
        }
    }
    if kept.recommendation.chars().count() > MAX_REASON_CHARS {
        push_error(
            &mut errors,
            "recommendation",
            "La recommandation est limitée à 2 000 caractères.",
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let (row, access) = load(conn, auditor, id)?;
        if access != Access::Auditor || row.status != ApplicationStatus::AuditScheduled {
            return Err(AppError::Conflict(
                "Un brouillon ne s'enregistre que par l'auditeur désigné, tant que l'audit est planifié."
                    .into(),
            ));
        }
        let content =
            serde_json::to_string(&kept).map_err(|e| AppError::Internal(e.to_string()))?;
        queries::put(
            conn,
            &DraftRow {
                application_id: row.id.clone(),
                auditor_id: auditor.id.clone(),
                round: row.audit_round,
                content,
                saved_at: now,
            },
        )?;
        Ok(())
    })?;
    Ok(kept.evaluated())
}

/// The auditor's draft of this audit round, if any (the assigned auditor only).
pub fn load_draft(
    state: &Infra,
    auditor: &Actor,
    id: &str,
) -> Result<Option<SavedDraft>, AppError> {
    let mut conn = state.pool.get()?;
    let (row, access) = load(&mut conn, auditor, id)?;
    if access != Access::Auditor {
        return Ok(None);
    }
    let Some(stored) = queries::get(&mut conn, id)? else {
        return Ok(None);
    };
    if stored.round != row.audit_round || stored.auditor_id != auditor.id {
        return Ok(None);
    }
    let draft = serde_json::from_str(&stored.content)
        .map_err(|e| AppError::Internal(format!("brouillon d'audit illisible : {e}")))?;
    Ok(Some(SavedDraft {
        draft,
        saved_at: stored.saved_at,
    }))
}
