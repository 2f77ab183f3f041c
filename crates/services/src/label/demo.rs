//! The demo's label applications: one in each state staff and auditors work on (submitted,
//! being examined, incomplete, admissible, audit scheduled, corrective actions, awaiting the
//! decision), each on an unlabelled organisation of the demo directory, answered criterion by
//! criterion, so that a newcomer sees the label's screens populated from the first start.

use chrono::{Days, NaiveDateTime};

use crate::db::labels::{self as queries, ApplicationRow, FindingRow};
use crate::db::{DbConnection, providers};
use crate::domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus, Finding};
use crate::label::criteria::Framework;

/// The states of the demo's applications, in the order of the queue.
pub const DEMO_STATES: [ApplicationStatus; 7] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Admissibility,
    ApplicationStatus::Incomplete,
    ApplicationStatus::Admissible,
    ApplicationStatus::AuditScheduled,
    ApplicationStatus::CorrectiveActions,
    ApplicationStatus::Decision,
];

/// Opens the demo's applications (`staff_id` opened them on the organisations' behalf; the
/// audits are `auditor_id`'s); returns how many.
pub fn seed(
    conn: &mut DbConnection,
    criteria: &Framework,
    fee_cents: i32,
    staff_id: &str,
    auditor_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let today = now.date();
    let organisations: Vec<String> = providers::load_published(conn)?
        .into_iter()
        .filter(|p| p.label.is_none())
        .map(|p| p.id)
        .take(DEMO_STATES.len())
        .collect();
    for (n, (provider_id, status)) in organisations.iter().zip(DEMO_STATES).enumerate() {
        let audited = matches!(
            status,
            ApplicationStatus::CorrectiveActions | ApplicationStatus::Decision
        );
        let scheduled = audited || status == ApplicationStatus::AuditScheduled;
        let id = uuid::Uuid::now_v7().to_string();
        let created = now - chrono::Duration::days(40 - 5 * n as i64);
        queries::insert_application(
            conn,
            &ApplicationRow {
                id: id.clone(),
                provider_id: provider_id.clone(),
                kind: ApplicationKind::Initial,
                status,
                label_number: None,
                criteria_version: criteria.version.clone(),
                fee_cents,
                fee_status: if scheduled {
                    FeeStatus::Paid
                } else {
                    FeeStatus::Pending
                },
                auditor_id: scheduled.then(|| auditor_id.to_owned()),
                audit_date: scheduled.then(|| {
                    if audited {
                        today - Days::new(10)
                    } else {
                        today + Days::new(7)
                    }
                }),
                audit_round: i32::from(audited),
                recommendation: audited.then(|| {
                    "Attribution recommandée une fois la procédure de sauvegarde complétée."
                        .to_owned()
                }),
                corrective_deadline: (status == ApplicationStatus::CorrectiveActions)
                    .then(|| today + Days::new(30)),
                decision_reason: (status == ApplicationStatus::Incomplete).then(|| {
                    "L'attestation d'assurance jointe a expiré : joignez celle de l'année en cours."
                        .to_owned()
                }),
                version: 1,
                created_by: staff_id.to_owned(),
                created_at: created,
                submitted_at: Some(created + chrono::Duration::days(2)),
                updated_at: now - chrono::Duration::days(n as i64),
            },
        )?;
        for c in criteria.criteria() {
            let answer = format!("{} : procédure écrite, tenue à jour et jointe.", c.title);
            queries::save_answer(conn, &id, &c.code, &answer, created)?;
        }
        if audited {
            let gap = (status == ApplicationStatus::CorrectiveActions).then(|| {
                criteria
                    .criteria()
                    .find(|c| !c.blocking)
                    .map(|c| c.code.clone())
            });
            let rows: Vec<FindingRow> = criteria
                .criteria()
                .map(|c| {
                    let minor = gap.as_ref().is_some_and(|g| g.as_deref() == Some(&c.code));
                    FindingRow {
                        application_id: id.clone(),
                        round: 1,
                        criterion: c.code.clone(),
                        finding: if minor {
                            Finding::NonConformiteMineure
                        } else {
                            Finding::Conforme
                        }
                        .as_str()
                        .to_owned(),
                        comment: if minor {
                            "Aucune sauvegarde hors ligne n'est prévue.".to_owned()
                        } else {
                            String::new()
                        },
                        recorded_by: auditor_id.to_owned(),
                        recorded_at: now - chrono::Duration::days(9),
                    }
                })
                .collect();
            queries::insert_findings(conn, &rows)?;
        }
    }
    Ok(organisations.len())
}
