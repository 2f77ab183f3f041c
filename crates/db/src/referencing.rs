//! Queries of the referencing workflow: documents, charter acceptances, change
//! requests (the staff queue of organisations is `provider_queue`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    change_requests, charter_acceptances, organisation_members, provider_documents, providers,
    users,
};
use cyberdir_domain::provider::ReferencingStatus;
use cyberdir_domain::referencing::ChangeRequestStatus;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = provider_documents)]
pub struct DocumentRow {
    pub id: String,
    pub provider_id: String,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    /// The last day the document covers (an insurance certificate's end).
    pub valid_until: Option<NaiveDate>,
    pub renewal_asked_at: Option<NaiveDateTime>,
    /// The day a Kbis extract was issued.
    pub issued_on: Option<NaiveDate>,
}

/// A document without its bytes.
#[derive(Queryable, Debug, Clone)]
pub struct DocumentMeta {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
    pub valid_until: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
}

pub fn insert_document(conn: &mut DbConnection, doc: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(provider_documents::table)
        .values(doc)
        .execute(conn)
        .map(|_| ())
}

/// The newest document of each kind.
pub fn current_documents(
    conn: &mut DbConnection,
    provider_id: &str,
) -> QueryResult<Vec<DocumentMeta>> {
    let all: Vec<DocumentMeta> = provider_documents::table
        .filter(provider_documents::provider_id.eq(provider_id))
        // Ids are UUIDv7, increasing in upload order: they break ties between equal times.
        .order((
            provider_documents::uploaded_at.desc(),
            provider_documents::id.desc(),
        ))
        .select((
            provider_documents::id,
            provider_documents::kind,
            provider_documents::filename,
            provider_documents::size_bytes,
            provider_documents::sha256,
            provider_documents::uploaded_at,
            provider_documents::valid_until,
            provider_documents::issued_on,
        ))
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    Ok(all
        .into_iter()
        .filter(|d| seen.insert(d.kind.clone()))
        .collect())
}

pub fn document(
    conn: &mut DbConnection,
    provider_id: &str,
    id: &str,
) -> QueryResult<Option<DocumentRow>> {
    provider_documents::table
        .find(id)
        .filter(provider_documents::provider_id.eq(provider_id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

pub fn accept_charter(
    conn: &mut DbConnection,
    provider_id: &str,
    version: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if has_accepted(conn, provider_id, version)? {
        return Ok(());
    }
    diesel::insert_into(charter_acceptances::table)
        .values((
            charter_acceptances::provider_id.eq(provider_id),
            charter_acceptances::charter_version.eq(version),
            charter_acceptances::user_id.eq(user_id),
            charter_acceptances::accepted_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn has_accepted(
    conn: &mut DbConnection,
    provider_id: &str,
    version: &str,
) -> QueryResult<bool> {
    let n: i64 = charter_acceptances::table
        .filter(charter_acceptances::provider_id.eq(provider_id))
        .filter(charter_acceptances::charter_version.eq(version))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = change_requests)]
pub struct ChangeRequestRow {
    pub id: String,
    pub provider_id: String,
    pub changes: String,
    pub status: ChangeRequestStatus,
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

pub fn insert_change_request(conn: &mut DbConnection, row: &ChangeRequestRow) -> QueryResult<()> {
    diesel::insert_into(change_requests::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn pending_change_request(
    conn: &mut DbConnection,
    provider_id: &str,
) -> QueryResult<Option<ChangeRequestRow>> {
    change_requests::table
        .filter(change_requests::provider_id.eq(provider_id))
        .filter(change_requests::status.eq(ChangeRequestStatus::Pending))
        .select(ChangeRequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn change_request(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ChangeRequestRow>> {
    change_requests::table
        .find(id)
        .select(ChangeRequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn change_requests_by_status(
    conn: &mut DbConnection,
    status: ChangeRequestStatus,
) -> QueryResult<Vec<ChangeRequestRow>> {
    change_requests::table
        .filter(change_requests::status.eq(status))
        .order(change_requests::requested_at)
        .select(ChangeRequestRow::as_select())
        .load(conn)
}

/// Decides a pending request; false if it was no longer pending (someone decided first).
pub fn decide_change_request(
    conn: &mut DbConnection,
    id: &str,
    status: ChangeRequestStatus,
    reason: Option<&str>,
    decided_by: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        change_requests::table
            .find(id)
            .filter(change_requests::status.eq(ChangeRequestStatus::Pending)),
    )
    .set((
        change_requests::status.eq(status),
        change_requests::reason.eq(reason),
        change_requests::decided_by.eq(decided_by),
        change_requests::decided_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Addresses of an organisation's members.
pub fn member_emails(
    conn: &mut DbConnection,
    provider_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    organisation_members::table
        .inner_join(users::table)
        .filter(organisation_members::provider_id.eq(provider_id))
        .filter(users::disabled.eq(false))
        .order(users::email)
        .select((users::email, users::display_name))
        .load(conn)
}

/// Approved providers that have not accepted `version` and were not yet asked to.
pub fn providers_to_notify_of_charter(
    conn: &mut DbConnection,
    version: &str,
) -> QueryResult<Vec<String>> {
    use super::schema::charter_notifications;
    let accepted = charter_acceptances::table
        .filter(charter_acceptances::charter_version.eq(version.to_owned()))
        .select(charter_acceptances::provider_id);
    let notified = charter_notifications::table
        .filter(charter_notifications::charter_version.eq(version.to_owned()))
        .select(charter_notifications::provider_id);
    providers::table
        .filter(providers::status.eq(ReferencingStatus::Approved.as_str()))
        .filter(providers::id.ne_all(accepted))
        .filter(providers::id.ne_all(notified))
        .order(providers::id)
        .select(providers::id)
        .load(conn)
}

/// Claims the notification of one provider; false if another process already did.
pub fn claim_charter_notification(
    conn: &mut DbConnection,
    provider_id: &str,
    version: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    use super::schema::charter_notifications;
    super::insert_unless_taken(conn, |conn| {
        diesel::insert_into(charter_notifications::table)
            .values((
                charter_notifications::provider_id.eq(provider_id),
                charter_notifications::charter_version.eq(version),
                charter_notifications::notified_at.eq(now),
            ))
            .execute(conn)
    })
}

/// Approved providers asked before `before` to accept `version` who still have not:
/// (provider id, name, notified at).
pub fn charter_overdue(
    conn: &mut DbConnection,
    version: &str,
    before: NaiveDateTime,
) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    use super::schema::charter_notifications;
    let accepted = charter_acceptances::table
        .filter(charter_acceptances::charter_version.eq(version.to_owned()))
        .select(charter_acceptances::provider_id);
    charter_notifications::table
        .inner_join(providers::table)
        .filter(charter_notifications::charter_version.eq(version.to_owned()))
        .filter(charter_notifications::notified_at.lt(before))
        .filter(providers::status.eq(ReferencingStatus::Approved.as_str()))
        .filter(providers::id.ne_all(accepted))
        .order(charter_notifications::notified_at)
        .select((
            providers::id,
            providers::name,
            charter_notifications::notified_at,
        ))
        .load(conn)
}

/// The last day the current insurance certificate of each approved provider covers (the one
/// uploaded last), for those that have one with an end.
pub fn insurance_ends(
    conn: &mut DbConnection,
) -> QueryResult<std::collections::HashMap<String, NaiveDate>> {
    let rows: Vec<(String, Option<NaiveDate>)> = provider_documents::table
        .inner_join(providers::table)
        .filter(providers::status.eq(ReferencingStatus::Approved.as_str()))
        .filter(provider_documents::kind.eq("insurance"))
        .order((
            provider_documents::provider_id,
            provider_documents::uploaded_at.desc(),
            provider_documents::id.desc(),
        ))
        .select((
            provider_documents::provider_id,
            provider_documents::valid_until,
        ))
        .load(conn)?;
    let mut ends = std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (provider, until) in rows {
        if seen.insert(provider.clone())
            && let Some(until) = until
        {
            ends.insert(provider, until);
        }
    }
    Ok(ends)
}

/// Current documents of providers referenced, suspended or under review that end by `horizon`
/// and whose members were not asked for a new one yet: (provider id, document id, kind, last
/// day).
pub fn documents_ending_by(
    conn: &mut DbConnection,
    horizon: NaiveDate,
) -> QueryResult<Vec<(String, String, String, NaiveDate)>> {
    let rows: Vec<(String, String, String, Option<NaiveDate>)> = provider_documents::table
        .inner_join(providers::table)
        // Referenced, suspended, or under review: a document lapsing there is asked for too.
        .filter(
            providers::status.eq_any(
                [
                    ReferencingStatus::Approved,
                    ReferencingStatus::Suspended,
                    ReferencingStatus::Submitted,
                    ReferencingStatus::InReview,
                    ReferencingStatus::ChangesRequested,
                ]
                .map(ReferencingStatus::as_str),
            ),
        )
        .filter(provider_documents::valid_until.le(horizon))
        .filter(provider_documents::renewal_asked_at.is_null())
        .select((
            provider_documents::provider_id,
            provider_documents::id,
            provider_documents::kind,
            provider_documents::valid_until,
        ))
        .order(provider_documents::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, id, kind, until)| until.map(|u| (p, id, kind, u)))
        .collect())
}

/// Records that the members were asked to renew the document; false when they already were
/// (by this process or another).
pub fn claim_document_renewal(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        provider_documents::table
            .filter(provider_documents::id.eq(id))
            .filter(provider_documents::renewal_asked_at.is_null()),
    )
    .set(provider_documents::renewal_asked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(changed == 1)
}
