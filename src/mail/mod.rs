//! Email: templates rendered when a message is enqueued (so a template error fails the request,
//! not the worker), an outbox row written in the caller's transaction, and a delivery worker.

pub mod delivery;
pub mod outbox;

use chrono::Duration;
use handlebars::Handlebars;
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::db::DbConnection;
use crate::db::outbox::{self as stored, OutboxRow};

/// How long delivery is retried before a message is parked for staff.
pub const GIVE_UP_AFTER_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("email template {0}: {1}")]
    Render(String, handlebars::RenderError),
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
    pub fn new(base_url: &str) -> Result<Self, handlebars::TemplateError> {
        Ok(Self {
            html: crate::templates::registry("email/", true)?,
            text: crate::templates::registry("email/", false)?,
            base_url: base_url.to_owned(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Renders `templates/email/<template>/` with `data` (plus `base_url`) in the shared layout.
    pub fn render(&self, template: &str, data: &Value) -> Result<Rendered, MailError> {
        let mut data = data.clone();
        if let Value::Object(map) = &mut data {
            map.insert("base_url".into(), Value::String(self.base_url.clone()));
        }
        let err = |e| MailError::Render(template.to_owned(), e);
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
        let layout = |body: String| json!({ "subject": subject, "content": body, "base_url": self.base_url });
        Ok(Rendered {
            text: self
                .text
                .render("email/layout.txt", &layout(text_body))
                .map_err(err)?,
            html: self
                .html
                .render("email/layout.html", &layout(html_body))
                .map_err(err)?,
            subject,
        })
    }

    /// Renders and writes the message to the outbox, inside the caller's transaction.
    pub fn enqueue(
        &self,
        conn: &mut DbConnection,
        clock: &Clock,
        to: &str,
        template: &str,
        data: &Value,
    ) -> Result<String, MailError> {
        let row = self.prepare(clock, to, template, data)?;
        stored::insert(conn, &row)?;
        let id = row.id;
        tracing::debug!(outbox_id = %id, template, "email enqueued");
        Ok(id)
    }

    /// Renders the message into an outbox row, for the caller to write (see [`stored::insert_all`]).
    pub fn prepare(
        &self,
        clock: &Clock,
        to: &str,
        template: &str,
        data: &Value,
    ) -> Result<OutboxRow, MailError> {
        let rendered = self.render(template, data)?;
        let now = clock.now_naive();
        Ok(OutboxRow {
            id: uuid::Uuid::new_v4().to_string(),
            template: template.to_owned(),
            recipient: to.to_owned(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            status: stored::PENDING.to_owned(),
            attempts: 0,
            next_attempt_at: now,
            give_up_at: now + Duration::hours(GIVE_UP_AFTER_HOURS),
            claimed_by: None,
            claimed_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        })
    }
}
