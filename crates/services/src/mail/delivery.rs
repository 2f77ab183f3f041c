//! Delivery of the outbox: claim due messages with a lease, send them over SMTP (or write
//! `.eml` files when no SMTP server is configured), retry with exponential backoff, park the
//! ones past their deadline as failed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport as _};

use crate::clock::Clock;
use crate::db::Pool;
use crate::db::outbox::{self, OutboxRow};

/// How long a claimed message stays reserved to its process.
const LEASE_SECONDS: i64 = 300;
const BATCH: i64 = 20;
const FIRST_RETRY_SECONDS: i64 = 30;
const MAX_RETRY_SECONDS: i64 = 3600;

pub enum Transport {
    Smtp(Box<SmtpTransport>),
    /// `{outbox id}.eml` files in the directory: named by message, so that erasing a
    /// request's personal data finds its copies.
    Files(PathBuf),
}

impl Transport {
    /// `SMTP_URL` (`smtp://host:port`, `smtps://user:pass@host`) or, without it, `.eml` files.
    pub fn from_settings(smtp_url: Option<&str>, files_dir: &Path) -> Result<Self, String> {
        match smtp_url {
            Some(url) => {
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| format!("SMTP_URL is not a valid SMTP URL: {e}"))?
                    .timeout(Some(StdDuration::from_secs(15)))
                    .build();
                Ok(Self::Smtp(Box::new(transport)))
            }
            None => {
                std::fs::create_dir_all(files_dir)
                    .map_err(|e| format!("cannot create {}: {e}", files_dir.display()))?;
                Ok(Self::Files(files_dir.to_path_buf()))
            }
        }
    }

    /// Sends one message; an error says whether trying again could help (an SMTP 5xx answer,
    /// such as an unknown mailbox, is final).
    fn send(&self, outbox_id: &str, message: &Message) -> Result<(), Outcome> {
        match self {
            Self::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    Outcome::Permanent(e.to_string())
                } else {
                    Outcome::Retry(e.to_string())
                }
            }),
            Self::Files(dir) => {
                // Written whole, then renamed: a reader never sees half a message.
                let partial = dir.join(format!(".{outbox_id}.eml.part"));
                std::fs::write(&partial, message.formatted())
                    .and_then(|()| std::fs::rename(&partial, dir.join(format!("{outbox_id}.eml"))))
                    .map_err(|e| Outcome::Retry(e.to_string()))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(_) => "SMTP".to_owned(),
            Self::Files(dir) => format!(".eml files in {}", dir.display()),
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

pub struct Delivery {
    pub pool: Pool,
    pub clock: Clock,
    pub transport: Transport,
    pub from: Mailbox,
    /// Each attempt counted by template and outcome; the pass as the task `outbox`.
    pub metrics: crate::metrics::Metrics,
}

enum Outcome {
    Sent,
    Retry(String),
    Permanent(String),
}

impl Delivery {
    /// One pass over the due messages.
    pub fn deliver_once(&self) -> Result<DeliveryReport, String> {
        let claim = uuid::Uuid::new_v4().to_string();
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        let now = self.clock.now_naive();
        let rows = outbox::claim_due(
            &mut conn,
            &claim,
            now,
            Duration::seconds(LEASE_SECONDS),
            BATCH,
        )
        .map_err(|e| e.to_string())?;
        let mut report = DeliveryReport::default();
        self.metrics
            .job_items_claimed
            .with_label_values(&["outbox"])
            .inc_by(rows.len() as u64);
        for row in rows {
            let outcome = self.send(&row);
            let now = self.clock.now_naive();
            let counted = match &outcome {
                Outcome::Sent => "sent",
                Outcome::Retry(_) if now < row.give_up_at => "retry",
                _ => "failed",
            };
            self.metrics
                .outbox_deliveries
                .with_label_values(&[row.template.as_str(), counted])
                .inc();
            let result = match outcome {
                Outcome::Sent => {
                    report.sent += 1;
                    outbox::mark_sent(&mut conn, &row.id, &claim, now)
                }
                Outcome::Retry(error) | Outcome::Permanent(error) if now >= row.give_up_at => {
                    report.failed += 1;
                    tracing::warn!(outbox_id = %row.id, template = %row.template, error = %without_addresses(&error), "email parked as failed");
                    outbox::mark_attempt_failed(&mut conn, &row.id, &claim, &error, now, true)
                }
                Outcome::Permanent(error) => {
                    report.failed += 1;
                    tracing::warn!(outbox_id = %row.id, template = %row.template, error = %without_addresses(&error), "email cannot be sent");
                    outbox::mark_attempt_failed(&mut conn, &row.id, &claim, &error, now, true)
                }
                Outcome::Retry(error) => {
                    report.retrying += 1;
                    let wait =
                        (FIRST_RETRY_SECONDS << row.attempts.clamp(0, 16)).min(MAX_RETRY_SECONDS);
                    tracing::info!(outbox_id = %row.id, attempts = row.attempts + 1, wait, error = %without_addresses(&error), "email delivery will be retried");
                    outbox::mark_attempt_failed(
                        &mut conn,
                        &row.id,
                        &claim,
                        &error,
                        now + Duration::seconds(wait),
                        false,
                    )
                }
            };
            result.map_err(|e| e.to_string())?;
        }
        Ok(report)
    }

    fn send(&self, row: &OutboxRow) -> Outcome {
        let to: Mailbox = match row.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Permanent(format!("invalid recipient address: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(format!("<{}@cyberdir>", row.id)))
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ));
        match message {
            Ok(message) => match self.transport.send(&row.id, &message) {
                Ok(()) => Outcome::Sent,
                Err(failed) => failed,
            },
            Err(e) => Outcome::Permanent(format!("cannot build the message: {e}")),
        }
    }
}

/// Runs passes forever on a background thread (inside `cyberdir serve`).
pub fn spawn_worker(
    delivery: Arc<Delivery>,
    every: StdDuration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("outbox-delivery".into())
        .spawn(move || {
            loop {
                let pass = delivery.metrics.run_job(
                    "outbox",
                    || crate::metrics::unix_now(&delivery.clock),
                    || delivery.deliver_once().map(|r| (r.sent, r)),
                );
                match pass {
                    Ok(r) if r != DeliveryReport::default() => {
                        tracing::info!(
                            sent = r.sent,
                            retrying = r.retrying,
                            failed = r.failed,
                            "outbox pass"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
                }
                std::thread::sleep(every);
            }
        })
}

/// `error` with every email address replaced by `[adresse]`: SMTP answers quote recipients, and
/// a victim's address must not reach the logs.
pub fn without_addresses(error: &str) -> String {
    error
        .split_inclusive(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c))
        .map(|part| {
            let word =
                part.trim_end_matches(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c));
            let tail = &part[word.len()..];
            match word.split_once('@') {
                Some((user, domain)) if !user.is_empty() && domain.contains('.') => {
                    format!("[adresse]{tail}")
                }
                _ => part.to_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod redaction_tests {
    use super::without_addresses;

    #[test]
    fn addresses_are_removed_from_smtp_errors() {
        assert_eq!(
            without_addresses("550 5.1.1 <claire@exemple.fr>: Recipient address rejected"),
            "550 5.1.1 <[adresse]>: Recipient address rejected"
        );
        assert_eq!(
            without_addresses("mailbox claire.martin@exemple.fr unavailable"),
            "mailbox [adresse] unavailable"
        );
        assert_eq!(
            without_addresses("connection refused"),
            "connection refused"
        );
    }
}
