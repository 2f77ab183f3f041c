//! Users, sessions, single-use links, log-in failures and organisation membership.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{one_time_tokens, organisation_members, sessions, users};

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = one_time_tokens)]
pub struct TokenRow {
    pub token_hash: String,
    pub purpose: String,
    pub user_id: Option<String>,
    pub email: String,
    pub provider_id: Option<String>,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_user(conn: &mut DbConnection, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
}

pub fn user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn user_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Active accounts with one of `roles`.
pub fn users_with_roles(conn: &mut DbConnection, roles: &[&str]) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.eq_any(roles))
        .filter(users::disabled.eq(false))
        .order(users::email)
        .select(UserRow::as_select())
        .load(conn)
}

/// Narrows a boxed query of `users` (plain or grouped) to the accounts whose email or name
/// holds `$search`: what was typed is matched literally (`%` and `_` are not wildcards), case
/// ignored.
macro_rules! searched {
    ($query:expr, $search:expr) => {{
        let mut query = $query;
        let search = $search.trim().to_lowercase();
        if !search.is_empty() {
            let pattern = format!("%{}%", crate::search::literal(&search));
            query = query.filter(
                crate::search::lower(users::email)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(crate::search::lower(users::display_name)
                        .like(pattern)
                        .escape('\\')),
            );
        }
        query
    }};
}

/// Accounts by address, `limit` from `offset`, whose address or name contains `search` (case
/// ignored; every account when empty), with how many there are.
pub fn list_users(
    conn: &mut DbConnection,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<UserRow>)> {
    list_users_in(conn, search, None, UserOrder::default(), limit, offset)
}

/// The column the accounts are sorted by, and whether from the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserColumn {
    #[default]
    Email,
    Name,
    Created,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserOrder {
    pub column: UserColumn,
    pub descending: bool,
}

/// The accounts whose email or name holds `search` (case ignored, taken literally), in one
/// role when asked: how many, and `limit` of them from `offset`, in `order` (ties by email).
pub fn list_users_in(
    conn: &mut DbConnection,
    search: &str,
    role: Option<&str>,
    order: UserOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<UserRow>)> {
    let matching = || {
        let mut query = searched!(users::table.into_boxed(), search);
        if let Some(role) = role {
            query = query.filter(users::role.eq(role.to_owned()));
        }
        query
    };
    let total = matching().count().get_result(conn)?;
    let ordered = match (order.column, order.descending) {
        (UserColumn::Email, false) => matching().order(users::email.asc()),
        (UserColumn::Email, true) => matching().order(users::email.desc()),
        (UserColumn::Name, false) => matching().order((users::display_name.asc(), users::email)),
        (UserColumn::Name, true) => matching().order((users::display_name.desc(), users::email)),
        (UserColumn::Created, false) => matching().order((users::created_at.asc(), users::email)),
        (UserColumn::Created, true) => matching().order((users::created_at.desc(), users::email)),
    };
    let rows = ordered
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// The accounts whose email or name holds `search`, per role (the list's tabs).
pub fn role_counts(conn: &mut DbConnection, search: &str) -> QueryResult<Vec<(String, i64)>> {
    let grouped = users::table
        .group_by(users::role)
        .select((users::role, diesel::dsl::count_star()))
        .into_boxed();
    searched!(grouped, search).load(conn)
}

pub fn set_role_and_disabled(
    conn: &mut DbConnection,
    id: &str,
    role: &str,
    disabled: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(role),
            users::disabled.eq(disabled),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn mark_verified(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((users::email_verified_at.eq(now), users::updated_at.eq(now)))
    .execute(conn)
}

pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
}

pub fn insert_session(
    conn: &mut DbConnection,
    token_hash: &str,
    user_id: &str,
    csrf_token: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The live session's user and CSRF token.
pub fn session_user(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(UserRow, String)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select((UserRow::as_select(), sessions::csrf_token))
        .first(conn)
        .optional()
}

pub fn delete_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(token_hash)).execute(conn)
}

pub fn delete_sessions_of(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

pub fn insert_token(conn: &mut DbConnection, token: &TokenRow) -> QueryResult<()> {
    diesel::insert_into(one_time_tokens::table)
        .values(token)
        .execute(conn)
        .map(|_| ())
}

/// Marks a live token of `purpose` used and returns it; None if unknown, used or expired.
/// The conditional update makes two concurrent uses impossible.
pub fn consume_token(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<TokenRow>> {
    let used = diesel::update(
        one_time_tokens::table
            .find(token_hash)
            .filter(one_time_tokens::purpose.eq(purpose))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(now)),
    )
    .set(one_time_tokens::used_at.eq(now))
    .execute(conn)?;
    if used == 0 {
        return Ok(None);
    }
    one_time_tokens::table
        .find(token_hash)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks every unused `purpose` token of a user as used (a newer step made them void).
pub fn void_tokens_of(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id))
            .filter(one_time_tokens::purpose.eq(purpose))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(now))
    .execute(conn)
}

pub fn add_member(
    conn: &mut DbConnection,
    provider_id: &str,
    user_id: &str,
    is_owner: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let exists: i64 = organisation_members::table
        .filter(organisation_members::provider_id.eq(provider_id))
        .filter(organisation_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(0);
    }
    diesel::insert_into(organisation_members::table)
        .values((
            organisation_members::provider_id.eq(provider_id),
            organisation_members::user_id.eq(user_id),
            organisation_members::is_owner.eq(is_owner),
            organisation_members::created_at.eq(now),
        ))
        .execute(conn)
}

/// The organisations a user belongs to: (provider id, is_owner).
pub fn memberships_of(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<(String, bool)>> {
    organisation_members::table
        .filter(organisation_members::user_id.eq(user_id))
        .order(organisation_members::provider_id)
        .select((
            organisation_members::provider_id,
            organisation_members::is_owner,
        ))
        .load(conn)
}

/// Members of an organisation: (user, is_owner).
pub fn members(conn: &mut DbConnection, provider_id: &str) -> QueryResult<Vec<(UserRow, bool)>> {
    organisation_members::table
        .inner_join(users::table)
        .filter(organisation_members::provider_id.eq(provider_id))
        .order(users::email)
        .select((UserRow::as_select(), organisation_members::is_owner))
        .load(conn)
}

/// Organisations a user belongs to.
pub fn organisations_of(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<String>> {
    organisation_members::table
        .filter(organisation_members::user_id.eq(user_id))
        .select(organisation_members::provider_id)
        .order(organisation_members::created_at)
        .load(conn)
}
