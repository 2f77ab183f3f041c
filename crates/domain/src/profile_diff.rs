//! What changed in a provider's profile between two versions, field by field, as staff read it
//! in the file's history ("Téléphone : « 02 99 00 00 00 » → « 02 99 11 11 11 »").

use super::provider::Provider;

/// The longest value shown in a change; a longer one (a description) is cut with "…".
const SHOWN_CHARS: usize = 160;

/// One field that changed: its French name, the value before and after (empty: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn shown(value: &str) -> String {
    let value = value.trim();
    if value.chars().count() <= SHOWN_CHARS {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(SHOWN_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The fields of the profile that differ, in the form's order.
pub fn changes(before: &Provider, after: &Provider) -> Vec<FieldChange> {
    let list = |items: &[String]| items.join(", ");
    let audiences = |p: &Provider| {
        p.audiences
            .iter()
            .map(|a| a.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let yes_no = |b: bool| if b { "oui" } else { "non" }.to_owned();
    let pairs: [(&'static str, String, String); 14] = [
        ("Nom commercial", before.name.clone(), after.name.clone()),
        (
            "Raison sociale",
            before.legal_name.clone(),
            after.legal_name.clone(),
        ),
        ("SIRET", before.siret.clone(), after.siret.clone()),
        (
            "Adresse",
            before.address_line.clone(),
            after.address_line.clone(),
        ),
        (
            "Code postal",
            before.postcode.clone(),
            after.postcode.clone(),
        ),
        ("Commune", before.city.clone(), after.city.clone()),
        ("Téléphone", before.phone.clone(), after.phone.clone()),
        ("Courriel", before.email.clone(), after.email.clone()),
        (
            "Site web",
            before.website.clone().unwrap_or_default(),
            after.website.clone().unwrap_or_default(),
        ),
        (
            "Présentation",
            before.description.clone(),
            after.description.clone(),
        ),
        ("Publics", audiences(before), audiences(after)),
        (
            "Types d'incident",
            list(&before.incident_types),
            list(&after.incident_types),
        ),
        (
            "Intervention à distance",
            yes_no(before.remote),
            yes_no(after.remote),
        ),
        (
            "Zone d'intervention",
            before.zone.describe_fr(),
            after.zone.describe_fr(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, b, a)| b.trim() != a.trim())
        .map(|(field, b, a)| FieldChange {
            field,
            before: shown(&b),
            after: shown(&a),
        })
        .collect()
}

/// The changes as one text, a line per field (an event's reason).
pub fn describe(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| {
            let side = |v: &str| {
                if v.is_empty() {
                    "(vide)".to_owned()
                } else {
                    format!("« {v} »")
                }
            };
            format!("{} : {} → {}", c.field, side(&c.before), side(&c.after))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::Audience;
    use crate::provider::ReferencingStatus;
    use crate::zone::Zone;

    fn provider() -> Provider {
        Provider {
            id: "p".into(),
            legal_name: "Dupont SARL".into(),
            name: "Dupont Informatique".into(),
            siret: "73282932000074".into(),
            address_line: "1 rue de la Paix".into(),
            postcode: "35000".into(),
            commune_code: None,
            city: "Rennes".into(),
            latitude: 48.1,
            longitude: -1.7,
            phone: "02 99 00 00 00".into(),
            email: "contact@dupont.fr".into(),
            website: None,
            description: "Assistance.".into(),
            audiences: vec![Audience::Particulier],
            incident_types: vec!["rancongiciel".into()],
            remote: false,
            zone: Zone::Radius { radius_km: 30 },
            status: ReferencingStatus::ChangesRequested,
            label: None,
        }
    }

    #[test]
    fn only_the_fields_that_changed_are_named_with_both_values() {
        let before = provider();
        let mut after = provider();
        assert!(changes(&before, &after).is_empty());
        after.phone = "02 99 11 11 11".into();
        after.website = Some("https://dupont.fr".into());
        after.zone = Zone::National;
        after.description = "x".repeat(300);
        let found = changes(&before, &after);
        let fields: Vec<_> = found.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                "Téléphone",
                "Site web",
                "Présentation",
                "Zone d'intervention"
            ]
        );
        let text = describe(&found);
        assert!(text.starts_with("Téléphone : « 02 99 00 00 00 » → « 02 99 11 11 11 »\nSite web : (vide) → « https://dupont.fr »"), "{text}");
        assert!(
            text.contains(&format!("« {}… »", "x".repeat(160))),
            "long values are cut"
        );
    }
}
