//! The lists of label applications (`/instruction/label`, `/audit`, the API): filtered,
//! searched, sorted, counted and paged in the database, so that a page reads a page of
//! applications whatever their number.

use chrono::{NaiveDate, NaiveDateTime};
use cyberdir_domain::label_application::{ApplicationKind, ApplicationStatus, FeeStatus};
use diesel::prelude::*;

use super::DbConnection;
use super::provider_queue::after_prefix;
use super::schema::{case_assignments, label_applications, provider_search_words, providers};

/// An application in the staff or auditor lists, with its provider's name.
#[derive(Queryable, Debug, Clone)]
pub struct ApplicationListRow {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    /// The name folded, as the lists sort by it (`providers.sort_name`).
    pub provider_sort_name: String,
    pub kind: ApplicationKind,
    pub status: ApplicationStatus,
    pub fee_status: FeeStatus,
    pub auditor_id: Option<String>,
    pub audit_date: Option<NaiveDate>,
    pub corrective_deadline: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

/// The column the list is sorted by; ties go the most recently changed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApplicationColumn {
    Provider,
    /// The states in the order work goes through them (`ApplicationStatus::WORK_ORDER`).
    State,
    /// The audit's day; the applications without one come last either way.
    Audit,
    #[default]
    Updated,
}

/// What a list shows: every filter, the search and the order.
#[derive(Debug, Clone, Default)]
pub struct ApplicationQuery {
    pub status: Option<ApplicationStatus>,
    /// Leaves this state out (the auditor's other files, its audits to come listed apart).
    pub except: Option<ApplicationStatus>,
    /// Only the applications assigned to this auditor.
    pub auditor_id: Option<String>,
    /// Only the applications this staff member follows (`cases`).
    pub followed_by: Option<String>,
    /// Folded words, each the start of a word of the organisation (name, legal name, SIRET,
    /// email, commune, postcode: its index of words).
    pub words: Vec<String>,
    pub column: ApplicationColumn,
    pub descending: bool,
}

/// Narrows a boxed query of applications (plain, joined or grouped) to those passing every
/// filter, and the state when `$with_status`.
macro_rules! narrowed {
    ($selection:expr, $query:expr, $with_status:expr) => {{
        let query: &ApplicationQuery = $query;
        let mut selection = $selection;
        if $with_status && let Some(status) = query.status {
            selection = selection.filter(label_applications::status.eq(status));
        }
        if let Some(status) = query.except {
            selection = selection.filter(label_applications::status.ne(status));
        }
        if let Some(auditor) = &query.auditor_id {
            selection = selection.filter(label_applications::auditor_id.eq(auditor.clone()));
        }
        if let Some(user_id) = &query.followed_by {
            selection = selection.filter(
                label_applications::id.eq_any(
                    case_assignments::table
                        .filter(case_assignments::kind.eq(crate::cases::LABEL))
                        .filter(case_assignments::user_id.eq(user_id.clone()))
                        .select(case_assignments::subject_id),
                ),
            );
        }
        // Each word a range of the words' index, read once for every application.
        for word in &query.words {
            selection = selection.filter(
                label_applications::provider_id.eq_any(
                    provider_search_words::table
                        .filter(provider_search_words::word.ge(word.clone()))
                        .filter(provider_search_words::word.lt(after_prefix(word)))
                        .select(provider_search_words::provider_id),
                ),
            );
        }
        selection
    }};
}

/// Applications per state, over every filter but the state (the list's tabs).
pub fn counts_by_status(
    conn: &mut DbConnection,
    query: &ApplicationQuery,
) -> QueryResult<Vec<(ApplicationStatus, i64)>> {
    let grouped = label_applications::table
        .group_by(label_applications::status)
        .select((label_applications::status, diesel::dsl::count_star()))
        .into_boxed();
    narrowed!(grouped, query, false).load(conn)
}

/// The state's place in the order of work, as SQL (built from the domain's order, no input).
fn work_rank() -> diesel::expression::SqlLiteral<diesel::sql_types::Integer> {
    let mut case = String::from("CASE label_applications.status");
    for (rank, status) in ApplicationStatus::WORK_ORDER.iter().enumerate() {
        case.push_str(&format!(" WHEN '{}' THEN {rank}", status.as_str()));
    }
    case.push_str(&format!(
        " ELSE {} END",
        ApplicationStatus::WORK_ORDER.len()
    ));
    diesel::dsl::sql(&case)
}

/// `limit` applications from `offset`, in the order asked for (ties broken by the last
/// change then the id, so that pages never overlap).
pub fn page(
    conn: &mut DbConnection,
    query: &ApplicationQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ApplicationListRow>> {
    let selection = narrowed!(
        label_applications::table
            .inner_join(providers::table)
            .into_boxed(),
        query,
        true
    );
    let latest = (
        label_applications::updated_at.desc(),
        label_applications::id.desc(),
    );
    let ordered = match (query.column, query.descending) {
        (ApplicationColumn::Updated, false) => selection.order((
            label_applications::updated_at.asc(),
            label_applications::id.asc(),
        )),
        (ApplicationColumn::Updated, true) => selection.order(latest),
        (ApplicationColumn::Provider, false) => selection
            .order(providers::sort_name.asc())
            .then_order_by(latest),
        (ApplicationColumn::Provider, true) => selection
            .order(providers::sort_name.desc())
            .then_order_by(latest),
        (ApplicationColumn::State, false) => {
            selection.order(work_rank().asc()).then_order_by(latest)
        }
        (ApplicationColumn::State, true) => {
            selection.order(work_rank().desc()).then_order_by(latest)
        }
        (ApplicationColumn::Audit, false) => selection
            .order((
                label_applications::audit_date.is_null(),
                label_applications::audit_date.asc(),
            ))
            .then_order_by(latest),
        (ApplicationColumn::Audit, true) => selection
            .order((
                label_applications::audit_date.is_null(),
                label_applications::audit_date.desc(),
            ))
            .then_order_by(latest),
    };
    ordered
        .offset(offset)
        .limit(limit)
        .select((
            label_applications::id,
            label_applications::provider_id,
            providers::name,
            providers::sort_name,
            label_applications::kind,
            label_applications::status,
            label_applications::fee_status,
            label_applications::auditor_id,
            label_applications::audit_date,
            label_applications::corrective_deadline,
            label_applications::updated_at,
        ))
        .load(conn)
}
