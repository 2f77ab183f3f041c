//! The auditor's work before the decision: the drafts of findings (`audit_drafts`, one per
//! application, kept until the audit is recorded) and the audit report (`audit_reports`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{audit_drafts, audit_reports};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_drafts)]
pub struct DraftRow {
    pub application_id: String,
    pub auditor_id: String,
    pub round: i32,
    /// The findings typed so far and the recommendation (JSON).
    pub content: String,
    pub saved_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, application_id: &str) -> QueryResult<Option<DraftRow>> {
    audit_drafts::table
        .find(application_id)
        .select(DraftRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the application's draft (the caller's transaction).
pub fn put(conn: &mut DbConnection, row: &DraftRow) -> QueryResult<()> {
    delete(conn, &row.application_id)?;
    diesel::insert_into(audit_drafts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, application_id: &str) -> QueryResult<usize> {
    diesel::delete(audit_drafts::table.find(application_id)).execute(conn)
}

/// The auditor's report attached to an application (`audit_reports`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_reports)]
pub struct ReportRow {
    pub application_id: String,
    pub filename: String,
    pub size_bytes: i32,
    pub content: Vec<u8>,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

/// The report without its content: (filename, size, uploaded at).
pub fn report_summary(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Option<(String, i32, NaiveDateTime)>> {
    audit_reports::table
        .find(application_id)
        .select((
            audit_reports::filename,
            audit_reports::size_bytes,
            audit_reports::uploaded_at,
        ))
        .first(conn)
        .optional()
}

pub fn report(conn: &mut DbConnection, application_id: &str) -> QueryResult<Option<ReportRow>> {
    audit_reports::table
        .find(application_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the application's report (the caller's transaction).
pub fn put_report(conn: &mut DbConnection, row: &ReportRow) -> QueryResult<()> {
    diesel::delete(audit_reports::table.find(&row.application_id)).execute(conn)?;
    diesel::insert_into(audit_reports::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
