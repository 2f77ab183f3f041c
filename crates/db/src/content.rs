//! The editorial workflow's versions of the content and the anonymous counts of its use.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{content_versions as versions, content_views as views};
use cyberdir_domain::content::editorial::VersionState;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = versions)]
pub struct VersionRow {
    pub id: String,
    pub path: String,
    pub number: Option<i32>,
    pub state: VersionState,
    pub body: String,
    pub sha256: String,
    pub base_body: String,
    pub note: String,
    pub author_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub reviewer_id: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_comment: Option<String>,
    pub published_at: Option<NaiveDateTime>,
}

/// A version without its texts, for lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = versions)]
pub struct VersionLine {
    pub id: String,
    pub path: String,
    pub number: Option<i32>,
    pub state: VersionState,
    pub note: String,
    pub author_id: Option<String>,
    pub updated_at: NaiveDateTime,
    pub reviewer_id: Option<String>,
    pub published_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &VersionRow) -> QueryResult<()> {
    diesel::insert_into(versions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<VersionRow>> {
    versions::table
        .find(id)
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// The version in force of each path: the published one with the highest number.
pub fn in_force(conn: &mut DbConnection) -> QueryResult<Vec<VersionRow>> {
    let rows: Vec<VersionRow> = versions::table
        .filter(versions::state.eq(VersionState::Published))
        .order((versions::path, versions::number.desc()))
        .select(VersionRow::as_select())
        .load(conn)?;
    let mut newest: Vec<VersionRow> = Vec::new();
    for row in rows {
        if newest.last().is_none_or(|last| last.path != row.path) {
            newest.push(row);
        }
    }
    Ok(newest)
}

/// The version of `path` in force, if any was published.
pub fn in_force_of(conn: &mut DbConnection, path: &str) -> QueryResult<Option<VersionRow>> {
    versions::table
        .filter(versions::path.eq(path))
        .filter(versions::state.eq(VersionState::Published))
        .order(versions::number.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// The sha256 of the last text shipped with the service and imported for `path`.
pub fn last_shipped_sha(conn: &mut DbConnection, path: &str) -> QueryResult<Option<String>> {
    versions::table
        .filter(versions::path.eq(path))
        .filter(versions::author_id.is_null())
        .filter(versions::state.eq(VersionState::Published))
        .order(versions::number.desc())
        .select(versions::sha256)
        .first(conn)
        .optional()
}

/// The highest number given to a version of `path` (0 when none).
pub fn last_number(conn: &mut DbConnection, path: &str) -> QueryResult<i32> {
    versions::table
        .filter(versions::path.eq(path))
        .select(diesel::dsl::max(versions::number))
        .first::<Option<i32>>(conn)
        .map(Option::unwrap_or_default)
}

/// Every version of `path`, newest first (drafts of others left out by the caller).
pub fn history(conn: &mut DbConnection, path: &str) -> QueryResult<Vec<VersionLine>> {
    versions::table
        .filter(versions::path.eq(path))
        .order((versions::number.desc(), versions::updated_at.desc()))
        .select(VersionLine::as_select())
        .load(conn)
}

/// The versions waiting for a review, and the drafts, across paths, oldest first.
pub fn open_versions(conn: &mut DbConnection) -> QueryResult<Vec<VersionLine>> {
    versions::table
        .filter(versions::state.eq_any([VersionState::InReview, VersionState::Draft]))
        .order(versions::updated_at)
        .select(VersionLine::as_select())
        .load(conn)
}

/// An author's draft of `path`, if they have one.
pub fn draft_of(
    conn: &mut DbConnection,
    path: &str,
    author: &str,
) -> QueryResult<Option<VersionRow>> {
    versions::table
        .filter(versions::path.eq(path))
        .filter(versions::author_id.eq(author))
        .filter(versions::state.eq(VersionState::Draft))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// Rewrites a draft's text (drafts only: any other state is left as it is). Whether it did.
pub fn update_draft(
    conn: &mut DbConnection,
    id: &str,
    body: &str,
    sha256: &str,
    note: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        versions::table
            .find(id)
            .filter(versions::state.eq(VersionState::Draft)),
    )
    .set((
        versions::body.eq(body),
        versions::sha256.eq(sha256),
        versions::note.eq(note),
        versions::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Moves a version from `from` to `to`, only if it is still in `from` (two editors acting at
/// once: one wins). Whether it did.
pub fn change_state(
    conn: &mut DbConnection,
    id: &str,
    from: VersionState,
    to: VersionState,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = versions::table.find(id).filter(versions::state.eq(from));
    let changed = match to {
        VersionState::InReview => diesel::update(target)
            .set((
                versions::state.eq(to),
                versions::submitted_at.eq(at),
                versions::updated_at.eq(at),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((versions::state.eq(to), versions::updated_at.eq(at)))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// A reviewer's decision on a version in review: published with its number, or rejected.
/// Whether it was still in review.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    reviewer: &str,
    comment: Option<&str>,
    number: Option<i32>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let (state, published_at) = match number {
        Some(_) => (VersionState::Published, Some(at)),
        None => (VersionState::Rejected, None),
    };
    diesel::update(
        versions::table
            .find(id)
            .filter(versions::state.eq(VersionState::InReview)),
    )
    .set((
        versions::state.eq(state),
        versions::number.eq(number),
        versions::reviewer_id.eq(reviewer),
        versions::reviewed_at.eq(at),
        versions::review_comment.eq(comment),
        versions::published_at.eq(published_at),
        versions::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Adds `counts` (day, subject, kind, how many) to the counts kept. Outside a transaction:
/// another process adding the same day's first count at once makes the insert fail, and the
/// count is then added to its row.
pub fn add_views(
    conn: &mut DbConnection,
    counts: &[(NaiveDate, String, &'static str, i64)],
) -> QueryResult<()> {
    for (day, subject, kind, n) in counts {
        let row = views::table
            .filter(views::day.eq(day))
            .filter(views::subject.eq(subject))
            .filter(views::kind.eq(kind));
        let add = |conn: &mut DbConnection| {
            diesel::update(row)
                .set(views::count.eq(views::count + n))
                .execute(conn)
        };
        if add(conn)? == 1 {
            continue;
        }
        let inserted = diesel::insert_into(views::table)
            .values((
                views::day.eq(day),
                views::subject.eq(subject),
                views::kind.eq(kind),
                views::count.eq(n),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                add(conn)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The counts from `since` on, summed per subject and kind, the most used first.
pub fn views_since(
    conn: &mut DbConnection,
    since: NaiveDate,
) -> QueryResult<Vec<(String, String, i64)>> {
    let rows: Vec<(String, String, i64)> = views::table
        .filter(views::day.ge(since))
        .select((views::subject, views::kind, views::count))
        .load(conn)?;
    let mut sums: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for (subject, kind, n) in rows {
        *sums.entry((subject, kind)).or_default() += n;
    }
    let mut out: Vec<(String, String, i64)> =
        sums.into_iter().map(|((s, k), n)| (s, k, n)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}
