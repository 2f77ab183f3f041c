//! The profile form of an organisation and its post.

use super::*;
use crate::web::kit::done;
use crate::web::page_error::{PageError, PageResult};
use crate::web::session::ProviderMember;

/// The profile form's values, as stored or as submitted (checkboxes repeat their name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ProfileValues {
    pub(super) legal_name: String,
    pub(super) name: String,
    pub(super) siret: String,
    pub(super) address_line: String,
    pub(super) postcode: String,
    pub(super) city: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) website: String,
    pub(super) description: String,
    pub(super) audiences: Vec<String>,
    pub(super) incident_types: Vec<String>,
    #[serde(deserialize_with = "crate::web::form::checkbox")]
    pub(super) remote: bool,
    pub(super) zone_kind: String,
    pub(super) radius_km: String,
    pub(super) departements: String,
}

impl ProfileValues {
    pub(super) fn of(application: &ApplicationView) -> Self {
        let p = &application.profile;
        let (zone_kind, radius_km, departements) = match &p.zone {
            Zone::Radius { radius_km: 0 } => ("radius", String::new(), String::new()),
            Zone::Radius { radius_km } => ("radius", radius_km.to_string(), String::new()),
            Zone::Departements { departements } => {
                ("departements", String::new(), departements.join(", "))
            }
            Zone::National => ("national", String::new(), String::new()),
        };
        Self {
            legal_name: p.legal_name.clone(),
            name: p.name.clone(),
            siret: p.siret.clone(),
            address_line: p.address_line.clone(),
            postcode: p.postcode.clone(),
            city: p.city.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            website: p.website.clone().unwrap_or_default(),
            description: p.description.clone(),
            audiences: p.audiences.iter().map(|a| a.code().to_owned()).collect(),
            incident_types: p.incident_types.clone(),
            remote: p.remote,
            zone_kind: zone_kind.into(),
            radius_km,
            departements,
        }
    }

    /// The zone as the service expects it, or `None` when no choice was made.
    pub(super) fn zone(&self) -> Option<Value> {
        match self.zone_kind.as_str() {
            "radius" => {
                // Anything but a whole number is sent as 0, which the service refuses with a
                // French message about the allowed range.
                let km = self.radius_km.trim().parse::<u32>().unwrap_or(0);
                serde_json::to_value(Zone::Radius { radius_km: km }).ok()
            }
            "departements" => {
                let mut list: Vec<String> = self
                    .departements
                    .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                    .map(|d| d.trim().to_ascii_uppercase())
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        if d.len() == 1 && d.bytes().all(|b| b.is_ascii_digit()) {
                            format!("0{d}")
                        } else {
                            d
                        }
                    })
                    .collect();
                list.sort();
                list.dedup();
                serde_json::to_value(Zone::Departements { departements: list }).ok()
            }
            "national" => serde_json::to_value(Zone::National).ok(),
            _ => None,
        }
    }

    /// The fields that differ from `current`, so that a published profile's change request
    /// names only what really changes.
    pub(super) fn changes_from(&self, current: &ApplicationView) -> ProfileInput {
        let now = Self::of(current);
        let text = |sent: &str, stored: &str| {
            (sent.trim() != stored.trim()).then(|| sent.trim().to_owned())
        };
        let set = |list: &[String]| list.iter().cloned().collect::<BTreeSet<String>>();
        let postcode = text(&self.postcode, &now.postcode);
        let zone = self.zone().filter(|sent| {
            let unchanged = serde_json::to_value(&current.profile.zone).ok().as_ref() == Some(sent);
            // An unreadable radius is always sent, so that it is reported.
            let unreadable = self.zone_kind == "radius"
                && !self.radius_km.trim().is_empty()
                && self.radius_km.trim().parse::<u32>().is_err();
            !unchanged || unreadable
        });
        ProfileInput {
            legal_name: text(&self.legal_name, &now.legal_name),
            name: text(&self.name, &now.name),
            siret: text(&self.siret, &now.siret),
            address_line: text(&self.address_line, &now.address_line),
            // A new postcode: the commune is found again from it.
            commune_code: postcode
                .as_ref()
                .filter(|_| current.profile.commune_code.is_some())
                .map(|_| String::new()),
            postcode,
            city: text(&self.city, &now.city),
            phone: text(&self.phone, &now.phone),
            email: text(&self.email, &now.email),
            website: text(&self.website, &now.website),
            description: text(&self.description, &now.description),
            audiences: (set(&self.audiences) != set(&now.audiences))
                .then(|| self.audiences.clone()),
            incident_types: (set(&self.incident_types) != set(&now.incident_types))
                .then(|| self.incident_types.clone()),
            remote: (self.remote != now.remote).then_some(self.remote),
            zone,
        }
    }
}

/// The profile form's template data.
#[derive(Serialize)]
pub(super) struct ProfileForm {
    approved: bool,
    identity: Vec<InputField>,
    address: Vec<InputField>,
    contact: Vec<InputField>,
    description: InputField,
    audiences: Vec<Choice>,
    audiences_error: Option<String>,
    incident_groups: Vec<ChoiceGroup>,
    incident_types_error: Option<String>,
    remote: bool,
    zone_radius: bool,
    zone_departements: bool,
    zone_national: bool,
    radius_km: String,
    departements: String,
    zone_error: Option<String>,
    radius_invalid: bool,
    departements_invalid: bool,
}

#[derive(Serialize)]
struct InputField {
    id: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: Option<&'static str>,
    help: Option<&'static str>,
    optional: bool,
    reviewed: bool,
    textarea: bool,
    error: Option<String>,
    describedby: String,
    /// A CSS class narrowing the input to the length of its content.
    width: &'static str,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct ChoiceGroup {
    label: String,
    choices: Vec<Choice>,
}

fn describedby(id: &str, help: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if help {
        ids.push(format!("{id}-help"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

pub(super) fn first_error(errors: &FieldErrors, field: &str) -> Option<String> {
    errors
        .get(field)
        .filter(|m| !m.is_empty())
        .map(|m| m.join(" "))
}

/// The template data of the profile form.
pub(super) fn profile_form(
    state: &AppState,
    values: &ProfileValues,
    errors: &FieldErrors,
    approved: bool,
) -> ProfileForm {
    let field =
        |id: &'static str,
         label: &'static str,
         value: &str,
         (kind, autocomplete, inputmode): (&'static str, &'static str, Option<&'static str>),
         help: Option<&'static str>,
         (optional, reviewed, textarea): (bool, bool, bool)| {
            let error = first_error(errors, id);
            InputField {
                id,
                label,
                value: value.to_owned(),
                kind,
                autocomplete,
                inputmode,
                help,
                optional,
                reviewed: reviewed && approved,
                textarea,
                describedby: describedby(id, help.is_some(), error.is_some()),
                width: match id {
                    "postcode" => "portal-short",
                    "siret" | "phone" => "portal-medium",
                    _ => "",
                },
                error,
            }
        };
    let text = ("text", "off", None);
    let identity = vec![
        field(
            "legal_name",
            "Raison sociale",
            &values.legal_name,
            ("text", "organization", None),
            Some("Telle qu'elle figure sur l'extrait Kbis."),
            (false, true, false),
        ),
        field(
            "name",
            "Nom commercial",
            &values.name,
            text,
            Some("Le nom affiché dans l'annuaire."),
            (false, false, false),
        ),
        field(
            "siret",
            "Numéro SIRET",
            &values.siret,
            ("text", "off", Some("numeric")),
            Some("14 chiffres, ex. 732 829 320 00074."),
            (false, true, false),
        ),
    ];
    let address = vec![
        field(
            "address_line",
            "Adresse",
            &values.address_line,
            ("text", "street-address", None),
            None,
            (false, true, false),
        ),
        field(
            "postcode",
            "Code postal",
            &values.postcode,
            ("text", "postal-code", Some("numeric")),
            None,
            (false, true, false),
        ),
        field(
            "city",
            "Commune",
            &values.city,
            ("text", "address-level2", None),
            None,
            (false, true, false),
        ),
    ];
    let contact = vec![
        field(
            "phone",
            "Téléphone",
            &values.phone,
            ("tel", "tel", None),
            Some("Ex. 02 99 12 34 56."),
            (false, false, false),
        ),
        field(
            "email",
            "Adresse électronique de contact",
            &values.email,
            ("email", "email", None),
            None,
            (false, false, false),
        ),
        field(
            "website",
            "Site internet",
            &values.website,
            ("url", "url", None),
            Some("Ex. https://www.exemple.fr"),
            (true, false, false),
        ),
    ];
    let description = field(
        "description",
        "Description de votre activité",
        &values.description,
        text,
        Some("20 à 2 000 caractères : vos services, vos spécialités, vos horaires."),
        (false, false, true),
    );
    let audiences: Vec<Choice> = Audience::ALL
        .iter()
        .map(|a| Choice {
            id: format!("audiences_{}", a.code()),
            value: a.code().to_owned(),
            label: a.label().to_owned(),
            checked: values.audiences.iter().any(|v| v == a.code()),
        })
        .collect();
    let mut incident_groups: Vec<ChoiceGroup> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    for t in state.taxonomy.all() {
        if !categories.contains(&t.category.as_str()) {
            categories.push(&t.category);
        }
    }
    for category in categories {
        incident_groups.push(ChoiceGroup {
            label: crate::domain::taxonomy::category_label(category),
            choices: state
                .taxonomy
                .all()
                .iter()
                .filter(|t| t.category == category)
                .map(|t| Choice {
                    id: format!("incident_types_{}", t.code),
                    value: t.code.clone(),
                    label: t.label.clone(),
                    checked: values.incident_types.iter().any(|v| v == &t.code),
                })
                .collect(),
        });
    }
    let zone_error = first_error(errors, "zone");
    let zone_kind = if ["radius", "departements", "national"].contains(&values.zone_kind.as_str()) {
        values.zone_kind.as_str()
    } else {
        "radius"
    };
    ProfileForm {
        approved,
        identity,
        address,
        contact,
        description,
        audiences,
        audiences_error: first_error(errors, "audiences"),
        incident_groups,
        incident_types_error: first_error(errors, "incident_types"),
        remote: values.remote,
        zone_radius: zone_kind == "radius",
        zone_departements: zone_kind == "departements",
        zone_national: zone_kind == "national",
        radius_km: values.radius_km.clone(),
        departements: values.departements.clone(),
        radius_invalid: zone_error.is_some() && zone_kind == "radius",
        departements_invalid: zone_error.is_some() && zone_kind == "departements",
        zone_error,
    }
}

/// Checks the portal preconditions of a form post: a provider account and the session's token.
pub(super) fn check_post(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    token: &str,
) -> Result<(), AppError> {
    check_form(req, state, user, token)
}

#[post("/espace/organisations/{id}/profil")]
pub async fn save_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ProviderMember,
    path: web::Path<String>,
    body: web::Bytes,
) -> PageResult {
    let user = user.0;
    let id = path.into_inner();
    let crate::web::kit::CsrfForm { csrf_token } = crate::web::form::parse(&body)?;
    check_post(&req, &state, &user, &csrf_token)?;
    let values: ProfileValues = crate::web::form::parse(&body)?;
    let inner = state.clone().into_inner();
    let who = user.clone();
    let (target, sent) = (id.clone(), values.clone());
    let result = blocking(move || {
        let current = referencing::application(&inner, &inner.charter, &who, &target)?;
        let input = sent.changes_from(&current);
        referencing::update_profile(&inner, &inner.charter, &who, &target, input)
    })
    .await;
    match result {
        Ok(outcome) => {
            let info = match (outcome.application.status, outcome.change_request) {
                (_, Some(_)) => "demande-modification",
                (ReferencingStatus::Approved, None) => "profil-publie",
                _ => "profil",
            };
            done(&organisation_path(&id), info)
        }
        Err(AppError::Validation(errors)) => {
            let mut outcome =
                Outcome::errors(rename_fields(errors, &[("commune_code", "postcode")]));
            outcome.profile = Some(values);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let mut outcome = Outcome::alert(&e);
            outcome.profile = Some(values);
            show_organisation(&state, &user, id, outcome).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    pub(super) fn departements_are_read_as_typed() {
        let values = ProfileValues {
            zone_kind: "departements".into(),
            departements: "35, 22;2a  56,35 5".into(),
            ..Default::default()
        };
        assert_eq!(
            values.zone(),
            Some(json!({"kind": "departements", "departements": ["05", "22", "2A", "35", "56"]}))
        );
        let radius = ProfileValues {
            zone_kind: "radius".into(),
            radius_km: "trente".into(),
            ..Default::default()
        };
        assert_eq!(
            radius.zone(),
            Some(json!({"kind": "radius", "radius_km": 0}))
        );
    }
}
