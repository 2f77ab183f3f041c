//! The labels staff watch and their register, read a page at a time from the database
//! (`db::label_register`): the first few labels about to expire, suspended or withdrawn with
//! how many there are, and the register by state, searched, sorted, paged and exported.

use std::io::Write;

use chrono::NaiveDate;

use super::labels::view_of;
use super::views::LabelView;
use crate::db::label_register::{self as queries, RegisterQuery};
use crate::domain::actor::Actor;
use crate::domain::label::LabelStatus;
use crate::error::AppError;
use crate::infra::Infra;

pub use crate::db::label_register::RegisterColumn;

/// A watch list: its first labels and how many there are.
#[derive(Debug)]
pub struct Watched {
    pub first: Vec<LabelView>,
    pub total: i64,
}

/// What staff watch above the register.
#[derive(Debug)]
pub struct LabelWatch {
    /// Valid labels ending within the days asked, soonest first.
    pub expiring: Watched,
    /// Suspended and withdrawn labels, by number.
    pub suspended: Watched,
    pub withdrawn: Watched,
    pub valid: i64,
}

/// The register as asked: a state as it stands today (None: every one), folded search
/// words, and the order.
#[derive(Debug, Clone)]
pub struct RegisterAsk {
    pub status: Option<LabelStatus>,
    pub words: Vec<String>,
    pub column: RegisterColumn,
    pub descending: bool,
}

impl RegisterAsk {
    fn query(&self, today: NaiveDate) -> RegisterQuery {
        RegisterQuery {
            status: self.status,
            words: self.words.clone(),
            ends_by: None,
            today,
            column: self.column,
            descending: self.descending,
        }
    }
}

/// The first `shown` labels of each watch list, with how many each holds (staff).
pub fn watch(state: &Infra, user: &Actor, days: u64, shown: i64) -> Result<LabelWatch, AppError> {
    user.require_staff()?;
    let today = state.clock.today();
    let mut conn = state.pool.get()?;
    let in_state = |status, ends_by, column| RegisterQuery {
        status: Some(status),
        words: Vec::new(),
        ends_by,
        today,
        column,
        descending: false,
    };
    let mut watched = |query: RegisterQuery| {
        let first = queries::page(&mut conn, &query, 0, shown)?
            .iter()
            .map(|(label, name)| view_of(label, name, today))
            .collect();
        let total = queries::count(&mut conn, &query)?;
        Ok::<_, AppError>(Watched { first, total })
    };
    let horizon = today + chrono::Days::new(days);
    let expiring = watched(in_state(
        LabelStatus::Valid,
        Some(horizon),
        RegisterColumn::End,
    ))?;
    let suspended = watched(in_state(
        LabelStatus::Suspended,
        None,
        RegisterColumn::Number,
    ))?;
    let withdrawn = watched(in_state(
        LabelStatus::Withdrawn,
        None,
        RegisterColumn::Number,
    ))?;
    let valid = queries::count(
        &mut conn,
        &in_state(LabelStatus::Valid, None, RegisterColumn::Number),
    )?;
    Ok(LabelWatch {
        expiring,
        suspended,
        withdrawn,
        valid,
    })
}

/// A page of the register, as read.
#[derive(Debug)]
pub struct RegisterPage {
    pub labels: Vec<LabelView>,
    /// How many labels of the search are in each state as it stands today (the tabs).
    pub counts: Vec<(LabelStatus, i64)>,
    /// How many labels the state asked for holds, and the page shown (the last when the one
    /// asked for is past it).
    pub total: i64,
    pub page: usize,
}

/// Page `page` of the register, `per_page` labels a page (staff).
pub fn page(
    state: &Infra,
    user: &Actor,
    ask: &RegisterAsk,
    page: usize,
    per_page: usize,
) -> Result<RegisterPage, AppError> {
    user.require_staff()?;
    let today = state.clock.today();
    let query = ask.query(today);
    let mut conn = state.pool.get()?;
    let mut counts: Vec<(LabelStatus, i64)> = LabelStatus::ALL.iter().map(|&s| (s, 0)).collect();
    for (stored, until, renewal) in queries::states(&mut conn, &query)? {
        let now = crate::domain::provider::status_as_of(stored, until, renewal, today);
        if let Some((_, n)) = counts.iter_mut().find(|(s, _)| *s == now) {
            *n += 1;
        }
    }
    let total: i64 = counts
        .iter()
        .filter(|(status, _)| ask.status.is_none_or(|s| s == *status))
        .map(|(_, n)| n)
        .sum();
    let pages = usize::try_from(total)
        .unwrap_or(0)
        .div_ceil(per_page.max(1))
        .max(1);
    let page = page.clamp(1, pages);
    let offset = i64::try_from((page - 1) * per_page).unwrap_or(i64::MAX);
    let limit = i64::try_from(per_page).unwrap_or(20);
    let labels = queries::page(&mut conn, &query, offset, limit)?
        .iter()
        .map(|(label, name)| view_of(label, name, today))
        .collect();
    Ok(RegisterPage {
        labels,
        counts,
        total,
        page,
    })
}

/// The register's export: its columns.
pub const EXPORT_HEADER: [&str; 5] = [
    "Numéro",
    "Prestataire",
    "État",
    "Valable du",
    "Valable jusqu'au",
];

/// Writes every label of the register as asked, in its order, as CSV (UTF-8 with its
/// byte-order mark) into `out`, a thousand at a time from one snapshot; returns how many.
pub fn export(
    state: &Infra,
    user: &Actor,
    ask: &RegisterAsk,
    out: impl Write,
) -> Result<usize, AppError> {
    user.require_staff()?;
    let today = state.clock.today();
    let query = ask.query(today);
    let mut conn = state.pool.get()?;
    crate::csv_export::write(
        &mut conn,
        out,
        &EXPORT_HEADER,
        |conn, offset, limit| Ok(queries::page(conn, &query, offset, limit)?),
        |_, (label, name)| {
            let view = view_of(label, name, today);
            Ok(vec![
                view.number,
                view.provider_name,
                crate::domain::text::capitalise(&view.status_label),
                crate::french::day_fr(view.valid_from),
                crate::french::day_fr(view.valid_until),
            ])
        },
    )
}
