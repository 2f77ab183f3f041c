//! Helpers of the referencing tests: a complete profile, a minimal PDF.

use serde_json::{Value, json};

/// A minimal valid PDF (the uploads check the format).
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A draft profile with every field a submission needs.
pub fn complete_profile() -> Value {
    json!({
        "legal_name": "BREIZH CYBER SAS",
        "name": "Breizh Cyber",
        "siret": "732 829 320 00074",
        "address_line": "12 rue de la Monnaie",
        "postcode": "35000",
        "city": "Rennes",
        "phone": "02 99 12 34 56",
        "email": "contact@breizh-cyber.fr",
        "website": "https://www.breizh-cyber.fr",
        "description": "Assistance aux victimes de rançongiciels en Ille-et-Vilaine depuis 2012.",
        "audiences": ["particulier", "entreprise"],
        "incident_types": ["rancongiciel", "hameconnage"],
        "remote": true,
        "zone": {"kind": "radius", "radius_km": 40}
    })
}
