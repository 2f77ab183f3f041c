//! Email: templates rendered when a message is enqueued (so a template error fails the request,
//! not the worker), an outbox row written in the caller's transaction, and a delivery worker.

pub mod delivery;
pub mod emails;
pub mod outbox;

use chrono::Duration;
use handlebars::Handlebars;
use serde::Serialize;

use crate::clock::Clock;
use crate::db::DbConnection;
use crate::db::outbox::{self as stored, OutboxRow};

/// How long delivery is retried before a message is parked for staff.
pub const GIVE_UP_AFTER_HOURS: i64 = 24;

/// An email: its data, exactly what its templates use (see [`emails`]).
pub trait Email: Serialize {
    /// Its folder under `templates/email/`, also recorded on the outbox row.
    const TEMPLATE: &'static str;
}

/// What the templates see: the email's fields, and the base URL every message may link to.
#[derive(Serialize)]
struct WithBaseUrl<'a, E> {
    #[serde(flatten)]
    email: &'a E,
    base_url: &'a str,
}

#[derive(Serialize)]
struct Layout<'a> {
    subject: &'a str,
    content: &'a str,
    base_url: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("email template {0}: {1}")]
    Render(&'static str, handlebars::RenderError),
    #[error("outbox: {0}")]
    Database(#[from] diesel::result::Error),
}

impl From<MailError> for crate::error::AppError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Database(d) => d.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Renders the messages; cheap to share.
pub struct Mailer {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    base_url: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mailer {
    pub fn new(base_url: &str, service_name: &str) -> Result<Self, handlebars::TemplateError> {
        Ok(Self {
            html: crate::templates::registry("email/", true, service_name)?,
            text: crate::templates::registry("email/", false, service_name)?,
            base_url: base_url.to_owned(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Renders `templates/email/<E::TEMPLATE>/` with the email (plus `base_url`) in the shared
    /// layout.
    pub fn render<E: Email>(&self, email: &E) -> Result<Rendered, MailError> {
        let template = E::TEMPLATE;
        let data = WithBaseUrl {
            email,
            base_url: &self.base_url,
        };
        let err = |e| MailError::Render(template, e);
        let subject = self
            .text
            .render(&format!("email/{template}/subject"), &data)
            .map_err(err)?;
        let text_body = self
            .text
            .render(&format!("email/{template}/body.txt"), &data)
            .map_err(err)?;
        let html_body = self
            .html
            .render(&format!("email/{template}/body.html"), &data)
            .map_err(err)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let layout = |content| Layout {
            subject: &subject,
            content,
            base_url: &self.base_url,
        };
        let text = self
            .text
            .render("email/layout.txt", &layout(&text_body))
            .map_err(err)?;
        let html = self
            .html
            .render("email/layout.html", &layout(&html_body))
            .map_err(err)?;
        Ok(Rendered {
            text,
            html,
            subject,
        })
    }

    /// Renders and writes the message to the outbox, inside the caller's transaction.
    pub fn enqueue<E: Email>(
        &self,
        conn: &mut DbConnection,
        clock: &Clock,
        to: &str,
        email: &E,
    ) -> Result<String, MailError> {
        let row = self.prepare(clock, to, email)?;
        stored::insert(conn, &row)?;
        let id = row.id;
        tracing::debug!(outbox_id = %id, template = E::TEMPLATE, "email enqueued");
        Ok(id)
    }

    /// Renders the message into an outbox row, for the caller to write (see [`stored::insert_all`]).
    pub fn prepare<E: Email>(
        &self,
        clock: &Clock,
        to: &str,
        email: &E,
    ) -> Result<OutboxRow, MailError> {
        let rendered = self.render(email)?;
        let now = clock.now_naive();
        Ok(OutboxRow {
            id: uuid::Uuid::now_v7().to_string(),
            template: E::TEMPLATE.to_owned(),
            recipient: to.to_owned(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            status: stored::OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            give_up_at: now + Duration::hours(GIVE_UP_AFTER_HOURS),
            claimed_by: None,
            claimed_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
            request_id: None,
        })
    }
}
