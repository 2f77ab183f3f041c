//! A provider's intervention zone: a radius around its address, a list of départements,
//! or the whole country.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_RADIUS_KM: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Zone {
    /// Within `radius_km` of the provider's address.
    Radius { radius_km: u32 },
    /// Anywhere in the listed départements.
    Departements { departements: Vec<String> },
    /// The whole country.
    National,
}

impl Zone {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Radius { .. } => "radius",
            Self::Departements { .. } => "departements",
            Self::National => "national",
        }
    }

    /// A short French description for pages ("dans un rayon de 30 km", ...).
    pub fn describe_fr(&self) -> String {
        match self {
            Self::Radius { radius_km } => format!("Dans un rayon de {radius_km} km"),
            Self::Departements { departements } => {
                let plural = if departements.len() > 1 { "s" } else { "" };
                format!("Département{plural} {}", departements.join(", "))
            }
            Self::National => "Toute la France".to_owned(),
        }
    }
}

/// Whether `code` is shaped like a département code ("01".."95", "2A", "2B", "971".."976").
/// Whether it exists is checked against the reference list.
pub fn departement_of_commune(commune_code: &str) -> Option<&str> {
    let len = if commune_code.starts_with("97") || commune_code.starts_with("98") {
        3
    } else {
        2
    };
    commune_code.get(..len)
}

/// The département a postcode most likely belongs to (used only when the postcode itself is
/// unknown): Corsica's 20xxx split into 2A and 2B, overseas on three digits.
pub fn departement_of_postcode(postcode: &str) -> Option<String> {
    if postcode.len() != 5 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(rest) = postcode.strip_prefix("20") {
        let third = rest.as_bytes()[0];
        return Some(if third <= b'1' { "2A" } else { "2B" }.to_owned());
    }
    if postcode.starts_with("97") || postcode.starts_with("98") {
        return Some(postcode[..3].to_owned());
    }
    Some(postcode[..2].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_json_shapes() {
        let radius: Zone = serde_json::from_str(r#"{"kind":"radius","radius_km":30}"#).unwrap();
        assert_eq!(radius, Zone::Radius { radius_km: 30 });
        let deps: Zone =
            serde_json::from_str(r#"{"kind":"departements","departements":["35","22"]}"#).unwrap();
        assert_eq!(deps.kind(), "departements");
        assert_eq!(
            serde_json::to_value(Zone::National).unwrap(),
            serde_json::json!({"kind": "national"})
        );
    }

    #[test]
    fn departement_from_codes() {
        assert_eq!(departement_of_commune("35238"), Some("35"));
        assert_eq!(departement_of_commune("2A004"), Some("2A"));
        assert_eq!(departement_of_commune("97411"), Some("974"));
        assert_eq!(departement_of_postcode("35000").as_deref(), Some("35"));
        assert_eq!(departement_of_postcode("20000").as_deref(), Some("2A"));
        assert_eq!(departement_of_postcode("20200").as_deref(), Some("2B"));
        assert_eq!(departement_of_postcode("97400").as_deref(), Some("974"));
        assert_eq!(departement_of_postcode("3500"), None);
    }
}
