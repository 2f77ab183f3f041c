//! What every workflow step writes besides its own state: its audit events and its emails.
//!
//! A step collects them in a [`Step`] and writes them at the end of its transaction, one
//! statement per table where the backend allows (a request created and offered writes two
//! events and several emails: one round trip each would be most of the step's time on
//! PostgreSQL). An email is rendered when it is collected, so a template error fails the step.
//! [`trail`] reads a subject's events back.

mod trail;

use chrono::NaiveDateTime;

pub use self::trail::{EventView, trail};
use crate::auth::Role;
use crate::db::audit::{self as queries, NewEvent};
use crate::db::outbox::{self, OutboxRow};
use crate::db::{DbConnection, accounts, referencing};
use crate::domain::assistance::RequestStatus;
use crate::domain::chat::ChatStatus;
use crate::domain::label::LabelStatus;
use crate::domain::label_application::{ApplicationStatus, FeeStatus};
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::error::AppError;
use crate::infra::Infra;
use crate::mail::Email;

/// What an audit trail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An organisation's referencing (its directory entry).
    Provider,
    LabelApplication,
    /// A granted label, by its number.
    Label,
    AssistanceRequest,
    /// A public alert of the observatory.
    Alert,
    /// A partner embedding the module, and its API keys.
    Partner,
    /// A month's open-data file of the observatory, by its month.
    OpenDataFile,
    /// A chat with a police officer or a gendarme.
    Chat,
    /// An operator of the chat (force, capacity, role).
    Operator,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::LabelApplication => "label_application",
            Self::Label => "label",
            Self::AssistanceRequest => "assistance_request",
            Self::Alert => "alert",
            Self::Partner => "partner",
            Self::OpenDataFile => "open_data_file",
            Self::Chat => "chat",
            Self::Operator => "operator",
        }
    }
}

/// One audit event: `action` moved `subject` from one state to another (the same state for an
/// action that changes none, such as an upload).
#[derive(Debug, Clone)]
#[must_use = "an event is written only once given to `Step::record`"]
pub struct Event {
    subject: Subject,
    subject_id: String,
    action: String,
    from: Option<String>,
    to: String,
    actor: Option<String>,
    reason: Option<String>,
}

impl Event {
    fn new(subject: Subject, id: &str, action: String, from: Option<&str>, to: &str) -> Self {
        Self {
            subject,
            subject_id: id.to_owned(),
            action,
            from: from.map(str::to_owned),
            to: to.to_owned(),
            actor: None,
            reason: None,
        }
    }

    /// A step of an organisation's referencing.
    pub fn provider(
        id: &str,
        action: impl Into<String>,
        from: Option<ReferencingStatus>,
        to: ReferencingStatus,
    ) -> Self {
        Self::new(
            Subject::Provider,
            id,
            action.into(),
            from.map(ReferencingStatus::as_str),
            to.as_str(),
        )
    }

    /// An action on an organisation that leaves its referencing state as it is (an upload, an
    /// invitation, a change request...).
    pub fn provider_note(provider: &Provider, action: impl Into<String>) -> Self {
        Self::provider(&provider.id, action, Some(provider.status), provider.status)
    }

    /// A step of a label application.
    pub fn application(
        id: &str,
        action: impl Into<String>,
        from: Option<ApplicationStatus>,
        to: ApplicationStatus,
    ) -> Self {
        Self::new(
            Subject::LabelApplication,
            id,
            action.into(),
            from.map(ApplicationStatus::as_str),
            to.as_str(),
        )
    }

    /// A change of a label application's fee (its states are the fee's).
    pub fn fee(application_id: &str, from: FeeStatus, to: FeeStatus) -> Self {
        Self::new(
            Subject::LabelApplication,
            application_id,
            format!("fee-{}", to.as_str()),
            Some(from.as_str()),
            to.as_str(),
        )
    }

    /// A change of a granted label.
    pub fn label(
        number: &str,
        action: impl Into<String>,
        from: Option<LabelStatus>,
        to: LabelStatus,
    ) -> Self {
        Self::new(
            Subject::Label,
            number,
            action.into(),
            from.map(LabelStatus::as_str),
            to.as_str(),
        )
    }

    /// A step of an assistance request.
    pub fn request(
        id: &str,
        action: &'static str,
        from: Option<RequestStatus>,
        to: RequestStatus,
    ) -> Self {
        Self::new(
            Subject::AssistanceRequest,
            id,
            action.to_owned(),
            from.map(RequestStatus::as_str),
            to.as_str(),
        )
    }

    /// A request's personal data erased (its state stays; the trail says `anonymised`).
    pub fn request_anonymised(id: &str) -> Self {
        Self::new(
            Subject::AssistanceRequest,
            id,
            "anonymise".into(),
            None,
            "anonymised",
        )
    }

    /// An alert published (`live`) or withdrawn (`withdrawn`).
    pub fn alert(id: &str, action: &'static str, from: Option<&str>, to: &str) -> Self {
        Self::new(Subject::Alert, id, action.to_owned(), from, to)
    }

    /// A month's open-data file published again (`correct`), from one revision to the next.
    pub fn open_data_file(month: &str, from: i32, to: i32) -> Self {
        Self::new(
            Subject::OpenDataFile,
            month,
            "correct".to_owned(),
            Some(&format!("r{from}")),
            &format!("r{to}"),
        )
    }

    /// A step of a chat (start, route, take, transfer, requeue, note, close, abandon).
    pub fn chat(id: &str, action: &'static str, from: Option<ChatStatus>, to: ChatStatus) -> Self {
        Self::new(
            Subject::Chat,
            id,
            action.to_owned(),
            from.map(ChatStatus::code),
            to.code(),
        )
    }

    /// A chat's transcript erased past the retention period.
    pub fn chat_erased(id: &str) -> Self {
        Self::new(Subject::Chat, id, "erase".into(), None, "erased")
    }

    /// A supervisor set an operator's force, capacity and role.
    pub fn operator(user_id: &str, force: &str) -> Self {
        Self::new(Subject::Operator, user_id, "settings".into(), None, force)
    }

    pub fn partner(id: &str, action: &'static str, from: Option<&str>, to: &str) -> Self {
        Self::new(Subject::Partner, id, action.to_owned(), from, to)
    }

    /// Who acted (none for the scheduler or an anonymous victim).
    pub fn by(mut self, actor: Option<&str>) -> Self {
        self.actor = actor.map(str::to_owned);
        self
    }

    /// Why, in the actor's words.
    pub fn because(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_owned);
        self
    }
}

/// Writes one event now: for a step that has nothing else to record.
pub fn record(conn: &mut DbConnection, at: NaiveDateTime, event: Event) -> Result<(), AppError> {
    let mut step = Step::new(at);
    step.record(event);
    step.write(conn)
}

/// The events and emails of one step, not yet written. Call [`write`](Self::write) before the
/// transaction ends (and before reading the trail back).
#[must_use = "a step writes nothing until `write` is called"]
pub struct Step {
    at: NaiveDateTime,
    events: Vec<NewEvent>,
    mails: Vec<OutboxRow>,
}

impl Step {
    /// A step taken at `at`: its events carry that time.
    pub fn new(at: NaiveDateTime) -> Self {
        Self {
            at,
            events: Vec::new(),
            mails: Vec::new(),
        }
    }

    /// When the step is taken.
    pub fn at(&self) -> NaiveDateTime {
        self.at
    }

    pub fn record(&mut self, event: Event) {
        self.events.push(NewEvent {
            subject_type: event.subject.as_str().to_owned(),
            subject_id: event.subject_id,
            actor_id: event.actor,
            action: event.action,
            from_state: event.from,
            to_state: event.to,
            reason: event.reason,
            created_at: self.at,
        });
    }

    /// An email, rendered now so that a template error fails the step.
    pub fn mail<E: Email>(&mut self, state: &Infra, to: &str, email: &E) -> Result<(), AppError> {
        let row = state.mailer.prepare(&state.clock, to, email)?;
        tracing::debug!(outbox_id = %row.id, template = E::TEMPLATE, "email enqueued");
        self.mails.push(row);
        Ok(())
    }

    /// An email about an assistance request's victim: erased with the request's personal data.
    pub fn mail_about_request<E: Email>(
        &mut self,
        state: &Infra,
        request_id: &str,
        to: &str,
        email: &E,
    ) -> Result<(), AppError> {
        self.mail(state, to, email)?;
        if let Some(row) = self.mails.last_mut() {
            row.request_id = Some(request_id.to_owned());
        }
        Ok(())
    }

    /// One email per active member of the organisation, built by `email(name, provider_name)`
    /// with the member's name and the organisation's; to its contact address when it has no
    /// member account.
    pub fn mail_members<E: Email>(
        &mut self,
        conn: &mut DbConnection,
        state: &Infra,
        provider: &Provider,
        email: impl Fn(String, String) -> E,
    ) -> Result<(), AppError> {
        let members = referencing::member_emails(conn, &provider.id)?;
        if members.is_empty() && !provider.email.is_empty() {
            // No member account yet (an imported organisation): its contact address.
            let name = provider.display_name();
            return self.mail(state, &provider.email, &email(name.clone(), name));
        }
        for (to, name) in members {
            self.mail(state, &to, &email(name, provider.display_name()))?;
        }
        Ok(())
    }

    /// One email per active staff member and admin (admins review too), built by `email(name, provider_name)` with the staff
    /// member's name and the organisation's.
    pub fn mail_staff<E: Email>(
        &mut self,
        conn: &mut DbConnection,
        state: &Infra,
        provider: &Provider,
        email: impl Fn(String, String) -> E,
    ) -> Result<(), AppError> {
        for staff in accounts::users_with_roles(conn, &Role::REVIEWERS)? {
            self.mail(
                state,
                &staff.email,
                &email(staff.display_name, provider.display_name()),
            )?;
        }
        Ok(())
    }

    /// Writes what was collected, and empties the step.
    pub fn write(&mut self, conn: &mut DbConnection) -> Result<(), AppError> {
        if !self.events.is_empty() {
            queries::insert_events(conn, &self.events)?;
            // One line per step once it commits, to follow a subject across nodes by its id:
            // never the reason or anything else a person typed.
            let logged: Vec<(String, String, String, String, String)> = self
                .events
                .iter()
                .map(|e| {
                    (
                        e.subject_type.clone(),
                        e.subject_id.clone(),
                        e.action.clone(),
                        e.from_state.clone().unwrap_or_default(),
                        e.to_state.clone(),
                    )
                })
                .collect();
            crate::db::on_commit(conn, move || {
                for (subject, id, step, from, to) in logged {
                    tracing::info!(%subject, %id, %step, %from, %to, "step");
                }
            });
            self.events.clear();
        }
        if !self.mails.is_empty() {
            outbox::insert_all(conn, &self.mails)?;
            self.mails.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod log_tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::{Event, Step};
    use crate::domain::assistance::RequestStatus;
    use crate::error::AppError;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn declined(id: &str) -> Step {
        let mut step = Step::new(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
        );
        step.record(
            Event::request(
                id,
                "decline",
                Some(RequestStatus::Assigned),
                RequestStatus::Assigned,
            )
            .because(Some("Claire Martin ne répond pas au 06 12 34 56 78")),
        );
        step
    }

    #[test]
    fn a_committed_step_logs_its_subject_id_and_step_and_nothing_a_person_typed() {
        let target = crate::db::DbTarget::Sqlite(":memory:".into());
        let pool = crate::db::connect(&target, 1).unwrap();
        let mut conn = pool.get().unwrap();
        crate::db::run_migrations(&mut conn).unwrap();
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            crate::db::write_transaction(&mut conn, |c| declined("req-1").write(c)).unwrap();
            let undone = crate::db::write_transaction(&mut conn, |c| {
                declined("req-2").write(c)?;
                Err::<(), AppError>(AppError::Conflict("déjà pris".into()))
            });
            assert!(undone.is_err());
        });
        let logged = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert!(
            logged.contains(
                "subject=assistance_request id=req-1 step=decline from=assigned to=assigned"
            ),
            "{logged}"
        );
        assert!(
            !logged.contains("req-2"),
            "a step rolled back is not logged: {logged}"
        );
        assert!(
            !logged.contains("Claire") && !logged.contains("06 12"),
            "{logged}"
        );
    }
}
