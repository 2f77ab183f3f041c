//! The referencing workflow as the API and pages drive it. Every step is one transaction that
//! writes the new state, an audit event and the emails; blocking, call inside `web::block`.

pub mod change_requests;
pub mod charter;
pub mod documents;
pub mod insurance;
pub mod members;
pub mod profile;
pub mod queue;
pub mod siret_history;
mod step;
mod step_emails;
pub mod views;

pub use change_requests::change_request_view;
pub use members::{INVITATION_DAYS, accept_invitation, invite, members};
pub(crate) use step::carry_out;
pub use step::{Asked, Stepped, act_in};
use step_emails::send_step_emails;

use self::profile::{ProfileInput, REVIEWED_FIELDS};
use self::views::{ApplicationView, CharterStatus, DocumentView, UpdateOutcome};
use crate::audit::{self, Event, EventView, Step, Subject};
use crate::auth::Role;
use crate::db::referencing::{self as queries, ChangeRequestRow};
use crate::db::{DbConnection, accounts, providers, write_transaction};
use crate::directory::render::ProviderView;
use crate::domain::actor::Actor;
use crate::domain::provider::{Provider, ReferencingStatus};
use crate::domain::reason::{Reason, ReasonError};
use crate::domain::referencing::{
    Action, ChangeRequestStatus, Party, TransitionError, available, label, transition,
};
use crate::domain::zone::Zone;
use crate::error::{AppError, FieldErrors};
use crate::geo::location::{self, Place};
use crate::infra::Infra;
use crate::mail::emails::referencing::StaffChangeRequest;
use charter::Charter;

/// A referencing step just taken, as the features built on referencing see it.
pub struct TakenStep<'a> {
    /// The organisation in its new state.
    pub provider: &'a Provider,
    pub action: Action,
    /// Who took it; none for the service's own scheduled steps.
    pub actor_id: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// How the caller relates to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Member { owner: bool },
    Staff,
}

impl Access {
    fn actor(self) -> Party {
        match self {
            Self::Member { .. } => Party::Member,
            Self::Staff => Party::Staff,
        }
    }
}

pub(super) fn not_found() -> AppError {
    AppError::not_found("Organisation introuvable.")
}

/// Loads an application the caller may see; others' organisations are 404, not 403, so their
/// existence is not revealed.
pub fn load(
    conn: &mut DbConnection,
    user: &Actor,
    id: &str,
) -> Result<(Provider, i32, Access), AppError> {
    let (provider, version) = providers::find(conn, id)?.ok_or_else(not_found)?;
    if user.role.is_staff() {
        return Ok((provider, version, Access::Staff));
    }
    match user.membership(id) {
        Some(m) => Ok((provider, version, Access::Member { owner: m.owner })),
        None => Err(not_found()),
    }
}

pub(super) fn require_member(access: Access) -> Result<bool, AppError> {
    match access {
        Access::Member { owner } => Ok(owner),
        Access::Staff => Err(AppError::forbidden(
            "Seuls les membres de l'organisation peuvent la modifier.",
        )),
    }
}

/// The full view of an application.
pub fn view(
    conn: &mut DbConnection,
    state: &Infra,
    charter: &Charter,
    provider: &Provider,
    version: i32,
    access: Access,
) -> Result<ApplicationView, AppError> {
    let today = state.clock.today();
    let documents = queries::current_documents(conn, &provider.id)?
        .into_iter()
        .map(|d| DocumentView {
            id: d.id,
            kind: d.kind,
            filename: d.filename,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_at: d.uploaded_at,
            outdated: d.valid_until.is_some_and(|last| last < today),
            valid_until: d.valid_until,
            issued_on: d.issued_on,
        })
        .collect();
    let accepted = queries::has_accepted(conn, &provider.id, &charter.version)?;
    let pending = queries::pending_change_request(conn, &provider.id)?.map(change_request_view);
    Ok(ApplicationView {
        profile: ProviderView::new(provider, state.clock.today()),
        status: provider.status,
        status_label: label(provider.status).to_owned(),
        version,
        documents,
        charter: CharterStatus {
            current_version: charter.version.clone(),
            accepted,
        },
        pending_change_request: pending,
        available_actions: available(provider.status, access.actor())
            .into_iter()
            .map(|a| a.slug().to_owned())
            .collect(),
    })
}

pub(super) fn application_url(state: &Infra, id: &str) -> String {
    format!("{}/espace/organisations/{id}", state.config.base_url)
}

pub(super) fn review_url(state: &Infra, id: &str) -> String {
    format!("{}/instruction/dossiers/{id}", state.config.base_url)
}

pub(super) fn profile_url(state: &Infra, id: &str) -> String {
    format!("{}/prestataires/{id}", state.config.base_url)
}

/// Sets the coordinates (and commune) from the commune code or postcode; the city follows the
/// resolved commune when `moved` (unless the caller typed a new city) or when it is empty.
fn geocode(
    conn: &mut DbConnection,
    state: &Infra,
    provider: &mut Provider,
    moved: bool,
) -> Result<(), AppError> {
    let place = match &provider.commune_code {
        Some(code) => Place::Commune(code.clone()),
        None if !provider.postcode.is_empty() => Place::Postcode(provider.postcode.clone()),
        None => return Ok(()),
    };
    match location::resolve(conn, &state.departements, &place) {
        Ok(found) => {
            provider.latitude = found.latitude;
            provider.longitude = found.longitude;
            if found.commune_code.is_some() {
                provider.commune_code = found.commune_code;
            }
            if let Some(commune) = found.commune
                && (moved || provider.city.is_empty())
            {
                provider.city = commune;
            }
            Ok(())
        }
        Err(AppError::NotFound(_)) => Err(AppError::field(
            "postcode",
            "Code postal ou commune inconnus.",
        )),
        Err(other) => Err(other),
    }
}

pub(super) fn apply_input(
    conn: &mut DbConnection,
    state: &Infra,
    provider: &mut Provider,
    input: &ProfileInput,
) -> Result<(), AppError> {
    let city_before = provider.city.clone();
    let location_changed = profile::apply(provider, input, &state.taxonomy, &state.departements)
        .map_err(AppError::Validation)?;
    if location_changed || (provider.latitude == 0.0 && provider.longitude == 0.0) {
        // A city typed anew with the move is the caller's; an unchanged one follows the move.
        let moved = location_changed && provider.city == city_before;
        geocode(conn, state, provider, moved)?;
    }
    Ok(())
}

/// `POST /providers`: a draft owned by the caller.
pub fn create_draft(
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    user: &Actor,
    input: &ProfileInput,
) -> Result<ApplicationView, AppError> {
    if user.role != Role::Provider {
        return Err(AppError::forbidden(
            "Seuls les comptes prestataires peuvent créer une organisation.",
        ));
    }
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let mut provider = Provider {
            id: uuid::Uuid::new_v4().to_string(),
            legal_name: String::new(),
            name: String::new(),
            siret: String::new(),
            address_line: String::new(),
            postcode: String::new(),
            commune_code: None,
            city: String::new(),
            latitude: 0.0,
            longitude: 0.0,
            phone: String::new(),
            email: String::new(),
            website: None,
            description: String::new(),
            audiences: Vec::new(),
            incident_types: Vec::new(),
            remote: false,
            zone: Zone::Radius { radius_km: 0 },
            status: ReferencingStatus::Draft,
            label: None,
        };
        apply_input(conn, state, &mut provider, input)?;
        providers::insert(conn, &provider, now)?;
        accounts::add_member(conn, &provider.id, &user.id, true, now)?;
        let mut step = Step::new(now);
        step.record(
            Event::provider(&provider.id, "create", None, ReferencingStatus::Draft)
                .by(Some(&user.id)),
        );
        step.write(conn)?;
        view(
            conn,
            state,
            charter,
            &provider,
            1,
            Access::Member { owner: true },
        )
    })
}

/// `PATCH /providers/{id}`: drafts change freely; a published profile publishes descriptive
/// fields at once and turns reviewed fields into a change request.
pub fn update_profile(
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    user: &Actor,
    id: &str,
    input: ProfileInput,
) -> Result<UpdateOutcome, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let (mut provider, version, access) = load(conn, user, id)?;
        require_member(access)?;
        crate::limits::take_for_account(conn, state, crate::limits::Limit::ProfileEdit, &user.id)?;
        let before = provider.clone();
        let mut step = Step::new(now);
        let mut change_request = None;
        match provider.status {
            ReferencingStatus::Draft | ReferencingStatus::ChangesRequested => {
                apply_input(conn, state, &mut provider, &input)?
            }
            ReferencingStatus::Approved => {
                let (descriptive, reviewed) = input.split_reviewed();
                // Check the reviewed fields now, so the request staff receive is valid.
                let mut proposed = provider.clone();
                apply_input(conn, state, &mut proposed, &reviewed)?;
                require_own_siret(conn, &provider, &proposed)?;
                apply_input(conn, state, &mut provider, &descriptive)?;
                let differs = reviewed_differs(&provider, &proposed);
                if differs {
                    if queries::pending_change_request(conn, id)?.is_some() {
                        return Err(AppError::Conflict(
                            "Une demande de modification est déjà en attente de validation.".into(),
                        ));
                    }
                    let row = ChangeRequestRow {
                        id: uuid::Uuid::new_v4().to_string(),
                        provider_id: id.to_owned(),
                        changes: reviewed.to_json().to_string(),
                        status: ChangeRequestStatus::Pending,
                        reason: None,
                        requested_by: user.id.clone(),
                        requested_at: now,
                        decided_by: None,
                        decided_at: None,
                    };
                    queries::insert_change_request(conn, &row)?;
                    step.record(
                        Event::provider_note(&provider, "change-request").by(Some(&user.id)),
                    );
                    step.mail_staff(conn, state, &provider, |name, provider_name| {
                        StaffChangeRequest {
                            name,
                            provider_name,
                            fields: field_labels(&reviewed),
                            review_url: review_url(state, id),
                        }
                    })?;
                    change_request = Some(change_request_view(row));
                }
            }
            other => {
                return Err(AppError::Conflict(format!(
                    "Le profil ne peut pas être modifié : le dossier est à l'état « {} ».",
                    label(other)
                )));
            }
        }
        // What changed goes in the file's history, so that staff read it at the next decision
        // (a draft staff have never seen has no history to keep).
        let changed = crate::domain::profile_diff::changes(&before, &provider);
        if !changed.is_empty() && before.status != ReferencingStatus::Draft {
            let text = crate::domain::profile_diff::describe(&changed);
            step.record(
                Event::provider_note(&provider, "profile-edit")
                    .by(Some(&user.id))
                    .because(Some(&text)),
            );
        }
        if !providers::update(conn, &provider, version, now)? {
            return Err(stale());
        }
        step.write(conn)?;
        let application = view(conn, state, charter, &provider, version + 1, access)?;
        Ok(UpdateOutcome {
            application,
            change_request,
        })
    })
}

fn reviewed_differs(current: &Provider, proposed: &Provider) -> bool {
    current.legal_name != proposed.legal_name
        || current.siret != proposed.siret
        || current.address_line != proposed.address_line
        || current.postcode != proposed.postcode
        || current.commune_code != proposed.commune_code
        || current.city != proposed.city
        || current.zone != proposed.zone
}

/// French labels of the fields present in `input`.
pub(super) fn field_labels(input: &ProfileInput) -> Vec<&'static str> {
    let json = input.to_json();
    REVIEWED_FIELDS
        .iter()
        .filter(|f| json.get(**f).is_some())
        .map(|f| match *f {
            "legal_name" => "Raison sociale",
            "siret" => "SIRET",
            "address_line" => "Adresse",
            "postcode" => "Code postal",
            "commune_code" => "Commune (code INSEE)",
            "city" => "Commune",
            _ => "Zone d'intervention",
        })
        .collect()
}

pub(super) fn stale() -> AppError {
    AppError::Conflict(
        "Le dossier vient d'être modifié par quelqu'un d'autre : rechargez-le et recommencez."
            .into(),
    )
}

/// Records acceptance of the current charter version.
pub fn accept_charter(
    state: &Infra,
    charter: &Charter,
    user: &Actor,
    id: &str,
    version: &str,
) -> Result<ApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let (provider, provider_version, access) = load(conn, user, id)?;
        require_member(access)?;
        if version != charter.version {
            return Err(AppError::field(
                "version",
                format!(
                    "Acceptez la version en vigueur de la charte ({}).",
                    charter.version
                ),
            ));
        }
        queries::accept_charter(conn, id, version, &user.id, now)?;
        audit::record(
            conn,
            now,
            Event::provider_note(&provider, "accept-charter")
                .by(Some(&user.id))
                .because(Some(version)),
        )?;
        view(conn, state, charter, &provider, provider_version, access)
    })
}

/// What blocks a submission: incomplete profile, missing documents, charter not accepted, a
/// SIRET already referenced by another organisation.
fn submission_problems(
    conn: &mut DbConnection,
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    provider: &Provider,
) -> Result<FieldErrors, AppError> {
    let mut errors = profile::missing_for_submission(provider);
    errors.extend(currency_problems(conn, state, charter, provider)?);
    // The extract shows the organisation as it is now: recent at each submission (the
    // review that follows may take longer, and approval does not ask again).
    let kbis = queries::current_documents(conn, &provider.id)?
        .into_iter()
        .find(|d| d.kind == documents::KBIS);
    if let Some(kbis) = kbis {
        let today = state.clock.today();
        let months = state.config.kbis_max_age_months;
        if let Some(problem) = documents::kbis_age_problem(kbis.issued_on, today, months) {
            errors
                .entry(format!("documents.{}", documents::KBIS))
                .or_default()
                .push(problem);
        }
    }
    if siret_taken(conn, provider)? {
        errors
            .entry("siret".into())
            .or_default()
            .push(SIRET_TAKEN.into());
    }
    Ok(errors)
}

/// What must still hold when a file is submitted and again when it is approved: both
/// documents present and current, the charter in force accepted.
fn currency_problems(
    conn: &mut DbConnection,
    state: &Infra,
    charter: &Charter,
    provider: &Provider,
) -> Result<FieldErrors, AppError> {
    let mut errors = FieldErrors::new();
    let today = state.clock.today();
    let documents = queries::current_documents(conn, &provider.id)?;
    for (kind, missing) in [
        (documents::KBIS, "Ajoutez un extrait Kbis (PDF)."),
        (
            documents::INSURANCE,
            "Ajoutez l'attestation d'assurance de responsabilité civile professionnelle (PDF).",
        ),
    ] {
        let problem = match documents.iter().find(|d| d.kind == kind) {
            None => Some(missing.to_owned()),
            Some(d) => match d.valid_until {
                Some(last) if last < today => Some(format!(
                    "Ce document a expiré le {} : déposez le document en cours de validité.",
                    crate::french::day_fr(last)
                )),
                None if kind == documents::INSURANCE => Some(
                    "Déposez à nouveau l'attestation d'assurance en indiquant sa date de fin de validité."
                        .to_owned(),
                ),
                _ => None,
            },
        };
        if let Some(problem) = problem {
            errors
                .entry(format!("documents.{kind}"))
                .or_default()
                .push(problem);
        }
    }
    if !queries::has_accepted(conn, &provider.id, &charter.version)? {
        errors.entry("charter".into()).or_default().push(format!(
            "Acceptez la charte d'engagement (version {}).",
            charter.version
        ));
    }
    Ok(errors)
}

const SIRET_TAKEN: &str =
    "Un prestataire avec ce SIRET est déjà référencé ou en cours d'instruction.";

/// A SIRET belongs to one live organisation: is `provider`'s held by another one?
fn siret_taken(conn: &mut DbConnection, provider: &Provider) -> Result<bool, AppError> {
    Ok(!provider.siret.is_empty()
        && providers::siret_in_use_elsewhere(conn, &provider.siret, &provider.id)?)
}

/// A change of SIRET (filed or decided) must not take another live organisation's.
pub(crate) fn require_own_siret(
    conn: &mut DbConnection,
    current: &Provider,
    proposed: &Provider,
) -> Result<(), AppError> {
    if proposed.siret != current.siret && siret_taken(conn, proposed)? {
        return Err(AppError::field("siret", SIRET_TAKEN));
    }
    Ok(())
}

/// The audit trail (members and staff).
pub fn events(state: &Infra, user: &Actor, id: &str) -> Result<Vec<EventView>, AppError> {
    let mut conn = state.pool.get()?;
    load(&mut conn, user, id)?;
    audit::trail(&mut conn, Subject::Provider, id)
}

/// The organisation and how `user` may act on it (members and staff; others get 404).
pub fn access(state: &Infra, user: &Actor, id: &str) -> Result<(Provider, Access), AppError> {
    let mut conn = state.pool.get()?;
    let (provider, _, access) = load(&mut conn, user, id)?;
    Ok((provider, access))
}

pub fn application(
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    user: &Actor,
    id: &str,
) -> Result<ApplicationView, AppError> {
    let mut conn = state.pool.get()?;
    let (provider, version, access) = load(&mut conn, user, id)?;
    view(&mut conn, state, charter, &provider, version, access)
}
