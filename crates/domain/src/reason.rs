//! The written reason of a workflow step (a refusal, a suspension, changes asked for): checked
//! once, the same way for every workflow.

use std::fmt;

/// A reason as stored and sent: trimmed, not blank, at most [`Reason::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

/// Why a submitted reason was refused (the French message names the limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Indiquez le motif : il sera communiqué au prestataire.")]
    Missing,
    #[error("Le motif est limité à 2 000 caractères.")]
    TooLong,
}

impl Reason {
    pub const MAX_CHARS: usize = 2000;

    /// `None` for an absent or blank reason; an error only when it is too long.
    pub fn optional(raw: Option<&str>) -> Result<Option<Self>, ReasonError> {
        // The limit counts what was sent, spaces included, as the API document states it.
        if raw.is_some_and(|r| r.chars().count() > Self::MAX_CHARS) {
            return Err(ReasonError::TooLong);
        }
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(None),
            Some(r) => Ok(Some(Self(r.to_owned()))),
        }
    }

    /// A reason the step cannot go without.
    pub fn required(raw: Option<&str>) -> Result<Self, ReasonError> {
        Self::optional(raw)?.ok_or(ReasonError::Missing)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> Self {
        r.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(Reason::optional(None), Ok(None));
        assert_eq!(Reason::optional(Some("  \n ")), Ok(None));
        assert_eq!(
            Reason::optional(Some("  pièce manquante "))
                .unwrap()
                .unwrap()
                .as_str(),
            "pièce manquante"
        );
        let longest = "é".repeat(Reason::MAX_CHARS);
        assert!(Reason::optional(Some(&longest)).is_ok());
        let too_long = format!("{longest}e");
        assert_eq!(Reason::optional(Some(&too_long)), Err(ReasonError::TooLong));
        assert_eq!(Reason::required(Some(" ")), Err(ReasonError::Missing));
    }
}
