//! The lists of label applications: every one for staff, the assigned ones for an auditor,
//! a page at a time with the counts per state, and as CSV. Filtered, searched, sorted and
//! paged by the database (`db::label_queue`). Shared by the API and the pages.

use std::collections::BTreeMap;
use std::io::Write;

use crate::db::label_queue::{self as queries, ApplicationQuery};
use crate::domain::actor::{Actor, Role};
use crate::domain::label_application::ApplicationStatus;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::label_queue::{ApplicationColumn, ApplicationListRow};

/// A list as asked: a state (None: every one), or every state but one; the folded words of
/// the organisation searched; only the viewer's own cases ("Mes dossiers"); the order.
#[derive(Debug, Clone, Default)]
pub struct ApplicationAsk {
    pub status: Option<ApplicationStatus>,
    pub except: Option<ApplicationStatus>,
    pub words: Vec<String>,
    pub mine: bool,
    pub column: ApplicationColumn,
    pub descending: bool,
}

/// A page of a list, as read.
pub struct ApplicationPage {
    pub rows: Vec<ApplicationListRow>,
    /// How many applications of the search are in each state (the tabs).
    pub counts: BTreeMap<String, i64>,
    /// How many the state asked for holds, and the page shown (the last when the one asked
    /// for is past it).
    pub total: i64,
    pub page: usize,
}

/// The query `user` may run: every application for staff, those assigned to an auditor for
/// that auditor; others are refused.
fn query_for(user: &Actor, ask: &ApplicationAsk) -> Result<ApplicationQuery, AppError> {
    let auditor_id = match user.role {
        r if r.is_staff() => None,
        Role::Auditor => Some(user.id.clone()),
        _ => {
            return Err(AppError::forbidden(
                "Réservé à l'équipe du label et aux auditeurs.",
            ));
        }
    };
    Ok(ApplicationQuery {
        status: ask.status,
        except: ask.except,
        auditor_id,
        followed_by: ask.mine.then(|| user.id.clone()),
        words: ask.words.clone(),
        column: ask.column,
        descending: ask.descending,
    })
}

/// What a page asked past the end of a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PastTheEnd {
    /// The last page (a person following an old link).
    Last,
    /// Nothing (a program reading pages until one is empty).
    Nothing,
}

/// Page `page` of the list `user` may see, `per_page` applications a page.
pub fn page(
    state: &Infra,
    user: &Actor,
    ask: &ApplicationAsk,
    (page, per_page): (usize, usize),
    past_the_end: PastTheEnd,
) -> Result<ApplicationPage, AppError> {
    let query = query_for(user, ask)?;
    let mut conn = state.pool.get()?;
    let counts: BTreeMap<String, i64> = queries::counts_by_status(&mut conn, &query)?
        .into_iter()
        .map(|(status, n)| (status.as_str().to_owned(), n))
        .collect();
    // The tabs' counts give the total too: one reading of the applications fewer.
    let total: i64 = counts
        .iter()
        .filter(|(status, _)| ask.status.is_none_or(|s| s.as_str() == status.as_str()))
        .map(|(_, n)| n)
        .sum();
    let per_page = per_page.max(1);
    let pages = usize::try_from(total)
        .unwrap_or(0)
        .div_ceil(per_page)
        .max(1);
    let page = match past_the_end {
        PastTheEnd::Last => page.clamp(1, pages),
        PastTheEnd::Nothing => page.max(1),
    };
    let offset = i64::try_from((page - 1) * per_page).unwrap_or(i64::MAX);
    let limit = i64::try_from(per_page).unwrap_or(i64::MAX);
    let rows = queries::page(&mut conn, &query, offset, limit)?;
    Ok(ApplicationPage {
        rows,
        counts,
        total,
        page,
    })
}

/// Writes every application of the list as asked, in its order, to `out` as CSV (UTF-8 with
/// its byte-order mark), a thousand at a time from one snapshot; `line` makes each row.
/// Returns how many were written.
pub fn export(
    state: &Infra,
    user: &Actor,
    ask: &ApplicationAsk,
    header: &[&str],
    mut line: impl FnMut(&ApplicationListRow) -> Vec<String>,
    out: impl Write,
) -> Result<usize, AppError> {
    let query = query_for(user, ask)?;
    let mut conn = state.pool.get()?;
    crate::csv_export::write(
        &mut conn,
        out,
        header,
        |conn, offset, limit| Ok(queries::page(conn, &query, offset, limit)?),
        |_, row| Ok(line(row)),
    )
}

/// The active auditors staff may assign, as (id, name, email).
pub fn auditors(state: &Infra, staff: &Actor) -> Result<Vec<(String, String, String)>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(crate::db::labels::auditors(&mut conn)?)
}
