//! Partners: the websites that embed the module (the diagnostic, the search and the request,
//! inside their own pages). Staff manage them; each has a public id for the embed, the exact
//! origins allowed to frame it, a scope, an accent colour, a state, and API keys (`keys`) for
//! its figures (`statistics`). The module's forms carry signed tokens (`forms`), not cookies.

pub mod forms;
pub mod keys;
pub mod registry;
pub mod statistics;
pub mod tables;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Event, Step};
use crate::db::partners::{self as queries, PartnerChanges, PartnerRow};
use crate::db::write_transaction;
use crate::domain::actor::Actor;
use crate::domain::partner::{self as rules, PartnerState, Scope};
use crate::error::{AppError, FieldErrors, push_error};
use crate::infra::Infra;
use registry::Registry;

/// A partner as staff write it (creation and change).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerInput {
    /// 2 to 120 characters.
    #[schema(min_length = 2, max_length = 120)]
    pub name: String,
    #[schema(min_length = 2, max_length = 120)]
    pub contact_name: String,
    #[schema(format = "email", max_length = 254)]
    pub contact_email: String,
    /// Exact origins allowed to frame the module: `https://host[:port]` (plain `http` for
    /// loopback only), 1 to 20.
    #[schema(min_items = 1, max_items = 20)]
    pub origins: Vec<String>,
    /// `parcours`, `diagnostic`, `recherche`, `public:<audience>` or `categorie:<category>`.
    #[schema(
        pattern = r"^(parcours|diagnostic|recherche|public:(particulier|entreprise|collectivite)|categorie:[a-z0-9_]{1,60})$"
    )]
    pub scope: String,
    /// `#rrggbb`, dark enough for white text (4.5:1); none or empty for the service's blue.
    #[schema(pattern = r"^(#?[0-9A-Fa-f]{6})?$")]
    pub accent: Option<String>,
    /// `active`, `paused` or `archived`; `active` when absent at creation.
    #[schema(pattern = r"^(active|paused|archived)?$")]
    pub state: Option<String>,
    /// The version read, on a change (a stale one is refused with 409).
    pub version: Option<i32>,
}

/// A partner as staff read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerView {
    /// The public id, in the embed's address.
    pub id: String,
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub origins: Vec<String>,
    pub scope: String,
    /// The scope in French.
    pub scope_label: String,
    pub accent: Option<String>,
    pub state: PartnerState,
    pub state_label: String,
    /// The address to put in the partner's `<iframe src>`.
    pub module_url: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the module needs to know of its partner, on every page.
#[derive(Debug, Clone)]
pub struct ModulePartner {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
    pub scope: Scope,
    pub accent: Option<String>,
    pub version: i32,
}

/// Whom the module is shown for: an active partner, or the reason it is not.
pub enum ModuleAccess {
    Open(ModulePartner),
    /// Paused, archived or unknown: the module shows a neutral message, never an error page,
    /// framable by the partner's origins (none known: by any).
    Closed {
        origins: Vec<String>,
    },
}

pub fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::Journey => "Le parcours complet (diagnostic, professionnels, demande)".into(),
        Scope::Diagnostic => "Le diagnostic seul".into(),
        Scope::Search => "La recherche d'un professionnel seule".into(),
        Scope::Audience(a) => format!("Le parcours complet, pour le public « {} »", a.label()),
        Scope::Category(c) => format!(
            "Le parcours complet, pour « {} »",
            crate::domain::taxonomy::category_label(c)
        ),
    }
}

pub fn view(state: &Infra, row: &PartnerRow) -> PartnerView {
    let scope = Scope::parse(&row.scope).unwrap_or(Scope::Journey);
    let partner_state = row.state;
    PartnerView {
        id: row.id.clone(),
        name: row.name.clone(),
        contact_name: row.contact_name.clone(),
        contact_email: row.contact_email.clone(),
        origins: row.origin_list().into_iter().map(str::to_owned).collect(),
        scope: row.scope.clone(),
        scope_label: scope_label(&scope),
        accent: row.accent.clone(),
        state: partner_state,
        state_label: partner_state.label().to_owned(),
        module_url: format!("{}/module/{}", state.config.base_url, row.id),
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The checked values of an input, or every problem as a French message on its field.
fn check(state: &Infra, input: &PartnerInput, creating: bool) -> Result<PartnerChanges, AppError> {
    let mut errors = FieldErrors::new();
    // Lengths count what was sent, as the API document states them; blanks alone do not count.
    // The API takes values as sent (the pages trim what people type).
    let sized = |text: &str| text.chars().count() <= 120 && text.trim().chars().count() >= 2;
    let name = input.name.trim();
    if !sized(&input.name) {
        push_error(
            &mut errors,
            "name",
            "Indiquez le nom du partenaire (2 à 120 caractères).",
        );
    }
    let contact_name = input.contact_name.trim();
    if !sized(&input.contact_name) {
        push_error(
            &mut errors,
            "contact_name",
            "Indiquez la personne à contacter chez le partenaire (2 à 120 caractères).",
        );
    }
    let email = input.contact_email.as_str();
    if email.len() > 254 || !validator::ValidateEmail::validate_email(&email) {
        push_error(
            &mut errors,
            "contact_email",
            "Indiquez une adresse électronique valide, par exemple nom@exemple.fr.",
        );
    }
    let listed = if input.origins.len() > rules::MAX_ORIGINS {
        Err(format!("{} origines au plus.", rules::MAX_ORIGINS))
    } else {
        rules::parse_origins(&input.origins.join("\n"))
    };
    let origins = match listed {
        Ok(origins) => origins,
        Err(message) => {
            push_error(&mut errors, "origins", message);
            Vec::new()
        }
    };
    match Scope::parse(&input.scope) {
        None => push_error(
            &mut errors,
            "scope",
            "Choisissez ce que le module propose : le parcours complet, le diagnostic seul, la recherche seule, un public ou une catégorie.",
        ),
        Some(Scope::Category(c)) if !state.taxonomy.categories().contains(&c.as_str()) => {
            push_error(
                &mut errors,
                "scope",
                "Cette catégorie d'incidents n'existe pas.",
            )
        }
        Some(_) => {}
    }
    let accent = match input.accent.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(raw) => match rules::parse_accent(raw) {
            Ok(accent) => Some(accent),
            Err(message) => {
                push_error(&mut errors, "accent", message);
                None
            }
        },
    };
    let partner_state = match input.state.as_deref().filter(|s| !s.is_empty()) {
        None if creating => Some(PartnerState::Active),
        None => {
            push_error(
                &mut errors,
                "state",
                "Choisissez l'état : actif, en pause ou archivé.",
            );
            None
        }
        Some(code) => {
            let parsed = PartnerState::parse(code);
            if parsed.is_none() {
                push_error(
                    &mut errors,
                    "state",
                    "Choisissez l'état : actif, en pause ou archivé.",
                );
            }
            parsed
        }
    };
    if !creating && input.version.is_none() {
        push_error(
            &mut errors,
            "version",
            "Indiquez la version lue (champ « version ») : elle évite d'écraser une modification faite entre-temps.",
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(PartnerChanges {
        name: name.to_owned(),
        contact_name: contact_name.to_owned(),
        contact_email: email.to_owned(),
        origins: origins.join("\n"),
        scope: input.scope.clone(),
        accent,
        state: partner_state.unwrap_or(PartnerState::Active),
        updated_at: state.clock.now_naive(),
    })
}

/// Adds a partner (staff); its public id comes from its name, made unique.
pub fn create(
    state: &Infra,
    registry: &Registry,
    staff: &Actor,
    input: &PartnerInput,
) -> Result<PartnerView, AppError> {
    staff.require_staff()?;
    let checked = check(state, input, true)?;
    let now = checked.updated_at;
    let base = rules::public_id_from(&checked.name);
    let mut conn = state.pool.get()?;
    let row = write_transaction(&mut conn, |conn| {
        // Concurrent creations of the same name take their turn for the id.
        crate::db::throttle::lock(conn, "partner-id")?;
        let mut id = base.clone();
        let mut n = 2;
        // "nouveau" is the staff's page for a new partner, not an id.
        while id == "nouveau" || queries::exists(conn, &id)? {
            id = format!("{base}-{n}");
            n += 1;
        }
        let row = PartnerRow {
            id,
            name: checked.name.clone(),
            contact_name: checked.contact_name.clone(),
            contact_email: checked.contact_email.clone(),
            origins: checked.origins.clone(),
            scope: checked.scope.clone(),
            accent: checked.accent.clone(),
            state: checked.state,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        queries::insert(conn, &row)?;
        crate::db::counters::bump(conn, crate::db::counters::PARTNERS)?;
        let mut step = Step::new(now);
        step.record(
            Event::partner(&row.id, "create", None, row.state.as_str()).by(Some(&staff.id)),
        );
        step.write(conn)?;
        Ok::<_, AppError>(row)
    })?;
    registry.forget();
    Ok(view(state, &row))
}

/// Changes a partner (staff), if nobody changed it since `input.version`.
pub fn update(
    state: &Infra,
    registry: &Registry,
    staff: &Actor,
    id: &str,
    input: &PartnerInput,
) -> Result<PartnerView, AppError> {
    staff.require_staff()?;
    let checked = check(state, input, false)?;
    let version = input.version.unwrap_or_default();
    let mut conn = state.pool.get()?;
    let row = write_transaction(&mut conn, |conn| {
        let before = queries::get(conn, id)?.ok_or_else(unknown)?;
        if queries::update(conn, id, version, &checked)? == 0 {
            return Err(AppError::Conflict(
                "Ce partenaire a été modifié entre-temps : rechargez la page pour voir ses nouvelles valeurs.".into(),
            ));
        }
        crate::db::counters::bump(conn, crate::db::counters::PARTNERS)?;
        let mut step = Step::new(checked.updated_at);
        step.record(
            Event::partner(
                id,
                "update",
                Some(before.state.as_str()),
                checked.state.as_str(),
            )
            .by(Some(&staff.id)),
        );
        step.write(conn)?;
        queries::get(conn, id)?.ok_or_else(unknown)
    })?;
    // A paused partner's module closes at once here, within seconds elsewhere.
    registry.forget();
    Ok(view(state, &row))
}

fn unknown() -> AppError {
    AppError::not_found("Ce partenaire n'existe pas.")
}

/// Every partner (staff).
pub fn list(state: &Infra, staff: &Actor) -> Result<Vec<PartnerView>, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    Ok(queries::all(&mut conn)?
        .iter()
        .map(|r| view(state, r))
        .collect())
}

/// One partner (staff).
pub fn get(state: &Infra, staff: &Actor, id: &str) -> Result<PartnerView, AppError> {
    staff.require_staff()?;
    if !rules::is_public_id(id) {
        return Err(unknown());
    }
    let mut conn = state.pool.get()?;
    let row = queries::get(&mut conn, id)?.ok_or_else(unknown)?;
    Ok(view(state, &row))
}

/// The partner a module page is shown for. Read on every page of the module (from memory): a
/// partner paused by staff stops being shown at once.
pub fn for_module(state: &Infra, registry: &Registry, id: &str) -> Result<ModuleAccess, AppError> {
    if !rules::is_public_id(id) {
        return Ok(access(None));
    }
    Ok(access(registry.get(&state.pool, id)?))
}

/// [`for_module`] when the partners in memory are fresh, without waiting for the database.
pub fn for_module_in_memory(registry: &Registry, id: &str) -> Option<ModuleAccess> {
    if !rules::is_public_id(id) {
        return Some(access(None));
    }
    registry.fresh_get(id).map(access)
}

fn access(row: Option<PartnerRow>) -> ModuleAccess {
    let Some(row) = row else {
        return ModuleAccess::Closed {
            origins: Vec::new(),
        };
    };
    let origins: Vec<String> = row.origin_list().into_iter().map(str::to_owned).collect();
    let scope = Scope::parse(&row.scope);
    let (PartnerState::Active, Some(scope)) = (row.state, scope) else {
        return ModuleAccess::Closed { origins };
    };
    ModuleAccess::Open(ModulePartner {
        origins,
        id: row.id,
        name: row.name,
        scope,
        accent: row.accent,
        version: row.version,
    })
}

/// The demo partner, so that the module can be tried on a fresh demo database: open
/// `/module/demonstration`, or frame it from a page served on `http://localhost:8000`.
pub fn seed_demo(state: &Infra, conn: &mut crate::db::DbConnection) -> Result<(), AppError> {
    let now = state.clock.now_naive();
    if queries::exists(conn, DEMO_PARTNER)? {
        return Ok(());
    }
    crate::db::counters::bump(conn, crate::db::counters::PARTNERS)?;
    queries::insert(
        conn,
        &PartnerRow {
            id: DEMO_PARTNER.into(),
            name: "Partenaire de démonstration".into(),
            contact_name: "Équipe web (démo)".into(),
            contact_email: "web@demo.cyberdir.localhost".into(),
            origins: "http://localhost:8000\nhttp://127.0.0.1:8000".into(),
            scope: Scope::Journey.code(),
            accent: None,
            state: PartnerState::Active,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(())
}

/// The demo partner's public id.
pub const DEMO_PARTNER: &str = "demonstration";
