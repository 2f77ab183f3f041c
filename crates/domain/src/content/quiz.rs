//! A short quiz per prevention theme, with the explanation of each answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub theme: String,
    pub title: String,
    /// The fiche pratique it goes with.
    pub fiche: String,
    #[serde(rename = "question")]
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub text: String,
    pub choices: Vec<String>,
    /// The index of the right choice, from 0.
    pub answer: usize,
    pub explanation: String,
}

impl Quiz {
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| super::toml_message(text, &e))
    }

    /// The number of right answers among `given` (one choice index per question, in order).
    pub fn score(&self, given: &[Option<usize>]) -> usize {
        self.questions
            .iter()
            .zip(given)
            .filter(|(q, g)| **g == Some(q.answer))
            .count()
    }
}
