//! Alerts staff publish for the public: a title, a text, the threats and audiences it is about,
//! where (France, a région, a département) and when. A live alert shows on the home page, on
//! the matching diagnostic results and searches, in `/alertes.atom` and `GET /api/v1/alerts`;
//! it disappears by itself at the end of its window.

use chrono::{Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Event, Step};
use crate::db::observatory::{self as queries, AlertRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::audience::{self, Audience};
use crate::error::{AppError, FieldErrors, push_error};
use crate::french::{day_fr, paris_date, paris_midnight};
use crate::infra::Infra;

/// The longest an alert stays up without being published again.
pub const MAX_DAYS: u64 = 366;

/// Where an alert applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    National,
    Region,
    Departement,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Region => "region",
            Self::Departement => "departement",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::National, Self::Region, Self::Departement]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// An alert as staff write it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AlertInput {
    pub title: String,
    pub body: String,
    /// Incident type codes; none for every threat.
    #[serde(default)]
    pub incident_types: Vec<String>,
    /// Audience codes; none for everyone.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// `national`, `region` or `departement`.
    pub scope: String,
    /// The région's or the département's code, for those scopes.
    #[serde(default)]
    pub scope_code: Option<String>,
    /// First day (Paris time); today when absent.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Last day (Paris time), included.
    pub valid_until: Option<NaiveDate>,
    /// The signal it answers, if any.
    #[serde(default)]
    pub signal_id: Option<String>,
}

/// An alert as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    pub title: String,
    pub body: String,
    pub incident_types: Vec<String>,
    pub audiences: Vec<Audience>,
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_code: Option<String>,
    /// Where, in French ("France entière", "Bretagne", "Ille-et-Vilaine (35)").
    pub scope_label: String,
    /// The window, UTC.
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub published_at: NaiveDateTime,
    /// The window in French ("du 01/12/2026 au 14/12/2026").
    pub window_fr: String,
    /// The fiche réflexe of its threat, when it names one (`/fiches/{slug}`).
    pub fiche: Option<String>,
    #[serde(skip)]
    pub withdrawn: bool,
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn scope_label(state: &Infra, scope: Scope, code: Option<&str>) -> String {
    match (scope, code) {
        (Scope::Region, Some(code)) => state
            .departements
            .regions()
            .into_iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name),
        (Scope::Departement, Some(code)) => state
            .departements
            .get(code)
            .map_or_else(|| code.to_owned(), |d| format!("{} ({})", d.name, d.code)),
        _ => "France entière".to_owned(),
    }
}

fn view(state: &Infra, row: &AlertRow) -> AlertView {
    let scope = Scope::parse(&row.scope).unwrap_or(Scope::National);
    let last_day = row
        .valid_until
        .checked_sub_signed(chrono::Duration::seconds(1))
        .map_or(row.valid_until.date(), paris_date);
    let incident_types = split(&row.incident_types);
    let content = state.content();
    let fiche = match incident_types.as_slice() {
        [one] => content.library.reflexe_for(one),
        _ => None,
    }
    .map(|f| f.meta.slug.clone());
    AlertView {
        id: row.id.clone(),
        title: row.title.clone(),
        body: row.body.clone(),
        fiche,
        incident_types,
        audiences: audience::decode_list(&row.audiences),
        scope,
        scope_code: row.scope_code.clone(),
        scope_label: scope_label(state, scope, row.scope_code.as_deref()),
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        published_at: row.published_at,
        window_fr: format!(
            "du {} au {}",
            day_fr(paris_date(row.valid_from)),
            day_fr(last_day)
        ),
        withdrawn: row.withdrawn_at.is_some(),
    }
}

/// Checks an alert; each problem is a French message on its field.
fn check(state: &Infra, input: &AlertInput, today: NaiveDate) -> Result<AlertRow, AppError> {
    let mut errors = FieldErrors::new();
    let title = input.title.trim();
    let body = input.body.trim();
    if title.chars().count() < 5 || title.chars().count() > 120 {
        push_error(
            &mut errors,
            "title",
            "Donnez un titre de 5 à 120 caractères.",
        );
    }
    if body.chars().count() < 20 || body.chars().count() > 4000 {
        push_error(
            &mut errors,
            "body",
            "Écrivez un texte de 20 à 4 000 caractères : ce qui se passe et que faire.",
        );
    }
    let mut types: Vec<&str> = Vec::new();
    for t in &input.incident_types {
        match state.taxonomy.get(t) {
            Some(known) if !types.contains(&known.code.as_str()) => types.push(&known.code),
            Some(_) => {}
            None => push_error(
                &mut errors,
                "incident_types",
                "Un des types d'incident n'existe pas.",
            ),
        }
    }
    let mut audiences: Vec<Audience> = Vec::new();
    for a in &input.audiences {
        match Audience::parse(a) {
            Some(known) if !audiences.contains(&known) => audiences.push(known),
            Some(_) => {}
            None => push_error(&mut errors, "audiences", "Un des publics n'existe pas."),
        }
    }
    let scope = Scope::parse(&input.scope);
    let code = input
        .scope_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    match (scope, code) {
        (None, _) => push_error(
            &mut errors,
            "scope",
            "Choisissez la portée : France entière, une région ou un département.",
        ),
        (Some(Scope::Region), c)
            if c.is_none_or(|c| !state.departements.regions().iter().any(|(r, _)| r == c)) =>
        {
            push_error(&mut errors, "scope_code", "Choisissez la région concernée.")
        }
        (Some(Scope::Departement), c) if c.is_none_or(|c| state.departements.get(c).is_none()) => {
            push_error(
                &mut errors,
                "scope_code",
                "Choisissez le département concerné.",
            )
        }
        _ => {}
    }
    let from = input.valid_from.unwrap_or(today);
    match input.valid_until {
        None => push_error(
            &mut errors,
            "valid_until",
            "Indiquez le dernier jour de l'alerte.",
        ),
        Some(until) if until < from => push_error(
            &mut errors,
            "valid_until",
            "Le dernier jour doit suivre le premier.",
        ),
        Some(until) if until < today => push_error(
            &mut errors,
            "valid_until",
            "Le dernier jour est déjà passé.",
        ),
        Some(until) if (until - from).num_days() >= MAX_DAYS as i64 => {
            push_error(&mut errors, "valid_until", "Une alerte dure un an au plus.")
        }
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let until = input.valid_until.unwrap_or(today);
    Ok(AlertRow {
        id: uuid::Uuid::now_v7().to_string(),
        title: title.to_owned(),
        body: body.to_owned(),
        incident_types: types.join(","),
        audiences: audience::encode_list(&audiences),
        scope: scope.unwrap_or(Scope::National).code().to_owned(),
        scope_code: code
            .filter(|_| scope != Some(Scope::National))
            .map(str::to_owned),
        valid_from: paris_midnight(from),
        valid_until: paris_midnight(until + Days::new(1)),
        signal_id: input.signal_id.clone().filter(|s| !s.is_empty()),
        published_by: String::new(),
        published_at: NaiveDateTime::default(),
        withdrawn_at: None,
    })
}

/// Publishes an alert (staff).
pub fn publish(state: &Infra, staff: &Actor, input: &AlertInput) -> Result<AlertView, AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let mut row = check(state, input, paris_date(now))?;
    row.published_by = staff.id.clone();
    row.published_at = now;
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        if let Some(signal) = &row.signal_id
            && queries::signal(conn, signal)?.is_none()
        {
            return Err(AppError::field("signal_id", "Ce signal n'existe pas."));
        }
        queries::insert_alert(conn, &row)?;
        let mut step = Step::new(now);
        step.record(Event::alert(&row.id, "publish", None, "live").by(Some(&staff.id)));
        step.write(conn)
    })?;
    Ok(view(state, &row))
}

/// Withdraws a live alert before its end (staff).
pub fn withdraw(state: &Infra, staff: &Actor, id: &str) -> Result<(), AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    write_transaction(&mut conn, |conn| {
        if !queries::withdraw_alert(conn, id, now)? {
            return Err(AppError::Conflict(
                "Cette alerte n'est plus en ligne : rien à retirer.".into(),
            ));
        }
        let mut step = Step::new(now);
        step.record(Event::alert(id, "withdraw", Some("live"), "withdrawn").by(Some(&staff.id)));
        step.write(conn)
    })
}

/// The alerts in force now.
pub fn live(state: &Infra) -> Result<Vec<AlertView>, AppError> {
    let mut conn = state.pool.get()?;
    Ok(queries::live_alerts(&mut conn, state.clock.now_naive())?
        .iter()
        .map(|row| view(state, row))
        .collect())
}

/// What a page knows of the victim's situation, to pick the alerts that concern it.
#[derive(Debug, Clone, Default)]
pub struct Situation<'a> {
    pub incident_type: Option<&'a str>,
    pub audience: Option<Audience>,
    pub departement: Option<&'a str>,
}

impl AlertView {
    /// Whether the alert concerns the situation: its threats and audiences (an alert naming
    /// none concerns all), and its place (a local alert only where the place is known to match).
    pub fn concerns(&self, state: &Infra, situation: &Situation<'_>) -> bool {
        let threat = self.incident_types.is_empty()
            || situation
                .incident_type
                .is_some_and(|t| self.incident_types.iter().any(|c| c == t));
        let audience = self.audiences.is_empty()
            || situation
                .audience
                .is_some_and(|a| self.audiences.contains(&a));
        let place = match (
            self.scope,
            self.scope_code.as_deref(),
            situation.departement,
        ) {
            (Scope::National, _, _) => true,
            (Scope::Departement, Some(code), Some(d)) => code == d,
            (Scope::Region, Some(code), Some(d)) => state
                .departements
                .get(d)
                .is_some_and(|dep| dep.region_code() == code),
            _ => false,
        };
        threat && audience && place
    }
}

/// The live alerts that concern a situation.
pub fn concerning(state: &Infra, situation: &Situation<'_>) -> Result<Vec<AlertView>, AppError> {
    Ok(live(state)?
        .into_iter()
        .filter(|a| a.concerns(state, situation))
        .collect())
}

/// The live alerts for all of France (the home page, before anything is known of the victim).
pub fn national(state: &Infra) -> Result<Vec<AlertView>, AppError> {
    Ok(live(state)?
        .into_iter()
        .filter(|a| a.scope == Scope::National)
        .collect())
}

/// Every alert, latest first (staff), live or not.
pub fn all(state: &Infra, staff: &Actor) -> Result<Vec<(AlertView, bool)>, AppError> {
    staff.require_staff()?;
    let now = state.clock.now_naive();
    let mut conn = state.pool.get()?;
    // Read whole: alerts are counted in dozens a year (the list pages them).
    Ok(queries::all_alerts(&mut conn, 10_000)?
        .iter()
        .map(|row| {
            let live = row.withdrawn_at.is_none() && row.valid_from <= now && now < row.valid_until;
            (view(state, row), live)
        })
        .collect())
}

/// The form's starting values for an alert answering a signal.
pub fn draft_from_signal(
    state: &Infra,
    staff: &Actor,
    signal_id: &str,
) -> Result<AlertInput, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let signal = queries::signal(&mut conn, signal_id)?
        .ok_or_else(|| AppError::not_found("Ce signal n'existe pas."))?;
    let label = state
        .taxonomy
        .get(&signal.incident_type)
        .map_or_else(|| signal.incident_type.clone(), |t| t.label.clone());
    let today = state.clock.today();
    Ok(AlertInput {
        title: format!("Vague de signalements : {label}"),
        body: format!(
            "Depuis le {}, nous recevons beaucoup plus de signalements « {label} » que d'habitude. Si vous êtes concerné, suivez le diagnostic : il vous dit quoi faire tout de suite et vers qui vous tourner.",
            day_fr(signal.since)
        ),
        incident_types: vec![signal.incident_type],
        audiences: vec![signal.audience],
        scope: Scope::National.code().into(),
        scope_code: None,
        valid_from: Some(today),
        valid_until: Some(today + Days::new(13)),
        signal_id: Some(signal.id),
    })
}
