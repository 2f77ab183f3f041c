//! Providers' intervention reports and victims' surveys.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::{intervention_reports, providers, satisfaction_surveys};
use cyberdir_domain::assistance::CommentStatus;

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = intervention_reports)]
pub struct ReportRow {
    pub request_id: String,
    pub provider_id: String,
    pub resolved: bool,
    pub confirmed_incident_type: String,
    pub attack_vector: String,
    pub actions_taken: String,
    pub minutes_spent: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert_report(conn: &mut DbConnection, row: &ReportRow) -> QueryResult<()> {
    diesel::insert_into(intervention_reports::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn report(conn: &mut DbConnection, request_id: &str) -> QueryResult<Option<ReportRow>> {
    intervention_reports::table
        .find(request_id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

pub fn all_reports(conn: &mut DbConnection) -> QueryResult<Vec<ReportRow>> {
    intervention_reports::table
        .select(ReportRow::as_select())
        .load(conn)
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = satisfaction_surveys)]
pub struct SurveyRow {
    pub request_id: String,
    pub provider_id: String,
    pub token_hash: String,
    pub rating: Option<i32>,
    pub comment: Option<String>,
    pub comment_status: Option<CommentStatus>,
    pub sent_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn insert_survey(conn: &mut DbConnection, row: &SurveyRow) -> QueryResult<()> {
    diesel::insert_into(satisfaction_surveys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn survey_by_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<SurveyRow>> {
    satisfaction_surveys::table
        .filter(satisfaction_surveys::token_hash.eq(token_hash))
        .select(SurveyRow::as_select())
        .first(conn)
        .optional()
}

/// Records the victim's answer once; false when already answered.
pub fn answer_survey(
    conn: &mut DbConnection,
    request_id: &str,
    rating: i32,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        satisfaction_surveys::table
            .filter(satisfaction_surveys::request_id.eq(request_id))
            .filter(satisfaction_surveys::answered_at.is_null()),
    )
    .set((
        satisfaction_surveys::rating.eq(Some(rating)),
        satisfaction_surveys::comment.eq(comment),
        satisfaction_surveys::comment_status.eq(comment.map(|_| CommentStatus::Pending)),
        satisfaction_surveys::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn comments_in(
    conn: &mut DbConnection,
    status: CommentStatus,
) -> QueryResult<Vec<(SurveyRow, String)>> {
    satisfaction_surveys::table
        .inner_join(providers::table)
        .filter(satisfaction_surveys::comment_status.eq(status))
        .order(satisfaction_surveys::answered_at)
        .select((SurveyRow::as_select(), providers::name))
        .load(conn)
}

/// Publishes or rejects a pending comment; false when it was not pending.
pub fn moderate(
    conn: &mut DbConnection,
    request_id: &str,
    status: CommentStatus,
) -> QueryResult<bool> {
    let changed = diesel::update(
        satisfaction_surveys::table
            .filter(satisfaction_surveys::request_id.eq(request_id))
            .filter(satisfaction_surveys::comment_status.eq(CommentStatus::Pending)),
    )
    .set(satisfaction_surveys::comment_status.eq(status))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A provider's ratings and its published comments.
pub struct Ratings {
    pub ratings: Vec<i32>,
    /// Newest first.
    pub comments: Vec<String>,
}

pub fn ratings_of(conn: &mut DbConnection, provider_id: &str) -> QueryResult<Ratings> {
    let ratings: Vec<Option<i32>> = satisfaction_surveys::table
        .filter(satisfaction_surveys::provider_id.eq(provider_id))
        .filter(satisfaction_surveys::rating.is_not_null())
        .select(satisfaction_surveys::rating)
        .load(conn)?;
    let comments: Vec<(Option<String>, Option<NaiveDateTime>)> = satisfaction_surveys::table
        .filter(satisfaction_surveys::provider_id.eq(provider_id))
        .filter(satisfaction_surveys::comment_status.eq(CommentStatus::Published))
        .order(satisfaction_surveys::answered_at.desc())
        .select((
            satisfaction_surveys::comment,
            satisfaction_surveys::answered_at,
        ))
        .load(conn)?;
    Ok(Ratings {
        ratings: ratings.into_iter().flatten().collect(),
        comments: comments
            .into_iter()
            .filter_map(|(c, at)| at.and(c))
            .collect(),
    })
}
