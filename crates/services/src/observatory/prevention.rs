//! How much the library is used, for the observatory: views of each fiche's page and
//! downloads, counted per day without anything about who (see `store::ContentStore::count_use`).

use chrono::Days;
use serde::Serialize;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::infra::Infra;

/// The period the observatory shows.
pub const DAYS: u64 = 30;

#[derive(Debug, Serialize)]
pub struct UseLine {
    pub subject: String,
    /// The fiche's title, or the file's name.
    pub title: String,
    pub href: String,
    pub pages: i64,
    pub pdfs: i64,
    pub downloads: i64,
    pub total: i64,
}

/// Each fiche and file used in the last [`DAYS`] days, the most used first (staff).
pub fn last_days(state: &Infra, actor: &Actor) -> Result<Vec<UseLine>, AppError> {
    actor.require_staff()?;
    let since = state
        .clock
        .today()
        .checked_sub_days(Days::new(DAYS - 1))
        .unwrap_or_default();
    let mut conn = state.pool.get()?;
    let rows = crate::db::content::views_since(&mut conn, since)?;
    let content = state.content();
    let mut lines: Vec<UseLine> = Vec::new();
    for (subject, kind, n) in rows {
        let at = match lines.iter().position(|l| l.subject == subject) {
            Some(at) => at,
            None => {
                let (title, href) = match content.library.fiche(&subject) {
                    Some(f) => (f.meta.title.clone(), format!("/fiches/{subject}")),
                    None => (subject.clone(), format!("/fiches/{subject}")),
                };
                lines.push(UseLine {
                    subject: subject.clone(),
                    title,
                    href,
                    pages: 0,
                    pdfs: 0,
                    downloads: 0,
                    total: 0,
                });
                lines.len() - 1
            }
        };
        let line = &mut lines[at];
        match kind.as_str() {
            "page" => line.pages += n,
            "pdf" => line.pdfs += n,
            _ => line.downloads += n,
        }
        line.total += n;
    }
    lines.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.title.cmp(&b.title)));
    Ok(lines)
}
