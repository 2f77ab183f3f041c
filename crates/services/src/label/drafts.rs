//! The auditor's work before the decision. The findings saved as a draft, criterion by
//! criterion, before the audit is recorded (an audit takes a day; the form is long): only the
//! auditor assigned, while the audit is scheduled; read back into the audit's form, never
//! shown to staff or the provider, deleted once the audit is recorded (`label::act`). And the
//! audit report (PDF), which staff read before deciding.

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

/// The audit report as a page lists it: file name, size, when.
pub type ReportSummary = (String, i32, NaiveDateTime);

/// Attaches the audit report (PDF only, 10 MB at most, checked by content): the auditor
/// assigned, once the audit is scheduled and until the decision. A new report replaces the
/// last; the trail records each upload.
pub fn attach_report(
    state: &Infra,
    auditor: &Actor,
    id: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<(), AppError> {
    use crate::referencing::documents::{MAX_BYTES, looks_like_pdf};
    if bytes.len() > MAX_BYTES {
        return Err(AppError::PayloadTooLarge(
            "Le rapport dépasse 10 Mo.".into(),
        ));
    }
    if bytes.is_empty() {
        return Err(AppError::field(
            "report",
            "Choisissez le rapport à joindre.",
        ));
    }
    if !looks_like_pdf(&bytes) {
        return Err(AppError::field(
            "report",
            "Le rapport d'audit se joint en PDF : ce fichier n'en est pas un.",
        ));
    }
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let (row, access) = load(conn, auditor, id)?;
        let open = matches!(
            row.status,
            ApplicationStatus::AuditScheduled
                | ApplicationStatus::Audited
                | ApplicationStatus::CorrectiveActions
                | ApplicationStatus::Decision
        );
        if access != Access::Auditor || !open {
            return Err(AppError::Conflict(
                "Le rapport se joint par l'auditeur désigné, entre la planification de l'audit et la décision."
                    .into(),
            ));
        }
        let report = queries::ReportRow {
            application_id: row.id.clone(),
            filename: if filename.is_empty() {
                "rapport-audit.pdf".to_owned()
            } else {
                filename.clone()
            },
            size_bytes: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            content: bytes.clone(),
            uploaded_by: auditor.id.clone(),
            uploaded_at: now,
        };
        queries::put_report(conn, &report)?;
        crate::audit::record(
            conn,
            now,
            crate::audit::Event::application(
                id,
                "upload-audit-report",
                Some(row.status),
                row.status,
            )
            .by(Some(&auditor.id))
            .because(Some(&report.filename)),
        )?;
        Ok(())
    })
}

/// The audit report's name, size and date, for staff and the auditor (`None` for others).
pub fn report_summary(
    state: &Infra,
    user: &Actor,
    id: &str,
) -> Result<Option<ReportSummary>, AppError> {
    let mut conn = state.pool.get()?;
    let (_, access) = load(&mut conn, user, id)?;
    if access == Access::Member {
        return Ok(None);
    }
    Ok(queries::report_summary(&mut conn, id)?)
}

/// The audit report itself, for staff and the auditor; 404 for anyone else.
pub fn report(state: &Infra, user: &Actor, id: &str) -> Result<queries::ReportRow, AppError> {
    let mut conn = state.pool.get()?;
    let (_, access) = load(&mut conn, user, id)?;
    let missing = || AppError::not_found("Aucun rapport d'audit n'est joint à cette demande.");
    if access == Access::Member {
        return Err(missing());
    }
    queries::report(&mut conn, id)?.ok_or_else(missing)
}
