//! Atom feeds (RFC 4287): the live alerts and the fiches. Every text and address is escaped,
//! settings included, so that an `&` cannot break a feed.

use chrono::NaiveDateTime;

use crate::state::AppState;
use crate::web::observatory::svg::escape;

pub struct Feed<'a> {
    /// After the service's name ("alertes", "fiches").
    pub title: &'a str,
    /// The feed's own path (`/alertes.atom`).
    pub path: &'a str,
    /// The page it follows (`/fiches`).
    pub page: &'a str,
    /// None: now.
    pub updated: Option<NaiveDateTime>,
    pub entries: Vec<Entry>,
}

pub struct Entry {
    pub title: String,
    /// A URN or an address, unique and stable.
    pub id: String,
    /// A path on the site.
    pub link: String,
    pub published: NaiveDateTime,
    pub updated: NaiveDateTime,
    pub summary: String,
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn render(state: &AppState, feed: &Feed) -> String {
    let base = escape(&state.config.base_url);
    let name = escape(&state.config.service_name);
    let updated = feed.updated.unwrap_or_else(|| state.clock.now_naive());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n<title>{name} — {}</title>\n<id>{base}{}</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{base}{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n<updated>{}</updated>\n<author><name>{name}</name></author>\n",
        escape(feed.title),
        escape(feed.path),
        escape(feed.path),
        escape(feed.page),
        rfc3339(updated),
    );
    for e in &feed.entries {
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            escape(&e.title),
            escape(&e.id),
            escape(&e.link),
            rfc3339(e.published),
            rfc3339(e.updated),
            escape(&e.summary),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// A feed as an answer, cached for five minutes.
pub fn response(body: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(body)
}
