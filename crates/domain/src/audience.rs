//! Who a provider serves and who a threat concerns.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Individuals.
    Particulier,
    /// Companies and associations.
    Entreprise,
    /// Local authorities and administrations.
    Collectivite,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Self::Particulier, Self::Entreprise, Self::Collectivite];

    pub fn code(self) -> &'static str {
        match self {
            Self::Particulier => "particulier",
            Self::Entreprise => "entreprise",
            Self::Collectivite => "collectivite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Particulier => "Particulier",
            Self::Entreprise => "Entreprise ou association",
            Self::Collectivite => "Collectivité ou administration",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// A one-bit mask, for fast filtering in the matching index.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Stored as a comma-separated list of codes.
pub fn encode_list(audiences: &[Audience]) -> String {
    audiences
        .iter()
        .map(|a| a.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Unknown codes are dropped: the column is only ever written by `encode_list`.
pub fn decode_list(stored: &str) -> Vec<Audience> {
    stored.split(',').filter_map(Audience::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_round_trips() {
        let list = vec![Audience::Particulier, Audience::Collectivite];
        assert_eq!(encode_list(&list), "particulier,collectivite");
        assert_eq!(decode_list(&encode_list(&list)), list);
        assert_eq!(decode_list(""), vec![]);
    }
}
