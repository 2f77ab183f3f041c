//! A provider's profile as its members edit it: field checks (with French messages), merging a
//! partial update, and the completeness required to submit.

use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use validator::ValidateEmail;

use crate::domain::audience::Audience;
use crate::domain::codes::{is_commune_code, is_postcode};
use crate::domain::departements::Departements;
use crate::domain::provider::Provider;
use crate::domain::siret::parse_siret;
use crate::domain::taxonomy::Taxonomy;
use crate::domain::text::capitalise;
use crate::domain::zone::{MAX_RADIUS_KM, Zone};
use crate::error::{FieldErrors, push_error};

/// A partial update of the profile: absent fields are left as they are.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileInput {
    pub legal_name: Option<String>,
    /// Trade name shown to the public.
    pub name: Option<String>,
    pub siret: Option<String>,
    pub address_line: Option<String>,
    pub postcode: Option<String>,
    /// INSEE code of the commune (optional: found from the postcode).
    pub commune_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Empty string to remove.
    pub website: Option<String>,
    pub description: Option<String>,
    pub audiences: Option<Vec<String>>,
    pub incident_types: Option<Vec<String>>,
    pub remote: Option<bool>,
    /// `{"kind": "radius", "radius_km": 30}`, `{"kind": "departements", "departements": ["35"]}` or `{"kind": "national"}`.
    #[schema(value_type = Object)]
    pub zone: Option<Value>,
}

/// Fields whose change on a published profile needs staff approval.
pub const REVIEWED_FIELDS: [&str; 7] = [
    "legal_name",
    "siret",
    "address_line",
    "postcode",
    "commune_code",
    "city",
    "zone",
];

impl ProfileInput {
    /// Splits into (descriptive fields, reviewed fields).
    pub fn split_reviewed(self) -> (ProfileInput, ProfileInput) {
        let reviewed = ProfileInput {
            legal_name: self.legal_name,
            siret: self.siret,
            address_line: self.address_line,
            postcode: self.postcode,
            commune_code: self.commune_code,
            city: self.city,
            zone: self.zone,
            ..Default::default()
        };
        let descriptive = ProfileInput {
            name: self.name,
            phone: self.phone,
            email: self.email,
            website: self.website,
            description: self.description,
            audiences: self.audiences,
            incident_types: self.incident_types,
            remote: self.remote,
            ..Default::default()
        };
        (descriptive, reviewed)
    }

    pub fn is_empty(&self) -> bool {
        self.clone_to_map().is_empty()
    }

    fn clone_to_map(&self) -> serde_json::Map<String, Value> {
        let mut map = serde_json::Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                map.insert(k.to_owned(), v);
            }
        };
        put("legal_name", self.legal_name.clone().map(Value::String));
        put("name", self.name.clone().map(Value::String));
        put("siret", self.siret.clone().map(Value::String));
        put("address_line", self.address_line.clone().map(Value::String));
        put("postcode", self.postcode.clone().map(Value::String));
        put("commune_code", self.commune_code.clone().map(Value::String));
        put("city", self.city.clone().map(Value::String));
        put("phone", self.phone.clone().map(Value::String));
        put("email", self.email.clone().map(Value::String));
        put("website", self.website.clone().map(Value::String));
        put("description", self.description.clone().map(Value::String));
        put("audiences", self.audiences.clone().map(Value::from));
        put(
            "incident_types",
            self.incident_types.clone().map(Value::from),
        );
        put("remote", self.remote.map(Value::Bool));
        put("zone", self.zone.clone());
        map
    }

    /// The fields as JSON (stored in change requests).
    pub fn to_json(&self) -> Value {
        Value::Object(self.clone_to_map())
    }
}

fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    min: usize,
    max: usize,
    label: &str,
) -> Option<String> {
    let v = value.as_ref()?.trim().to_owned();
    let n = v.chars().count();
    if n < min || n > max {
        push_error(
            errors,
            field,
            format!("{label} : entre {min} et {max} caractères."),
        );
    }
    Some(v)
}

/// French phone numbers (10 digits from 0, or +33 and 9 digits), shown as "02 99 12 34 56".
pub fn normalise_phone(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+33") {
        format!("0{rest}")
    } else {
        digits
    };
    if national.len() != 10
        || !national.starts_with('0')
        || !national.bytes().all(|b| b.is_ascii_digit())
        || national.as_bytes()[1] == b'0'
    {
        return None;
    }
    let pairs: Vec<&str> = (0..5).map(|i| &national[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(" "))
}

pub fn parse_zone(value: &Value, departements: &Departements) -> Result<Zone, String> {
    let zone: Zone = serde_json::from_value(value.clone()).map_err(|_| {
        "Zone invalide : {\"kind\": \"radius\", \"radius_km\": 30}, {\"kind\": \"departements\", \"departements\": [\"35\"]} ou {\"kind\": \"national\"}.".to_owned()
    })?;
    match &zone {
        Zone::Radius { radius_km } if *radius_km == 0 || *radius_km > MAX_RADIUS_KM => Err(
            format!("Le rayon doit être compris entre 1 et {MAX_RADIUS_KM} km."),
        ),
        Zone::Departements { departements: list } if list.is_empty() => {
            Err("Indiquez au moins un département.".into())
        }
        Zone::Departements { departements: list } => {
            match list.iter().find(|d| departements.get(d).is_none()) {
                Some(unknown) => Err(format!("Département inconnu : {unknown}.")),
                None => {
                    let mut list = list.clone();
                    list.sort();
                    list.dedup();
                    Ok(Zone::Departements { departements: list })
                }
            }
        }
        _ => Ok(zone),
    }
}

/// Applies the given fields to `provider`, checking each; location fields are returned for the
/// caller to geocode. Nothing is applied when there are errors.
pub fn apply(
    provider: &mut Provider,
    input: &ProfileInput,
    taxonomy: &Taxonomy,
    departements: &Departements,
) -> Result<bool, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut next = provider.clone();
    if let Some(v) = text(
        &mut errors,
        "legal_name",
        &input.legal_name,
        2,
        200,
        "Raison sociale",
    ) {
        next.legal_name = v;
    }
    if let Some(v) = text(&mut errors, "name", &input.name, 2, 120, "Nom commercial") {
        next.name = v;
    }
    if let Some(raw) = &input.siret {
        match parse_siret(raw) {
            Ok(siret) => next.siret = siret,
            Err(e) => push_error(
                &mut errors,
                "siret",
                format!("{}.", capitalise(&e.to_string())),
            ),
        }
    }
    if let Some(v) = text(
        &mut errors,
        "address_line",
        &input.address_line,
        3,
        200,
        "Adresse",
    ) {
        next.address_line = v;
    }
    let mut location_changed = false;
    if let Some(raw) = &input.postcode {
        let v = raw.trim().to_owned();
        if is_postcode(&v) {
            if v != next.postcode {
                location_changed = true;
                // A commune code from the old postcode would now place the provider elsewhere.
                if input.commune_code.is_none() {
                    next.commune_code = None;
                }
            }
            next.postcode = v;
        } else {
            push_error(
                &mut errors,
                "postcode",
                "Code postal invalide : 5 chiffres attendus.",
            );
        }
    }
    if let Some(raw) = &input.commune_code {
        let v = raw.trim().to_ascii_uppercase();
        if v.is_empty() {
            next.commune_code = None;
        } else if is_commune_code(&v) {
            location_changed |= Some(&v) != next.commune_code.as_ref();
            next.commune_code = Some(v);
        } else {
            push_error(
                &mut errors,
                "commune_code",
                "Code commune INSEE invalide (ex. 35238 ou 2A004).",
            );
        }
    }
    if let Some(v) = text(&mut errors, "city", &input.city, 1, 100, "Commune") {
        next.city = v;
    }
    if let Some(raw) = &input.phone {
        match normalise_phone(raw) {
            Some(p) => next.phone = p,
            None => push_error(
                &mut errors,
                "phone",
                "Numéro de téléphone invalide (10 chiffres, ex. 02 99 12 34 56).",
            ),
        }
    }
    if let Some(raw) = &input.email {
        let v = raw.trim().to_lowercase();
        if v.validate_email() && v.len() <= 254 {
            next.email = v;
        } else {
            push_error(&mut errors, "email", "Adresse électronique invalide.");
        }
    }
    if let Some(raw) = &input.website {
        let v = raw.trim();
        if v.is_empty() {
            next.website = None;
        } else if (v.starts_with("https://") || v.starts_with("http://"))
            && url::Url::parse(v).is_ok()
            && v.len() <= 300
        {
            next.website = Some(v.to_owned());
        } else {
            push_error(
                &mut errors,
                "website",
                "Adresse de site invalide (ex. https://www.exemple.fr).",
            );
        }
    }
    if let Some(v) = text(
        &mut errors,
        "description",
        &input.description,
        0,
        2000,
        "Description",
    ) {
        next.description = v;
    }
    if let Some(list) = &input.audiences {
        let parsed: Vec<Option<Audience>> = list.iter().map(|a| Audience::parse(a)).collect();
        if parsed.iter().any(Option::is_none) {
            push_error(
                &mut errors,
                "audiences",
                "Public inconnu : particulier, entreprise ou collectivite.",
            );
        } else {
            let mut audiences: Vec<Audience> = parsed.into_iter().flatten().collect();
            audiences.sort();
            audiences.dedup();
            next.audiences = audiences;
        }
    }
    if let Some(list) = &input.incident_types {
        match list.iter().find(|c| taxonomy.get(c).is_none()) {
            Some(unknown) => push_error(
                &mut errors,
                "incident_types",
                format!("Type d'incident inconnu : {unknown}."),
            ),
            None => {
                let mut codes = list.clone();
                codes.sort();
                codes.dedup();
                next.incident_types = codes;
            }
        }
    }
    if let Some(remote) = input.remote {
        next.remote = remote;
    }
    if let Some(value) = &input.zone {
        match parse_zone(value, departements) {
            Ok(zone) => next.zone = zone,
            Err(message) => push_error(&mut errors, "zone", message),
        }
    }
    if errors.is_empty() {
        *provider = next;
        Ok(location_changed)
    } else {
        Err(errors)
    }
}

/// What is still missing before the application can be submitted.
pub fn missing_for_submission(provider: &Provider) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let required = [
        (
            "legal_name",
            provider.legal_name.is_empty(),
            "Indiquez la raison sociale.",
        ),
        (
            "name",
            provider.name.is_empty(),
            "Indiquez le nom commercial.",
        ),
        (
            "siret",
            provider.siret.is_empty(),
            "Indiquez le numéro SIRET.",
        ),
        (
            "address_line",
            provider.address_line.is_empty(),
            "Indiquez l'adresse.",
        ),
        (
            "postcode",
            provider.postcode.is_empty(),
            "Indiquez le code postal.",
        ),
        ("city", provider.city.is_empty(), "Indiquez la commune."),
        (
            "phone",
            provider.phone.is_empty(),
            "Indiquez un numéro de téléphone.",
        ),
        (
            "email",
            provider.email.is_empty(),
            "Indiquez une adresse électronique de contact.",
        ),
        (
            "description",
            provider.description.chars().count() < 20,
            "Décrivez votre activité (20 caractères au moins).",
        ),
        (
            "audiences",
            provider.audiences.is_empty(),
            "Indiquez au moins un public accompagné.",
        ),
        (
            "incident_types",
            provider.incident_types.is_empty(),
            "Indiquez au moins un type d'incident pris en charge.",
        ),
    ];
    for (field, missing, message) in required {
        if missing {
            push_error(&mut errors, field, message);
        }
    }
    if matches!(provider.zone, Zone::Radius { radius_km: 0 }) {
        push_error(&mut errors, "zone", "Indiquez votre zone d'intervention.");
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            normalise_phone("0299123456").as_deref(),
            Some("02 99 12 34 56")
        );
        assert_eq!(
            normalise_phone("+33 2 99 12 34 56").as_deref(),
            Some("02 99 12 34 56")
        );
        assert_eq!(
            normalise_phone("02.99.12.34.56").as_deref(),
            Some("02 99 12 34 56")
        );
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("0099123456"), None);
    }
}
