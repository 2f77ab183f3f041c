//! Partners, their API keys, and the observatory's facts of their modules.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    observatory_facts as facts, partner_figures as figures, partner_keys as keys, partners,
};
use cyberdir_domain::partner::PartnerState;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    /// One origin per line.
    pub origins: String,
    pub scope: String,
    pub accent: Option<String>,
    pub state: PartnerState,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PartnerRow {
    pub fn origin_list(&self) -> Vec<&str> {
        self.origins.lines().filter(|l| !l.is_empty()).collect()
    }
}

/// What staff change on a partner.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = partners, treat_none_as_null = true)]
pub struct PartnerChanges {
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub origins: String,
    pub scope: String,
    pub accent: Option<String>,
    pub state: PartnerState,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = keys)]
pub struct KeyRow {
    pub id: String,
    pub partner_id: String,
    pub prefix: String,
    pub digest: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .order(partners::name.asc())
        .select(PartnerRow::as_select())
        .load(conn)
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<PartnerRow>> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(partners::table.find(id))).get_result(conn)
}

pub fn insert(conn: &mut DbConnection, row: &PartnerRow) -> QueryResult<usize> {
    diesel::insert_into(partners::table)
        .values(row)
        .execute(conn)
}

/// Writes `changes` if the partner is still at `version`; returns the rows changed (0: stale).
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &PartnerChanges,
) -> QueryResult<usize> {
    diesel::update(
        partners::table
            .filter(partners::id.eq(id))
            .filter(partners::version.eq(version)),
    )
    .set((changes, partners::version.eq(version + 1)))
    .execute(conn)
}

pub fn keys_of(conn: &mut DbConnection, partner_id: &str) -> QueryResult<Vec<KeyRow>> {
    keys::table
        .filter(keys::partner_id.eq(partner_id))
        .order(keys::created_at.desc())
        .select(KeyRow::as_select())
        .load(conn)
}

/// Every key not revoked that expires before `before`, soonest first (for staff).
pub fn keys_expiring(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    before: NaiveDateTime,
) -> QueryResult<Vec<KeyRow>> {
    keys::table
        .filter(keys::revoked_at.is_null())
        .filter(keys::expires_at.gt(now))
        .filter(keys::expires_at.le(before))
        .order(keys::expires_at.asc())
        .select(KeyRow::as_select())
        .load(conn)
}

pub fn key_by_digest(conn: &mut DbConnection, digest: &str) -> QueryResult<Option<KeyRow>> {
    keys::table
        .filter(keys::digest.eq(digest))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

pub fn valid_keys(
    conn: &mut DbConnection,
    partner_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<KeyRow>> {
    keys::table
        .filter(keys::partner_id.eq(partner_id))
        .filter(keys::revoked_at.is_null())
        .filter(keys::expires_at.gt(now))
        .select(KeyRow::as_select())
        .load(conn)
}

pub fn insert_key(conn: &mut DbConnection, row: &KeyRow) -> QueryResult<usize> {
    diesel::insert_into(keys::table).values(row).execute(conn)
}

/// Revokes a valid key; returns the rows changed (0: unknown, already revoked or expired).
pub fn revoke_key(
    conn: &mut DbConnection,
    partner_id: &str,
    key_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        keys::table
            .filter(keys::id.eq(key_id))
            .filter(keys::partner_id.eq(partner_id))
            .filter(keys::revoked_at.is_null())
            .filter(keys::expires_at.gt(now)),
    )
    .set(keys::revoked_at.eq(Some(now)))
    .execute(conn)
}

pub fn set_key_expiry(
    conn: &mut DbConnection,
    key_id: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(keys::table.find(key_id))
        .set(keys::expires_at.eq(expires_at))
        .execute(conn)
}

/// The facts of a partner's module between two days: (day, kind, outcome, escalated).
pub fn facts_of(
    conn: &mut DbConnection,
    partner_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, String, String, bool)>> {
    facts::table
        .filter(facts::partner.eq(partner_id))
        .filter(facts::occurred_on.ge(from))
        .filter(facts::occurred_on.le(to))
        .select((
            facts::occurred_on,
            facts::kind,
            facts::outcome,
            facts::escalated,
        ))
        .load(conn)
}

/// One published table of a partner's figures: a calendar year's months up to
/// `through_month`, frozen once that month has ended.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = figures)]
pub struct FiguresRow {
    pub partner_id: String,
    pub year: i32,
    pub through_month: i32,
    /// `journeys` or `requests`.
    pub subject: String,
    /// Every cell with its margins as its reader sees it, `null` where secret (JSON).
    pub cells: String,
    pub published_at: NaiveDateTime,
}

/// Every table of a partner's year on one subject already published, oldest first.
pub fn figures_of_year(
    conn: &mut DbConnection,
    partner_id: &str,
    year: i32,
    subject: &str,
) -> QueryResult<Vec<FiguresRow>> {
    figures::table
        .filter(figures::partner_id.eq(partner_id))
        .filter(figures::year.eq(year))
        .filter(figures::subject.eq(subject))
        .order(figures::through_month.asc())
        .select(FiguresRow::as_select())
        .load(conn)
}

/// Every partner's table ever published, each partner's years and subjects together,
/// oldest first: what `cyberdir observatory audit` reads.
pub fn all_figures(conn: &mut DbConnection) -> QueryResult<Vec<FiguresRow>> {
    figures::table
        .order((
            figures::partner_id.asc(),
            figures::subject.asc(),
            figures::year.asc(),
            figures::through_month.asc(),
        ))
        .select(FiguresRow::as_select())
        .load(conn)
}

/// Publishes a table unless another request published the same one first (`false`): the
/// first one stands.
pub fn insert_figures(conn: &mut DbConnection, row: &FiguresRow) -> QueryResult<bool> {
    super::insert_unless_taken(conn, |conn| {
        diesel::insert_into(figures::table)
            .values(row)
            .execute(conn)
    })
}
