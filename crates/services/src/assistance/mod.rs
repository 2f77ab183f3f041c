//! Assistance requests: a victim asks for hands-on help, cyberdir assigns a nearby provider and
//! keeps trying (the next one on a decline or a timeout, staff when nobody can) until someone
//! helps. Each step is one transaction: the state, an audit event and the emails.

pub mod answer;
pub mod assign;
pub mod availability;
pub mod close;
pub mod demo;
pub mod erasure;
pub mod links;
mod notify;
pub mod schedule;
pub mod staff;
pub mod staff_list;
pub mod stats;
pub mod survey;
mod victim;
pub mod views;
pub mod withdrawal;

pub use victim::{cancel, erase};

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::ValidateEmail;

use self::views::{ProviderContact, RequestCreated, TimelineEntry, TrackingView};
use crate::audit::{self, Event, Step, Subject};
use crate::auth::tokens;
use crate::db::assistance::{self as queries, RequestRow};
use crate::db::{DbConnection, throttle, write_transaction};
use crate::domain::assistance::RequestStatus;
use crate::domain::audience::Audience;
use crate::error::{AppError, FieldErrors};
use crate::geo::location::Place;
use crate::infra::Infra;
use crate::observatory::facts;

/// After this many declined or unanswered offers, the request goes to staff.
pub const MAX_FAILED_ASSIGNMENTS: i32 = 3;

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ContactInput {
    #[schema(required = true)]
    pub name: String,
    #[schema(required = true)]
    pub email: String,
    pub phone: Option<String>,
}

/// A victim's request. The place is one of `postcode`, `commune_code` or
/// `latitude` + `longitude`.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct NewRequest {
    pub postcode: Option<String>,
    pub commune_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `particulier`, `entreprise` or `collectivite`.
    #[schema(required = true)]
    pub audience: String,
    /// An incident type code (`GET /api/v1/incident-types`).
    #[schema(required = true)]
    pub incident_type: String,
    #[schema(required = true)]
    pub description: String,
    #[schema(required = true)]
    pub contact: ContactInput,
    /// The victim agrees that their contact is given to the provider who takes the request.
    #[schema(required = true)]
    pub consent: bool,
    /// The provider the victim chose from the search results, if any.
    pub provider_id: Option<String>,
    /// From an urgent diagnostic outcome: set by the site from the victim's journey, never read
    /// from a client's JSON.
    #[serde(skip)]
    pub urgent: bool,
}

/// A checked request, ready to store.
struct Checked {
    place: Place,
    audience: Audience,
    incident_type: String,
    description: String,
    name: String,
    email: String,
    phone: Option<String>,
    chosen_provider_id: Option<String>,
    urgent: bool,
}

fn check(state: &Infra, input: &NewRequest) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let mut push = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_default().push(message);
    };
    let postcode = input
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let commune = input
        .commune_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let place = match (postcode, commune, input.latitude, input.longitude) {
        (Some(p), None, None, None) if crate::domain::codes::is_postcode(p) => {
            Some(Place::Postcode(p.to_owned()))
        }
        (Some(_), None, None, None) => {
            push(
                "postcode",
                "Code postal invalide : 5 chiffres attendus.".into(),
            );
            None
        }
        (None, Some(c), None, None)
            if crate::domain::codes::is_commune_code(&c.to_ascii_uppercase()) =>
        {
            Some(Place::Commune(c.to_ascii_uppercase()))
        }
        (None, Some(_), None, None) => {
            push(
                "commune_code",
                "Code commune INSEE invalide (ex. 35238 ou 2A004).".into(),
            );
            None
        }
        (None, None, Some(lat), Some(lon))
            if (41.0..=51.5).contains(&lat) && (-5.5..=10.0).contains(&lon)
                || (-22.0..=17.0).contains(&lat) && (-62.0..=56.0).contains(&lon) =>
        {
            Some(Place::Point {
                latitude: lat,
                longitude: lon,
            })
        }
        (None, None, Some(_), Some(_)) => {
            push("latitude", "Coordonnées hors de France.".into());
            None
        }
        _ => {
            push(
                "place",
                "Indiquez un seul lieu : code postal, code commune, ou latitude et longitude."
                    .into(),
            );
            None
        }
    };
    let audience = Audience::parse(input.audience.trim());
    if audience.is_none() {
        push(
            "audience",
            "Indiquez qui est victime : un particulier, une entreprise ou association, ou une collectivité.".into(),
        );
    }
    let incident = state.taxonomy.get(input.incident_type.trim());
    match incident {
        None => push(
            "incident_type",
            "Choisissez ce qui vous arrive dans la liste.".into(),
        ),
        Some(t) if !t.provider_can_help => {
            push(
                "incident_type",
                format!(
                    "Pour « {} », ce ne sont pas des prestataires informatiques qui peuvent vous aider, mais les services indiqués : ils sont là pour cela.",
                    t.label
                ),
            );
            let content = state.content();
            let library = &content.library;
            let fiche = library.reflexe_for(&t.code);
            for c in fiche.into_iter().flat_map(|f| library.contacts_of(f, None)) {
                push("redirections", format!("{} : {}", c.name, c.display));
            }
        }
        Some(_) => {}
    }
    let description = input.description.trim().to_owned();
    if description.chars().count() < 10 || description.chars().count() > 5000 {
        push(
            "description",
            "Décrivez ce qui se passe en quelques phrases (10 à 5 000 caractères).".into(),
        );
    }
    let name = input.contact.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        push(
            "contact.name",
            "Indiquez votre nom (100 caractères au plus).".into(),
        );
    }
    let email = input.contact.email.trim().to_lowercase();
    if !email.validate_email() || email.len() > 254 {
        push("contact.email", "Adresse électronique invalide.".into());
    }
    let phone = match input
        .contact
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(raw) => match crate::referencing::profile::normalise_phone(raw) {
            Some(p) => Some(p),
            None => {
                push(
                    "contact.phone",
                    "Numéro de téléphone invalide (10 chiffres, ex. 06 12 34 56 78).".into(),
                );
                None
            }
        },
    };
    if !input.consent {
        push(
            "consent",
            "Sans votre accord, nous ne pouvons pas transmettre vos coordonnées au professionnel qui vous aidera.".into(),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(place), Some(audience), Some(incident)) = (place, audience, incident) else {
        return Err(AppError::Internal("checked request without place".into()));
    };
    Ok(Checked {
        place,
        audience,
        incident_type: incident.code.clone(),
        description,
        name,
        email,
        phone,
        chosen_provider_id: input
            .provider_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 64)
            .map(str::to_owned),
        urgent: input.urgent,
    })
}

pub fn tracking_url(state: &Infra, token: &str) -> String {
    format!("{}/suivi/{token}", state.config.base_url)
}

/// A request's tracking token: derived from its id with the server's key, so that every email
/// to the victim can carry the link and a retried submission lands on the same page, while only
/// its digest is stored.
fn tracking_token(state: &Infra, request_id: &str) -> Result<String, AppError> {
    crate::signed::derive(&state.link_key, &format!("tracking:{request_id}"))
}

/// The tracking link of a request, for its emails (none for a request whose token was not
/// derived, made before tokens were).
pub fn tracking_link(state: &Infra, row: &RequestRow) -> Option<String> {
    current_tracking_token(state, row).map(|token| tracking_url(state, &token))
}

/// The request's tracking token, when it is the one its link carries.
pub(crate) fn current_tracking_token(state: &Infra, row: &RequestRow) -> Option<String> {
    tracking_token(state, &row.id)
        .ok()
        .filter(|token| tokens::digest(token) == row.tracking_hash)
}

/// Creates a request, assigns it (or sends it to staff) and confirms it to the victim. A retry
/// with the same `Idempotency-Key` answers the first request again (`false`: not created now).
pub fn create(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    input: &NewRequest,
    idempotency_key: Option<&str>,
    client: &str,
) -> Result<(RequestCreated, bool), AppError> {
    create_keyed(
        state,
        index,
        input,
        idempotency_key,
        client,
        &facts::Channel::API,
    )
}

/// [`create`] from the public form, keyed by the form's secret token: a second submission of
/// the same form (a double click, a reload) lands on the tracking page of the request the first
/// one created.
pub fn create_from_form(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    input: &NewRequest,
    form_key: &str,
    client: &str,
    channel: &facts::Channel,
) -> Result<(RequestCreated, bool), AppError> {
    create_keyed(state, index, input, Some(form_key), client, channel)
}

fn create_keyed(
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    input: &NewRequest,
    idempotency_key: Option<&str>,
    client: &str,
    channel: &facts::Channel,
) -> Result<(RequestCreated, bool), AppError> {
    let client = &crate::limits::client_pseudonym(state, client)?;
    let key = idempotency_key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("{client}:{k}"));
    if let Some(k) = &key
        && k.len() > 300
    {
        return Err(AppError::BadRequest(
            "En-tête Idempotency-Key trop long (255 caractères au plus).".into(),
        ));
    }
    let checked = check(state, input)?;
    let mut conn = state.pool.get()?;
    let created = create_checked(&mut conn, state, index, checked, key, client, channel);
    // Nothing of the directory or the geography changed: the in-memory index stays fresh.
    crate::db::check_in_uncounted(conn);
    created
}

fn create_checked(
    conn: &mut DbConnection,
    state: &Infra,
    index: &crate::directory::index::DirectoryIndex,
    checked: Checked,
    key: Option<String>,
    client: &str,
    channel: &facts::Channel,
) -> Result<(RequestCreated, bool), AppError> {
    // Already a keyed digest: no address is stored.
    let client_hash = client.to_owned();
    let now = state.clock.now_naive();
    let published = crate::directory::published_on(state, index, conn)?;
    let place = published
        .geography
        .resolve(&state.departements, &checked.place)?;
    let id = uuid::Uuid::now_v7().to_string();
    let token = tracking_token(state, &id)?;
    let (postcode, commune_code) = match &checked.place {
        Place::Postcode(p) => (Some(p.clone()), place.commune_code.clone()),
        Place::Commune(c) => (None, Some(c.clone())),
        Place::Point { .. } => (None, place.commune_code.clone()),
    };
    let mut row = RequestRow {
        id,
        tracking_hash: tokens::digest(&token),
        status: RequestStatus::Assigned,
        postcode,
        commune_code,
        departement: place.departement.clone(),
        latitude: place.latitude,
        longitude: place.longitude,
        approximate: place.approximate,
        audience: checked.audience.code().to_owned(),
        incident_type: checked.incident_type,
        description: Some(checked.description),
        contact_name: Some(checked.name),
        contact_email: Some(checked.email),
        contact_phone: checked.phone,
        consent: true,
        chosen_provider_id: checked.chosen_provider_id,
        provider_id: None,
        failed_assignments: 0,
        staff_message: None,
        idempotency_key: key.clone(),
        client_hash,
        version: 1,
        created_at: now,
        updated_at: now,
        closed_at: None,
        anonymised_at: None,
        urgent: checked.urgent,
    };
    let limit = i64::from(state.config.assistance_rate_limit);
    let created = write_transaction(conn, |conn| {
        if limit > 0 {
            // Counted while holding the client's key: concurrent requests cannot all pass.
            throttle::lock(conn, &format!("assistance:{}", row.client_hash))?;
            let hour_ago = now - chrono::Duration::hours(1);
            if queries::submissions_since(conn, &row.client_hash, hour_ago)? >= limit {
                return Err(NotCreated::Limited);
            }
        }
        let step = &mut Step::new(now);
        // Decide first, so that the request is stored once, in its final state.
        let decision = assign::decide(conn, state, &published.directory, &row, now)?;
        let received = row.status;
        decision.apply_to(&mut row);
        match queries::insert_request(conn, &row) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(NotCreated::KeyTaken);
            }
            other => other?,
        }
        facts::record_request(conn, state, &row, channel)?;
        step.record(Event::request(&row.id, "create", None, received));
        crate::metrics::count_on_commit(
            conn,
            &state.metrics.assistance_requests,
            &[&crate::monitoring::region_of(
                state,
                row.departement.as_deref(),
            )],
        );
        notify::received(step, state, &row)?;
        assign::carry_out(conn, step, state, &row, &decision, received, now)?;
        step.write(conn)?;
        Ok(())
    });
    match created {
        Ok(()) => {}
        Err(NotCreated::Failed(e)) => return Err(e),
        Err(NotCreated::Limited) => {
            // A retry of a request already made is answered, not refused.
            if let Some(k) = &key
                && let Some(existing) = queries::request_by_idempotency_key(conn, k)?
            {
                return Ok((replay(state, &existing), false));
            }
            return Err(AppError::TooManyRequests(
                "Trop de demandes envoyées depuis cette adresse : réessayez dans une heure. Si quelqu'un est en danger, appelez le 17.".into(),
            ));
        }
        Err(NotCreated::KeyTaken) => {
            // The same key was used by a concurrent retry: answer with the request it created.
            let existing = key
                .as_deref()
                .map(|k| queries::request_by_idempotency_key(conn, k))
                .transpose()?
                .flatten()
                .ok_or_else(|| AppError::Conflict("Demande déjà enregistrée.".into()))?;
            return Ok((replay(state, &existing), false));
        }
    }
    Ok((
        RequestCreated {
            id: row.id.clone(),
            status: row.status,
            provider_id: row.provider_id.clone(),
            tracking_url: tracking_url(state, &token),
        },
        true,
    ))
}

/// Why a creation's transaction rolled back.
enum NotCreated {
    /// Its idempotency key is already taken, by a concurrent retry.
    KeyTaken,
    /// The client's hourly limit is reached.
    Limited,
    Failed(AppError),
}

impl From<AppError> for NotCreated {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl From<DieselError> for NotCreated {
    fn from(e: DieselError) -> Self {
        Self::Failed(e.into())
    }
}

/// The answer to a retried submission: the request as the first submission made it.
fn replay(state: &Infra, row: &RequestRow) -> RequestCreated {
    RequestCreated {
        id: row.id.clone(),
        status: row.status,
        provider_id: row.provider_id.clone(),
        tracking_url: tracking_link(state, row)
            .unwrap_or_else(|| format!("{}/suivi", state.config.base_url)),
    }
}

pub(crate) fn by_token(conn: &mut DbConnection, token: &str) -> Result<RequestRow, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found(
            "Demande introuvable : vérifiez le lien reçu par courriel.",
        ));
    }
    queries::request_by_tracking(conn, &tokens::digest(token))?.ok_or_else(|| {
        AppError::not_found("Demande introuvable : vérifiez le lien reçu par courriel.")
    })
}

/// What the victim sees from the private tracking link.
pub fn track(state: &Infra, token: &str) -> Result<TrackingView, AppError> {
    let mut conn = state.pool.get()?;
    let row = by_token(&mut conn, token)?;
    tracking_view(&mut conn, state, &row)
}

pub(crate) fn tracking_view(
    conn: &mut DbConnection,
    state: &Infra,
    row: &RequestRow,
) -> Result<TrackingView, AppError> {
    let status = row.status;
    let provider = match (&row.provider_id, status) {
        (
            Some(id),
            RequestStatus::Accepted | RequestStatus::Resolved | RequestStatus::NotResolved,
        ) => crate::db::providers::find(conn, id)?.map(|(p, _)| ProviderContact {
            id: p.id,
            name: p.name,
            phone: p.phone,
            email: p.email,
            website: p.website,
        }),
        _ => None,
    };
    let timeline = audit::trail(conn, Subject::AssistanceRequest, &row.id)?
        .into_iter()
        .filter_map(|e| {
            views::timeline_label(&e.action).map(|label| TimelineEntry {
                at: e.created_at,
                label: label.to_owned(),
            })
        })
        .collect();
    let pending = if status == RequestStatus::Assigned {
        queries::pending_assignments(conn, &row.id)?
    } else {
        Vec::new()
    };
    Ok(TrackingView {
        urgent: row.urgent,
        offered_to: pending.len(),
        offered_until: pending.iter().map(|a| a.expires_at).max(),
        id: row.id.clone(),
        status,
        status_label: status.label().to_owned(),
        incident_type: row.incident_type.clone(),
        incident_label: state
            .taxonomy
            .get(&row.incident_type)
            .map(|t| t.label.clone())
            .unwrap_or_default(),
        created_at: row.created_at,
        provider,
        staff_message: row.staff_message.clone(),
        timeline,
        can_cancel: !status.is_closed(),
        erased: row.anonymised_at.is_some(),
    })
}
