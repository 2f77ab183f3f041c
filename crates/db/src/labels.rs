//! Queries of the ExpertCyber label: applications, answers, evidence, audit findings, labels,
//! numbers and reminders.

use chrono::{NaiveDate, NaiveDateTime};
use cyberdir_domain::label::LabelStatus;
use cyberdir_domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use cyberdir_domain::provider::LabelSummary;
use diesel::prelude::*;

use super::schema::{
    audit_findings, label_answers, label_applications, label_evidence, label_number_counters,
    label_reminders, labels, providers, users,
};
use super::{DbConnection, insert_unless_taken};

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = label_applications)]
pub struct ApplicationRow {
    pub id: String,
    pub provider_id: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    pub label_number: Option<String>,
    pub criteria_version: String,
    pub fee_cents: i32,
    pub fee_status: FeeStatus,
    pub auditor_id: Option<String>,
    pub audit_date: Option<NaiveDate>,
    pub audit_round: i32,
    pub recommendation: Option<String>,
    pub corrective_deadline: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Inserts a new application; false when the provider already has an open one (the partial
/// unique index decides, so two concurrent requests cannot both open one).
pub fn insert_application(conn: &mut DbConnection, row: &ApplicationRow) -> QueryResult<bool> {
    insert_unless_taken(conn, |conn| {
        diesel::insert_into(label_applications::table)
            .values(row)
            .execute(conn)
    })
}

pub fn application(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ApplicationRow>> {
    label_applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

/// A provider's applications, newest first.
pub fn applications_of(
    conn: &mut DbConnection,
    provider_id: &str,
) -> QueryResult<Vec<ApplicationRow>> {
    label_applications::table
        .filter(label_applications::provider_id.eq(provider_id))
        .order((
            label_applications::created_at.desc(),
            label_applications::id.desc(),
        ))
        .select(ApplicationRow::as_select())
        .load(conn)
}

/// Writes the application if it is still at `row.version`, bumping the version; false (nothing
/// written) when someone else changed it first.
pub fn update_application(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        label_applications::table
            .filter(label_applications::id.eq(&row.id))
            .filter(label_applications::version.eq(row.version)),
    )
    .set((
        label_applications::status.eq(&row.status),
        label_applications::kind.eq(&row.kind),
        label_applications::label_number.eq(&row.label_number),
        label_applications::fee_status.eq(&row.fee_status),
        label_applications::auditor_id.eq(&row.auditor_id),
        label_applications::audit_date.eq(row.audit_date),
        label_applications::audit_round.eq(row.audit_round),
        label_applications::recommendation.eq(&row.recommendation),
        label_applications::corrective_deadline.eq(row.corrective_deadline),
        label_applications::decision_reason.eq(&row.decision_reason),
        label_applications::submitted_at.eq(row.submitted_at),
        label_applications::version.eq(row.version + 1),
        label_applications::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Applications in `corrective_actions` whose deadline is before `today`.
pub fn past_corrective_deadline(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> QueryResult<Vec<String>> {
    label_applications::table
        .filter(label_applications::status.eq("corrective_actions"))
        .filter(label_applications::corrective_deadline.lt(today))
        .select(label_applications::id)
        .order(label_applications::id)
        .load(conn)
}

// --- Answers, evidence, findings -------------------------------------------------------------

pub fn save_answer(
    conn: &mut DbConnection,
    application_id: &str,
    criterion: &str,
    answer: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        label_answers::table
            .filter(label_answers::application_id.eq(application_id))
            .filter(label_answers::criterion.eq(criterion)),
    )
    .set((
        label_answers::answer.eq(answer),
        label_answers::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(label_answers::table)
            .values((
                label_answers::application_id.eq(application_id),
                label_answers::criterion.eq(criterion),
                label_answers::answer.eq(answer),
                label_answers::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (criterion, answer) of an application.
pub fn answers_of(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    label_answers::table
        .filter(label_answers::application_id.eq(application_id))
        .select((label_answers::criterion, label_answers::answer))
        .order(label_answers::criterion)
        .load(conn)
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = label_evidence)]
pub struct EvidenceRow {
    pub id: String,
    pub application_id: String,
    pub criterion: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub content: Vec<u8>,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

/// Evidence without its bytes.
#[derive(Queryable, Debug, Clone)]
pub struct EvidenceMeta {
    pub id: String,
    pub criterion: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert_evidence(conn: &mut DbConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(label_evidence::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn evidence_of(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<EvidenceMeta>> {
    label_evidence::table
        .filter(label_evidence::application_id.eq(application_id))
        .select((
            label_evidence::id,
            label_evidence::criterion,
            label_evidence::filename,
            label_evidence::content_type,
            label_evidence::size_bytes,
            label_evidence::uploaded_at,
        ))
        .order((label_evidence::criterion, label_evidence::id))
        .load(conn)
}

pub fn evidence(
    conn: &mut DbConnection,
    application_id: &str,
    evidence_id: &str,
) -> QueryResult<Option<EvidenceRow>> {
    label_evidence::table
        .filter(label_evidence::application_id.eq(application_id))
        .filter(label_evidence::id.eq(evidence_id))
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = audit_findings)]
pub struct FindingRow {
    pub application_id: String,
    pub round: i32,
    pub criterion: String,
    pub finding: String,
    pub comment: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_findings(conn: &mut DbConnection, rows: &[FindingRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(audit_findings::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The findings of one audit round.
pub fn findings_of(
    conn: &mut DbConnection,
    application_id: &str,
    round: i32,
) -> QueryResult<Vec<FindingRow>> {
    audit_findings::table
        .filter(audit_findings::application_id.eq(application_id))
        .filter(audit_findings::round.eq(round))
        .select(FindingRow::as_select())
        .order(audit_findings::criterion)
        .load(conn)
}

// --- Labels ----------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = labels)]
pub struct LabelRecord {
    pub number: String,
    pub provider_id: String,
    pub status: LabelStatus,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub created_at: NaiveDateTime,
    pub suspension_cause: Option<String>,
    /// While a renewal is with staff or the auditor: the last day it holds the label valid.
    pub renewal_until: Option<NaiveDate>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

impl LabelRecord {
    /// The label as the directory publishes it.
    pub fn summary(&self) -> LabelSummary {
        LabelSummary {
            number: self.number.clone(),
            status: self.status,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            renewal_until: self.renewal_until,
        }
    }
}

pub fn label(conn: &mut DbConnection, number: &str) -> QueryResult<Option<LabelRecord>> {
    labels::table
        .find(number)
        .select(LabelRecord::as_select())
        .first(conn)
        .optional()
}

/// A label with its holder's public name and SIRET.
pub fn label_with_holder(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<(LabelRecord, String, String, String)>> {
    labels::table
        .inner_join(providers::table)
        .filter(labels::number.eq(number))
        .select((
            LabelRecord::as_select(),
            providers::name,
            providers::siret,
            providers::status,
        ))
        .first(conn)
        .optional()
}

/// The provider's most recent label.
pub fn current_label_of(
    conn: &mut DbConnection,
    provider_id: &str,
) -> QueryResult<Option<LabelRecord>> {
    labels::table
        .filter(labels::provider_id.eq(provider_id))
        .order((labels::created_at.desc(), labels::number.desc()))
        .select(LabelRecord::as_select())
        .first(conn)
        .optional()
}

pub fn insert_label(conn: &mut DbConnection, label: &LabelRecord) -> QueryResult<()> {
    diesel::insert_into(labels::table)
        .values(label)
        .execute(conn)
        .map(|_| ())
}

/// Moves a label from one of `from` to `to`; false when it was in none of them (someone acted
/// first).
pub fn set_label_status(
    conn: &mut DbConnection,
    number: &str,
    from: &[LabelStatus],
    to: LabelStatus,
    suspension_cause: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        labels::table
            .filter(labels::number.eq(number))
            .filter(labels::status.eq_any(from.to_vec())),
    )
    .set((
        labels::status.eq(to),
        labels::suspension_cause.eq(suspension_cause),
        labels::withdrawn_at.eq((to == LabelStatus::Withdrawn).then_some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Holds the label valid until `until` while its renewal is examined, or stops holding it.
pub fn hold_for_renewal(
    conn: &mut DbConnection,
    number: &str,
    until: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(labels::table.filter(labels::number.eq(number)))
        .set(labels::renewal_until.eq(until))
        .execute(conn)
        .map(|_| ())
}

/// A granted renewal: the same number, valid until `valid_until`, valid again.
pub fn extend_label(
    conn: &mut DbConnection,
    number: &str,
    valid_until: NaiveDate,
) -> QueryResult<bool> {
    let changed = diesel::update(
        labels::table
            .filter(labels::number.eq(number))
            .filter(labels::status.eq_any([LabelStatus::Valid, LabelStatus::Expired])),
    )
    .set((
        labels::valid_until.eq(valid_until),
        labels::status.eq(LabelStatus::Valid),
        labels::renewal_until.eq(None::<NaiveDate>),
        labels::suspension_cause.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The next `EC-YYYY-NNNN` sequence number for `year`. The counter row's lock serialises
/// concurrent grants; it starts above any number already issued (the demo set's, say).
pub fn next_label_sequence(conn: &mut DbConnection, year: i32) -> QueryResult<i32> {
    let exists = label_number_counters::table
        .find(year)
        .select(label_number_counters::year)
        .first::<i32>(conn)
        .optional()?
        .is_some();
    if !exists {
        let prefix = format!("EC-{year:04}-");
        let issued: Vec<String> = labels::table
            .filter(labels::number.like(format!("{prefix}%")))
            .select(labels::number)
            .load(conn)?;
        let highest = issued
            .iter()
            .filter_map(|n| n.strip_prefix(&prefix)?.parse::<i32>().ok())
            .max()
            .unwrap_or(0);
        // Another process may create the row meanwhile: then theirs is the one to count on.
        insert_unless_taken(conn, |conn| {
            diesel::insert_into(label_number_counters::table)
                .values((
                    label_number_counters::year.eq(year),
                    label_number_counters::last_number.eq(highest),
                ))
                .execute(conn)
        })?;
    }
    diesel::update(label_number_counters::table.find(year))
        .set(label_number_counters::last_number.eq(label_number_counters::last_number + 1))
        .execute(conn)?;
    label_number_counters::table
        .find(year)
        .select(label_number_counters::last_number)
        .first(conn)
}

/// A label in the staff lists, with its holder's name.
pub type LabelListRow = (LabelRecord, String);

/// Valid labels ending on or before `until`, soonest first.
pub fn labels_expiring_by(
    conn: &mut DbConnection,
    until: NaiveDate,
) -> QueryResult<Vec<LabelListRow>> {
    labels::table
        .inner_join(providers::table)
        .filter(labels::status.eq(LabelStatus::Valid))
        .filter(labels::valid_until.le(until))
        .order((labels::valid_until, labels::number))
        .select((LabelRecord::as_select(), providers::name))
        .load(conn)
}

pub fn labels_in_status(
    conn: &mut DbConnection,
    status: LabelStatus,
) -> QueryResult<Vec<LabelListRow>> {
    labels::table
        .inner_join(providers::table)
        .filter(labels::status.eq(status))
        .order(labels::number)
        .select((LabelRecord::as_select(), providers::name))
        .load(conn)
}

/// Labels of a provider in one of `statuses` (to follow its referencing).
pub fn labels_of_provider_in(
    conn: &mut DbConnection,
    provider_id: &str,
    statuses: &[LabelStatus],
) -> QueryResult<Vec<LabelRecord>> {
    labels::table
        .filter(labels::provider_id.eq(provider_id))
        .filter(labels::status.eq_any(statuses.to_vec()))
        .select(LabelRecord::as_select())
        .load(conn)
}

/// Valid or suspended labels past `valid_until` (before `today`) that no renewal under
/// examination holds valid any longer.
pub fn labels_to_expire(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<String>> {
    labels::table
        .filter(labels::status.eq_any([LabelStatus::Valid, LabelStatus::Suspended]))
        .filter(labels::valid_until.lt(today))
        .filter(
            labels::renewal_until
                .is_null()
                .or(labels::renewal_until.lt(today)),
        )
        .select(labels::number)
        .order(labels::number)
        .load(conn)
}

/// Records that the reminder `days_before` expiry was sent for this validity period; false
/// when it already was (by this or another process).
pub fn claim_reminder(
    conn: &mut DbConnection,
    number: &str,
    valid_until: NaiveDate,
    days_before: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    insert_unless_taken(conn, |conn| {
        diesel::insert_into(label_reminders::table)
            .values((
                label_reminders::label_number.eq(number),
                label_reminders::valid_until.eq(valid_until),
                label_reminders::days_before.eq(days_before),
                label_reminders::sent_at.eq(now),
            ))
            .execute(conn)
    })
}

/// The auditors (active accounts with that role): (id, display name, email).
pub fn auditors(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, String)>> {
    users::table
        .filter(users::role.eq("auditor"))
        .filter(users::disabled.eq(false))
        .order(users::display_name)
        .select((users::id, users::display_name, users::email))
        .load(conn)
}
