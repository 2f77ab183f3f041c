//! `/observatoire/echanges`: the chat with a police officer or a gendarme in numbers (staff):
//! chats, waits, those who left before an answer, how the chats ended, by force, audience and
//! threat; anonymous facts only, over the last 30 days or the period asked.

use actix_web::http::StatusCode;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};

use crate::chat::statistics::{self, ChatStatistics};
use crate::state::AppState;
use crate::web::kit::blocking;
use crate::web::page;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(chats_page);
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Period {
    pub du: Option<String>,
    pub au: Option<String>,
}

/// `pages/observatory/chats`.
#[derive(Serialize)]
struct ChatsPage<'a> {
    stats: &'a ChatStatistics,
    from: String,
    to: String,
}

#[get("/observatoire/echanges")]
async fn chats_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<Period>,
) -> PageResult {
    let user = user.0;
    let today = state.clock.today();
    // A day from 2000 to a year ahead; anything else is the default period.
    let earliest = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today);
    let latest = today
        .checked_add_days(chrono::Days::new(366))
        .unwrap_or(today);
    let day = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
            .filter(|d| (earliest..=latest).contains(d))
    };
    let to = day(&query.au).unwrap_or(today);
    let from = day(&query.du)
        .filter(|f| *f <= to)
        .or_else(|| to.checked_sub_days(chrono::Days::new(29)))
        .unwrap_or(to);
    let inner = state.clone().into_inner();
    let stats = blocking(move || statistics::summary(&inner, from, to)).await?;
    Ok(page(
        &state,
        StatusCode::OK,
        "pages/observatory/chats",
        "Échanges avec les victimes : les chiffres",
        Some(&user),
        ChatsPage {
            from: crate::french::day_fr(stats.from),
            to: crate::french::day_fr(stats.to),
            stats: &stats,
        },
    ))
}
