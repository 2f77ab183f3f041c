//! The auditor's drafts of findings (`audit_drafts`): one per application, kept until the
//! audit is recorded.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::audit_drafts;

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
